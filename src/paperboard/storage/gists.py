"""Each paper's gist (one-sentence summary and keywords, :mod:`paperboard.gist`) beside its row.

Written after the paper is stored, by :func:`paperboard.ingest.gist_job.refresh` (run before the search
index catches up): for new papers, for those whose title or abstract changed (their gist is dropped
then), for a store from before gists, and for gists an older :data:`paperboard.gist.VERSION` wrote."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select

from ..filter_rules import words_column
from ..gist import VERSION, Gist, gist
from .bulk import dialect_insert
from .schema import paper_gists, papers

Row = dict[str, Any]
_WITH_GISTS = papers.outerjoin(paper_gists, paper_gists.c.paper_id == papers.c.id)
_STALE = or_(paper_gists.c.version.is_(None), paper_gists.c.version != VERSION)


def rows_for(texts: Iterable[tuple[str, str, str]]) -> list[Row]:
    """The gist rows of ``(paper id, title, abstract)`` triples (pure: runs in worker processes too)."""
    rows = []
    for pid, title, abstract in texts:
        g = gist(title, abstract)
        rows.append({"paper_id": pid, "summary": g.summary, "keywords": list(g.keywords), "version": VERSION,
                     "words": words_column(g.keywords)})
    return rows


def store(conn: Connection, rows: list[Row]) -> int:
    """Write (or rewrite) gist rows; how many. A row whose paper went meanwhile is left out."""
    if not rows:
        return 0
    present = set(conn.execute(select(papers.c.id).where(papers.c.id.in_([r["paper_id"] for r in rows])))
                  .scalars())
    rows = [r for r in rows if r["paper_id"] in present]
    if not rows:
        return 0
    statement = dialect_insert(conn, paper_gists)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[paper_gists.c.paper_id],
        set_={"summary": statement.excluded.summary, "keywords": statement.excluded.keywords,
              "version": statement.excluded.version, "words": statement.excluded.words}), rows)
    return len(rows)


def forget(conn: Connection, ids: Sequence[str]) -> None:
    """Drop the gists of ``ids`` (their text changed): :func:`stale_texts` lists them until rewritten."""
    for start in range(0, len(ids), 500):
        conn.execute(delete(paper_gists).where(paper_gists.c.paper_id.in_(list(ids[start : start + 500]))))


def stale_texts(conn: Connection, limit: int, after: str = "") -> list[tuple[str, str, str]]:
    """``(id, title, abstract)`` of up to ``limit`` papers after ``after`` (by id) whose gist is missing
    or an older version's."""
    query = (select(papers.c.id, papers.c.title, papers.c.abstract).select_from(_WITH_GISTS)
             .where(_STALE, papers.c.id > after).order_by(papers.c.id).limit(limit))
    return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def read(conn: Connection, ids: Sequence[str]) -> dict[str, Gist]:
    found: dict[str, Gist] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for pid, summary, keywords in conn.execute(
                select(paper_gists.c.paper_id, paper_gists.c.summary, paper_gists.c.keywords)
                .where(paper_gists.c.paper_id.in_(chunk))):
            found[pid] = Gist(summary, tuple(k for k in keywords or () if isinstance(k, str)))
    return found


def count_stale(conn: Connection) -> int:
    """How many papers lack a gist of the current version. Every catch-up asks, so the common answer
    (none) comes from two counts (every gist row has its paper) before the outer join is paid for."""
    papers_n = conn.execute(select(func.count()).select_from(papers)).scalar_one()
    current = conn.execute(select(func.count()).select_from(paper_gists)
                           .where(paper_gists.c.version == VERSION)).scalar_one()
    if papers_n == current:
        return 0
    return int(conn.execute(select(func.count()).select_from(_WITH_GISTS).where(_STALE)).scalar_one())
