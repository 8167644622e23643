"""Sending an edition through the outbox: at most once per subscriber, safe to kill, rerun and run twice
at the same time (the conditional update that marks a digest sent decides which run's copy goes out).

1. Plan: one ``pending`` row per confirmed subscriber of the edition's frequency (idempotent).
2. For each pending row: compose, then send; the row becomes ``sent`` in the same instant the message
   is handed over (see :meth:`Mailer.send`), ``skipped`` when there is nothing to send and the
   subscriber did not ask for empty digests, ``failed`` when the server refuses it for good.
3. Temporary failures (server down, 4xx) are retried with backoff; if they persist the run stops and
   leaves the rest ``pending`` for the next run. Nothing is marked sent that was not handed over.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from sqlalchemy import Engine, select, update

from ..clock import utcnow
from ..config import Config
from ..search.backends import SearchBackend
from ..storage.bulk import insert_missing
from ..storage.schema import digest_outbox, subscribers
from . import tokens
from .compose import Composed, Links, compose, message
from .editions import Edition
from .mailer import Mailer, MailError
from .picks import Personalizer
from .subscribers import Subscriber, _row

RETRY_DELAYS = (1.0, 4.0, 15.0)


@dataclass(slots=True)
class SendSummary:
    edition: str
    due: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    already_done: int = 0
    pending: int = 0  # left for the next run (the server stayed unavailable)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in ("edition", "due", "sent", "skipped", "failed", "already_done",
                                               "pending", "problems")}


def links_for(config: Config, subscriber: Subscriber) -> Links:
    secret, base = config.signing_key(), config.base_url
    manage = tokens.make(secret, "manage", subscriber.id, subscriber.email)
    unsubscribe = tokens.make(secret, "unsubscribe", subscriber.id, subscriber.email)
    return Links(site=base, manage=f"{base}/digest/preferences?token={manage}",
                 unsubscribe=f"{base}/digest/unsubscribe?token={unsubscribe}")


def digest_parts(config: Config, personalizer: Personalizer,
                 subscriber: Subscriber) -> tuple[Composed, Links] | None:
    """The subscriber's digest for the personalizer's edition, or None when it would be empty and they
    did not ask for empty digests."""
    prefs = subscriber.preferences
    picks = personalizer.picks(prefs, subscriber.user_id)
    trending = personalizer.trending(prefs, skip={p.paper.id for p in picks})
    if not picks and not trending and not prefs.send_empty:
        return None
    links = links_for(config, subscriber)
    unmatched = () if picks else (*prefs.keywords, *prefs.authors)
    return compose(personalizer.edition, picks, trending, links, unmatched=unmatched), links


def digest_message(config: Config, personalizer: Personalizer, subscriber: Subscriber,
                   now: dt.datetime) -> Message | None:
    parts = digest_parts(config, personalizer, subscriber)
    if parts is None:
        return None
    composed, links = parts
    return message(composed, sender=config.mail_from, to=subscriber.email, message_domain=_domain(config),
                   unsubscribe=links.unsubscribe, when=now)


def _domain(config: Config) -> str:
    from urllib.parse import urlsplit

    return urlsplit(config.base_url).hostname or "paperboard.local"


def plan(engine: Engine, edition: Edition, only: str | None = None) -> int:
    """Create the edition's pending rows for every confirmed subscriber of its frequency."""
    with engine.begin() as conn:
        due = [s for s in (_row(r) for r in conn.execute(select(subscribers)
                                                         .where(subscribers.c.confirmed_at.is_not(None))))
               if s.preferences.frequency == edition.kind and (only is None or s.email == only)]
        planned = set(conn.execute(select(digest_outbox.c.subscriber_id)
                                   .where(digest_outbox.c.edition == edition.key)).scalars())
        now = utcnow()
        rows = [{"subscriber_id": s.id, "edition": edition.key, "status": "pending", "attempts": 0,
                 "updated_at": now} for s in due if s.id not in planned]
        insert_missing(conn, digest_outbox, rows)  # a run planning at the same time may add some first
        return len(due)


