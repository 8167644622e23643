"""Claims to be one of a paper's authors (the ``author_claims`` table). A claim is pending until an
administrator confirms or refuses it, or is confirmed at once when one of the claimant's verified
e-mail addresses is written in the paper (its abstract or comment) and names the author claimed (a
given name or the surname in its local part): one author per person and paper, never over another
person's confirmation. A refused claim may be made again; a name an administrator confirmed for one
user cannot be claimed by another, and one confirmed by e-mail only goes to an administrator."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import as_utc, utcnow
from ..errors import Forbidden, NotFound, PaperboardError
from ..storage.papers import get_paper
from ..storage.schema import author_claims, users
from .accounts import User

Status = str  # pending, confirmed, refused


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    paper_id: str
    author_name: str
    username: str
    status: Status
    created_at: dt.datetime
    decided_at: dt.datetime | None = None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _query():  # type: ignore[no-untyped-def]
    return (select(author_claims, users.c.username)
            .join(users, users.c.id == author_claims.c.user_id))


def _claim(row) -> Claim:  # type: ignore[no-untyped-def]
    return Claim(row.id, row.paper_id, row.author_name, row.username, row.status, as_utc(row.created_at),  # type: ignore[arg-type]
                 as_utc(row.decided_at))


def _written_in(text: str, email: str) -> bool:
    """``email`` written in ``text`` as a whole address (``a@b.co`` is not in ``a@b.co.uk``)."""
    return bool(email) and re.search(rf"(?<![\w.+-]){re.escape(email)}(?![\w-]|\.\w)", text,
                                     re.IGNORECASE) is not None


def _letters(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", flat)


def _names_the_author(email: str, name: str) -> bool:
    """Whether the address's local part names this author (a given name or the surname, 3 letters or
    more: ada@, lovelace@, ada.lovelace@, alovelace@); a list's or a lab's address names nobody."""
    local = _letters(email.partition("@")[0])
    parts = [_letters(p) for p in name.replace("-", " ").split()]
    return any(len(p) >= 3 and p in local for p in parts)


def _confirms(paper_text: str, name: str, emails: Iterable[str]) -> bool:
    """An address of the claimant's, written in the paper, that names the claimed author."""
    return any(_written_in(paper_text, e) and _names_the_author(e, name) for e in emails)


def claim(conn: Connection, paper_id: str, author_name: str, user: User, *,
          verified_emails: Iterable[str] = ()) -> Claim:
    """Claim to be ``author_name`` on the paper. The same claim again changes nothing (but may now be
    confirmed by e-mail); a refused one is pending again."""
    paper = get_paper(conn, paper_id)
    if paper is None:
        raise NotFound(f"paper {paper_id} is not in the store")
    name = next((a.name for a in paper.authors if _same(a.name, author_name or "")), None)
    if name is None:
        raise PaperboardError(f"{(author_name or '')[:100]!r} is not an author of {paper_id}")
    same_name = (author_claims.c.paper_id == paper_id) & (author_claims.c.author_name == name)
    taken = conn.execute(_query().where(same_name, author_claims.c.status == "confirmed",
                                        author_claims.c.user_id != user.id)).first()
    if taken is not None and taken.decided_by is not None:  # an administrator's decision stands
        raise PaperboardError(f"{name} on {paper_id} is already verified as {taken.username}")
    mine = same_name & (author_claims.c.user_id == user.id)
    row = conn.execute(select(author_claims.c.id, author_claims.c.status).where(mine)).first()
    # confirmed by e-mail only for the one author the address names, one author per person and paper,
    # and never over another person's automatic confirmation (that one is for an administrator)
    other_names = conn.execute(select(author_claims.c.id).where(
        author_claims.c.paper_id == paper_id, author_claims.c.user_id == user.id,
        author_claims.c.author_name != name, author_claims.c.status == "confirmed")).first()
    by_email = (taken is None and other_names is None
                and _confirms(f"{paper.abstract} {paper.comment or ''}", name, verified_emails))
    now = utcnow()
    values = {"status": "confirmed", "decided_at": now} if by_email else {"status": "pending"}
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(author_claims).values(
                    paper_id=paper_id, author_name=name, user_id=user.id, created_at=now, **values))
        except IntegrityError:
            pass  # the same claim, made a moment ago
    elif row.status == "refused" or (row.status == "pending" and by_email):
        again = {"created_at": now, "decided_at": None, "decided_by": None} if row.status == "refused" else {}
        conn.execute(update(author_claims).where(author_claims.c.id == row.id).values(**{**again, **values}))
    return _claim(conn.execute(_query().where(mine)).first())


def decide(conn: Connection, claim_id: int, admin: User, *, confirm: bool) -> Claim:
    """An administrator confirms or refuses a claim."""
    if not admin.is_admin:
        raise Forbidden("only an administrator confirms or refuses authorship claims")
    row = conn.execute(_query().where(author_claims.c.id == claim_id)).first()
    if row is None:
        raise NotFound(f"there is no authorship claim {claim_id}")
    if confirm:
        taken = conn.execute(select(author_claims.c.id, author_claims.c.decided_by).where(
            author_claims.c.paper_id == row.paper_id, author_claims.c.author_name == row.author_name,
            author_claims.c.status == "confirmed", author_claims.c.id != claim_id)).first()
        if taken is not None and taken.decided_by is not None:
            raise PaperboardError(f"{row.author_name} on {row.paper_id} is already verified as another user")
        if taken is not None:  # confirmed by an e-mail address only: the administrator's word wins
            conn.execute(update(author_claims).where(author_claims.c.id == taken.id).values(
                status="refused", decided_at=utcnow(), decided_by=admin.id))
    conn.execute(update(author_claims).where(author_claims.c.id == claim_id).values(
        status="confirmed" if confirm else "refused", decided_at=utcnow(), decided_by=admin.id))
    return _claim(conn.execute(_query().where(author_claims.c.id == claim_id)).first())


def pending(conn: Connection, limit: int = 200) -> list[Claim]:
    """Claims waiting for an administrator, oldest first."""
    rows = conn.execute(_query().where(author_claims.c.status == "pending")
                        .order_by(author_claims.c.created_at, author_claims.c.id).limit(limit))
    return [_claim(r) for r in rows]


def claims_of(conn: Connection, user_id: int) -> list[Claim]:
    rows = conn.execute(_query().where(author_claims.c.user_id == user_id)
                        .order_by(author_claims.c.created_at.desc(), author_claims.c.id.desc()))
    return [_claim(r) for r in rows]


def verified_authors(conn: Connection, paper_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """paper id -> {author name: username} of the confirmed claims on those papers."""
    out: dict[str, dict[str, str]] = {}
    if paper_ids:
        for row in conn.execute(_query().where(author_claims.c.paper_id.in_(paper_ids),
                                               author_claims.c.status == "confirmed")):
            out.setdefault(row.paper_id, {})[row.author_name] = row.username
    return out


def is_author(conn: Connection, paper_id: str, user_id: int) -> bool:
    return conn.execute(select(author_claims.c.id).where(
        author_claims.c.paper_id == paper_id, author_claims.c.user_id == user_id,
        author_claims.c.status == "confirmed")).first() is not None
