"""The library face, used as a program would use it (on SQLite and PostgreSQL): its verbs store, index,
find, vote and collect, and refuse with the library's errors, never HTTP ones."""

from __future__ import annotations

import json

import pytest

from paperboard import Paperboard
from paperboard.community.accounts import create_user
from paperboard.config import load_config
from paperboard.errors import NotFound, PaperboardError
from paperboard.feeds.daily import DailyQuery
from tests.web.data import corpus_records, hf_daily_items


@pytest.fixture
def board(db_url, tmp_path):
    opened = Paperboard(load_config(database_url=db_url, data_dir=str(tmp_path / "data")),
                        fetch_from_arxiv=False)
    yield opened
    opened.close()


@pytest.fixture
def stored(board, tmp_path):
    records = corpus_records(60)
    dump = tmp_path / "daily.json"
    dump.write_text(json.dumps(hf_daily_items(records[:20])))
    rest = tmp_path / "papers.jsonl"
    rest.write_text("".join(json.dumps(r) + "\n" for r in records[20:]))
    first = board.ingest_files([str(dump), str(rest)])
    return records, first


def test_ingest_files_stores_and_indexes_in_one_call(board, stored):
    records, summary = stored
    assert summary.added == len(records)
    assert board.pending()[0] == []  # nothing left for the index to catch up with
    assert board.index_lag() == 0
    wanted = records[30]
    hits = board.search(wanted["title"], limit=3).hits
    assert hits[0].id == wanted["id"]
    assert board.entry(wanted["id"]).paper.title == wanted["title"]


def test_the_daily_feed_holds_the_dumps_submissions(board, stored):
    page = board.daily(DailyQuery(limit=100))
    assert len(page.entries) == 20
    assert board.latest_day() == max(e.day for e in page.entries)


def test_votes_comments_and_collections_through_the_face(board, stored):
    records, _ = stored
    paper_id = records[25]["id"]
    with board.engine.begin() as conn:
        reader = create_user(conn, "reader", "a long enough password")
    assert board.vote(paper_id, reader) == 1
    assert board.vote(paper_id, reader) == 1  # idempotent
    assert board.vote(paper_id, reader, up=False) == 0
    said = board.comment(paper_id, reader, "Worth reading.")
    assert [c.body for c in board.comments(paper_id)] == [said.body]
    cid = board.create_collection(reader, "To read", papers=[paper_id])
    found, entries = board.collection(cid, reader)
    assert found.name == "To read" and [e.paper.id for e in entries] == [paper_id]
    assert board.collect(cid, reader, paper_id, remove=True)
    assert board.collection(cid, reader)[1] == []
    assert board.collections_of(reader, None) == [(cid, "To read", 0)]


def test_refusals_are_the_librarys_errors(board, stored):
    with board.engine.begin() as conn:
        reader = create_user(conn, "reader", "a long enough password")
    with pytest.raises(NotFound, match="not in the store"):
        board.entry("2501.99999")
    with pytest.raises(NotFound, match="not in the store"):
        board.comments("2501.99999")
    with pytest.raises(NotFound):  # not stored, and this board never fetches from arXiv
        board.submit(reader, "https://arxiv.org/abs/2501.99999")
    with pytest.raises(PaperboardError, match="not an arXiv id"):
        board.submit(reader, "not a paper")
    with pytest.raises(PaperboardError, match="YYYY-MM-DD"):
        board.search("graphs", since="last tuesday")
    with pytest.raises(NotFound, match="not in the search index"):
        board.similar("2501.99999")
    with pytest.raises(NotFound, match="no stored paper has an author"):
        board.author("Nobody Ever Named This")
    with pytest.raises(NotFound, match="no user"):
        board.user("ghost")


def test_fields_alone_list_those_papers_newest_first(board, stored):
    records, _ = stored
    name = records[10]["authors"][0]
    by = board.search(f'author:"{name}"', limit=20).hits
    assert by and all(any(name.casefold() in a.casefold() for a in h.authors) for h in by)
    assert records[10]["id"] in [h.id for h in by]
    category = records[11]["categories"][0]
    listed = board.search(f"category:{category}", limit=10).hits
    expected = sorted((r for r in records if category in r["categories"]), key=lambda r: r["listed"], reverse=True)
    assert [h.published for h in listed] == [r["listed"] for r in expected][:10]  # newest first
    assert {h.id for h in listed} <= {r["id"] for r in expected}  # (papers of one day in any order)
    assert board.search("author:Nobody-Such-Person", limit=5).hits == []


