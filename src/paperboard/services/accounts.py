"""Accounts: signing up and in, server-side sessions, API tokens, passwords, an account's address (its
confirmation, a forgotten password, a change) and mail on replies. Each verb is one transaction; what
ends a password (a change, a reset, an operator's) also ends every session and API token."""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from ..community import account_mail, accounts, sessions
from ..community.account_mail import Address, LinkError
from ..community.accounts import Token, User
from ..community.collections import Collection, get_collection
from ..community.errors import CommunityError
from ..community.sessions import Session
from ..config import Config
from ..errors import NotFound

__all__ = ["Accounts", "Address", "CommunityError", "LinkError", "Session", "Token", "User"]


def _existing(conn: Connection, username: str) -> User:
    user = accounts.find_user(conn, username)
    if user is None:
        raise NotFound(f"there is no user {username!r}")
    return user


def _end_everything(conn: Connection, user_id: int) -> None:
    """Every session of the account and every API token (a thief's token would outlive the sessions)."""
    sessions.end_all(conn, user_id)
    accounts.revoke_all_tokens(conn, user_id)


class Accounts:
    def __init__(self, engine: Engine, config: Config):
        self.engine, self.config = engine, config

    # --- signing up and in ----------------------------------------------------------------------------

    def sign_up(self, username: str, password: str, email: str | None = None, *, admin: bool = False,
                confirm_address: bool = True) -> tuple[User, bool]:
        """A new account; whether a link to confirm its address is owed (one was given, and
        ``confirm_address``: the operator's command adds accounts without mailing them)."""
        with self.engine.begin() as conn:
            user = accounts.create_user(conn, username, password, email=email or None, admin=admin)
            address = account_mail.address_of(conn, user.id)
            owed = confirm_address and address is not None and bool(address.email)
            if owed:
                account_mail.queue(conn, user.id, "verify")
        return user, owed

    def authenticate(self, username: str, password: str) -> User | None:
        with self.engine.begin() as conn:
            return accounts.authenticate(conn, username, password)

    def find(self, username: str) -> User:
        with self.engine.connect() as conn:
            return _existing(conn, username)

    def set_admin(self, username: str, admin: bool) -> None:
        with self.engine.begin() as conn:
            accounts.set_admin(conn, _existing(conn, username), admin)

    # --- sessions -----------------------------------------------------------------------------------------

    def start_session(self, user: User, user_agent: str | None) -> str:
        """A new server-side session; the id its cookie carries."""
        with self.engine.begin() as conn:
            return sessions.start(conn, user.id, user_agent)

    def resume_session(self, sid: str) -> User | None:
        """The account of a live session (None: ended, expired, or its account is gone)."""
        with self.engine.begin() as conn:
            found = sessions.resume(conn, sid)
            return accounts.get_user(conn, found.user_id) if found else None

    def end_session(self, sid: str) -> None:
        with self.engine.begin() as conn:
            sessions.end(conn, sid)

    def end_session_by_ref(self, user: User, ref: str) -> bool:
        with self.engine.begin() as conn:
            return sessions.end_by_ref(conn, user.id, ref)

    def end_everything(self, user: User) -> None:
        """Every session on every device, and every API token."""
        with self.engine.begin() as conn:
            _end_everything(conn, user.id)

    def overview(self, user: User, current_sid: str | None
                 ) -> tuple[list[Token], list[tuple[Session, bool]], Address | None]:
        """The account page's lists: tokens, live sessions (each with whether it is this one), address."""
        with self.engine.connect() as conn:
            tokens = accounts.tokens_of(conn, user)
            live = sessions.of_user(conn, user.id)
            address = account_mail.address_of(conn, user.id)
        return tokens, [(s, sessions.is_current(s, current_sid)) for s in live], address

    # --- API tokens ---------------------------------------------------------------------------------------

    def create_token(self, user: User, name: str, *, days: int | None = None,
                     password: str | None = None) -> str:
        """A new API token (shown once). On the site it takes the current ``password``: a stolen session
        alone cannot mint a lasting key (the operator's command passes none)."""
        with self.engine.begin() as conn:
            if password is not None and accounts.authenticate(conn, user.username, password) is None:
                raise CommunityError("the password is wrong: a token needs your current password")
            return accounts.create_token(conn, user, name or "api", days=days)

    def revoke_token(self, user: User, ref: str) -> bool:
        with self.engine.begin() as conn:
            return accounts.revoke_token(conn, user, ref)

    # --- passwords ------------------------------------------------------------------------------------------

    def change_password(self, user: User, current: str, new: str) -> None:
        with self.engine.begin() as conn:
            accounts.change_password(conn, user, current, new)
            _end_everything(conn, user.id)

    def set_password(self, username: str, new: str) -> User:
        """The operator's: for an account without an address, which cannot reset it by mail."""
        with self.engine.begin() as conn:
            user = _existing(conn, username)
            accounts.set_password(conn, user, new)
            _end_everything(conn, user.id)
        return user

    def reset_password(self, token: str, new: str) -> User:
        """A forgotten password, by the signed link mailed to the account's address."""
        with self.engine.begin() as conn:
            user = account_mail.reset_password(conn, self.config.signing_key(), token, new)
            _end_everything(conn, user.id)
        return user

    # --- the address, and mail on replies ------------------------------------------------------------------

    def queue_mail(self, user_id: int, kind: str) -> None:
        with self.engine.begin() as conn:
            account_mail.queue(conn, user_id, kind)

    def user_with_address(self, email: str) -> int | None:
        with self.engine.connect() as conn:
            return account_mail.user_with_address(conn, email)

    def address_of(self, user: User) -> Address | None:
        with self.engine.connect() as conn:
            return account_mail.address_of(conn, user.id)

    def read_link(self, purpose: str, token: str) -> Address:
        with self.engine.connect() as conn:
            return account_mail.read_link(conn, self.config.signing_key(), purpose, token)

    def verify(self, token: str) -> Address:
        with self.engine.begin() as conn:
            return account_mail.verify(conn, self.config.signing_key(), token)

    def change_address(self, user: User, email: str | None, password: str) -> str | None:
        """The new address (owed a link to confirm it), or None when it was removed."""
        with self.engine.begin() as conn:
            return account_mail.change_address(conn, user, email, password)

    def set_reply_mail(self, user_id: int, on: bool) -> None:
        with self.engine.begin() as conn:
            account_mail.set_reply_mail(conn, user_id, on)

    # --- the operator's view -------------------------------------------------------------------------------

    def any_collection(self, collection_id: int) -> Collection:
        """A collection, private ones too (the operator's command)."""
        with self.engine.connect() as conn:
            return get_collection(conn, collection_id, None, operator=True)
