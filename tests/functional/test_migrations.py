"""Upgrading a store made by an older release (SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import text

from paperboard.storage.engine import DatabaseError, _alembic_config, make_engine, migrate, open_database


def test_imported_submitter_accounts_become_names(db_url):
    engine = make_engine(db_url)
    command.upgrade(_alembic_config(engine), "0003")
    now = dt.datetime(2025, 3, 20, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO papers (id, title, title_hash, abstract, authors, categories, links, "
                          "source, extra, content_hash, ingested_at, changed_at) VALUES ('2503.00001', 't', 1, "
                          "'', '[]', '[]', '{}', 'x', '{}', 'h', :now, :now)"), {"now": now})
        conn.execute(text("INSERT INTO users (id, username, password_hash, created_at, display_name) VALUES "
                          "(1, 'akhaliq', NULL, :now, 'AK'), (2, 'alice', 'argon2-hash', :now, NULL)"),
                     {"now": now})
        conn.execute(text("INSERT INTO submissions (paper_id, day, submitter_id, submitter_name, created_at) "
                          "VALUES ('2503.00001', '2025-03-20', 1, 'akhaliq', :now)"), {"now": now})
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users")).scalars().all() == ["alice"]
        row = conn.execute(text("SELECT submitter_id, submitter_name, submitter_display FROM submissions")).one()
    assert tuple(row) == (None, "akhaliq", "AK")
    engine.dispose()


def test_processes_that_start_at_once_migrate_one_at_a_time(db_url):
    """Several app processes starting together on an empty database: one migrates, the others wait for
    it and find nothing to do; none fails on a table another just made."""
    import subprocess
    import sys

    opener = ("import sys; from paperboard.storage.engine import open_database; "
              "open_database(sys.argv[1]).dispose()")
    starts = [subprocess.Popen([sys.executable, "-c", opener, db_url], stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    failures = [p.stderr.read() for p in starts if p.wait(timeout=300) != 0]
    assert not failures, failures[0][-2000:]
    engine = make_engine(db_url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1 and versions[0] == _head()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from paperboard.storage.engine import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_a_database_a_newer_version_migrated_is_refused_with_a_clear_error_and_left_as_it_is(db_url):
    engine = open_database(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_from_the_future'"))
    engine.dispose()
    with pytest.raises(DatabaseError, match=r"migrated by a newer Paperboard than this one .*0999_from_the_fut"):
        open_database(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0999_from_the_future"
    engine.dispose()


def test_a_store_at_the_newest_revision_opens_without_alembic(db_url):
    """Every command and server start opens the store: one already migrated is not handed to alembic
    (importing it and reading its scripts cost 0.4 s), and HEAD_REVISION names the newest script."""
    import subprocess
    import sys

    from paperboard.storage.engine import HEAD_REVISION

    assert _head() == HEAD_REVISION
    open_database(db_url).dispose()  # a new store: migrated by alembic
    opener = ("import sys; from paperboard.storage.engine import open_database; "
              "open_database(sys.argv[1]).dispose(); print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    opened = subprocess.run([sys.executable, "-c", opener, db_url], capture_output=True, text=True, timeout=120)
    assert opened.returncode == 0 and opened.stdout.strip() == "[]", opened.stderr[-2000:]
