"""Comments on papers: markdown as written is stored; rendering (sanitised) happens on display."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from ..storage.schema import comments, papers, users
from ..text import xml_safe
from .accounts import User
from .clock import as_utc, utcnow
from .errors import CommunityError, NotFound

MAX_COMMENT = 10_000


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    paper_id: str
    author: str | None
    body: str
    created_at: dt.datetime


def add_comment(conn: Connection, paper_id: str, user: User, body: str) -> Comment:
    body = xml_safe((body or "").replace("\r\n", "\n")).strip()
    if not body:
        raise CommunityError("a comment cannot be empty")
    if len(body) > MAX_COMMENT:
        raise CommunityError(f"a comment is at most {MAX_COMMENT:,} characters (this one has {len(body):,})")
    if conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first() is None:
        raise NotFound(f"paper {paper_id} is not in the store")
    when = utcnow()
    new_id = conn.execute(insert(comments).values(paper_id=paper_id, user_id=user.id, body=body,
                                                  created_at=when).returning(comments.c.id)).scalar_one()
    return Comment(new_id, paper_id, user.username, body, when)


def list_comments(conn: Connection, paper_id: str) -> list[Comment]:
    rows = conn.execute(
        select(comments.c.id, comments.c.paper_id, users.c.username, comments.c.body, comments.c.created_at)
        .select_from(comments.outerjoin(users, users.c.id == comments.c.user_id))
        .where(comments.c.paper_id == paper_id).order_by(comments.c.created_at, comments.c.id)
    )
    return [Comment(r.id, r.paper_id, r.username, r.body, as_utc(r.created_at)) for r in rows]  # type: ignore[arg-type]
