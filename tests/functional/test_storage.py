"""The store on real SQLite and PostgreSQL: upserts, merging, title ids, migrations, stats."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from paperboard.models import Author, Paper
from paperboard.storage.engine import migrate
from paperboard.storage.papers import (
    changed_since,
    count_papers,
    fetch_many,
    get_paper,
    iter_papers,
    stats,
    upsert,
)
from paperboard.storage.schema import paper_authors, paper_categories

P1 = Paper(id="2401.00001", title="First <b>Paper</b>", abstract="About things.", version=1,
           authors=(Author("Ada Lovelace", "Engines"), Author("Alan Turing")),
           categories=("cs.LG", "stat.ML"), listed=dt.date(2024, 1, 3), published=dt.date(2024, 1, 1),
           source="arxiv-oai", extra={"k": 1})
P2 = Paper(id="hep-th/9901001", title="Old Style", categories=("hep-th",), source="arxiv-oai")


def test_add_then_unchanged_then_update(engine):
    with engine.begin() as conn:
        r = upsert(conn, [P1, P2])
    assert (r.added, r.updated, r.unchanged) == (2, 0, 0)
    with engine.begin() as conn:
        r = upsert(conn, [P1, P2])
    assert (r.added, r.updated, r.unchanged) == (0, 0, 2)
    v2 = Paper(id=P1.id, title="First Paper, revised", version=2, authors=(Author("Ada Lovelace"),),
               updated=dt.date(2024, 2, 1), source="arxiv-api")
    with engine.connect() as conn:
        before = changed_since(conn, None)[1]
    with engine.begin() as conn:
        r = upsert(conn, [v2])
        assert (r.added, r.updated) == (0, 1)
        assert changed_since(conn, before + dt.timedelta(microseconds=1))[0] == [P1.id]
        stored = get_paper(conn, P1.id)
        assert stored.title == "First Paper, revised" and stored.version == 2
        assert stored.authors == (Author("Ada Lovelace", "Engines"),)
        assert stored.categories == ("cs.LG", "stat.ML") and stored.source == "arxiv-oai"
        assert stored.published == dt.date(2024, 1, 1) and stored.updated == dt.date(2024, 2, 1)
        names = conn.execute(select(paper_authors.c.name).where(paper_authors.c.paper_id == P1.id)).all()
        assert [n for (n,) in names] == ["Ada Lovelace"]
    with engine.begin() as conn:  # an older version arriving late changes nothing it already has
        r = upsert(conn, [P1])
        assert (r.updated, r.unchanged) == (0, 1)


def test_the_stored_paper_reads_back_exactly(engine):
    with engine.begin() as conn:
        upsert(conn, [P1])
        assert fetch_many(conn, [P1.id, "missing"]) == {P1.id: P1}
        assert get_paper(conn, "missing") is None


def test_same_paper_twice_in_one_batch_is_stored_once(engine):
    with engine.begin() as conn:
        r = upsert(conn, [P1, Paper(id=P1.id, title=P1.title, version=1, comment="8 pages")])
        assert (r.added, count_papers(conn)) == (1, 1)
        assert get_paper(conn, P1.id).comment == "8 pages"


def test_records_without_ids_join_the_paper_with_the_same_title(engine):
    titled = Paper(id="title:0123456789abcdef", title="first <B>paper</b>!", extra={"upvotes": 7}, source="dump")
    with engine.begin() as conn:
        upsert(conn, [titled])
    with engine.begin() as conn:  # the arXiv record adopts the id-less one
        r = upsert(conn, [P1])
        assert (r.added, r.updated, count_papers(conn)) == (0, 1, 1)
        stored = get_paper(conn, P1.id)
        assert stored.title == P1.title and stored.extra == {"upvotes": 7, "k": 1}
        assert conn.execute(select(func.count()).select_from(paper_categories)).scalar() == 2
    with engine.begin() as conn:  # and the id-less record arriving again only fills gaps
        r = upsert(conn, [titled])
        assert (r.added, r.updated, r.unchanged, count_papers(conn)) == (0, 0, 1, 1)


def test_iter_and_stats(engine):
    with engine.begin() as conn:
        upsert(conn, [P1, P2])
        assert [p.id for p in iter_papers(conn, page=1)] == sorted([P1.id, P2.id])
        s = stats(conn)
    assert s["papers"] == 2 and s["authors"] == 2 and s["categories"] == 3
    assert s["by_source"] == {"arxiv-oai": 2}
    assert s["listed"] == {"from": "2024-01-03", "until": "2024-01-03"}


def test_migrations_are_idempotent(engine):
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert count_papers(conn) == 0


def test_a_value_the_database_refuses_rejects_that_paper_only(postgres_url):
    """PostgreSQL enforces column lengths (SQLite does not): the batch falls back to one by one."""
    from paperboard.ingest.pipeline import commit_batch
    from paperboard.storage.engine import open_database

    engine = open_database(postgres_url)
    too_long = Paper(id="2401.00009", title="Too long", categories=("c" * 300,), source="x")
    result = commit_batch(engine, [P1, too_long, P2])
    assert result.added == 2 and [loc for loc, _ in result.rejected] == ["paper 2401.00009"]
    with engine.connect() as conn:
        assert count_papers(conn) == 2
    engine.dispose()


def test_sqlite_acknowledges_only_durable_writes_unless_told_otherwise(tmp_path):
    """synchronous=NORMAL lost the writes acknowledged in the seconds before the file system went
    read-only; FULL (the default) syncs the log at every commit. The setting chooses."""
    from sqlalchemy import text

    from paperboard.board import Paperboard
    from paperboard.config import ConfigError, load_config

    def level(**settings):
        board = Paperboard(load_config({}, data_dir=str(tmp_path / str(len(settings))), **settings),
                           fetch_from_arxiv=False)
        with board.engine.connect() as conn:
            found = conn.execute(text("PRAGMA synchronous")).scalar_one()
        board.close()
        return found

    assert level() == 2  # FULL
    assert level(sqlite_synchronous="normal") == 1
    with pytest.raises(ConfigError, match="PAPERBOARD_SQLITE_SYNCHRONOUS='off' is not one of full, normal"):
        load_config({"PAPERBOARD_SQLITE_SYNCHRONOUS": "off"})
