"""Upvotes (one per person and paper) and the counts the feeds show."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..storage.papers import require_stored
from ..storage.schema import comments, submissions, upvotes


def upvote(conn: Connection, paper_id: str, user_id: int) -> bool:
    """True if this is a new upvote; upvoting twice changes nothing."""
    require_stored(conn, paper_id)
    try:
        with conn.begin_nested():
            conn.execute(insert(upvotes).values(paper_id=paper_id, user_id=user_id, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def remove_upvote(conn: Connection, paper_id: str, user_id: int) -> bool:
    """True if there was an upvote to take back; a paper that is not stored is NotFound."""
    require_stored(conn, paper_id)
    result = conn.execute(delete(upvotes).where(upvotes.c.paper_id == paper_id, upvotes.c.user_id == user_id))
    return bool(result.rowcount)


def submission_totals():  # type: ignore[no-untyped-def]
    """(upvotes, comments) of the submission in a query over ``submissions``, as SQL expressions (the
    daily feed sorts by them): the same totals as :func:`counts`."""
    own_votes = (select(func.count()).select_from(upvotes).where(upvotes.c.paper_id == submissions.c.paper_id)
                 .scalar_subquery())
    own_comments = (select(func.count()).select_from(comments)
                    .where(comments.c.paper_id == submissions.c.paper_id).scalar_subquery())
    return submissions.c.imported_upvotes + own_votes, submissions.c.imported_comments + own_comments


def counts(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(upvotes, comments) per paper: the site's own plus those an imported feed brought."""
    if not ids:
        return {}
    out = {pid: [0, 0] for pid in ids}
    for pid, n in conn.execute(select(upvotes.c.paper_id, func.count()).where(upvotes.c.paper_id.in_(ids))
                               .group_by(upvotes.c.paper_id)):
        out[pid][0] += n
    for pid, n in conn.execute(select(comments.c.paper_id, func.count()).where(comments.c.paper_id.in_(ids))
                               .group_by(comments.c.paper_id)):
        out[pid][1] += n
    for pid, up, com in conn.execute(select(submissions.c.paper_id, submissions.c.imported_upvotes,
                                            submissions.c.imported_comments)
                                     .where(submissions.c.paper_id.in_(ids))):
        out[pid][0] += up
        out[pid][1] += com
    return {pid: (v[0], v[1]) for pid, v in out.items()}


def upvoted_by(conn: Connection, user_id: int | None, ids: Sequence[str]) -> set[str]:
    if user_id is None or not ids:
        return set()
    rows = conn.execute(select(upvotes.c.paper_id).where(upvotes.c.user_id == user_id,
                                                         upvotes.c.paper_id.in_(ids)))
    return {r[0] for r in rows}


def liked_papers(conn: Connection, user_id: int, limit: int = 200) -> list[str]:
    rows = conn.execute(select(upvotes.c.paper_id).where(upvotes.c.user_id == user_id)
                        .order_by(upvotes.c.created_at.desc()).limit(limit))
    return [r[0] for r in rows]
