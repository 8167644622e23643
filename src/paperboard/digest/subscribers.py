"""Subscribers in the store: added unconfirmed (double opt-in), confirmed by a signed link, removed at
once on unsubscribe."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from ..clock import as_utc, utcnow
from ..storage.schema import subscribers
from .preferences import PreferenceError, Preferences, normalize_email


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    email: str
    preferences: Preferences
    confirmed_at: dt.datetime | None
    user_id: int | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


def _row(row) -> Subscriber:  # type: ignore[no-untyped-def]
    return Subscriber(row.id, row.email, Preferences.from_json(row.preferences), as_utc(row.confirmed_at),
                      row.user_id)


def add(conn: Connection, email: str, preferences: Preferences, *, confirmed: bool = False,
        user_id: int | None = None) -> tuple[Subscriber, bool]:
    """The subscriber for ``email`` (normalised) and whether it is new. An existing subscriber keeps
    its confirmation; its preferences are replaced."""
    address = normalize_email(email)
    existing = find(conn, address)
    if existing is not None:
        values: dict[str, object] = {"preferences": preferences.to_json()}
        if confirmed and not existing.confirmed:
            values["confirmed_at"] = utcnow()
        if user_id and not existing.user_id:
            values["user_id"] = user_id
        conn.execute(update(subscribers).where(subscribers.c.id == existing.id).values(**values))
        return get(conn, existing.id), False  # type: ignore[return-value]
    new_id = conn.execute(insert(subscribers).values(
        email=address, preferences=preferences.to_json(), user_id=user_id,
        confirmed_at=utcnow() if confirmed else None, created_at=utcnow(),
    ).returning(subscribers.c.id)).scalar_one()
    return get(conn, new_id), True  # type: ignore[return-value]


def get(conn: Connection, subscriber_id: int) -> Subscriber | None:
    row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).first()
    return _row(row) if row else None


def find(conn: Connection, email: str) -> Subscriber | None:
    try:
        address = normalize_email(email)
    except PreferenceError:
        return None
    row = conn.execute(select(subscribers).where(subscribers.c.email == address)).first()
    return _row(row) if row else None


def all_subscribers(conn: Connection) -> list[Subscriber]:
    return [_row(r) for r in conn.execute(select(subscribers).order_by(subscribers.c.id))]


def confirm(conn: Connection, subscriber_id: int) -> None:
    conn.execute(update(subscribers)
                 .where(subscribers.c.id == subscriber_id, subscribers.c.confirmed_at.is_(None))
                 .values(confirmed_at=utcnow()))


def set_preferences(conn: Connection, subscriber_id: int, preferences: Preferences) -> None:
    conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id)
                 .values(preferences=preferences.to_json()))


def link_account(conn: Connection, subscriber_id: int, user_id: int | None) -> None:
    conn.execute(update(subscribers).where(subscribers.c.id == subscriber_id).values(user_id=user_id))


def remove(conn: Connection, subscriber_id: int) -> bool:
    return bool(conn.execute(delete(subscribers).where(subscribers.c.id == subscriber_id)).rowcount)


def verified_emails(conn: Connection, user_id: int) -> list[str]:
    """The addresses ``user_id`` proved they read: confirmed subscriptions linked to the account (the
    link is made only by the mailed link, opened in the account's own session)."""
    return list(conn.execute(select(subscribers.c.email).where(
        subscribers.c.user_id == user_id, subscribers.c.confirmed_at.is_not(None))).scalars())
