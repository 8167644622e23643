"""Community data in the store, on SQLite and PostgreSQL: Hugging Face imports become daily-feed
submissions (idempotently), accounts, and the schema the migrations build."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from paperboard.community.accounts import authenticate, create_user
from paperboard.community.errors import CommunityError
from paperboard.feeds.daily import DailyQuery, daily_papers
from paperboard.ingest.files_job import ingest_file
from paperboard.storage.schema import metadata, submissions, users
from tests.web.data import corpus_records, hf_daily_items


def test_migrations_build_exactly_the_declared_schema(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


@pytest.mark.parametrize("mixed", [False, True], ids=["hub-items", "after-arxiv-records"])
@pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "parsed-in-a-second-process"])
def test_hugging_face_dumps_become_submissions_once(engine, tmp_path, parallel, mixed):
    records = corpus_records(40)
    items = hf_daily_items(records[:30])
    dump = tmp_path / ("daily.jsonl" if mixed else "daily.json")

    def write() -> None:
        if mixed:  # a JSON Lines dump that starts with plain arXiv records: those never go on the feed
            dump.write_text("".join(json.dumps(r) + "\n" for r in [*records[30:], *items]))
        else:
            dump.write_text(json.dumps(items))

    write()
    ingest_file(engine, str(dump), parallel=parallel)  # a large dump is parsed (prepared) in a second process
    ingest_file(engine, str(dump), parallel=parallel)  # again: nothing doubles
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(submissions)).scalar_one() == 30
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0  # names, not accounts
        top = daily_papers(conn, DailyQuery(limit=100)).entries
    assert top[0].upvotes == max(i["paper"]["upvotes"] for i in items)
    first = items[0]
    first["paper"]["upvotes"] = 1000  # the feed moved on: a newer dump refreshes the counts
    first["numComments"] = 9
    write()
    ingest_file(engine, str(dump))
    with engine.connect() as conn:
        top = daily_papers(conn, DailyQuery(limit=1)).entries[0]
        assert (top.paper.id, top.upvotes, top.comments) == (first["paper"]["id"], 1000, 9)
        assert top.submitter == first["submittedBy"]["name"] and not top.submitter_local
        assert top.submitter_name == first["submittedBy"]["fullname"]
        assert top.submitted_at.isoformat().startswith(first["publishedAt"][:19])
        assert authenticate(conn, first["submittedBy"]["name"], "") is None
    first["paper"]["upvotes"] = 10**30  # counts from a dump are bounded (and never overflow a column)
    first["numComments"] = -5
    write()
    ingest_file(engine, str(dump))
    with engine.connect() as conn:
        top = daily_papers(conn, DailyQuery(limit=1)).entries[0]
        assert (top.upvotes, top.comments) == (1_000_000, 0)


def test_usernames_are_unique_without_regard_to_case(engine):
    with engine.begin() as conn:
        create_user(conn, "Zoe", "a fine password")
    with pytest.raises(CommunityError, match="taken"), engine.begin() as conn:
        create_user(conn, "zoe", "another password")
    with engine.connect() as conn:
        assert authenticate(conn, "ZOE", "a fine password").username == "Zoe"
        assert authenticate(conn, "zoe", "wrong password") is None


def test_a_site_hashes_with_argon2_defaults_and_upgrades_a_weaker_hash_at_sign_in(engine, monkeypatch):
    """The suite signs up with argon2-cffi's cheapest parameters (PAPERBOARD_TEST_CHEAP_HASHES); a site
    has argon2-cffi's defaults, and a password stored with other parameters is rehashed with them the
    next time its owner signs in."""
    import argon2

    from paperboard.community import accounts

    monkeypatch.delenv("PAPERBOARD_TEST_CHEAP_HASHES")
    site = accounts._password_hasher()
    assert (site.time_cost, site.memory_cost) == (argon2.PasswordHasher().time_cost,
                                                   argon2.PasswordHasher().memory_cost) == (3, 65536)
    with engine.begin() as conn:
        create_user(conn, "cheap", "a fine password")
        weak = conn.execute(select(users.c.password_hash).where(users.c.username == "cheap")).scalar_one()
    assert site.check_needs_rehash(weak)  # the suite's own hash is not a site's
    monkeypatch.setattr(accounts, "_hasher", site)
    with engine.begin() as conn:
        assert authenticate(conn, "cheap", "wrong password") is None
        assert conn.execute(select(users.c.password_hash).where(users.c.username == "cheap")).scalar_one() == weak
        assert authenticate(conn, "cheap", "a fine password").username == "cheap"
        strong = conn.execute(select(users.c.password_hash).where(users.c.username == "cheap")).scalar_one()
    assert strong != weak and not site.check_needs_rehash(strong) and "m=65536,t=3" in strong
    with engine.connect() as conn:
        assert authenticate(conn, "cheap", "a fine password").username == "cheap"


def test_a_hub_dump_without_submitted_on_daily_at_fills_the_feed(engine, tmp_path):
    """Many dumps of /api/daily_papers carry no paper.submittedOnDailyAt: the item's own publishedAt is
    the moment it went on the feed."""
    items = hf_daily_items(corpus_records(30))
    for item in items:
        del item["paper"]["submittedOnDailyAt"]
    dump = tmp_path / "daily.json"
    dump.write_text(json.dumps(items))
    ingest_file(engine, str(dump))
    with engine.connect() as conn:
        entries = daily_papers(conn, DailyQuery(limit=100)).entries
    assert len(entries) == 30
    when = {e.paper.id: e.submitted_at.isoformat()[:19] for e in entries}
    assert when == {i["paper"]["id"]: i["publishedAt"][:19] for i in items}
    assert {e.paper.listed.isoformat() for e in entries} == {i["publishedAt"][:10] for i in items}
