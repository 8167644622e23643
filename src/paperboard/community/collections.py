"""Collections: named, ordered lists of papers that a person keeps and can share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..storage.papers import require_stored
from ..storage.schema import collection_items, collections, users
from ..text import xml_safe
from .accounts import User
from .errors import CommunityError, NotFound

MAX_NAME = 200
MAX_DESCRIPTION = 2000


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    name: str
    description: str | None
    owner: str
    owner_id: int
    public: bool
    paper_ids: tuple[str, ...]


def create_collection(conn: Connection, owner: User, name: str, description: str = "",
                      public: bool = True) -> int:
    name, description = xml_safe(name or "").strip(), xml_safe(description or "")
    if not name:
        raise CommunityError("a collection needs a name")
    if len(name) > MAX_NAME:
        raise CommunityError(f"a collection name is at most {MAX_NAME} characters")
    if len(description or "") > MAX_DESCRIPTION:
        raise CommunityError(f"a collection description is at most {MAX_DESCRIPTION:,} characters")
    return conn.execute(insert(collections).values(
        owner_id=owner.id, name=name, description=(description or "").strip() or None, public=public,
        created_at=utcnow()).returning(collections.c.id)).scalar_one()


def get_collection(conn: Connection, collection_id: int, viewer: User | None = None, *,
                   operator: bool = False) -> Collection:
    """A collection ``viewer`` may see (``operator``: any, for the command line)."""
    row = conn.execute(
        select(collections, users.c.username).join(users, users.c.id == collections.c.owner_id)
        .where(collections.c.id == collection_id)).first()
    if row is None or (not row.public and not operator and (viewer is None or viewer.id != row.owner_id)):
        raise NotFound(f"there is no collection {collection_id}")
    ids = conn.execute(select(collection_items.c.paper_id)
                       .where(collection_items.c.collection_id == collection_id)
                       .order_by(collection_items.c.added_at, collection_items.c.paper_id)).scalars().all()
    return Collection(row.id, row.name, row.description, row.username, row.owner_id, row.public, tuple(ids))


def owned(conn: Connection, collection_id: int, owner: User) -> Collection:
    """The collection, if ``owner`` may change it."""
    found = get_collection(conn, collection_id, owner)
    if found.owner_id != owner.id:
        raise CommunityError("only its owner can change a collection")
    return found


def add_paper(conn: Connection, collection_id: int, owner: User, paper_id: str) -> bool:
    owned(conn, collection_id, owner)
    require_stored(conn, paper_id)
    try:
        with conn.begin_nested():
            conn.execute(insert(collection_items).values(collection_id=collection_id, paper_id=paper_id,
                                                         added_at=utcnow()))
    except IntegrityError:
        return False
    return True


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
