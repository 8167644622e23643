"""What an account's address is for: proving it (a verification link), getting back in (a password
reset link) and, when its owner asks, hearing of replies to their comments.

Links are signed, never stored: each carries the account and a fingerprint of what it was made for (the
address; for a reset, the password hash as well), so a reset link works once (the new password changes
the fingerprint), every link dies when the address changes, and a stolen database opens nothing. Mails
are queued in the outbox in the transaction that asks for them (:mod:`paperboard.digest.notices` sends
them), so a mail is never promised and lost."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Connection, insert, select, update

from ..addresses import AddressError, normalize_email
from ..clock import utcnow
from ..storage.schema import comments, mail_outbox, users
from . import accounts
from .errors import CommunityError

# how long each kind of link works (seconds); None: until what it was made for changes
MAX_AGE = {"verify": 7 * 86400, "reset": 3600, "replies-off": None}
KINDS = ("verify", "reset", "reply")


class LinkError(CommunityError):
    """A link that is forged, for something else, used, or expired."""


@dataclass(frozen=True, slots=True)
class Address:
    """An account's address and what it is used for."""

    user_id: int
    username: str
    email: str | None
    verified: bool
    reply_mail: bool
    fingerprint_reset: str  # what a reset link for it must carry


def _fingerprint(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:24]


def address_of(conn: Connection, user_id: int) -> Address | None:
    row = conn.execute(select(users.c.id, users.c.username, users.c.email, users.c.email_verified_at,
                              users.c.reply_mail, users.c.password_hash).where(users.c.id == user_id)).first()
    if row is None:
        return None
    return Address(row.id, row.username, row.email, row.email_verified_at is not None, bool(row.reply_mail),
                   _fingerprint("reset", row.email, row.password_hash))


def fingerprint(address: Address, purpose: str) -> str:
    return address.fingerprint_reset if purpose == "reset" else _fingerprint(purpose, address.email)


def make_link(secret: str, purpose: str, address: Address) -> str:
    return URLSafeTimedSerializer(secret, salt=f"paperboard-account-{purpose}").dumps(
        [address.user_id, fingerprint(address, purpose)])


def read_link(conn: Connection, secret: str, purpose: str, token: str) -> Address:
    """The account a link was made for, while what it was made for holds; LinkError otherwise."""
    try:
        user_id, mark = URLSafeTimedSerializer(secret, salt=f"paperboard-account-{purpose}").loads(
            token, max_age=MAX_AGE[purpose])
        address = address_of(conn, int(user_id))
    except SignatureExpired:
        raise LinkError("this link has expired; ask for a new one") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkError("this link is not valid") from None
    if address is None or address.email is None or fingerprint(address, purpose) != mark:
        raise LinkError("this link has been used, or the account has changed since it was sent; "
                        "ask for a new one")
    return address


def queue(conn: Connection, user_id: int, kind: str, ref: str | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown account mail {kind!r}")
    now = utcnow()
    conn.execute(insert(mail_outbox).values(user_id=user_id, kind=kind, ref=ref, status="pending",
                                            attempts=0, created_at=now, updated_at=now))


def user_with_address(conn: Connection, email: str) -> int | None:
    """The account with this address (the reset form asks; its answer never says)."""
    try:
        email = normalize_email(email)
    except AddressError:
        return None
    return conn.execute(select(users.c.id).where(users.c.email == email)).scalar()


def verify(conn: Connection, secret: str, token: str) -> Address:
    address = read_link(conn, secret, "verify", token)
    if not address.verified:
        conn.execute(update(users).where(users.c.id == address.user_id).values(email_verified_at=utcnow()))
    return address


def reset_password(conn: Connection, secret: str, token: str, new: str) -> accounts.User:
    """A new password from a reset link (it works once). The caller ends the account's sessions."""
    address = read_link(conn, secret, "reset", token)
    user = accounts.get_user(conn, address.user_id)
    assert user is not None
    accounts.set_password(conn, user, new)
    # the link came to the address: it is proven now
    conn.execute(update(users).where(users.c.id == user.id, users.c.email_verified_at.is_(None))
                 .values(email_verified_at=utcnow()))
    return user


def change_address(conn: Connection, user: accounts.User, email: str | None, password: str) -> str | None:
    """A new address (unverified until its link is followed, which is queued) or none; the address."""
    if accounts.authenticate(conn, user.username, password) is None:
        raise CommunityError("the password is wrong: changing the address needs your current password")
    new = normalize_email(email) if email and email.strip() else None
    current = address_of(conn, user.id)
    if current is not None and current.email == new:
        return new
    if new and conn.execute(select(users.c.id).where(users.c.email == new, users.c.id != user.id)).first():
        raise CommunityError("that address cannot be used for this account")
    conn.execute(update(users).where(users.c.id == user.id).values(email=new, email_verified_at=None))
    if new:
        queue(conn, user.id, "verify")
    return new


def set_reply_mail(conn: Connection, user_id: int, on: bool) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(reply_mail=on))


def queue_reply(conn: Connection, reply_id: int, reply_to: int, replier_id: int) -> bool:
    """Queue a mail to the author of comment ``reply_to`` about the reply ``reply_id``, when they asked
    for one, their address is proven, and they are not the one replying."""
    author = conn.execute(select(comments.c.user_id).where(comments.c.id == reply_to)).scalar()
    if author is None or author == replier_id:
        return False
    address = address_of(conn, author)
    if address is None or not (address.reply_mail and address.verified and address.email):
        return False
    queue(conn, author, "reply", str(reply_id))
    return True
