"""Digest subscribers and editions: subscribing (double opt-in), listing, removing, composing an
edition without sending it, sending it once to everyone due, and delivering the queued confirmation and
manage-link mails. Each verb is its own transaction (or, for a send, one per digest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from ..config import Config
from ..digest import notices, sender, tokens
from ..digest import subscribers as store
from ..digest.compose import Links, compose
from ..digest.editions import Edition, edition
from ..digest.mailer import Mailer, SmtpSettings
from ..digest.picks import Personalizer
from ..digest.preferences import PreferenceError, Preferences, normalize_email, split_terms, split_topics
from ..digest.subscribers import Subscriber
from ..errors import NotFound, PaperboardError
from ..feeds.daily import latest_day
from ..feeds.listing import newest_day
from ..search.backends import SearchBackend

__all__ = ["Digests", "Preferences", "Subscribed", "Subscriber", "form_preferences", "preferences"]


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


def form_preferences(form: dict[str, str]) -> Preferences:
    """Preferences from the site's form (``preferences.html``); a PreferenceError says what is wrong."""
    try:
        return Preferences(
            frequency=form.get("frequency", "daily"), keywords=split_topics(form.get("keywords", "")),
            exclude=split_terms(form.get("exclude", "")), categories=split_terms(form.get("categories", "")),
            authors=split_terms(form.get("authors", "")), max_count=int(form.get("max_count") or 10),
            threshold=float(form.get("threshold") or 0), send_empty=form.get("send_empty") == "1",
            trending=form.get("trending", "1") == "1")
    except ValueError as exc:
        raise PreferenceError(str(exc) if isinstance(exc, PreferenceError) else "numbers are expected for "
                              "the count and the threshold") from None


class Digests:
    def __init__(self, engine: Engine, config: Config, search: Callable[[], SearchBackend]):
        self.engine, self.config, self._search = engine, config, search

    # --- subscribers ----------------------------------------------------------------------------------

    @staticmethod
    def address(text: str) -> str:
        """An e-mail address as stored (a PreferenceError for one that cannot be)."""
        return normalize_email(text)

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

    def ask(self, email: str, prefs: Preferences, *, may_mail: Callable[[str], bool]) -> bool:
        """A subscription asked for on the site, where anyone may type any address: a new address is
        stored unconfirmed and owed a confirmation mail; an existing one is left as it is (its
        preferences change only by the signed link in a mail) and owed that link again. Nothing is owed
        when ``may_mail(address)`` says the address was mailed a moment ago. Whether a mail is owed
        (send it with :meth:`deliver_quietly`)."""
        with self.engine.begin() as conn:
            existing = store.find(conn, email)
            subscriber = existing or store.add(conn, email, prefs)[0]
        if not may_mail(subscriber.email):
            return False
        with self.engine.begin() as conn:
            notices.queue(conn, subscriber, "manage" if existing and existing.confirmed else "confirm")
        return True

    def _read_link(self, purpose: str, token: str) -> tuple[int, str]:
        """The subscriber id and address a signed link carries; a PaperboardError for a bad one."""
        try:
            return tokens.read(self.config.signing_key(), purpose, token)
        except tokens.LinkError as exc:
            raise PaperboardError(str(exc)) from None

    def by_link(self, purpose: str, token: str) -> Subscriber:
        """The subscriber a signed link (``confirm``, ``manage``, ``unsubscribe``) is for."""
        subscriber_id, email = self._read_link(purpose, token)
        with self.engine.connect() as conn:
            found = store.get(conn, subscriber_id)
        if found is None or found.email != email:
            raise NotFound("this subscription no longer exists")
        return found

    def confirm(self, subscriber: Subscriber) -> str:
        """Confirm the address (its link was followed); the token of its manage link."""
        with self.engine.begin() as conn:
            store.confirm(conn, subscriber.id)
        return tokens.make(self.config.signing_key(), "manage", subscriber.id, subscriber.email)

    def set_preferences(self, subscriber: Subscriber, prefs: Preferences) -> None:
        with self.engine.begin() as conn:
            store.set_preferences(conn, subscriber.id, prefs)

    def link_account(self, subscriber: Subscriber, user_id: int) -> None:
        """Let the account's upvotes and collections pick the subscriber's papers."""
        with self.engine.begin() as conn:
            store.link_account(conn, subscriber.id, user_id)

    def unsubscribe_by_link(self, token: str) -> str:
        """One click on a signed unsubscribe link; the address. A second click changes nothing."""
        subscriber_id, email = self._read_link("unsubscribe", token)
        with self.engine.begin() as conn:
            found = store.get(conn, subscriber_id)
            if found is not None and found.email == email:
                store.remove(conn, subscriber_id)
        return email

    def deliver_quietly(self) -> None:
        """The queued mails, after a request has been answered: problems are logged, never raised."""
        notices.deliver_quietly(self.engine, self.config)

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

    def edition(self, kind: str, day: dt.date | None = None, *, today: dt.date | None = None) -> Edition:
        """The daily or weekly edition of ``day`` (default: the newest announcement day stored, else
        ``today``, else the date now)."""
        if day is None:
            with self.engine.connect() as conn:
                day = newest_day(conn) or today or dt.date.today()
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

    def preview_html(self, kind: str, day: dt.date | None, subscriber: Subscriber | None) -> str | None:
        """A digest's HTML part: the subscriber's own (None: nothing to send them), or else the edition's
        trending papers. ``day``: default, the newest edition with submissions (trending needs them)."""
        if day is None:
            with self.engine.connect() as conn:
                day = (None if subscriber else latest_day(conn)) or newest_day(conn) or dt.date.today()
        personalizer = Personalizer(self.engine, self._search(), edition(kind, day))
        if subscriber is not None:
            parts = sender.digest_parts(self.config, personalizer, subscriber)
            return parts[0].html if parts else None
        base = self.config.base_url
        trending = personalizer.trending(Preferences(), set())
        return compose(personalizer.edition, [], trending, Links(base, base + "/subscribe",
                                                                  base + "/subscribe")).html

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
