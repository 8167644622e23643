"""Parse a dump in other processes while this one writes to the database, so ingest uses every core.

Workers send papers already *prepared* (plain tuples, see :mod:`paperboard.storage.rows`): all per-paper
work is done there, and the parent only reads the queues and talks to the store. A JSONL file is split
between two workers by chunk number; the parent takes the chunks back in file order, so checkpoints
(counts of records done) mean the same as in a sequential read.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
from collections.abc import Iterator
from typing import Any

from ..storage.rows import prepare
from .children import exit_with_parent
from .errors import SourceError
from .files import DumpFile
from .pipeline import Item

CHUNK = 1000


def _chunks(dump: DumpFile, share: int, shares: int) -> Iterator[tuple[int, list[Item]]]:
    if shares > 1:
        yield from dump.jsonl_chunks(CHUNK, share, shares)
        return
    chunk: list[Item] = []
    number = 0
    for item in dump:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield number, chunk
            number, chunk = number + 1, []
    if chunk:
        yield number, chunk


def _produce(path: str, fmt: str, share: int, shares: int, out: Any) -> None:
    exit_with_parent()
    dump = DumpFile(path, fmt)
    try:
        for number, items in _chunks(dump, share, shares):
            rows = [(i.location, prepare(i.paper) if i.paper is not None else None, i.error) for i in items]
            out.put(("items", number, rows, dump.position()))
        out.put(("done", None, None, dump.size))
    except SourceError as exc:
        out.put(("error", None, str(exc), 0))
    except Exception as exc:  # report, never leave the parent waiting
        out.put(("error", None, f"{path}: {type(exc).__name__}: {exc}", 0))


class ParallelDump:
    """Iterates the items of ``dump`` parsed by worker processes; ``position()`` as for DumpFile."""

    def __init__(self, dump: DumpFile, workers: int = min(2, os.cpu_count() or 1)):
        self.dump = dump
        self.size = dump.size
        self._position = 0
        self._workers = max(1, workers) if dump.container() == "jsonl" else 1

    def position(self) -> int:
        return self._position

    def __iter__(self) -> Iterator[Item]:
        ctx = mp.get_context("spawn")  # no fork: the parent holds database connections
        queues = [ctx.Queue(maxsize=8) for _ in range(self._workers)]
        procs = [
            ctx.Process(target=_produce, daemon=True,
                        args=(str(self.dump.path), self.dump.fmt, k, self._workers, queues[k]))
            for k in range(self._workers)
        ]
        for proc in procs:
            proc.start()
        try:
            number = 0
            while True:
                k = number % self._workers
                kind, got, payload, position = self._get(queues[k], procs[k])
                if kind == "error":
                    raise SourceError(payload)
                if kind == "done":
                    return
                if got != number:  # pragma: no cover - a worker bug, never silently reorder
                    raise SourceError(f"{self.dump.path}: expected chunk {number}, got {got}")
                self._position = max(self._position, position)
                for location, paper, error in payload:
                    yield Item(location, paper=paper, error=error)
                number += 1
        finally:
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
                proc.join(timeout=5)
            for q in queues:
                q.close()

    def _get(self, q: Any, proc: Any) -> tuple[str, Any, Any, int]:
        while True:
            try:
                return q.get(timeout=2)
            except queue.Empty:
                if not proc.is_alive():
                    raise SourceError(f"{self.dump.path}: a parser process died") from None
