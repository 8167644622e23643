"""Bulk-load machinery: parser processes keep file order; deferred indexes always come back."""

from sqlalchemy import inspect

from paperboard.ingest import parallel
from paperboard.ingest.files import DumpFile
from paperboard.storage.engine import DEFERRABLE_INDEXES, _deferrable, ensure_indexes, indexes_deferred
from tests.conftest import SEED, require


def _author_indexes(engine) -> list[str]:
    return [ix["name"] for ix in inspect(engine).get_indexes("paper_authors")]


def test_two_parser_processes_return_records_in_file_order(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK", 7)  # many chunks, alternating between the workers
    dump = DumpFile(require(SEED))
    expected = [item.location for item in dump]
    got = [item.location for item in parallel.ParallelDump(DumpFile(SEED), workers=2)]
    assert got == expected and len(got) == 559


def test_deferred_indexes_are_rebuilt_after_a_load_and_after_a_killed_one(engine):
    assert "ix_paper_authors_name_hash" in _author_indexes(engine)
    with indexes_deferred(engine):
        assert "ix_paper_authors_name_hash" not in _author_indexes(engine)
    assert "ix_paper_authors_name_hash" in _author_indexes(engine)
    # a load killed inside the block never rebuilt them: opening the store does
    for index in _deferrable():
        index.drop(engine)
    assert not set(DEFERRABLE_INDEXES) & set(_author_indexes(engine))
    ensure_indexes(engine)
    assert "ix_paper_authors_name_hash" in _author_indexes(engine)


def test_the_workers_index_job_restores_an_index_a_killed_load_dropped(engine, tmp_path):
    """Until now only a process that opened the store restored it: a running site went without."""
    from paperboard.config import load_config
    from paperboard.worker import Worker

    for index in _deferrable():
        index.drop(engine)
    config = load_config({}, data_dir=str(tmp_path), database_url=engine.url.render_as_string(False))
    assert Worker(config, engine).run("index").status == "ok"
    assert "ix_paper_authors_name_hash" in _author_indexes(engine)
