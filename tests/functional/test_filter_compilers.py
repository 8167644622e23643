"""Every compiler of the filter language selects the same papers (a property test): the lexical index
(tantivy), SQL on SQLite and on PostgreSQL, Milvus's filter expressions (on Milvus Lite) and the Python
matcher, for generated papers and filters, given as a parsed value or as text a person could type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymilvus import DataType, MilvusClient
from sqlalchemy import Engine, delete, select

from paperboard.feeds.filtering import conditions
from paperboard.filter_rules import matches, words_column
from paperboard.filter_terms import FilterTerms, QueryError, feed_terms
from paperboard.models import Author, Paper
from paperboard.search.lexical import LexicalIndex
from paperboard.search.milvus_filter import expression, filter_fields
from paperboard.storage import gists
from paperboard.storage.engine import open_database
from paperboard.storage.papers import fetch_many, upsert
from paperboard.storage.schema import papers
from tests.conftest import fresh_postgres_database

# inflections, case, a stop word, a word split at "_", accents, a word too long for the index (dropped,
# leaving a gap), digits
WORDS = ["model", "models", "Modelling", "learning", "learned", "graph", "graphs", "neural", "the", "of",
         "Diffusion", "diffusion", "x_y", "état", "Étversion", "3D", "a" * 40, "b" * 39, "LLM", "llms"]
NAMES = ["Geoffrey E. Hinton", "Yann LeCun", "Jean-Pierre Éluard", "Ada Lovelace", "Hinton Smith",
         "Le Cun Yann", "Ng"]
CATEGORIES = ["cs.LG", "cs.CV", "stat.ML", "68T45"]
DAYS = st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
SEPARATORS = [" ", ", ", "-", ". ", " (", "/"]


def _text(max_words: int) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=max_words).map(
        lambda pairs: "".join(w + s for w, s in pairs).strip())


@st.composite
def paper(draw: st.DrawFn, number: int) -> Paper:
    links = draw(st.sampled_from([{}, {"code": "https://github.com/a/b"}, {"project": "https://a.example"},
                                  {"code": "https://github.com/a/b", "project": "https://a.example"}]))
    return Paper(
        id=f"2501.{number:05d}", title=f"paper {number} " + draw(_text(6)), abstract=draw(_text(14)),
        authors=tuple(Author(n) for n in draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))),
        categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))),
        links=links, listed=draw(DAYS), published=draw(DAYS), source="test",
        keywords=tuple(draw(st.lists(_text(3), max_size=2))))


PAPERS = st.integers(1, 8).flatmap(lambda n: st.tuples(*(paper(i) for i in range(n))))

TERM = st.one_of(
    st.tuples(st.sampled_from(["word", "phrase"]), _text(3)),
    st.tuples(st.just("author"), st.sampled_from(["hinton", "Geoffrey Hinton", "E. Hinton", "lecun",
                                                  "Pierre Éluard", "yann", "Le Cun", "Ng", "Hint"])),
    st.tuples(st.just("category"), st.sampled_from(CATEGORIES)),
    st.tuples(st.just("has"), st.sampled_from(["code", "project"])),
)
FILTERS = st.builds(
    FilterTerms,
    require=st.lists(st.lists(TERM, min_size=1, max_size=3).map(tuple), max_size=3).map(tuple),
    exclude=st.lists(TERM, max_size=3).map(tuple),
    since=DAYS, until=DAYS,
)
# what a person types: field terms, OR, exclusions, quotes, dates, words (hostile pieces too)
TYPED = st.lists(st.sampled_from([
    "category:cs.LG", "cat:cs.cv", "-category:stat.ML", "author:hinton", 'author:"Geoffrey Hinton"',
    "-author:lecun", "has:code", "-has:project", "OR", "since:2025-02", "until:2025-03-15", "since:2025",
    "models", "-graph", '"neural model"', '-"diffusion models"', "LLMs", "état", "x_y", "%", "_", "'",
    '"', "-", "a" * 41, "Modelling", "the",
]), max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def milvus(tmp_path_factory) -> Iterator[MilvusClient]:
    """Milvus Lite, with a collection of the fields milvus_filter's expressions read."""
    client = MilvusClient(str(tmp_path_factory.mktemp("milvus") / "filters.db"))
    schema = client.create_schema(auto_id=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=2)  # a collection needs one; never searched here
    schema.add_field("words", DataType.VARCHAR, max_length=65_535)
    schema.add_field("names", DataType.VARCHAR, max_length=65_535)
    schema.add_field("categories", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=16,
                     max_length=64)
    schema.add_field("has", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=4, max_length=16)
    schema.add_field("day", DataType.INT64)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="IP")
    client.create_collection("papers", schema=schema, index_params=index)
    yield client
    client.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backends(request, tmp_path_factory, milvus):
    folder = tmp_path_factory.mktemp(f"compilers-{request.param}")
    with ExitStack() as stack:
        url = (f"sqlite:///{folder / 'db.sqlite3'}" if request.param == "sqlite"
               else stack.enter_context(fresh_postgres_database()))
        engine = open_database(url)
        yield Backends(engine, LexicalIndex(folder / "lexical"), milvus)
        engine.dispose()