def _mark(engine: Engine, edition: Edition, subscriber_id: int, status: str, *, error: str | None = None,
          expect: str = "pending") -> bool:
    """Move the row from ``expect`` to ``status``; False when it was not in ``expect`` (another run got
    there first): the row count of this conditional update decides who sends."""
    with engine.begin() as conn:
        return conn.execute(update(digest_outbox)
                     .where(digest_outbox.c.subscriber_id == subscriber_id,
                            digest_outbox.c.edition == edition.key, digest_outbox.c.status == expect)
                     .values(status=status, last_error=error, attempts=digest_outbox.c.attempts + 1,
                             updated_at=utcnow())).rowcount == 1


def send_edition(engine: Engine, search: SearchBackend, config: Config, edition: Edition, *,
                 mailer: Callable[[], Mailer], only: str | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> SendSummary:
    summary = SendSummary(edition.key)
    summary.due = plan(engine, edition, only)
    with engine.connect() as conn:
        rows = conn.execute(select(digest_outbox.c.subscriber_id, digest_outbox.c.status)
                            .where(digest_outbox.c.edition == edition.key)
                            .order_by(digest_outbox.c.subscriber_id)).all()
        by_id = {s.id: s for s in (_row(r) for r in conn.execute(select(subscribers)))}
    if only is not None:
        rows = [r for r in rows if by_id.get(r.subscriber_id) and by_id[r.subscriber_id].email == only]
    todo = [r.subscriber_id for r in rows if r.status == "pending" and r.subscriber_id in by_id]
    summary.already_done = len(rows) - len(todo)
    personalizer = Personalizer(engine, search, edition)
    now = utcnow()
    with mailer() as smtp:
        for position, subscriber_id in enumerate(todo):
            subscriber = by_id[subscriber_id]
            msg = digest_message(config, personalizer, subscriber, now)
            if msg is None:
                _mark(engine, edition, subscriber_id, "skipped")
                summary.skipped += 1
            else:
                outcome, detail = _deliver(engine, edition, smtp, subscriber, msg, sleep)
                if outcome == "sent":
                    summary.sent += 1
                elif outcome == "taken":
                    summary.already_done += 1
                elif outcome == "failed":
                    summary.failed += 1
                    summary.problems.append(f"{subscriber.email}: {detail}")
                else:  # the server stays unavailable: stop, leave the rest pending
                    summary.pending = len(todo) - position
                    summary.problems.append(f"stopped: {detail}; rerun to send the {summary.pending} left")
                    break
            if on_progress:
                on_progress(1)
    return summary


class _Taken(Exception):
    """Another run marked this digest sent first: this run's copy is abandoned before the server takes it."""


def _deliver(engine: Engine, edition: Edition, smtp: Mailer, subscriber: Subscriber, msg: Message,
             sleep: Callable[[float], None]) -> tuple[str, str]:
    """("sent" | "taken" | "failed" | "unavailable", what the server said)."""
    for attempt in range(len(RETRY_DELAYS) + 1):
        marked = False

        def mark_sent() -> None:
            nonlocal marked
            if not _mark(engine, edition, subscriber.id, "sent"):
                raise _Taken  # the DATA phase is left unfinished: the server discards this copy
            marked = True

        try:
            smtp.send(msg, before_accept=mark_sent)
            return "sent", ""
        except _Taken:
            return "taken", ""
        except MailError as exc:
            if marked:  # recorded as sent, but the server did not take it: undo
                _mark(engine, edition, subscriber.id, "pending", error=str(exc), expect="sent")
            if not exc.temporary:
                _mark(engine, edition, subscriber.id, "failed", error=str(exc))
                return "failed", str(exc)
            last = str(exc)
            if exc.settings:  # no wait mends a wrong password: every digest stays pending
                break
            if attempt < len(RETRY_DELAYS):
                sleep(RETRY_DELAYS[attempt])
    return "unavailable", last
