"""Digest subscribers and editions: subscribing (double opt-in), listing, removing, composing an
edition without sending it, sending it once to everyone due, and delivering the queued confirmation and
manage-link mails. Each verb is its own transaction (or, for a send, one per digest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from ..config import Config
from ..digest import notices, sender
from ..digest import subscribers as store
from ..digest.editions import Edition, edition
from ..digest.mailer import Mailer, SmtpSettings
from ..digest.picks import Personalizer
from ..digest.preferences import Preferences, normalize_email, split_terms, split_topics
from ..digest.subscribers import Subscriber
from ..errors import NotFound, PaperboardError
from ..feeds.listing import newest_day
from ..search.service import SearchIndex


@dataclass(frozen=True, slots=True)
class Subscribed:
    subscriber: Subscriber
    new: bool
    # for an address waiting for confirmation: the mail went ("sent"), or no mail server is configured
    # and ``link`` is the confirmation link to hand on ("logged"), or it is queued (``problem`` says why)
    confirmation: str | None = None
    link: str | None = None
    problem: str | None = None


def preferences(*, weekly: bool = False, keywords: str | Iterable[str] | None = None,
                exclude: str | Iterable[str] | None = None, categories: Iterable[str] = (),
                authors: Iterable[str] = (), max_count: int = 10, threshold: float = 0.0,
                send_empty: bool = False) -> Preferences:
    """Preferences from what a person typed ('a, b' lists); a PreferenceError says what is wrong."""
    return Preferences(frequency="weekly" if weekly else "daily", keywords=split_topics(keywords),
                       exclude=split_terms(exclude), categories=split_terms(tuple(categories)),
                       authors=split_terms(tuple(authors)), max_count=max_count, threshold=threshold,
                       send_empty=send_empty)


class Digests:
    def __init__(self, engine: Engine, config: Config, search: Callable[[], SearchIndex]):
        self.engine, self.config, self._search = engine, config, search

    # --- subscribers ----------------------------------------------------------------------------------

    def subscribe(self, email: str, prefs: Preferences, *, confirmed: bool = False) -> Subscribed:
        """Add ``email`` (or change its preferences). Unless ``confirmed`` (an operator vouches for the
        address), a confirmation mail goes out and the address gets nothing else until it is followed."""
        with self.engine.begin() as conn:
            subscriber, new = store.add(conn, email, prefs, confirmed=confirmed)
        if subscriber.confirmed:
            return Subscribed(subscriber, new)
        with self.engine.begin() as conn:
            notices.queue(conn, subscriber, "confirm")
        done = notices.deliver(self.engine, self.config)
        if done.sent:
            return Subscribed(subscriber, new, "sent")
        if done.logged:
            link = notices.notice_message(self.config, subscriber, "confirm")[1]
            return Subscribed(subscriber, new, "logged", link=link)
        return Subscribed(subscriber, new, "queued", problem="; ".join(done.problems) or None)

    def subscribers(self) -> list[Subscriber]:
        with self.engine.connect() as conn:
            return store.all_subscribers(conn)

    def unsubscribe(self, email: str) -> Subscriber:
        """Remove ``email`` and everything about it; NotFound when it is not subscribed."""
        with self.engine.begin() as conn:
            found = store.find(conn, email)
            if found is None:
                raise NotFound(f"{email} is not subscribed")
            store.remove(conn, found.id)
        return found

    # --- editions ---------------------------------------------------------------------------------------

    def edition(self, kind: str, day: dt.date | None = None) -> Edition:
        """The daily or weekly edition of ``day`` (default: the newest announcement day stored)."""
        if day is None:
            with self.engine.connect() as conn:
                day = newest_day(conn) or dt.date.today()
        return edition(kind, day)

    def due(self, chosen: Edition, only: str | None = None) -> list[Subscriber]:
        """The confirmed subscribers of the edition's frequency (``only``: that one address, which must
        be one of them)."""
        kind = chosen.kind
        found = [s for s in self.subscribers() if s.confirmed and s.preferences.frequency == kind]
        if only is None:
            return found
        address = normalize_email(only)
        found = [s for s in found if s.email == address]
        if not found:
            raise PaperboardError(f"{address} is not a confirmed subscriber of the {kind} digest")
        return found

    def preview(self, chosen: Edition, subscribers: list[Subscriber]) -> list[tuple[str, str | None]]:
        """Each subscriber's digest subject, composed but neither sent nor recorded (None: nothing to
        send)."""
        personalizer = Personalizer(self.engine, self._search(), chosen)
        result = []
        for s in subscribers:
            parts = sender.digest_parts(self.config, personalizer, s)
            result.append((s.email, parts[0].subject if parts else None))
        return result

    def send(self, chosen: Edition, *, only: str | None = None,
             on_progress: Callable[[int], None] | None = None) -> sender.SendSummary:
        """Send the edition to everyone due who has not had it (a rerun sends only what is left)."""
        return sender.send_edition(self.engine, self._search(), self.config, chosen, mailer=self.mailer(),
                                   only=normalize_email(only) if only else None, on_progress=on_progress)

    def deliver_mail(self) -> notices.Delivery:
        """Send the queued confirmation and manage-link mails."""
        return notices.deliver(self.engine, self.config)

    def mailer(self) -> Callable[[], Mailer]:
        """How to reach the configured mail server; a bad PAPERBOARD_SMTP_URL is refused here."""
        try:
            settings = SmtpSettings.parse(self.config.smtp_url)
        except ValueError as exc:
            raise PaperboardError(str(exc)) from None
        return lambda: Mailer(settings)
