"""Search over the real seed corpus, on SQLite and PostgreSQL and on both search backends (the embedded
index, Milvus Lite): paraphrases, typos, ids, filters, bad input."""

from contextlib import ExitStack

import pytest

from paperboard.filter_terms import FilterTerms
from paperboard.ingest.files_job import ingest_file
from paperboard.search.milvus import MilvusSearch
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from paperboard.storage.papers import count_papers
from tests.conftest import SEED, fresh_postgres_database, require

REVERSAL = ("reversal curse", "Reversal Curse")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                                        "sqlite-milvus"])
def seed(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"search-{request.param}")
    with ExitStack() as stack:
        url = (stack.enter_context(fresh_postgres_database()) if request.param == "postgres"
               else f"sqlite:///{folder / 'db.sqlite3'}")
        engine = open_database(url)
        ingest_file(engine, str(require(SEED)))
        index = (MilvusSearch(str(folder / "milvus.db")) if request.param.endswith("milvus")
                 else SearchIndex(folder))
        stack.callback(index.close)
        assert index.reindex(engine) == 559
        yield engine, index
        engine.dispose()


def titles(seed, query, **kwargs):
    engine, index = seed
    return [h.title for h in index.search(engine, query, **kwargs).hits]


def test_a_paraphrase_finds_the_reversal_curse_papers(seed):
    top = titles(seed, "model trained on 'A is B' cannot answer 'B is A'", limit=5)
    assert sum("Reversal Curse" in t for t in top) >= 3, top


def test_misspellings_are_corrected(seed):
    engine, index = seed
    if isinstance(index, MilvusSearch):  # Milvus keeps no term statistics: the words are searched as typed
        assert index.search(engine, "knowlege distilation", limit=5).corrected == {}
        return
    result = index.search(engine, "knowlege distilation", limit=5)
    assert result.corrected.get("knowlege") == "knowledge"  # said as a word people write, not a stem
    assert all("Distillation" in h.title or "distillation" in h.title.lower() for h in result.hits[:3])
    assert any("Grokking" in t for t in titles(seed, "grokkng", limit=3))
    # a phone's capital on the first word is still a typo; a capitalised word inside is a name, kept
    assert index.search(engine, "Knowlege distilation", limit=5).corrected.get("Knowlege") == "knowledge"
    named = index.search(engine, "knowlege of Knowlege", limit=5).corrected
    assert named == {}  # the name inside keeps every spelling of it


def test_quoted_phrase_and_author_and_filters(seed):
    engine, index = seed
    hits = index.search(engine, '"reversal curse"', limit=10).hits
    assert hits and all("reversal curse" in (h.title + h.snippet).lower() for h in hits[:4])
    assert titles(seed, "reversal curse", filters=FilterTerms.where(categories=("no.such",))) == []


def test_an_arxiv_id_is_a_direct_hit_or_nothing(seed):
    engine, index = seed
    assert index.search(engine, "2401.99999").hits == []  # not in the store: no fuzzy guesses


@pytest.mark.parametrize("query, expect", [
    ("", "nothing"), ("   ", "nothing"), ('""', "nothing"), ("x" * 10_000, "nothing"),
    ("\u00ff\u00fe\ufffd binary \x01\x02", "binary"),  # the one real word among the garbage is searched
    ("'; DROP TABLE papers; --", "answers"),  # words, never SQL: the store keeps every paper
    ("title:foo AND (bar OR baz)*", "nothing"),  # no field called title, no such words: nothing, not a crash
    ("NOT OR AND", "answers"),  # operators alone are words here, not a syntax error
])
def test_odd_queries_get_an_answer_not_a_crash(seed, query, expect):
    engine, index = seed
    hits = index.search(engine, query, limit=5).hits
    if expect == "nothing":
        assert hits == []
    else:
        assert len(hits) == 5 and len({h.id for h in hits}) == 5
    if expect == "binary":
        assert "binary" in hits[0].title.lower()
    assert len(index.search(engine, "reversal curse", limit=3).hits) == 3
    with engine.connect() as conn:
        assert count_papers(conn) == 559


def test_similar_papers_exclude_the_paper_itself(seed):
    engine, index = seed
    source = index.search(engine, "Mitigating Reversal Curse Semantic-aware Permutation Training", limit=1).hits[0]
    near = index.similar(engine, paper_id=source.id, limit=5)
    assert source.id not in [h.id for h in near] and len(near) == 5
    assert any("Reversal Curse" in h.title for h in near)
    from_text = index.similar(engine, text="large language models fail to generalise the reversal of facts")
    assert any("Reversal Curse" in h.title for h in from_text[:5])
