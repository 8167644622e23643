"""Ingest dump files: resumable from the last committed batch of an interrupted run."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

from sqlalchemy import Engine

from ..storage import checkpoints
from ..storage.engine import indexes_deferred
from .files import DumpFile
from .parallel import ParallelDump
from .pipeline import Summary, store_items

PARALLEL_FROM_BYTES = 4 << 20  # below this, starting a parser process costs more than it saves
BULK_FROM_BYTES = 32 << 20  # from here, secondary indexes are rebuilt once instead of maintained


def ingest_file(
    engine: Engine,
    path: str,
    *,
    fmt: str = "auto",
    batch_size: int = 5000,
    parallel: bool | None = None,
    on_batch: Callable[[Summary, int, int], None] | None = None,
    skip_loaded: bool = False,
) -> Summary:
    """Load one dump file. ``on_batch(summary, bytes_read, bytes_total)`` reports progress.
    ``skip_loaded``: a file this store loaded whole before, unchanged since (the same path, size and
    modification time), is not read again (re-reading it would change nothing)."""
    dump = DumpFile(path, fmt)
    loaded_key = f"loaded:{dump.fingerprint['path']}"
    if skip_loaded:
        with engine.connect() as conn:
            before = checkpoints.load(conn, loaded_key)
        if before and before.get("fingerprint") == dump.fingerprint and before.get("format") == fmt:
            return Summary(loaded_before=int(before.get("items", 0)))
    use_parallel = dump.size >= PARALLEL_FROM_BYTES if parallel is None else parallel
    source: DumpFile | ParallelDump = ParallelDump(dump) if use_parallel else dump
    key = dump.checkpoint_key
    with engine.connect() as conn:
        state = checkpoints.load(conn, key)
    skip = 0
    if state and state.get("fingerprint") == dump.fingerprint and state.get("format") == fmt:
        skip = int(state.get("done", 0))

    def report(summary: Summary) -> None:
        if on_batch:
            on_batch(summary, source.position(), dump.size)

    bulk = dump.size >= BULK_FROM_BYTES
    with indexes_deferred(engine) if bulk else nullcontext():
        return store_items(
            engine,
            source,
            batch_size=batch_size,
            checkpoint=(key, lambda done: {"fingerprint": dump.fingerprint, "format": fmt, "done": done}),
            skip=skip,
            on_batch=report,
            done=(loaded_key, lambda items: {"fingerprint": dump.fingerprint, "format": fmt, "items": items}),
        )
