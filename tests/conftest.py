"""Shared fixtures: paths to the shared material, and databases (SQLite always, PostgreSQL when the
test script has started one and exported PAPERBOARD_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

# argon2's cheapest parameters for the suite's many sign-ups (0.18 s each with a site's); set
# before Paperboard is imported, and inherited by the servers and commands the tests start
os.environ["PAPERBOARD_TEST_CHEAP_HASHES"] = "1"

from paperboard.storage.engine import open_database

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PAPERBOARD_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
FIXTURES = SHARED / "fixtures"
SEED = CORPUS / "seed-papers.jsonl"
ARXIV_CS = CORPUS / "arxiv-cs-2025-2026.jsonl.gz"
SCIFACT = SHARED / "eval" / "scifact" / "corpus.jsonl.gz"
POSTGRES_URL = os.environ.get("PAPERBOARD_TEST_POSTGRES_URL")


def require(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"shared material missing: {path} (set PAPERBOARD_SHARED to the shared/ folder)")
    return path


def fixture_bytes(relative: str) -> bytes:
    return require(FIXTURES / relative).read_bytes()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'paperboard.sqlite3'}"


@contextmanager
def fresh_postgres_database(template_url: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards: empty, or a copy of ``template_url``'s (which
    nobody may be connected to; a populated store per test at the cost of a file copy)."""
    if not POSTGRES_URL:
        if os.environ.get("PAPERBOARD_REQUIRE_POSTGRES"):
            pytest.fail("PAPERBOARD_REQUIRE_POSTGRES is set but PAPERBOARD_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL not started (run ./scripts/test, or set PAPERBOARD_TEST_POSTGRES_URL)")
    url = new_postgres_database(template_url)
    try:
        yield url
    finally:
        drop_postgres_database(url)


def new_postgres_database(template_url: str | None = None) -> str:
    """A new database (a copy of ``template_url``'s, if given), which the caller drops."""
    assert POSTGRES_URL
    name = f"pb_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template_url.rsplit("/", 1)[1]}"' if template_url else ""
    _admin(f'CREATE DATABASE "{name}"{copy}')
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def _admin(*statements: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def drop_postgres_database(url: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def copy_postgres_database(template_url: str, url: str) -> None:
    """Make the database at ``url`` (empty, made by fresh_postgres_database) a copy of ``template_url``'s."""
    name, template = url.rsplit("/", 1)[1], template_url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


# The modules that take longest (pytest's --durations), started first so that the parallel workers
# finish together instead of one running a long module alone at the end (longest processing time first).
LONGEST_FIRST = ("tests/web/test_browser.py", "tests/functional/test_cli_files.py", "tests/web/test_api_fuzz.py",
                 "tests/functional/test_backup.py", "tests/web/test_route_fuzz.py",
                 "tests/functional/test_index_faults.py", "tests/functional/test_cli_for_you.py",
                 "tests/digest/test_digest.py", "tests/web/test_mcp.py", "tests/functional/test_filter_compilers.py",
                 "tests/web/test_on_demand_served.py", "tests/web/test_served_trust.py",
                 "tests/functional/test_minilm.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest modules first (the rest in their order); ``PAPERBOARD_TEST_REVERSE=1``: every test in
    reverse order, to show that none depends on what an earlier one left behind (module fixtures are
    shared; what a test writes must not leak)."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable
    if os.environ.get("PAPERBOARD_TEST_REVERSE"):
        items.reverse()


def pytest_sessionfinish(session: pytest.Session) -> None:
    sites = sys.modules.get("tests.web.conftest")  # a process that built no site never imported it
    if sites is not None:
        sites.drop_site_templates()
