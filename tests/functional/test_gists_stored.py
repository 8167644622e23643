"""Gists in the store, on SQLite and PostgreSQL: written after the paper is stored (in this process, or
shared among worker processes for a large backlog), rewritten when its title or abstract changes (not
when anything else does), brought up to date for a store that predates them or an older version, gone
with the paper, and following a renamed one."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import delete, select, update

from paperboard import gist as gist_module
from paperboard.board import Paperboard
from paperboard.config import load_config
from paperboard.ingest import gist_job
from paperboard.models import Paper
from paperboard.storage import gists
from paperboard.storage.papers import fetch_many, iter_papers, upsert
from paperboard.storage.schema import paper_gists, papers

ABSTRACT = ("Recent models are large. We propose sparse mixture routers, a routing layer that sends each "
            "audio frame to two of sixteen experts. Experiments show lower error rates.")
PAPER = Paper(id="2501.00042", title="Sparse Mixture Routers for Speech", abstract=ABSTRACT, version=1,
              source="arxiv-oai")


def _row(engine, pid=PAPER.id):
    with engine.connect() as conn:
        return conn.execute(select(paper_gists).where(paper_gists.c.paper_id == pid)).first()


def test_a_stored_paper_has_its_gist_and_reads_it_back(engine):
    with engine.begin() as conn:
        upsert(conn, [PAPER])
        assert fetch_many(conn, [PAPER.id])[PAPER.id].gist is None  # stored first, at disk speed
    assert gist_job.refresh(engine) == 1 and gist_job.refresh(engine) == 0
    with engine.begin() as conn:
        stored = fetch_many(conn, [PAPER.id])[PAPER.id]
        listed = next(iter_papers(conn))
    assert stored.gist and stored.gist.startswith("We propose sparse mixture routers")
    assert "sparse mixture routers" in stored.keywords and 3 <= len(stored.keywords) <= 8
    assert (listed.gist, listed.keywords) == (stored.gist, stored.keywords)
    assert _row(engine).version == gist_module.VERSION


def test_the_gist_is_rewritten_when_the_abstract_changes_and_only_then(engine):
    with engine.begin() as conn:
        upsert(conn, [PAPER])
    gist_job.refresh(engine)
    with engine.begin() as conn:
        conn.execute(update(paper_gists).values(summary="marker"))  # to see whether it is rewritten
        upsert(conn, [dataclasses.replace(PAPER, comment="12 pages", version=2)])  # not the text
    assert gist_job.refresh(engine) == 0 and _row(engine).summary == "marker"
    changed = ABSTRACT.replace("We propose sparse mixture routers", "We introduce dense expert gates")
    with engine.begin() as conn:
        upsert(conn, [dataclasses.replace(PAPER, abstract=changed, version=3)])
    assert gist_job.refresh(engine) == 1
    assert _row(engine).summary.startswith("We introduce dense expert gates")


@pytest.mark.parametrize("shared", [False, True], ids=["here", "in-worker-processes"])
def test_a_store_without_gists_or_with_old_ones_is_brought_up_to_date(engine, db_url, tmp_path, monkeypatch,
                                                                       shared):
    others = [dataclasses.replace(PAPER, id=f"2501.{i:05d}", title=f"Routers {i}") for i in range(100, 105)]
    with engine.begin() as conn:
        upsert(conn, [PAPER, *others])
    gist_job.refresh(engine)
    with engine.begin() as conn:
        conn.execute(delete(paper_gists).where(paper_gists.c.paper_id != PAPER.id))  # as before migration 0007
        conn.execute(update(paper_gists).values(version=gist_module.VERSION - 1, summary="old"))
        assert gists.count_stale(conn) == 6
    monkeypatch.setattr(gist_job, "BATCH", 2)  # several batches, each its own transaction
    if shared:
        monkeypatch.setattr(gist_job, "PARALLEL_FROM", 0)
    board = Paperboard(load_config(database_url=db_url, data_dir=str(tmp_path / "data")), fetch_from_arxiv=False)
    progress: list[int] = []
    try:
        assert board.refresh_gists(on_progress=progress.append) == 6
    finally:
        board.close()
    assert progress == [2, 2, 2]
    with engine.connect() as conn:
        assert gists.count_stale(conn) == 0
        summaries = set(conn.execute(select(paper_gists.c.summary)).scalars())
    assert "old" not in summaries and len(summaries) == 1  # the same abstract, the same sentence


def test_a_gist_goes_with_its_paper_and_follows_a_new_id(engine):
    with engine.begin() as conn:
        upsert(conn, [PAPER])
    gist_job.refresh(engine)
    with engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.id == PAPER.id).values(id="2501.00043"))
    assert _row(engine, "2501.00043") is not None and _row(engine) is None
    with engine.begin() as conn:
        conn.execute(delete(papers))
        assert conn.execute(select(paper_gists)).first() is None
