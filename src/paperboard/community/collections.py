"""Collections: named, ordered lists of papers that a person keeps and can share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..storage.papers import require_stored
from ..storage.schema import collection_items, collections, users
from ..text import xml_safe
from .accounts import User
from .errors import CommunityError, NotFound

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_PAPERS = 5000  # per collection: its pages and exports stay bounded (12,000 papers were a 23 MB page)


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    name: str
    description: str | None
    owner: str
    owner_id: int
    public: bool
    paper_ids: tuple[str, ...]
    digest: bool = False  # its own section in its owner's digest


def _checked(name: str, description: str | None) -> tuple[str, str]:
    name, description = xml_safe(name or "").strip(), xml_safe(description or "")
    if not name:
        raise CommunityError("a collection needs a name")
    if len(name) > MAX_NAME:
        raise CommunityError(f"a collection name is at most {MAX_NAME} characters")
    if len(description or "") > MAX_DESCRIPTION:
        raise CommunityError(f"a collection description is at most {MAX_DESCRIPTION:,} characters")
    return name, description


def create_collection(conn: Connection, owner: User, name: str, description: str = "",
                      public: bool = True) -> int:
    name, description = _checked(name, description)
    return conn.execute(insert(collections).values(
        owner_id=owner.id, name=name, description=(description or "").strip() or None, public=public,
        created_at=utcnow()).returning(collections.c.id)).scalar_one()


def _visible(conn: Connection, collection_id: int, viewer: User | None, operator: bool):  # type: ignore[no-untyped-def]
    row = conn.execute(
        select(collections, users.c.username).join(users, users.c.id == collections.c.owner_id)
        .where(collections.c.id == collection_id)).first()
    if row is None or (not row.public and not operator and (viewer is None or viewer.id != row.owner_id)):
        raise NotFound(f"there is no collection {collection_id}")
    return row


def get_collection(conn: Connection, collection_id: int, viewer: User | None = None, *,
                   operator: bool = False) -> Collection:
    """A collection ``viewer`` may see (``operator``: any, for the command line)."""
    row = _visible(conn, collection_id, viewer, operator)
    ids = conn.execute(select(collection_items.c.paper_id)
                       .where(collection_items.c.collection_id == collection_id)
                       .order_by(collection_items.c.added_at, collection_items.c.paper_id)).scalars().all()
    return Collection(row.id, row.name, row.description, row.username, row.owner_id, row.public, tuple(ids),
                      bool(row.digest))


def owned(conn: Connection, collection_id: int, owner: User) -> None:
    """Nothing, if ``owner`` may change the collection (its papers are not read: adding one paper at a
    time to a large collection read them all each time)."""
    row = _visible(conn, collection_id, owner, False)
    if row.owner_id != owner.id:
        raise CommunityError("only its owner can change a collection")


def edit_collection(conn: Connection, collection_id: int, owner: User, *, name: str,
                    description: str | None, public: bool, digest: bool | None = None) -> None:
    """Rename a collection, change its description, make it public or private, give it a section of
    the owner's digest or not (``None``: as it was); its owner only."""
    owned(conn, collection_id, owner)
    name, description = _checked(name, description)
    changes = {"name": name, "description": description.strip() or None, "public": public}
    if digest is not None:
        changes["digest"] = digest
    conn.execute(update(collections).where(collections.c.id == collection_id).values(**changes))


def digest_profiles(conn: Connection, user_id: int, limit: int = 5) -> list[tuple[int, str]]:
    """The user's collections that have a section of the digest (id, name), oldest first."""
    return [(r.id, r.name) for r in conn.execute(
        select(collections.c.id, collections.c.name)
        .where(collections.c.owner_id == user_id, collections.c.digest.is_(True))
        .order_by(collections.c.id).limit(limit))]


def delete_collection(conn: Connection, collection_id: int, owner: User) -> None:
    """Delete a collection (its owner only); the papers stay in the store."""
    owned(conn, collection_id, owner)
    conn.execute(delete(collections).where(collections.c.id == collection_id))


def size(conn: Connection, collection_id: int) -> int:
    return conn.execute(select(func.count()).select_from(collection_items)
                        .where(collection_items.c.collection_id == collection_id)).scalar_one()