@dataclass
class Backends:
    engine: Engine
    index: LexicalIndex
    milvus: MilvusClient


def _store(backends: Backends, batch: tuple[Paper, ...]) -> list[Paper]:
    """``batch`` stored (with its keywords), indexed, and read back as every backend sees it."""
    with backends.engine.begin() as conn:
        conn.execute(delete(papers))
        upsert(conn, list(batch))
        gists.store(conn, [{"paper_id": p.id, "summary": None, "keywords": list(p.keywords), "version": 0,
                            "words": words_column(p.keywords)} for p in batch])
        stored = list(fetch_many(conn, [p.id for p in batch]).values())
    backends.index.clear()
    with backends.index.writing() as writer:
        writer.add(stored, replace=False)
    backends.milvus.delete("papers", filter='id != ""')
    backends.milvus.insert("papers", [{"id": p.id, "vector": [1.0, 0.0], **filter_fields(p)} for p in stored])
    return stored


def _selected(backends: Backends, stored: list[Paper], terms: FilterTerms) -> dict[str, set[str]]:
    with backends.engine.connect() as conn:
        sql = set(conn.execute(select(papers.c.id).where(conditions(terms, papers.c.id))).scalars())
    milvus = backends.milvus.query("papers", filter=expression(terms) or 'id != ""', output_fields=["id"],
                                   limit=100, consistency_level="Strong")
    found = {
        "python": {p.id for p in stored if matches(terms, p)},
        "sql": sql,
        "tantivy": set(backends.index.newest(terms, limit=100)),
        "milvus": {row["id"] for row in milvus},
    }
    differ = set.union(*found.values()) - set.intersection(*found.values())
    assert found["sql"] == found["python"] == found["tantivy"] == found["milvus"], (
        terms, expression(terms), found, [p for p in stored if p.id in differ])
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(batch=PAPERS, terms=FILTERS)
def test_every_compiler_selects_the_same_papers(backends, batch, terms):
    _selected(backends, _store(backends, batch), terms)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(batch=PAPERS, typed=TYPED)
def test_what_a_person_types_selects_the_same_papers_everywhere(backends, batch, typed):
    try:
        terms = feed_terms(typed)
    except QueryError:
        return  # refused with a message (tested in test_filter_language.py)
    _selected(backends, _store(backends, batch), terms)


def test_the_rules_as_people_read_them(backends):
    """The rules that every compiler shares, on one example each (the property test checks agreement;
    this checks that what they agree on is what the docs say)."""
    stored = _store(backends, (
        Paper(id="2501.00001", title="Transformers for graphs", abstract="We study language modelling.",
              authors=(Author("Geoffrey E. Hinton"),), categories=("cs.LG",), listed=dt.date(2025, 2, 3),
              source="test"),
        Paper(id="2501.00002", title="Language", abstract="Models of graphs.", authors=(Author("Ng"),),
              categories=("cs.CV",), published=dt.date(2025, 2, 10), source="test", keywords=("tiny nets",)),
    ))

    def ids(typed: str) -> set[str]:
        found = _selected(backends, stored, feed_terms(typed))
        return {pid[-1] for pid in found["python"]}

    assert ids("transformer") == {"1"}  # a stem
    assert ids('"language models"') == {"1"}  # in a row: "Language" and "Models" are title and abstract
    assert ids('"graphs language"') == set()  # never across the title and the abstract
    assert ids("nets") == {"2"}  # a keyword counts
    assert ids("author:hinton") == {"1"} and ids('author:"geoffrey e hinton"') == {"1"}
    assert ids("author:hint") == set()  # whole words of a name
    assert ids("since:2025-02-05") == {"2"}  # a paper only the API gave is dated by its publication
    assert ids("-category:cs.LG graphs") == {"2"}
    # a value is a string literal in Milvus's expression, never syntax: nothing, not every paper
    hostile = FilterTerms(require=((("category", 'cs.LG" or id != "'), ("has", 'x\\" or id != "')),))
    assert _selected(backends, stored, hostile)["milvus"] == set()
