"""In the test process, on SQLite and PostgreSQL: an ingest stopped after some batches resumes after
the last committed one, and one whose file changed since starts again (the SIGKILL version of this,
in a subprocess, is tests/functional/test_crash.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from paperboard.ingest.files import DumpFile
from paperboard.ingest.files_job import ingest_file
from paperboard.storage import checkpoints
from paperboard.storage.schema import papers
from tests.web.data import corpus_records


class Stop(Exception):
    pass


def _dump(tmp_path, n: int = 230):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in corpus_records(n)))
    return path


def _stop_after(batches: int):
    seen = []

    def on_batch(summary, done, total):
        seen.append(summary.added)
        if len(seen) == batches:
            raise Stop

    return on_batch


def _stored(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(papers)).scalar_one()


def test_a_stopped_ingest_resumes_after_its_last_batch(engine, tmp_path):
    path = _dump(tmp_path)
    key = DumpFile(path).checkpoint_key
    with pytest.raises(Stop):
        ingest_file(engine, str(path), batch_size=50, parallel=False, on_batch=_stop_after(3))
    with engine.connect() as conn:
        state = checkpoints.load(conn, key)
    assert state is not None and state["done"] == 150 and state["format"] == "auto"
    assert _stored(engine) == 150
    summary = ingest_file(engine, str(path), batch_size=50, parallel=False)
    assert (summary.skipped, summary.added, summary.unchanged) == (150, 80, 0)
    assert summary.as_dict()["resumed_after"] == 150
    with engine.connect() as conn:
        assert checkpoints.load(conn, key) is None  # cleared by the run that finished
    again = ingest_file(engine, str(path), batch_size=50, parallel=False)
    assert (again.skipped, again.added, again.unchanged) == (0, 0, 230)  # a new run reads it all


def test_a_checkpoint_of_another_file_or_format_is_not_trusted(engine, tmp_path):
    path = _dump(tmp_path)
    with pytest.raises(Stop):
        ingest_file(engine, str(path), batch_size=50, parallel=False, on_batch=_stop_after(2))
    other_format = ingest_file(engine, str(path), fmt="jsonl", batch_size=50, parallel=False)
    assert other_format.skipped == 0 and other_format.unchanged == 100 and other_format.added == 130
    with pytest.raises(Stop):
        ingest_file(engine, str(path), batch_size=50, parallel=False, on_batch=_stop_after(2))
    path.write_text(path.read_text() + json.dumps(corpus_records(231)[-1]) + "\n")  # the file changed
    changed = ingest_file(engine, str(path), batch_size=50, parallel=False)
    assert changed.skipped == 0 and changed.added == 1 and changed.unchanged == 230
    assert _stored(engine) == 231


def test_progress_reaches_the_files_size_and_size_picks_the_parser_and_the_index_plan(engine, tmp_path,
                                                                                      monkeypatch):
    """Progress is reported in bytes of the file after every batch, ending at its size; from
    PARALLEL_FROM_BYTES the file is parsed in a second process, and from BULK_FROM_BYTES the secondary
    indexes are dropped for the load and built again after it."""
    from sqlalchemy import inspect

    from paperboard.ingest import files_job

    def author_indexes() -> list[str]:
        return [ix["name"] for ix in inspect(engine).get_indexes("paper_authors")]

    path = _dump(tmp_path, 120)
    size = path.stat().st_size
    seen = []
    summary = ingest_file(engine, str(path), batch_size=50,
                          on_batch=lambda s, done, total: seen.append((s.added, done, total)))
    assert summary.added == 120 and [added for added, _, _ in seen] == [50, 100, 120]
    assert {total for _, _, total in seen} == {size} and seen[-1][1] == size
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen) and seen[0][1] < size

    started, indexes_meanwhile = [], []

    class Watched(files_job.ParallelDump):
        def __iter__(self):
            started.append(self)
            yield from super().__iter__()

    monkeypatch.setattr(files_job, "ParallelDump", Watched)
    monkeypatch.setattr(files_job, "PARALLEL_FROM_BYTES", size)  # this file is just big enough
    monkeypatch.setattr(files_job, "BULK_FROM_BYTES", size)
    bulk = ingest_file(engine, str(path), batch_size=50, on_batch=lambda *_: indexes_meanwhile.append(
        author_indexes()))
    assert bulk.unchanged == 120 and len(started) == 1
    assert indexes_meanwhile and all("ix_paper_authors_name_hash" not in names for names in indexes_meanwhile)
    assert "ix_paper_authors_name_hash" in author_indexes()  # built again after the load
    monkeypatch.setattr(files_job, "PARALLEL_FROM_BYTES", size + 1)  # a byte short of both
    monkeypatch.setattr(files_job, "BULK_FROM_BYTES", size + 1)
    indexes_meanwhile.clear()
    assert ingest_file(engine, str(path), on_batch=lambda *_: indexes_meanwhile.append(author_indexes())) \
        .unchanged == 120
    assert len(started) == 1 and all("ix_paper_authors_name_hash" in names for names in indexes_meanwhile)
    assert ingest_file(engine, str(path), parallel=True).unchanged == 120 and len(started) == 2  # when asked


def test_a_file_loaded_whole_is_not_read_again_when_asked_until_it_changes(engine, tmp_path):
    import os

    path = _dump(tmp_path)
    with pytest.raises(Stop):  # a run stopped part way has not loaded the file
        ingest_file(engine, str(path), batch_size=50, parallel=False, on_batch=_stop_after(2))
    resumed = ingest_file(engine, str(path), batch_size=50, parallel=False, skip_loaded=True)
    assert (resumed.skipped, resumed.added, resumed.loaded_before) == (100, 130, 0)
    read = []
    again = ingest_file(engine, str(path), batch_size=50, parallel=False, skip_loaded=True,
                        on_batch=lambda *progress: read.append(progress))
    assert again.loaded_before == 230 and again.processed == 0 and not read  # not even opened
    assert again.as_dict()["loaded_before"] == 230
    other_format = ingest_file(engine, str(path), fmt="jsonl", batch_size=50, parallel=False, skip_loaded=True)
    assert (other_format.loaded_before, other_format.unchanged) == (0, 230)
    plain = ingest_file(engine, str(path), batch_size=50, parallel=False)  # without: read as always
    assert (plain.loaded_before, plain.unchanged) == (0, 230)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # touched: maybe changed
    touched = ingest_file(engine, str(path), batch_size=50, parallel=False, skip_loaded=True)
    assert (touched.loaded_before, touched.unchanged) == (0, 230)
    assert ingest_file(engine, str(path), batch_size=50, parallel=False, skip_loaded=True).loaded_before == 230
