"""An account's uploaded face, stored re-encoded (:func:`paperboard.images.avatar_png`); without one
the site draws an identicon from the username."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select

from ..clock import utcnow
from ..storage.bulk import dialect_insert
from ..storage.schema import avatars, users


def get(conn: Connection, username: str) -> bytes | None:
    return conn.execute(select(avatars.c.data).join(users, users.c.id == avatars.c.user_id)
                        .where(users.c.username == username)).scalar()


def put(conn: Connection, user_id: int, png: bytes) -> None:
    statement = dialect_insert(conn, avatars).values(user_id=user_id, data=png, updated_at=utcnow())
    conn.execute(statement.on_conflict_do_update(
        index_elements=[avatars.c.user_id],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at}))


def remove(conn: Connection, user_id: int) -> bool:
    return conn.execute(delete(avatars).where(avatars.c.user_id == user_id)).rowcount > 0
