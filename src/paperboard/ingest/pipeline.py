"""Writes parsed papers to the store in batches, one transaction each, with the checkpoint inside it.

A job killed at any moment has committed whole batches only, and its checkpoint says exactly which;
rerunning it (from the checkpoint or from scratch) ends with the same rows, since upserts are idempotent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError, IntegrityError

from ..community.submissions import import_huggingface
from ..models import Paper
from ..storage import checkpoints
from ..storage.papers import UpsertResult, upsert
from ..storage.rows import PAPER_COLUMNS, Prepared
from .errors import RecordError

MAX_PROBLEMS_KEPT = 1000


@dataclass(slots=True)
class Item:
    """One record read from a source: a paper, or the reason it was rejected, and where it was."""

    location: str
    paper: Paper | Prepared | None = None
    error: str | None = None


@dataclass(slots=True)
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # already stored by an interrupted run that this one resumed
    loaded_before: int = 0  # records of files loaded whole before and unchanged since: not read again
    problems: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged + self.rejected

    def record(self, result: UpsertResult) -> None:
        for location, reason in result.rejected:
            self.reject(location, reason)
        self.added += result.added
        self.updated += result.updated
        self.unchanged += result.unchanged

    def reject(self, location: str, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append((location, reason))

    def merge(self, other: Summary) -> None:
        for name in ("added", "updated", "unchanged", "rejected", "skipped", "loaded_before"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems.extend(other.problems[: MAX_PROBLEMS_KEPT - len(self.problems)])
        self.seconds += other.seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "resumed_after": self.skipped, "loaded_before": self.loaded_before,
            "seconds": round(self.seconds, 3),
            "papers_per_second": round(self.processed / self.seconds) if self.seconds else None,
            "problems": [{"location": loc, "reason": why} for loc, why in self.problems],
        }


def commit_batch(
    engine: Engine,
    papers: list[Paper | Prepared],
    *,
    checkpoint: tuple[str, dict[str, Any]] | None = None,
    clear: str | None = None,
) -> UpsertResult:
    """Upsert ``papers`` and move the checkpoint, atomically.

    If the database refuses the batch (a value it cannot hold), the batch is retried paper by paper,
    each in a savepoint: the offending papers are returned in ``result.rejected``, the rest stored."""
    try:
        with engine.begin() as conn:
            result = _store(conn, papers) if papers else UpsertResult()
            _move_checkpoint(conn, checkpoint, clear)
        return result
    except (DataError, IntegrityError) as exc:
        first_error = exc
    result = UpsertResult()
    with engine.begin() as conn:
        for paper in papers:
            try:
                with conn.begin_nested():
                    result += _store(conn, [paper])
            except (DataError, IntegrityError) as exc:
                reason = str(exc.orig or exc).splitlines()[0]
                result.rejected.append((f"paper {paper.id}", f"the database refused it: {reason}"))
        if not result.rejected:  # failed only as a whole batch: do not hide the cause
            raise first_error
        _move_checkpoint(conn, checkpoint, clear)
    return result


_SOURCE, _EXTRA = PAPER_COLUMNS.index("source"), PAPER_COLUMNS.index("extra")


def _huggingface_feed_facts(batch: list[Paper | Prepared]) -> Iterator[tuple[str, dict[str, Any]]]:
    for p in batch:
        if isinstance(p, Prepared):
            if p.values[_SOURCE] != "huggingface":
                continue
            extra = orjson.loads(p.values[_EXTRA])
        elif p.source == "huggingface":
            extra = p.extra
        else:
            continue
        hf = extra.get("huggingface")
        if isinstance(hf, dict) and hf.get("submittedOnDailyAt"):
            yield p.id, hf


def _store(conn: Connection, batch: list[Paper | Prepared]) -> UpsertResult:
    """Upsert papers; those from a Hugging Face daily-papers dump also go on the daily feed."""
    result = upsert(conn, batch)
    import_huggingface(conn, _huggingface_feed_facts(batch))
    return result


def _move_checkpoint(conn: Any, checkpoint: tuple[str, dict[str, Any]] | None, clear: str | None) -> None:
    if checkpoint is not None:
        checkpoints.save(conn, *checkpoint)
    if clear is not None:
        checkpoints.clear(conn, clear)


def store_items(
    engine: Engine,
    items: Iterable[Item],
    *,
    batch_size: int,
    checkpoint: tuple[str, Callable[[int], dict[str, Any]]] | None = None,
    skip: int = 0,
    on_batch: Callable[[Summary], None] | None = None,
    done: tuple[str, Callable[[int], dict[str, Any]]] | None = None,
) -> Summary:
    """Store a stream of items. ``skip`` items were committed by an interrupted run and are passed
    over. ``checkpoint`` is (key, state): each batch's transaction saves ``state(items done)`` under
    the key, and the last one clears it. ``done`` is (key, state) too: the last batch's transaction
    saves ``state(items)`` there (that the whole source was stored)."""
    summary = Summary(skipped=skip)
    started = time.perf_counter()
    batch: list[Paper | Prepared] = []
    consumed = 0

    def flush(final: bool) -> None:
        state = clear = None
        if checkpoint is not None:
            key, state_of = checkpoint
            if final:
                clear = key
            else:
                state = (key, state_of(consumed))
        if final and done is not None:
            state = (done[0], done[1](consumed))
        summary.record(commit_batch(engine, batch, checkpoint=state, clear=clear))
        batch.clear()
        if on_batch:
            on_batch(summary)

    for item in items:
        consumed += 1
        if consumed <= skip:
            continue
        if item.paper is not None:
            batch.append(item.paper)
        else:
            summary.reject(item.location, item.error or "rejected")
        if len(batch) >= batch_size:
            flush(final=False)
    flush(final=True)
    summary.seconds = time.perf_counter() - started
    return summary


def as_item(location: str, parse: Callable[[], Paper]) -> Item:
    try:
        return Item(location, paper=parse())
    except RecordError as exc:
        return Item(location, error=str(exc))
