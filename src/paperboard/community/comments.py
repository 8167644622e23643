"""Comments on papers, in threads one level deep (a reply to a reply joins its thread): markdown as
written is stored; rendering (sanitised) happens on display."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from ..clock import as_utc, utcnow
from ..storage.papers import require_stored
from ..storage.schema import comments, users
from ..text import xml_safe
from .accounts import User
from .errors import CommunityError, NotFound

MAX_COMMENT = 10_000
DELETED = "[deleted]"


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    paper_id: str
    author: str | None
    body: str
    created_at: dt.datetime
    parent_id: int | None = None  # the thread's first comment, for a reply
    edited_at: dt.datetime | None = None


def _checked(body: str) -> str:
    body = xml_safe((body or "").replace("\r\n", "\n")).strip()
    if not body:
        raise CommunityError("a comment cannot be empty")
    if len(body) > MAX_COMMENT:
        raise CommunityError(f"a comment is at most {MAX_COMMENT:,} characters (this one has {len(body):,})")
    return body


def add_comment(conn: Connection, paper_id: str, user: User, body: str, *,
                reply_to: int | None = None) -> Comment:
    """``reply_to``: a comment on the same paper that this one answers."""
    body = _checked(body)
    require_stored(conn, paper_id)
    parent = None
    if reply_to is not None:
        row = conn.execute(select(comments.c.id, comments.c.parent_id).where(
            comments.c.id == reply_to, comments.c.paper_id == paper_id)).first()
        if row is None:
            raise NotFound(f"paper {paper_id} has no comment {reply_to} to reply to")
        parent = row.parent_id or row.id
    when = utcnow()
    new_id = conn.execute(insert(comments).values(
        paper_id=paper_id, user_id=user.id, body=body, parent_id=parent, created_at=when,
    ).returning(comments.c.id)).scalar_one()
    return Comment(new_id, paper_id, user.username, body, when, parent)


def _own(conn: Connection, comment_id: int, user: User):  # type: ignore[no-untyped-def]
    row = conn.execute(select(comments.c.user_id, comments.c.paper_id, comments.c.parent_id)
                       .where(comments.c.id == comment_id)).first()
    if row is None or row.user_id != user.id:  # another's comment is not shown to exist for editing
        raise NotFound(f"you have no comment {comment_id}")
    return row


def edit_comment(conn: Connection, comment_id: int, user: User, body: str) -> str:
    """Its author rewrites a comment; it then says it was edited. Returns the paper's id."""
    body = _checked(body)
    row = _own(conn, comment_id, user)
    conn.execute(update(comments).where(comments.c.id == comment_id).values(body=body, edited_at=utcnow()))
    return str(row.paper_id)


def delete_comment(conn: Connection, comment_id: int, user: User) -> str:
    """Its author deletes a comment. A thread's first comment that has replies keeps its place, as
    "[deleted]" without a name, so the replies keep theirs. Returns the paper's id."""
    row = _own(conn, comment_id, user)
    answered = row.parent_id is None and conn.execute(
        select(comments.c.id).where(comments.c.parent_id == comment_id).limit(1)).first() is not None
    if answered:
        conn.execute(update(comments).where(comments.c.id == comment_id)
                     .values(body=DELETED, user_id=None, edited_at=utcnow()))
    else:
        conn.execute(delete(comments).where(comments.c.id == comment_id))
    return str(row.paper_id)


def list_comments(conn: Connection, paper_id: str) -> list[Comment]:
    rows = conn.execute(
        select(comments.c.id, comments.c.paper_id, users.c.username, comments.c.body, comments.c.created_at,
               comments.c.parent_id, comments.c.edited_at)
        .select_from(comments.outerjoin(users, users.c.id == comments.c.user_id))
        .where(comments.c.paper_id == paper_id).order_by(comments.c.created_at, comments.c.id)
    )
    return [Comment(r.id, r.paper_id, r.username, r.body, as_utc(r.created_at), r.parent_id,  # type: ignore[arg-type]
                    as_utc(r.edited_at) if r.edited_at else None) for r in rows]


def threads(said: list[Comment]) -> list[tuple[Comment, list[Comment]]]:
    """Each thread's first comment with its replies, both oldest first (pure)."""
    replies: dict[int, list[Comment]] = {}
    for c in said:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    return [(c, replies.get(c.id, [])) for c in said if c.parent_id is None]
