"""Kill an ingest at random moments; the reruns must end with exactly the rows of an uninterrupted run.
(The search index is derived data, rebuilt by `paperboard reindex`; it is left out here.)"""

import gzip
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ARXIV_CS, SEED, require
from tests.functional.cli import paperboard

pytestmark = pytest.mark.slow


def _sample(tmp_path, lines: int):
    """A real-data dump large enough to be parsed in a second process: seed papers + arXiv papers."""
    path = tmp_path / "sample.jsonl.gz"
    with gzip.open(require(ARXIV_CS), "rt") as src, gzip.open(path, "wt") as dst:
        dst.write(require(SEED).read_text())
        for i, line in enumerate(src):
            if i >= lines:
                break
            dst.write(line)
    return path


def _start(path, data_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERBOARD_")}
    env.update({"PAPERBOARD_DATA_DIR": str(data_dir), "PAPERBOARD_BATCH_SIZE": "1000"})
    return subprocess.Popen([sys.executable, "-m", "paperboard", "ingest", str(path), "--no-index"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_killed_ingests_resume_to_exactly_the_uninterrupted_rows(tmp_path):
    sample = _sample(tmp_path, 20_000)
    clean = tmp_path / "clean"
    started = time.perf_counter()
    assert paperboard("ingest", str(sample), "--no-index", data_dir=clean).returncode == 0
    full_run = time.perf_counter() - started
    expected = paperboard("export", data_dir=clean).stdout

    crashed = tmp_path / "crashed"
    rng = random.Random(20261122)
    kills = 0
    for _ in range(4):
        proc = _start(sample, crashed)
        time.sleep(rng.uniform(0.1, full_run * 0.9))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
    assert kills >= 2, "the ingest finished before it could be killed; the sample is too small"
    final = paperboard("ingest", str(sample), "--no-index", "--output-format", "json", data_dir=crashed)
    assert final.returncode == 0, final.stderr
    got = paperboard("export", data_dir=crashed).stdout
    if got != expected:  # say which papers differ, not just that the exports do
        want, have = set(expected.splitlines()), set(got.splitlines())
        pytest.fail(f"missing or different: {sorted(want - have)[:3]}\nextra: {sorted(have - want)[:3]}")
