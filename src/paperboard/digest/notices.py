"""Mails the site owes one address, through an outbox like the digests: to a subscriber (confirm a
subscription; a manage link when an address that is already subscribed is entered again) or to an
account (confirm its address, reset its password, a reply: :mod:`.account_notices`).

A request only queues the mail and answers at once, whatever the mail server is doing; ``deliver``
sends what is queued (right after the request, from ``paperboard mail deliver``, and from the worker).
A mail server that is down leaves the mail queued for the next delivery; an address it refuses for
good is marked failed. With no mail server configured, the link is logged for the operator instead.
Delivery is at least once: a mail whose sending was cut short is sent again once its claim is stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from sqlalchemy import Connection, Engine, insert, or_, select, update

from ..clock import utcnow
from ..config import Config
from ..storage.schema import mail_outbox
from . import tokens
from .account_notices import account_message
from .compose import confirmation, manage_reminder, message
from .mailer import Mailer, MailError, SmtpSettings
from .subscribers import Subscriber, get

log = logging.getLogger(__name__)
KINDS = ("confirm", "manage")
STALE_CLAIM = dt.timedelta(minutes=10)  # a "sending" row this old was abandoned by a killed process


@dataclass(slots=True)
class Delivery:
    sent: int = 0
    logged: int = 0
    failed: int = 0
    pending: int = 0  # left queued: the mail server is unavailable
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "logged": self.logged, "failed": self.failed, "pending": self.pending,
                "problems": self.problems}


def queue(conn: Connection, subscriber: Subscriber, kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notice {kind!r}")
    now = utcnow()
    conn.execute(insert(mail_outbox).values(subscriber_id=subscriber.id, kind=kind, status="pending",
                                            attempts=0, created_at=now, updated_at=now))


def notice_message(config: Config, subscriber: Subscriber, kind: str) -> tuple[Message, str]:
    """The mail and the link it carries (what the operator's log shows when no mail server is set)."""
    secret, base = config.signing_key(), config.base_url

    def signed(purpose: str) -> str:
        return tokens.make(secret, purpose, subscriber.id, subscriber.email)

    if kind == "confirm":
        url = f"{base}/subscribe/confirm?token={signed('confirm')}"
        composed = confirmation(subscriber.email, url, base)
    else:
        url = f"{base}/digest/preferences?token={signed('manage')}"
        leave = f"{base}/digest/unsubscribe?token={signed('unsubscribe')}"
        composed = manage_reminder(subscriber.email, url, leave, base)
    from .sender import _domain

    msg = message(composed, sender=config.mail_from, to=subscriber.email, message_domain=_domain(config),
                  unsubscribe=None, when=utcnow())
    return msg, url


def _built(conn: Connection, config: Config, row) -> tuple[Message, str, str] | None:  # type: ignore[no-untyped-def]
    """The mail of an outbox row, its link and its address; None when it is not wanted any more."""
    if row.subscriber_id is None:
        return account_message(conn, config, row.user_id, row.kind, row.ref)
    subscriber = get(conn, row.subscriber_id)
    if subscriber is None:
        return None
    msg, url = notice_message(config, subscriber, row.kind)
    return msg, url, subscriber.email


def _claimable(now: dt.datetime):  # type: ignore[no-untyped-def]
    """Queued, or claimed by a process that has not finished it in STALE_CLAIM (it was killed)."""
    return or_(mail_outbox.c.status == "pending",
               (mail_outbox.c.status == "sending") & (mail_outbox.c.updated_at < now - STALE_CLAIM))


def _claim(engine: Engine, row_id: int, now: dt.datetime) -> bool:
    """Take one queued mail for this process; False when another process took it first."""
    with engine.begin() as conn:
        taken = conn.execute(
            update(mail_outbox).where(mail_outbox.c.id == row_id, _claimable(now))
            .values(status="sending", updated_at=now, attempts=mail_outbox.c.attempts + 1))
        return taken.rowcount == 1


def _finish(engine: Engine, row_id: int, status: str, error: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(mail_outbox).where(mail_outbox.c.id == row_id)
                     .values(status=status, last_error=error, updated_at=utcnow()))


def deliver(engine: Engine, config: Config, *, mailer: Callable[[], Mailer] | None = None,
            limit: int = 500) -> Delivery:
    """Send (or log) the queued mails, oldest first, until the queue is empty or the server is down."""
    done = Delivery()
    now = utcnow()
    with engine.connect() as conn:
        rows = conn.execute(
            select(mail_outbox.c.id, mail_outbox.c.subscriber_id, mail_outbox.c.user_id, mail_outbox.c.kind,
                   mail_outbox.c.ref)
            .where(_claimable(now)).order_by(mail_outbox.c.id).limit(limit)).all()
    if not rows:
        return done
    configured = bool(config.smtp_url.strip())
    make = mailer or (lambda: Mailer(SmtpSettings.parse(config.smtp_url)))
    session: Mailer | None = None
    try:
        for index, row in enumerate(rows):
            if not _claim(engine, row.id, utcnow()):
                continue
            with engine.connect() as conn:
                built = _built(conn, config, row)
            if built is None:  # nothing to send any more (a reply deleted, mail on replies turned off)
                _finish(engine, row.id, "dropped")
                continue
            msg, url, address = built
            if not configured:
                log.warning("no mail server is configured (PAPERBOARD_SMTP_URL): the %s link for %s is %s",
                            row.kind, address, url)
                _finish(engine, row.id, "logged")
                done.logged += 1
                continue
            try:
                session = session or make()
                session.send(msg)
            except MailError as exc:
                if exc.temporary:
                    _finish(engine, row.id, "pending", str(exc))
                    done.pending += len(rows) - index
                    done.problems.append(f"{address}: {exc}")
                    break  # the server is down: the rest waits for the next delivery
                _finish(engine, row.id, "failed", str(exc))
                done.failed += 1
                done.problems.append(f"{address}: {exc}")
                continue
            _finish(engine, row.id, "sent")
            done.sent += 1
    finally:
        if session is not None:
            session.close()
    return done


def deliver_quietly(engine: Engine, config: Config) -> None:
    """``deliver`` after a request: whatever happens is logged, never raised (the answer is sent)."""
    try:
        result = deliver(engine, config)
    except Exception:
        log.exception("delivering queued mails failed; they stay queued")
        return
    for problem in result.problems:
        log.warning("mail not delivered: %s", problem)
