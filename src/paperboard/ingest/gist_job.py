"""Writing the gists papers lack (:mod:`paperboard.gist`): after an ingest, for a store from before
gists, or after :data:`paperboard.gist.VERSION` changed. Kept out of the write path so storing stays
as fast as the disk allows; a large backlog is shared among worker processes (one per core, at most
two), a small one written here. Each batch is its own transaction: a stop loses at most one batch."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

from sqlalchemy import Engine

from ..storage import gists
from .children import exit_with_parent

BATCH = 1000
PARALLEL_FROM = 20_000  # below this, starting processes costs more than it saves


def refresh(engine: Engine, on_progress: Callable[[int], None] | None = None, *,
            workers: int | None = None, on_start: Callable[[int], None] | None = None) -> int:
    """Write every missing or outdated gist; how many were written. ``on_start(papers)`` is told first
    when there are any."""
    with engine.connect() as conn:
        total = gists.count_stale(conn)
    if not total:
        return 0
    if on_start:
        on_start(total)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    if total < PARALLEL_FROM or workers < 2:
        return _here(engine, on_progress)
    spawn = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=exit_with_parent) as pool:
        return _shared(engine, pool, workers, on_progress)


def _batch(engine: Engine, after: str) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return gists.stale_texts(conn, BATCH, after)


def _store(engine: Engine, rows: list[gists.Row], on_progress: Callable[[int], None] | None) -> int:
    with engine.begin() as conn:
        written = gists.store(conn, rows)
    if on_progress:
        on_progress(len(rows))
    return written


def _here(engine: Engine, on_progress: Callable[[int], None] | None) -> int:
    done, after = 0, ""
    while texts := _batch(engine, after):
        after = texts[-1][0]
        done += _store(engine, gists.rows_for(texts), on_progress)
    return done


def _shared(engine: Engine, pool: ProcessPoolExecutor, workers: int,
            on_progress: Callable[[int], None] | None) -> int:
    done, after = 0, ""
    running: list[Future[list[gists.Row]]] = []
    while True:
        while len(running) < 2 * workers and (texts := _batch(engine, after)):
            after = texts[-1][0]
            running.append(pool.submit(gists.rows_for, texts))
        if not running:
            return done
        done += _store(engine, running.pop(0).result(), on_progress)
