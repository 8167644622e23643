"""The filter language on real arXiv records (SQLite and PostgreSQL): fields, exclusions, OR, has:code
and dates narrow search exactly as written, alone (newest first) or with words; bad terms are refused
with a message that says what to write."""

from __future__ import annotations

import json
import re
from collections import Counter
from contextlib import ExitStack

import pytest
from sqlalchemy import insert

from paperboard.clock import utcnow
from paperboard.community.accounts import create_user
from paperboard.community.paper_links import set_links
from paperboard.ingest.files_job import ingest_file
from paperboard.search.query import QueryError, parse_query
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from paperboard.storage.papers import fetch_many
from paperboard.storage.schema import author_claims
from tests.conftest import fresh_postgres_database
from tests.web.data import corpus_records


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"language-{request.param}")
    records = corpus_records(1500)
    dump = folder / "papers.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    with ExitStack() as stack:
        url = (f"sqlite:///{folder / 'db.sqlite3'}" if request.param == "sqlite"
               else stack.enter_context(fresh_postgres_database()))
        engine = open_database(url)
        ingest_file(engine, str(dump))
        index = SearchIndex(folder)
        index.reindex(engine)
        yield engine, index, records
        engine.dispose()


def found(store, query, limit=50):
    engine, index, _ = store
    hits = index.search(engine, query, limit=limit).hits
    with engine.connect() as conn:
        papers = fetch_many(conn, [h.id for h in hits])
    return [papers[h.id] for h in hits]


def test_a_category_excluded_is_never_found_and_one_required_always_is(store):
    papers = found(store, "learning category:cs.CV -category:cs.LG")
    assert papers and all("cs.CV" in p.categories and "cs.LG" not in p.categories for p in papers)
    unfiltered = found(store, "learning category:cs.CV")
    assert any("cs.LG" in p.categories for p in unfiltered)  # the exclusion removed something


def test_authors_joined_by_or_are_alternatives_and_without_it_both_are_needed(store):
    _, _, records = store
    counts = Counter(a for r in records for a in r["authors"])
    one, two = [a for a, n in counts.most_common() if n >= 2 and " " in a][:2]
    either = found(store, f'author:"{one}" OR author:"{two}"')
    names = [{a.name for a in p.authors} for p in either]
    assert any(one in n for n in names) and any(two in n for n in names)
    assert all(one in n or two in n for n in names)
    both = found(store, f'author:"{one}" author:"{two}"')
    assert all(one in {a.name for a in p.authors} and two in {a.name for a in p.authors} for p in both)
    assert len(both) < len(either)


def test_has_code_keeps_the_papers_with_a_repository_and_its_negation_the_others(store):
    with_code = found(store, "model has:code")
    without = found(store, "model -has:code")
    assert with_code and without
    assert all(p.links.get("code") for p in with_code)
    assert not any(p.links.get("code") for p in without)
    listed = found(store, "has:code", limit=20)  # alone: the newest papers with code
    assert len(listed) == 20 and all(p.links.get("code") for p in listed)
    days = [p.listed for p in listed]
    assert days == sorted(days, reverse=True)


def test_a_link_a_person_gives_counts_for_has_as_soon_as_the_index_catches_up(store):
    engine, index, _ = store
    paper = found(store, "-has:code", limit=1)[0]

    def ids(terms):
        return {p.id for p in found(store, f"{paper.title} {terms}", limit=50)}

    assert paper.id in ids("-has:code") and paper.id not in ids("has:code")
    with engine.begin() as conn:
        user = create_user(conn, "linker", "correct horse battery")
        conn.execute(insert(author_claims).values(paper_id=paper.id, author_name=paper.authors[0].name,
                                                  user_id=user.id, status="confirmed", created_at=utcnow()))
        set_links(conn, paper.id, user, {"code": "https://github.com/example/linked"})  # a verified author's
    index.catch_up(engine)
    assert paper.id in ids("has:code") and paper.id not in ids("-has:code")
    with engine.begin() as conn:
        set_links(conn, paper.id, user, {"code": ""})
    index.catch_up(engine)
    assert paper.id in ids("-has:code") and paper.id not in ids("has:code")


def test_the_costliest_query_the_language_allows_still_answers_exactly(store):
    """24 terms (the most a query may hold) with has: and 22 exclusions over every sort: an answer that
    honours every term (it took seconds when has: was checked on a pool of stored papers)."""
    engine, index, _ = store
    excluded = ["benchmark", "vision", "graph", "robot", "speech", "image", "video", "medical", "agent",
                "reinforcement", "quantum", "privacy", "federated", "diffusion", "wireless", "audio", "survey",
                "math", "protein", "molecule", "driving", "finance"]
    query = "has:code " + " ".join(f"-{w}" for w in excluded) + " -category:cs.CV"
    for sort in ("relevance", "date", "upvotes"):
        hits = index.search(engine, query, limit=120, sort=sort).hits
        with engine.connect() as conn:
            papers = fetch_many(conn, [h.id for h in hits])
        assert hits, sort
        for p in papers.values():
            text = f"{p.title} {p.abstract}".lower()
            assert p.links.get("code") and "cs.CV" not in p.categories
            assert not any(re.search(rf"\b{w}", text) for w in excluded), (sort, p.id)
    with pytest.raises(QueryError, match="25 filter terms is more than the 24"):
        parse_query(query + " -author:Someone")


def test_an_excluded_word_or_phrase_is_in_no_title_or_abstract_found(store):
    def says(p, pattern):
        return re.search(pattern, f"{p.title} {p.abstract}", re.IGNORECASE)

    before = found(store, "language models")
    assert any(says(p, r"\bbenchmark") for p in before)
    after = found(store, "language models -benchmark")
    assert after and not any(says(p, r"\bbenchmark") for p in after)  # stems too: benchmarks, benchmarking
    phrase = found(store, 'language models -"large language models"')
    assert phrase and not any(says(p, r"large\s+language\s+models?") for p in phrase)


def test_dates_narrow_to_the_days_they_name(store):
    _, _, records = store
    day = Counter(r["listed"] for r in records).most_common(1)[0][0]
    papers = found(store, f"learning since:{day} until:{day}")
    assert papers and all(p.listed.isoformat() == day for p in papers)
    month = day[:7]
    assert all(p.listed.isoformat().startswith(month) for p in found(store, f"since:{month} until:{month}"))


@pytest.mark.parametrize("raw, says", [
    ("has:nothing", "has:code or has:project"),
    ("since:2025-13", "is not a date"),
    ("until:yesterday", "is not a date"),
    ("since:2025-06 until:2025-01", "nothing can be in between"),
    ("-since:2025-06", "write until: for the other side"),
])
def test_a_term_that_means_nothing_is_refused_with_what_to_write(raw, says):
    with pytest.raises(QueryError, match=says):
        parse_query(raw)
