"""PostgreSQL in production: a web request's statements are cut off after db_statement_timeout, and a
request that finds every pooled connection busy is answered 503 at once instead of queueing forever;
jobs are not limited. Both leave the store as it was."""

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from paperboard.config import Pool, load_config
from paperboard.storage.engine import open_database
from paperboard.web.app import create_app

pytestmark = pytest.mark.postgres


def _config(tmp_path, url, **settings):
    env = {"PAPERBOARD_DATA_DIR": str(tmp_path), "PAPERBOARD_DATABASE_URL": url,
           **{f"PAPERBOARD_{k.upper()}": v for k, v in settings.items()}}
    return load_config(env)


def test_a_web_statement_past_the_timeout_is_a_503_and_jobs_are_not_cut_off(postgres_url, tmp_path):
    config = _config(tmp_path, postgres_url, db_statement_timeout="0.5")
    app = create_app(config, fetch_from_arxiv=False, cache_seconds=0)
    job = open_database(postgres_url)  # what the CLI and the worker open: no limit
    locked, release = threading.Event(), threading.Event()

    def hold_the_table() -> None:  # another session holds the papers table for longer than the limit
        with job.begin() as conn:
            conn.execute(text("LOCK TABLE papers IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert locked.wait(10)
        with TestClient(app) as client:
            r = client.get("/api/papers/2501.00001")  # reads the papers table
            assert r.status_code == 503 and r.headers["retry-after"]
            assert r.json() == {"error": "the database took too long to answer; nothing you sent was kept. "
                                         "Try again in a minute."}
            release.set()
            holder.join(10)
            assert client.get("/api/papers/2501.00001").status_code == 404  # and it recovers by itself
    finally:
        release.set()
        holder.join(10)
    with job.connect() as conn:  # a job's statement may outlast the web's limit
        assert conn.execute(text("SELECT pg_sleep(0.8), 1")).one()[1] == 1
    job.dispose()


def test_a_request_that_finds_every_connection_busy_is_a_503_at_once(postgres_url, tmp_path):
    config = _config(tmp_path, postgres_url)
    engine = open_database(postgres_url, pool=Pool(size=2, overflow=0, timeout=0.3))
    app = create_app(config, engine=engine, fetch_from_arxiv=False, cache_seconds=0)
    with TestClient(app) as client:
        assert client.get("/api/daily_papers").status_code == 200
        held = [engine.connect() for _ in range(2)]
        try:
            r = client.get("/api/daily_papers")
            assert r.status_code == 503 and "busy" in r.json()["error"]
        finally:
            for conn in held:
                conn.close()
        assert client.get("/api/daily_papers").status_code == 200
    engine.dispose()


def test_pool_settings_are_checked(tmp_path):
    from paperboard.config import ConfigError

    for name, bad in (("db_pool_size", "1"), ("db_pool_overflow", "-1"), ("db_pool_timeout", "0"),
                      ("db_statement_timeout", "soon")):
        with pytest.raises(ConfigError, match=name.upper()):
            load_config({"PAPERBOARD_DATA_DIR": str(tmp_path), f"PAPERBOARD_{name.upper()}": bad})
    assert load_config({"PAPERBOARD_DATA_DIR": str(tmp_path)}).pool() == Pool(5, 10, 10.0)
