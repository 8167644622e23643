"""The real shared corpora, end to end, on SQLite and PostgreSQL."""

import pytest

from paperboard.ingest.files_job import ingest_file
from paperboard.storage.papers import get_paper, stats
from tests.conftest import ARXIV_CS, SCIFACT, SEED, require

pytestmark = pytest.mark.slow


def test_seed_and_arxiv_corpora_ingest_and_reingest(engine):
    first_seed = ingest_file(engine, str(require(SEED)))
    first_cs = ingest_file(engine, str(require(ARXIV_CS)))
    assert (first_seed.added, first_seed.rejected) == (559, 0)
    assert first_cs.rejected == 0
    # seed papers without ids that the arXiv corpus also lists are adopted by their arXiv id
    assert first_cs.added + first_cs.updated == 74_728
    with engine.connect() as conn:
        s = stats(conn)
    assert s["papers"] == 559 + first_cs.added
    assert s["listed"] == {"from": "2025-03-18", "until": "2026-07-01"}
    assert s["by_source"]["arxiv-dump"] == 74_728

    again_seed, again_cs = ingest_file(engine, str(SEED)), ingest_file(engine, str(ARXIV_CS))
    assert (again_seed.added, again_seed.updated, again_seed.unchanged) == (0, 0, 559)
    assert (again_cs.added, again_cs.updated, again_cs.unchanged) == (0, 0, 74_728)
    with engine.connect() as conn:
        assert stats(conn)["papers"] == s["papers"]


def test_scifact_corpus_keeps_its_ids(engine):
    summary = ingest_file(engine, str(require(SCIFACT)))
    assert (summary.added, summary.rejected) == (5183, 0)
    with engine.connect() as conn:
        paper = get_paper(conn, "scifact:4983")
    assert paper is not None and paper.source == "scifact" and paper.title.startswith("Microstructural")
