"""Secret feed links: a reader's For you (and private topics) as Atom feeds a feed reader can fetch
without signing in. A link is ``{user id}-{HMAC of the user id and a generation}``: nothing secret is
stored, and rotating (the next generation) makes every earlier link worthless at once."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import Connection, select, update

from ..storage.schema import feed_keys


def _generation(conn: Connection, user_id: int) -> int:
    return conn.execute(select(feed_keys.c.generation).where(feed_keys.c.user_id == user_id)).scalar() or 0


def _mac(secret: str, user_id: int, generation: int) -> str:
    digest = hmac.new(secret.encode(), f"feed:{user_id}:{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def token(conn: Connection, secret: str, user_id: int) -> str:
    return f"{user_id}-{_mac(secret, user_id, _generation(conn, user_id))}"


def rotate(conn: Connection, user_id: int) -> None:
    """Make every earlier link of this reader worthless."""
    if conn.execute(update(feed_keys).where(feed_keys.c.user_id == user_id)
                    .values(generation=feed_keys.c.generation + 1)).rowcount == 0:
        conn.execute(feed_keys.insert().values(user_id=user_id, generation=1))


def owner(conn: Connection, secret: str, text: str) -> int | None:
    """The reader a link belongs to, or None for a link that is not (or no longer) one."""
    user, dash, mac = text.partition("-")
    if not dash or not user.isascii() or not user.isdigit() or len(user) > 10:
        return None
    user_id = int(user)
    expected = _mac(secret, user_id, _generation(conn, user_id))
    return user_id if hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")) else None
