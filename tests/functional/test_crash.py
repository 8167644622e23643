"""Kill ``paperboard`` with SIGKILL while it ingests and while it indexes, on SQLite and PostgreSQL.

An ingest killed after some batches were committed must resume after the last of them (the checkpoint
is committed with the batch), and the reruns must end with exactly the rows of an uninterrupted run.
An index run killed part way must leave an index that the next run completes: every stored paper in
the BM25 and the vector index exactly once."""

from __future__ import annotations

import gzip
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, func, select

from paperboard.ingest.files import DumpFile
from paperboard.search.service import SearchIndex
from paperboard.storage import checkpoints
from paperboard.storage.engine import open_database
from paperboard.storage.schema import papers
from tests.conftest import ARXIV_CS, SEED, require
from tests.functional.cli import paperboard

pytestmark = pytest.mark.slow

BATCH = 500


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A real-data dump large enough to be parsed in a second process: seed papers + arXiv papers."""
    path = tmp_path_factory.mktemp("crash") / "sample.jsonl.gz"
    with gzip.open(require(ARXIV_CS), "rt") as src, gzip.open(path, "wt") as dst:
        dst.write(require(SEED).read_text())
        for i, line in enumerate(src):
            if i >= 12_000:
                break
            dst.write(line)
    return path


@pytest.fixture(scope="module")
def expected(sample, tmp_path_factory) -> tuple[str, int]:
    """The export of an uninterrupted run on SQLite, and how many papers it stored."""
    clean = tmp_path_factory.mktemp("clean")
    done = paperboard("ingest", str(sample), "--no-index", "--output-format", "json", data_dir=clean)
    assert done.returncode == 0, done.stderr
    return paperboard("export", data_dir=clean).stdout, orjson.loads(done.stdout)["added"]


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOARD_")}
    env.update({"PAPERBOARD_DATA_DIR": str(data_dir), "PAPERBOARD_DATABASE_URL": db_url,
                "PAPERBOARD_BATCH_SIZE": str(BATCH)})
    return env


def _start(db_url: str, data_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "paperboard", *args], env=_env(db_url, data_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _committed(engine, key: str) -> int:
    """How many records the checkpoint says are stored (0 before the first batch and after the end)."""
    with engine.connect() as conn:
        state = checkpoints.load(conn, key)
    return int(state["done"]) if state else 0


def _kill_after_batch(proc: subprocess.Popen[bytes], engine, key: str, after: int) -> int:
    """SIGKILL ``proc`` as soon as it has committed at least ``after`` records; returns the checkpoint
    as the kill left it (the batch in flight, if any, rolled back)."""
    deadline = time.monotonic() + 120
    while _committed(engine, key) < after:
        assert proc.poll() is None, f"the ingest ended before {after} records: {proc.stderr.read()[-800:]}"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return _committed(engine, key)


def test_a_killed_ingest_resumes_after_its_last_committed_batch(db_url, sample, expected, tmp_path):
    export, rows = expected
    data_dir = tmp_path / "crashed"
    key = DumpFile(sample).checkpoint_key
    data_dir.mkdir()
    watcher = open_database(db_url)  # creates the schema, so the checkpoint can be read from the start
    rng = random.Random(20261201)
    try:
        committed = 0
        for step in range(3):  # each kill lands later than the one before, inside a later batch
            target = committed + BATCH * rng.randint(2, 5)
            proc = _start(db_url, data_dir, "ingest", str(sample), "--no-index")
            now = _kill_after_batch(proc, watcher, key, target)
            assert now >= target and now % BATCH == 0, (step, now)
            with watcher.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(papers)).scalar_one()
            assert 0 < stored <= now  # the batch in flight when the kill came is not half there
            committed = now
        final = paperboard("ingest", str(sample), "--no-index", "--output-format", "json",
                           data_dir=data_dir, env=_env(db_url, data_dir))
        assert final.returncode == 0, final.stderr
        summary = orjson.loads(final.stdout)
        # resumed after the last committed batch: nothing before it read again, everything after it added
        assert summary["resumed_after"] == committed
        assert (summary["unchanged"], summary["updated"]) == (0, 0)
        assert stored + summary["added"] == rows
        assert _committed(watcher, key) == 0  # a finished run clears its checkpoint
    finally:
        watcher.dispose()
    got = paperboard("export", data_dir=data_dir, env=_env(db_url, data_dir)).stdout
    if got != export:  # say which papers differ, not just that the exports do
        want, have = set(export.splitlines()), set(got.splitlines())
        pytest.fail(f"missing or different: {sorted(want - have)[:3]}\nextra: {sorted(have - want)[:3]}")


def _index_complete(db_url: str, data_dir: Path) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            ids = set(conn.execute(select(papers.c.id)).scalars())
        index = SearchIndex(data_dir)
        assert index.pending(engine)[0] == []
        assert len(index.lexical) == len(ids)  # a paper indexed twice would count twice
        assert len(index.vectors) == len(ids) and all(i in index.vectors for i in sorted(ids)[::97])
        some = sorted(ids)[::1500]
        with engine.connect() as conn:
            titles = {i: conn.execute(select(papers.c.title).where(papers.c.id == i)).scalar_one() for i in some}
        for paper_id, title in titles.items():
            assert paper_id in [h.id for h in index.search(engine, title, limit=5).hits], title
    finally:
        engine.dispose()


def _writer_busy(data_dir: Path) -> bool:
    """A lexical writer is open: the served generation's (a catch-up) or a new one's (a rebuild)."""
    return any((data_dir / "index").glob("*/lexical/.tantivy-writer.lock"))


def _kill_while_indexing(db_url: str, data_dir: Path, command: tuple[str, ...], rng: random.Random) -> None:
    proc = _start(db_url, data_dir, *command)
    deadline = time.monotonic() + 120
    while not _writer_busy(data_dir):  # the embedder has loaded and the index writer is open
        assert proc.poll() is None, f"{command} ended before it indexed: {proc.stderr.read()[-800:]}"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(rng.uniform(0.0, 1.5))
    assert proc.poll() is None, f"{command} ended before the kill: the sample is too small"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


def test_an_index_run_killed_part_way_is_completed_by_the_next(db_url, sample, tmp_path):
    data_dir = tmp_path / "indexed"
    env = _env(db_url, data_dir)
    first = tmp_path / "first.jsonl.gz"
    with gzip.open(sample, "rt") as src, gzip.open(first, "wt") as dst:
        dst.writelines(line for i, line in enumerate(src) if i < 2000)
    assert paperboard("ingest", str(first), data_dir=data_dir, env=env).returncode == 0  # an index exists
    assert paperboard("ingest", str(sample), "--no-index", data_dir=data_dir, env=env).returncode == 0
    rng = random.Random(7)
    catch_up = ("worker", "--job", "index")
    for killed in (catch_up, ("reindex",)):  # a catch-up of what arrived, then a full rebuild
        _kill_while_indexing(db_url, data_dir, killed, rng)
        rerun = paperboard(*catch_up, data_dir=data_dir, env=env)
        assert rerun.returncode == 0, rerun.stderr
        _index_complete(db_url, data_dir)
