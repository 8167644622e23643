"""Parse a dump in a second process while this one writes to the database, so ingest uses both cores.

The child sends papers already *prepared* (plain tuples, see :mod:`paperboard.storage.rows`): cheap to
pickle, and all per-paper work is done there; the parent only reads the queue and talks to the store.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from ..storage.rows import prepare
from .errors import SourceError
from .files import DumpFile
from .pipeline import Item

CHUNK = 1000


def _exit_with_parent() -> None:
    """The child must not outlive an interrupted or killed parent (it would block on a full pipe)."""
    parent = mp.parent_process()

    def watch() -> None:
        while parent is None or parent.is_alive():
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _produce(path: str, fmt: str, out: Any) -> None:
    _exit_with_parent()
    dump = DumpFile(path, fmt)
    chunk: list[tuple[str, Any, str | None]] = []
    try:
        for item in dump:
            paper = prepare(item.paper) if item.paper is not None else None
            chunk.append((item.location, paper, item.error))
            if len(chunk) >= CHUNK:
                out.put(("items", chunk, dump.position()))
                chunk = []
        out.put(("items", chunk, dump.size))
        out.put(("done", None, dump.size))
    except SourceError as exc:
        out.put(("error", str(exc), 0))
    except Exception as exc:  # report, never leave the parent waiting
        out.put(("error", f"{path}: {type(exc).__name__}: {exc}", 0))


class ParallelDump:
    """Iterates the items of ``dump`` parsed in a child process; ``position()`` as for DumpFile."""

    def __init__(self, dump: DumpFile):
        self.dump = dump
        self.size = dump.size
        self.checkpoint_key = dump.checkpoint_key
        self.fingerprint = dump.fingerprint
        self._position = 0

    def position(self) -> int:
        return self._position

    def __iter__(self) -> Iterator[Item]:
        ctx = mp.get_context("spawn")  # no fork: the parent holds database connections
        out = ctx.Queue(maxsize=8)
        proc = ctx.Process(target=_produce, args=(str(self.dump.path), self.dump.fmt, out), daemon=True)
        proc.start()
        try:
            while True:
                try:
                    kind, payload, position = out.get(timeout=2)
                except queue.Empty:
                    if not proc.is_alive():
                        raise SourceError(f"{self.dump.path}: the parser process died") from None
                    continue
                if kind == "error":
                    raise SourceError(payload)
                if kind == "done":
                    return
                self._position = position
                for location, paper, error in payload:
                    yield Item(location, paper=paper, error=error)
        finally:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5)
            out.close()
