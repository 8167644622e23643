"""Accounts: sign-up with argon2 password hashes, sign-in, API tokens (stored as SHA-256 only)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..addresses import normalize_email
from ..clock import as_utc, utcnow
from ..storage.schema import api_tokens, subscribers, users
from .errors import CommunityError

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,31}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def _password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes; about
    0.18 s a hash on this project's 2-core machine). Only the test suite sets
    PAPERBOARD_TEST_CHEAP_HASHES=1, for its many sign-ups: argon2-cffi's cheapest profile,
    which no site may use. A hash records its own parameters, so either verifies the other's, and a
    sign-in rehashes a password whose parameters differ from the hasher's."""
    if os.environ.get("PAPERBOARD_TEST_CHEAP_HASHES") == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


_hasher = _password_hasher()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str | None = None
    is_admin: bool = False  # confirms authorship claims

    @property
    def name(self) -> str:
        return self.display_name or self.username


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(row.id, row.username, row.display_name, bool(row.is_admin))


def validate_username(username: str) -> str:
    if not USERNAME.fullmatch(username or ""):
        raise CommunityError("a username has 2 to 32 letters, digits, '.', '_' or '-', "
                             "and starts with a letter or digit")
    return username


def create_user(conn: Connection, username: str, password: str, *, email: str | None = None,
                display_name: str | None = None, admin: bool = False) -> User:
    validate_username(username)
    if email:
        email = _address(email)
    _check_password(password)
    if find_user(conn, username) is not None:
        raise CommunityError(f"the username {username!r} is taken")
    if email and conn.execute(select(users.c.id).where(users.c.email == email)).first() is not None:
        # the answer must not tell whether an address has an account: one already used is not attached
        # to this one (nothing here proves whose it is), and the sign-up goes on as for any other
        email = None
    try:
        with conn.begin_nested():
            new_id = conn.execute(insert(users).values(
                username=username, email=email or None, password_hash=_hasher.hash(password),
                display_name=(display_name or "").strip()[:128] or None, created_at=utcnow(), is_admin=admin,
            ).returning(users.c.id)).scalar_one()
    except IntegrityError:  # a concurrent sign-up took the name (or, at that very moment, the address)
        raise CommunityError(f"the username {username!r} is taken") from None
    return User(new_id, username, display_name, admin)


def set_admin(conn: Connection, user: User, admin: bool) -> User:
    """Make ``user`` an administrator (or not); the operator's command line decides."""
    conn.execute(update(users).where(users.c.id == user.id).values(is_admin=admin))
    return User(user.id, user.username, user.display_name, admin)


def _check_password(password: str | None) -> None:
    if not MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD:
        raise CommunityError(f"a password needs at least {MIN_PASSWORD} characters")


def _address(email: str) -> str:
    return normalize_email(email)  # an AddressError is a refusal like any other


def find_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(func.lower(users.c.username) == username.lower())).first()
    return _user(row) if row else None


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    row = conn.execute(select(users).where(func.lower(users.c.username) == (username or "").lower())).first()
    if row is None or not row.password_hash:
        _hasher.hash("spend the same time as a real check")  # no timing hint about which names exist
        return None
    try:
        _hasher.verify(row.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password)))
    return _user(row)


def change_password(conn: Connection, user: User, current: str, new: str) -> None:
    """Replace ``user``'s password after checking the current one. The caller ends their other sessions."""
    if authenticate(conn, user.username, current) is None:
        raise CommunityError("the current password is wrong")
    set_password(conn, user, new)


def set_password(conn: Connection, user: User, new: str) -> None:
    """Replace ``user``'s password (its owner proved who they are). The caller ends their sessions."""
    _check_password(new)
    conn.execute(update(users).where(users.c.id == user.id).values(password_hash=_hasher.hash(new)))


def delete_account(conn: Connection, user: User, password: str | None) -> None:
    """Delete an account and what it holds: sessions, tokens, upvotes, collections, notes, feedback,
    follows, topics and the digest subscriptions of its addresses. Its comments and submissions stay,
    without a name (a thread keeps its replies, a feed its papers). ``password``: the current one (None:
    an administrator's command, which needs none)."""
    if password is not None and authenticate(conn, user.username, password) is None:
        raise CommunityError("the password is wrong: deleting the account needs your current password")
    conn.execute(delete(subscribers).where(subscribers.c.user_id == user.id))
    conn.execute(delete(users).where(users.c.id == user.id))


def secret_hash(secret: str) -> str:
    """What is stored of a secret handed to a client (an API token, a session id): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


_REF = re.compile(r"[0-9a-f]{16}")


def is_ref(text: str) -> bool:
    """Whether ``text`` can be a public handle of a stored secret: the first 16 hex digits of its hash."""
    return bool(_REF.fullmatch(text or ""))


MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True, slots=True)
class Token:
    """What the account page lists of a token: never the token itself, which is not stored."""

    ref: str  # a public handle: the first 16 hex digits of its hash
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= utcnow()


def create_token(conn: Connection, user: User, name: str = "api", *, days: int | None = None) -> str:
    """A new API token for ``user``, valid for ``days`` (None: until revoked); only its hash is stored,
    so this is the one time it is seen."""
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise CommunityError(f"a token lasts 1 to {MAX_TOKEN_DAYS} days (or until revoked)")
    token = "pb_" + secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(insert(api_tokens).values(
        token_hash=secret_hash(token), user_id=user.id, name=(name or "").strip()[:128] or "api",
        created_at=now, expires_at=now + dt.timedelta(days=days) if days else None))
    return token


def tokens_of(conn: Connection, user: User) -> list[Token]:
    rows = conn.execute(select(api_tokens).where(api_tokens.c.user_id == user.id)
                        .order_by(api_tokens.c.created_at.desc()))
    return [Token(r.token_hash[:16], r.name, as_utc(r.created_at), as_utc(r.expires_at),  # type: ignore[arg-type]
                  as_utc(r.last_used_at)) for r in rows]


def revoke_token(conn: Connection, user: User, ref: str) -> bool:
    if not is_ref(ref):
        return False
    return bool(conn.execute(delete(api_tokens).where(api_tokens.c.user_id == user.id,
                                                      api_tokens.c.token_hash.startswith(ref))).rowcount)


def revoke_all_tokens(conn: Connection, user_id: int) -> int:
    """End every API token of an account (sign-out everywhere, a new password); how many."""
    return conn.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id)).rowcount


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None for any other header or none."""
    scheme, _, token = (header or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def user_for_token(conn: Connection, token: str) -> User | None:
    """The account of a live token (not revoked, not expired); its last use is recorded."""
    row = conn.execute(
        select(users, api_tokens.c.token_hash, api_tokens.c.expires_at, api_tokens.c.last_used_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == secret_hash(token))
    ).first()
    if row is None:
        return None
    now = utcnow()
    expires = as_utc(row.expires_at)
    if expires is not None and expires <= now:
        return None
    used = as_utc(row.last_used_at)
    if used is None or now - used > dt.timedelta(minutes=5):
        conn.execute(update(api_tokens).where(api_tokens.c.token_hash == row.token_hash)
                     .values(last_used_at=now))
    return _user(row)