def test_an_import_reads_the_collection_once_and_a_collection_has_a_size_limit(board, stored, monkeypatch):
    """Adding papers one at a time read the whole collection for each (151 s of CPU for 2,000 papers
    into one of 10,000), and a collection had no size limit (12,000 papers: a 23 MB page)."""
    from sqlalchemy import event

    from paperboard.community import collections

    records, _ = stored
    ids = [r["id"] for r in records]
    with board.engine.begin() as conn:
        owner = create_user(conn, "librarian", "a long enough password")
    cid = board.create_collection(owner, "Everything")
    board.import_references(cid, owner, "\n".join(ids[:10]))
    statements: list[str] = []
    event.listen(board.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    done = board.import_references(cid, owner, "\n".join(reversed(ids)))  # 50 new, 10 there already
    reads = [s for s in statements if "FROM collection_items" in s and s.lstrip().startswith("SELECT")]
    assert len(done.added) == 50 and sorted(done.already) == sorted(ids[:10])
    assert len(reads) == 1, reads  # not one per paper
    found, first = board.collection(cid, page=0, limit=25)
    assert len(found.paper_ids) == 60 and len(first) == 25
    assert list(found.paper_ids[10:13]) == list(reversed(ids))[:3]  # in the order imported
    assert [e.paper.id for e in board.collection(cid, page=2, limit=25)[1]] == list(found.paper_ids[50:])
    monkeypatch.setattr(collections, "MAX_PAPERS", 40)
    other = board.create_collection(owner, "Small")
    board.import_references(other, owner, "\n".join(ids[:39]))
    with pytest.raises(PaperboardError, match="at most 40 papers"):
        board.import_references(other, owner, "\n".join(ids[37:45]))  # 2 there, 6 new: over
    assert len(board.collection(other)[0].paper_ids) == 39  # nothing of that import was added
    assert board.collect(other, owner, ids[39])  # the fortieth fits, one at a time too
    with pytest.raises(PaperboardError, match="at most 40 papers"):
        board.collect(other, owner, ids[40])


def test_a_paper_with_no_listing_day_is_dated_alike_by_feeds_and_search(board):
    """A paper fetched by id from the arXiv API (the papers people submit) has a published day and no
    listing day: since: kept it in search and dropped it from the daily feed."""
    import datetime as dt

    from paperboard.filter_terms import feed_terms
    from paperboard.models import Paper
    from paperboard.storage.papers import upsert

    with board.engine.begin() as conn:
        upsert(conn, [Paper(id="2511.04242", title="Quokka routing for sparse mixtures", abstract="Quokkas route.",
                            published=dt.date(2025, 11, 3))])
        submitter = create_user(conn, "dater", "a long enough password")
    board.catch_up()
    board.submit(submitter, "2511.04242")
    for terms, kept in (("since:2025-11", True), ("until:2025-10", False), ("since:2025-11-04", False)):
        in_feed = "2511.04242" in [e.paper.id for e in board.daily(DailyQuery(filters=feed_terms(terms))).entries]
        in_search = "2511.04242" in [h.id for h in board.search(f"quokka routing {terms}").hits]
        assert in_feed == in_search == kept, terms


def test_a_first_index_serves_bm25_before_the_gists_and_embeddings_are_written(board, tmp_path):
    from paperboard.ingest.runner import FilesJob
    from paperboard.search.service import SearchIndex
    from paperboard.storage import gists

    records = corpus_records(30)
    dump = tmp_path / "papers.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    board.ingest(FilesJob(paths=(str(dump),)))  # stored, nothing indexed: as `ingest --no-index`
    word = records[0]["title"].split()[0]
    serving = SearchIndex(board.config.data_dir)  # the site, in another process
    steps, answers = [], {}

    def step(name: str, papers: int) -> None:
        steps.append((name, papers))
        answers[name] = (len(serving.search(board.engine, word, limit=50, mode="bm25").hits),
                         len(written()))

    def written() -> dict:
        with board.engine.connect() as conn:
            return gists.read(conn, [r["id"] for r in records])

    assert board.catch_up(on_step=step) == 30
    assert steps == [("BM25", 30), ("gists", 30), ("BM25 with keywords", 30), ("embeddings", 30)]
    assert answers["BM25"] == (0, 0)  # nothing served yet, no gist written
    bm25_alone, no_gists = answers["gists"]
    assert bm25_alone > 0 and no_gists == 0  # searches answer while the gists are written
    assert answers["embeddings"][1] == 30  # the keywords were in BM25 before the embeddings began
    assert board.pending()[0] == [] and board.catch_up(on_step=step) == 0 and len(steps) == 4
