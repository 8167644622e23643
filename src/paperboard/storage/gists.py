"""Each paper's gist (one-sentence summary and keywords, :mod:`paperboard.gist`) beside its row.

Written with the paper whenever its title or abstract is stored or changed, in the same transaction;
a store that predates gists, or holds ones an older :data:`paperboard.gist.VERSION` wrote, is brought
up to date by :func:`paperboard.storage.papers.refresh_gists` (run before the search index catches up)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, func, or_, select

from ..gist import VERSION, Gist, gist
from ..models import Paper
from .bulk import dialect_insert
from .schema import paper_gists, papers

BATCH = 2000


def write(conn: Connection, batch: Iterable[Paper]) -> int:
    """Write (or rewrite) the gists of ``batch``; how many."""
    rows = []
    for p in batch:
        g = gist(p.title, p.abstract)
        rows.append({"paper_id": p.id, "summary": g.summary, "keywords": list(g.keywords),
                     "version": VERSION})
    if not rows:
        return 0
    statement = dialect_insert(conn, paper_gists)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[paper_gists.c.paper_id],
        set_={"summary": statement.excluded.summary, "keywords": statement.excluded.keywords,
              "version": statement.excluded.version}), rows)
    return len(rows)


def read(conn: Connection, ids: Sequence[str]) -> dict[str, Gist]:
    found: dict[str, Gist] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for pid, summary, keywords in conn.execute(
                select(paper_gists.c.paper_id, paper_gists.c.summary, paper_gists.c.keywords)
                .where(paper_gists.c.paper_id.in_(chunk))):
            found[pid] = Gist(summary, tuple(k for k in keywords or () if isinstance(k, str)))
    return found


_WITH_GISTS = papers.outerjoin(paper_gists, paper_gists.c.paper_id == papers.c.id)
_STALE = or_(paper_gists.c.version.is_(None), paper_gists.c.version != VERSION)


def stale(conn: Connection, limit: int = BATCH) -> list[str]:
    """Ids of papers without a gist of the current version, at most ``limit``."""
    query = select(papers.c.id).select_from(_WITH_GISTS).where(_STALE).order_by(papers.c.id).limit(limit)
    return list(conn.execute(query).scalars())


def count_stale(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_WITH_GISTS).where(_STALE)).scalar_one())
