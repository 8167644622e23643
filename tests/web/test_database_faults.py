"""When the database fails underneath the site (down, read-only, disk full): a 503 that says why, in
JSON on the API, never a 500 in plain text; /healthz says so; nothing half-stored."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from paperboard.community.accounts import create_token, create_user
from paperboard.config import load_config
from paperboard.storage.engine import open_database
from paperboard.web.app import create_app
from tests.functional.test_index_freshness import add


def _app(tmp_path: Path, engine):  # type: ignore[no-untyped-def]
    config = load_config({}, data_dir=str(tmp_path), database_url="sqlite://", secret_key="test-secret")
    return create_app(config, engine=engine, fetch_from_arxiv=False, cache_seconds=0)


def test_a_read_only_database_reads_and_refuses_writes_with_a_503_that_says_why(tmp_path):
    path = tmp_path / "db.sqlite3"
    writable = open_database(f"sqlite:///{path}")
    add(writable, "2501.00001", "2501.00002")
    with writable.begin() as conn:
        token = create_token(conn, create_user(conn, "reader", "correct horse battery"))
    writable.dispose()
    read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")  # as a file system gone read-only
    with TestClient(_app(tmp_path, read_only)) as client:
        assert client.get("/papers/2501.00001").status_code == 200  # reading still works
        api = client.post("/api/papers/2501.00001/upvote", headers={"authorization": f"Bearer {token}"})
        assert api.status_code == 503 and "read-only" in api.json()["error"] and api.headers["retry-after"]
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "failing"
        assert "read-only" in health.json()["database"]
    read_only.dispose()


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:9/gone"])
def test_a_database_that_is_down_is_a_503_on_every_page_and_json_on_the_api(tmp_path, url):
    down = create_engine(url, connect_args={"connect_timeout": 2})
    with TestClient(_app(tmp_path, down)) as client:
        page = client.get("/")
        assert page.status_code == 503 and "cannot be reached" in page.text and "127.0.0.1" not in page.text
        api = client.get("/api/daily_papers")
        assert api.status_code == 503 and "cannot be reached" in api.json()["error"]
        assert client.get("/healthz").status_code == 503
    down.dispose()