def _full(count: int) -> CommunityError:
    return CommunityError(f"a collection holds at most {MAX_PAPERS:,} papers (this one has {count:,}): "
                          "start another for the rest")


def add_paper(conn: Connection, collection_id: int, owner: User, paper_id: str) -> bool:
    owned(conn, collection_id, owner)
    require_stored(conn, paper_id)
    if (count := size(conn, collection_id)) >= MAX_PAPERS:
        raise _full(count)
    try:
        with conn.begin_nested():
            conn.execute(insert(collection_items).values(collection_id=collection_id, paper_id=paper_id,
                                                         added_at=utcnow()))
    except IntegrityError:
        return False
    return True


def add_papers(conn: Connection, collection_id: int, owner: User, paper_ids: list[str],
               ) -> tuple[list[str], list[str]]:
    """Add stored papers in one go (an import): ownership and what is there already are read once.
    Returns (added, already there); CommunityError when they would not all fit."""
    owned(conn, collection_id, owner)
    present = set(conn.execute(select(collection_items.c.paper_id)
                               .where(collection_items.c.collection_id == collection_id)).scalars())
    new = [pid for pid in dict.fromkeys(paper_ids) if pid not in present]
    if len(present) + len(new) > MAX_PAPERS:
        raise _full(len(present))
    now = utcnow()
    rows = [{"collection_id": collection_id, "paper_id": pid, "added_at": now + dt.timedelta(microseconds=i)}
            for i, pid in enumerate(new)]  # in the order given: the collection lists by time added
    for start in range(0, len(rows), 500):
        conn.execute(insert(collection_items), rows[start : start + 500])
    return new, [pid for pid in dict.fromkeys(paper_ids) if pid in present]


def remove_paper(conn: Connection, collection_id: int, owner: User, paper_id: str) -> bool:
    owned(conn, collection_id, owner)
    result = conn.execute(delete(collection_items).where(collection_items.c.collection_id == collection_id,
                                                         collection_items.c.paper_id == paper_id))
    return bool(result.rowcount)


def collections_of(conn: Connection, user_id: int, *, public_only: bool) -> list[tuple[int, str, int]]:
    """(id, name, number of papers) of a user's collections."""
    query = (select(collections.c.id, collections.c.name, func.count(collection_items.c.paper_id))
             .select_from(collections.outerjoin(collection_items,
                                                collection_items.c.collection_id == collections.c.id))
             .where(collections.c.owner_id == user_id).group_by(collections.c.id, collections.c.name)
             .order_by(collections.c.id))
    if public_only:
        query = query.where(collections.c.public.is_(True))
    return [(r[0], r[1], r[2]) for r in conn.execute(query)]


SAVED = "Saved"  # the collection a card's Save button puts a paper in (private, made on first use)


def saved_by(conn: Connection, user_id: int | None, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the user keeps in any of their collections (a card shows them as saved)."""
    if user_id is None or not ids:
        return set()
    mine = select(collections.c.id).where(collections.c.owner_id == user_id)
    return set(conn.execute(select(collection_items.c.paper_id).where(
        collection_items.c.collection_id.in_(mine), collection_items.c.paper_id.in_(list(ids)))).scalars())


def save(conn: Connection, owner: User, paper_id: str, *, remove: bool = False) -> bool:
    """Put a paper in the owner's Saved collection (made private on first use), or take it out of every
    collection of theirs (a card's one button cannot say which); whether it is saved now."""
    if remove:
        mine = select(collections.c.id).where(collections.c.owner_id == owner.id)
        conn.execute(delete(collection_items).where(collection_items.c.collection_id.in_(mine),
                                                    collection_items.c.paper_id == paper_id))
        return False
    cid = conn.execute(select(collections.c.id).where(collections.c.owner_id == owner.id,
                                                      collections.c.name == SAVED)
                       .order_by(collections.c.id).limit(1)).scalar()
    if cid is None:
        cid = create_collection(conn, owner, SAVED, "Papers saved from their cards.", public=False)
    add_paper(conn, cid, owner, paper_id)
    return True
