"""The paper repository: the one place that reads and writes papers.

``upsert`` classifies each incoming paper as added, updated or unchanged against what is stored and
writes the difference in one transaction, so an ingest killed at any moment leaves whole batches only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from ..clock import utcnow
from ..errors import NotFound
from ..ids import TITLE_ID_PREFIX
from ..models import Paper, merge
from . import gists, paper_images
from .bulk import insert_rows, timestamp_value, update_rows
from .rows import (
    AUTHOR_COLUMNS,
    CATEGORY_COLUMNS,
    PAPER_COLUMNS,
    TIMESTAMP_COLUMNS,
    Prepared,
    paper_from_values,
    prepare,
)
from .schema import paper_authors, paper_categories, paper_renames, paper_words, papers

TITLE_ID_END = TITLE_ID_PREFIX[:-1] + chr(ord(TITLE_ID_PREFIX[-1]) + 1)  # ids in [prefix, end)
_CHUNK = 500  # ids per IN (...) lookup; well under every backend's parameter limit


@dataclass(slots=True)
class UpsertResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (where, why) refused by the database

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)
        return self


def now() -> dt.datetime:
    return utcnow()


def _chunks(seq: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


_SELECT_VALUES = select(*(papers.c[name] for name in PAPER_COLUMNS))


def _with_gists(conn: Connection, batch: list[Paper]) -> list[Paper]:
    found = gists.read(conn, [p.id for p in batch])
    for p in batch:
        if (g := found.get(p.id)) is not None:
            p.gist, p.keywords = g.summary, g.keywords
    return batch


def fetch_many(conn: Connection, ids: Sequence[str]) -> dict[str, Paper]:
    """The stored papers among ``ids``, with their gists."""
    found: dict[str, Paper] = {}
    for chunk in _chunks(list(ids)):
        rows = [paper_from_values(row) for row in conn.execute(_SELECT_VALUES.where(papers.c.id.in_(chunk)))]
        found.update((p.id, p) for p in _with_gists(conn, rows))
    return found


def require_stored(conn: Connection, paper_id: str) -> None:
    """NotFound unless ``paper_id`` is stored: the one check every write about a paper makes."""
    if conn.execute(select(papers.c.id).where(papers.c.id == paper_id)).first() is None:
        raise NotFound(f"paper {paper_id} is not in the store")


def get_paper(conn: Connection, paper_id: str) -> Paper | None:
    return fetch_many(conn, [paper_id]).get(paper_id)


def _resolve_title_ids(conn: Connection, batch: list[Prepared]) -> list[tuple[Prepared, bool]]:
    """Give id-less papers (``title:…`` ids) the id of the paper with the same title, stored or in
    this batch, preferring real ids. Each paper comes back with a flag: True for a record that was
    resolved to a real id this way, which may only fill gaps in that paper."""
    keys = list({p.title_hash for p in batch if p.id.startswith(TITLE_ID_PREFIX)})
    if not keys:
        return [(p, False) for p in batch]
    owner: dict[int, str] = {}  # title hash -> id
    for p in batch:
        if not p.id.startswith(TITLE_ID_PREFIX):
            owner.setdefault(p.title_hash, p.id)
    for chunk in _chunks(keys):
        rows = conn.execute(select(papers.c.title_hash, papers.c.id).where(papers.c.title_hash.in_(chunk)))
        for key, pid in rows:
            # prefer a real id over a derived one when the same title is stored under both
            if key not in owner or owner[key].startswith(TITLE_ID_PREFIX):
                owner[key] = pid
    out = []
    for p in batch:
        fill_only = False
        if p.id.startswith(TITLE_ID_PREFIX):
            pid = owner.get(p.title_hash)
            if pid and pid != p.id:
                p = prepare(paper_from_values(p.values).with_id(pid))
                fill_only = not pid.startswith(TITLE_ID_PREFIX)
        out.append((p, fill_only))
    return out


def _collapse(batch: list[tuple[Prepared, bool]]) -> tuple[list[Prepared], set[str]]:
    """Merge papers that share an id within one batch: records with their own id first, in arrival
    order, then fill-only ones. Returns the papers and the ids made only of fill-only records."""
    ordered = [pf for pf in batch if not pf[1]] + [pf for pf in batch if pf[1]]
    by_id: dict[str, Prepared] = {}
    only_fill: dict[str, bool] = {}
    for p, fill_only in ordered:
        if p.id in by_id:
            merged = merge(paper_from_values(by_id[p.id].values), paper_from_values(p.values),
                           fill_only=fill_only)
            p = prepare(merged)
        by_id[p.id] = p
        only_fill[p.id] = only_fill.get(p.id, True) and fill_only
    return list(by_id.values()), {pid for pid, flag in only_fill.items() if flag}


def _adopt_title_rows(conn: Connection, added: list[Prepared]) -> dict[str, str]:
    """A paper stored without an id (``title:…``) becomes the paper with a real id that arrives with
    the same title: its row is renamed (children follow by ON UPDATE CASCADE) and then merged as an
    update. Returns {real id: content hash of the renamed row}."""
    has_title_rows = conn.execute(
        select(papers.c.id).where(papers.c.id > TITLE_ID_PREFIX, papers.c.id < TITLE_ID_END).limit(1)
    ).first()
    if not has_title_rows:
        return {}
    real = {p.title_hash: p.id for p in added if not p.id.startswith(TITLE_ID_PREFIX)}
    adopted: dict[str, str] = {}
    for chunk in _chunks(list(real)):
        rows = conn.execute(
            select(papers.c.id, papers.c.title_hash, papers.c.content_hash).where(
                papers.c.title_hash.in_(chunk), papers.c.id > TITLE_ID_PREFIX, papers.c.id < TITLE_ID_END
            )
        ).all()
        for old_id, key, content_hash in rows:
            new_id = real[key]
            if new_id in adopted:
                continue
            conn.execute(update(papers).where(papers.c.id == old_id).values(id=new_id))
            conn.execute(delete(paper_renames).where(paper_renames.c.old_id == old_id))  # stored again
            conn.execute(paper_renames.insert().values(old_id=old_id, new_id=new_id, renamed_at=now()))
            adopted[new_id] = content_hash
    return adopted


def _stored_hashes(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(list(ids)):
        rows = conn.execute(select(papers.c.id, papers.c.content_hash).where(papers.c.id.in_(chunk)))
        found.update((pid, h) for pid, h in rows)
    return found


def upsert(conn: Connection, batch: Sequence[Paper | Prepared]) -> UpsertResult:
    """Store ``batch``: new papers are added, known ones merged (see :func:`paperboard.models.merge`).

    A paper whose content hash equals the stored one is unchanged without reading its row; only
    papers that differ are read, merged and rewritten (with their author and category rows)."""
    result = UpsertResult()
    prepared = [p if isinstance(p, Prepared) else prepare(p) for p in batch]
    incoming, fill_only = _collapse(_resolve_title_ids(conn, prepared))
    hashes = _stored_hashes(conn, [p.id for p in incoming])
    stamp = timestamp_value(conn, now())
    added, maybe_changed = [], []
    for p in incoming:
        stored_hash = hashes.get(p.id)
        if stored_hash is None:
            added.append(p)
        elif stored_hash == p.content_hash:
            result.unchanged += 1
        else:
            maybe_changed.append(p)
    adopted = _adopt_title_rows(conn, added) if added else {}
    if adopted:  # renamed rows now hold these ids: merge into them instead of inserting
        maybe_changed += [p for p in added if p.id in adopted]
        added = [p for p in added if p.id not in adopted]
        hashes.update(adopted)
    if added:
        insert_rows(conn, papers, PAPER_COLUMNS + TIMESTAMP_COLUMNS,
                    [(*p.values, stamp, stamp) for p in added])
        _insert_children(conn, added)
        result.added += len(added)
    if maybe_changed:
        stored = fetch_many(conn, [p.id for p in maybe_changed])
        changed, rewrite = [], []
        for p in maybe_changed:
            paper = paper_from_values(p.values)
            merged_paper = merge(stored[p.id], paper, fill_only=p.id in fill_only)
            if p.id in adopted:  # the record with the real id is where the paper comes from now
                merged_paper = replace(merged_paper, source=paper.source)
            merged = prepare(merged_paper)
            if merged.content_hash == hashes[p.id]:
                result.unchanged += 1
            else:
                changed.append(merged)
                if (merged_paper.title, merged_paper.abstract) != (stored[p.id].title, stored[p.id].abstract):
                    rewrite.append(p.id)  # its gist is written again, from the new text
        _update(conn, changed, stamp)
        gists.forget(conn, rewrite)
        paper_images.forget(conn, [p.id for p in changed])
        result.updated += len(changed)
    return result


def _insert_children(conn: Connection, batch: Sequence[Prepared]) -> None:
    insert_rows(conn, paper_authors, AUTHOR_COLUMNS, [row for p in batch for row in p.authors])
    insert_rows(conn, paper_categories, CATEGORY_COLUMNS, [row for p in batch for row in p.categories])
    insert_rows(conn, paper_words, ("paper_id", "words"), [(p.id, p.words) for p in batch])


def _update(conn: Connection, changed: list[Prepared], stamp: Any) -> None:
    if not changed:
        return
    rows = [(*p.values[1:], stamp, p.id) for p in changed]
    update_rows(conn, papers, "id", (*PAPER_COLUMNS[1:], "changed_at"), rows)
    for chunk in _chunks([p.id for p in changed]):
        conn.execute(delete(paper_authors).where(paper_authors.c.paper_id.in_(chunk)))
        conn.execute(delete(paper_categories).where(paper_categories.c.paper_id.in_(chunk)))
        conn.execute(delete(paper_words).where(paper_words.c.paper_id.in_(chunk)))
    _insert_children(conn, changed)


def iter_papers(conn: Connection, *, page: int = 2000) -> Iterator[Paper]:
    """Every stored paper in id order, read in keyset pages (constant memory)."""
    last = ""
    while True:
        rows = conn.execute(_SELECT_VALUES.where(papers.c.id > last).order_by(papers.c.id).limit(page)).all()
        if not rows:
            return
        yield from _with_gists(conn, [paper_from_values(row) for row in rows])
        last = rows[-1][0]


def changed_since(conn: Connection, since: dt.datetime | None, *, strictly_after: bool = False
                  ) -> tuple[list[str], dt.datetime | None]:
    """Ids of papers added or changed at or after ``since`` (all when None), and the latest stamp."""
    query = select(papers.c.id, papers.c.changed_at)
    if since is not None:
        query = query.where(papers.c.changed_at > since if strictly_after else papers.c.changed_at >= since)
    ids, latest = [], None
    for pid, stamp in conn.execute(query):
        ids.append(pid)
        if stamp is not None and stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        if latest is None or (stamp is not None and stamp > latest):
            latest = stamp
    return ids, latest


def renamed_since(conn: Connection, since: dt.datetime | None) -> list[tuple[str, str]]:
    """(old id, new id) of papers renamed at or after ``since`` (all when None), oldest first."""
    query = select(paper_renames.c.old_id, paper_renames.c.new_id).order_by(paper_renames.c.renamed_at)
    if since is not None:
        query = query.where(paper_renames.c.renamed_at >= since)
    return [(old, new) for old, new in conn.execute(query)]


def count_changed_between(conn: Connection, start: dt.datetime, end: dt.datetime) -> int:
    """How many papers carry a ``changed_at`` in [start, end]."""
    return conn.execute(select(func.count()).select_from(papers)
                        .where(papers.c.changed_at >= start, papers.c.changed_at <= end)).scalar_one()


def count_changed_after(conn: Connection, since: dt.datetime | None) -> int:
    """How many papers were added or changed after ``since`` (all of them when None)."""
    query = select(func.count()).select_from(papers)
    if since is not None:
        query = query.where(papers.c.changed_at > since)
    return conn.execute(query).scalar_one()


def count_papers(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(papers)).scalar_one()


def any_paper(conn: Connection) -> bool:
    return conn.execute(select(papers.c.id).limit(1)).first() is not None


def stats(conn: Connection) -> dict[str, Any]:
    """Counts for ``paperboard stats``: papers, authors, categories, dates, and papers by source."""
    total = count_papers(conn)
    authors = conn.execute(
        select(func.count(func.distinct(paper_authors.c.name_hash)))
    ).scalar_one()
    categories = conn.execute(
        select(paper_categories.c.category, func.count())
        .group_by(paper_categories.c.category)
        .order_by(func.count().desc(), paper_categories.c.category)
    ).all()
    by_source = conn.execute(
        select(papers.c.source, func.count()).group_by(papers.c.source).order_by(papers.c.source)
    ).all()
    listed = conn.execute(select(func.min(papers.c.listed), func.max(papers.c.listed))).one()
    published = conn.execute(
        select(func.min(papers.c.published), func.max(papers.c.published))
    ).one()
    return {
        "papers": total,
        "authors": authors,
        "categories": len(categories),
        "top_categories": {c: n for c, n in categories[:10]},
        "listed": _range(listed),
        "published": _range(published),
        "by_source": {s: n for s, n in by_source},
    }


def _range(pair: Iterable[Any]) -> dict[str, str | None]:
    lo, hi = pair
    return {"from": _iso(lo), "until": _iso(hi)}


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
