"""Signed-in sessions as server-side records: the cookie carries a random id whose hash is a row here,
so signing out, "sign out everywhere", a password change and expiry end a session for good, whatever
copies of the cookie exist."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from ..clock import as_utc, utcnow
from ..storage.schema import sessions
from .accounts import is_ref, secret_hash

IDLE = dt.timedelta(days=14)  # unused this long: over
ABSOLUTE = dt.timedelta(days=30)  # since sign-in, however active
TOUCH_EVERY = dt.timedelta(minutes=5)  # how stale last_seen_at may get before it is written again


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
             ("curl/", "curl"))  # in this order: Edge's agent names Chrome too, Chrome's names Safari
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


@dataclass(frozen=True, slots=True)
class Session:
    id_hash: str
    user_id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    user_agent: str | None

    @property
    def device(self) -> str:
        """"Firefox on Linux" and the like, from the user agent (for the account page)."""
        agent = self.user_agent or ""
        browser = next((name for key, name in _BROWSERS if key in agent), "A browser")
        system = next((name for key, name in _SYSTEMS if key in agent), "")
        return f"{browser} on {system}" if system else browser

    @property
    def ref(self) -> str:
        """A short public handle for lists and sign-out buttons (never the session id itself)."""
        return self.id_hash[:16]


def _row(row) -> Session:  # type: ignore[no-untyped-def]
    return Session(row.id_hash, row.user_id, as_utc(row.created_at), as_utc(row.last_seen_at),  # type: ignore[arg-type]
                   row.user_agent)


def start(conn: Connection, user_id: int, user_agent: str | None = None) -> str:
    """A new session for ``user_id``; returns the id for the cookie (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(insert(sessions).values(id_hash=secret_hash(raw), user_id=user_id, created_at=now,
                                         last_seen_at=now, user_agent=(user_agent or "")[:200] or None))
    return raw


def _live(found: Session, now: dt.datetime) -> bool:
    return now - found.created_at < ABSOLUTE and now - found.last_seen_at < IDLE


def resume(conn: Connection, raw: str, now: dt.datetime | None = None) -> Session | None:
    """The live session a cookie's id names, its last use recorded; None (and the row removed) when it
    was ended or has expired."""
    now = now or utcnow()
    row = conn.execute(select(sessions).where(sessions.c.id_hash == secret_hash(raw))).first()
    if row is None:
        return None
    found = _row(row)
    if not _live(found, now):
        conn.execute(delete(sessions).where(sessions.c.id_hash == found.id_hash))
        return None
    if now - found.last_seen_at > TOUCH_EVERY:
        conn.execute(update(sessions).where(sessions.c.id_hash == found.id_hash).values(last_seen_at=now))
    return found


def end(conn: Connection, raw: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.id_hash == secret_hash(raw)))


def end_by_ref(conn: Connection, user_id: int, ref: str) -> bool:
    """End one of ``user_id``'s sessions by its public handle (from the account page)."""
    if not is_ref(ref):
        return False
    return bool(conn.execute(delete(sessions).where(sessions.c.user_id == user_id,
                                                    sessions.c.id_hash.startswith(ref))).rowcount)


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of ``user_id``; how many ended."""
    return int(conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount)


def of_user(conn: Connection, user_id: int, now: dt.datetime | None = None) -> list[Session]:
    now = now or utcnow()
    rows = conn.execute(select(sessions).where(sessions.c.user_id == user_id)
                        .order_by(sessions.c.last_seen_at.desc()))
    return [s for s in map(_row, rows) if _live(s, now)]


def is_current(found: Session, raw: str | None) -> bool:
    return bool(raw) and found.id_hash == secret_hash(raw or "")
