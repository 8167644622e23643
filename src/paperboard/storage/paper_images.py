"""A paper's images beside its row (:data:`schema.paper_images`): the first page the worker rendered
(``thumb``) and its social preview (``og``). A row without data records a render that failed for
good (no PDF, a broken one), so the worker does not fetch that paper again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, select

from ..clock import utcnow
from .bulk import dialect_insert
from .schema import paper_images, papers, submissions

KINDS = ("thumb", "og")


def get(conn: Connection, paper_id: str, kind: str) -> bytes | None:
    return conn.execute(select(paper_images.c.data).where(
        paper_images.c.paper_id == paper_id, paper_images.c.kind == kind)).scalar()


def put(conn: Connection, paper_id: str, kind: str, data: bytes | None, error: str | None = None) -> bool:
    """Store (or replace) an image, or a failure when ``data`` is None; False when the paper is gone."""
    if kind not in KINDS:
        raise ValueError(f"unknown image kind {kind!r}")
    if conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first() is None:
        return False
    statement = dialect_insert(conn, paper_images).values(
        paper_id=paper_id, kind=kind, data=data, error=None if data else (error or "failed")[:500],
        created_at=utcnow())
    conn.execute(statement.on_conflict_do_update(
        index_elements=[paper_images.c.paper_id, paper_images.c.kind],
        set_={"data": statement.excluded.data, "error": statement.excluded.error,
              "created_at": statement.excluded.created_at}))
    return True


def forget(conn: Connection, ids: Sequence[str]) -> None:
    """Drop the images of papers that changed (a new version's first page, a new title or date)."""
    for start in range(0, len(ids), 500):
        conn.execute(delete(paper_images).where(paper_images.c.paper_id.in_(list(ids[start : start + 500]))))


_TRIED = select(paper_images.c.paper_id).where(paper_images.c.kind == "thumb")


def without_thumbnail(conn: Connection, limit: int) -> list[str]:
    """Submitted papers (the feeds' cards) with no first page rendered or tried yet, newest first."""
    newest = func.max(submissions.c.created_at)
    return list(conn.execute(
        select(submissions.c.paper_id).where(submissions.c.paper_id.not_in(_TRIED))
        .group_by(submissions.c.paper_id).order_by(newest.desc(), submissions.c.paper_id).limit(limit)
    ).scalars())


def count_without_thumbnail(conn: Connection) -> int:
    return conn.execute(select(func.count(func.distinct(submissions.c.paper_id)))
                        .where(submissions.c.paper_id.not_in(_TRIED))).scalar_one()

