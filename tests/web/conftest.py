"""A populated site per database (module-scoped), the app over it, and a running server for clients that
need real HTTP (huggingface_hub, the browser)."""

from __future__ import annotations

import copy
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from paperboard.config import Config, load_config
from paperboard.ingest import gist_job
from paperboard.ingest.files_job import ingest_file
from paperboard.search.service import SearchIndex
from paperboard.storage.engine import open_database
from paperboard.web.app import create_app
from paperboard.web.security import Limit
from tests.conftest import (
    copy_postgres_database,
    drop_postgres_database,
    fresh_postgres_database,
    new_postgres_database,
)
from tests.web.data import write_inputs


@dataclass
class Populated:
    folder: Path
    config: Config
    engine: Engine
    search: SearchIndex
    records: list[dict]
    transport: str = "app"


def _build(folder: Path, url: str) -> list[dict]:
    """A site from nothing: the inputs written, ingested, summarised and indexed, as `paperboard ingest`
    does. Returns the records."""
    corpus, daily, records = write_inputs(folder)
    engine = open_database(url)
    try:
        ingest_file(engine, str(corpus))
        ingest_file(engine, str(daily))
        gist_job.refresh(engine)  # as `paperboard ingest` does before indexing
        SearchIndex(folder / "data").catch_up(engine)
    finally:
        engine.dispose()
    return records


@dataclass
class _Template:
    folder: Path  # the site's files: its inputs and its data folder (the search index)
    url: str  # its store, which nobody is connected to
    records: list[dict]


_templates: dict[str, _Template] = {}  # by database, built once per test process


def _template(database: str) -> _Template:
    if database not in _templates:
        root = Path(tempfile.mkdtemp(prefix=f"pb-site-{database}-"))
        (root / "site").mkdir()
        # a PostgreSQL template is dropped by drop_site_templates at the end of the run
        url = f"sqlite:///{root / 'db.sqlite3'}" if database == "sqlite" else new_postgres_database()
        _templates[database] = _Template(root / "site", url, _build(root / "site", url))
    return _templates[database]


def drop_site_templates() -> None:
    while _templates:
        database, made = _templates.popitem()
        if database == "postgres":
            drop_postgres_database(made.url)
        shutil.rmtree(made.folder.parent, ignore_errors=True)


def populate(folder: Path, url: str) -> Populated:
    """A site in ``folder`` over the empty store at ``url``: a copy of one built once per test process
    for that database (its files copied, the store copied from it), the same as one built here."""
    database = "sqlite" if url.startswith("sqlite") else "postgres"
    made = _template(database)
    shutil.copytree(made.folder, folder, dirs_exist_ok=True)
    if database == "sqlite":
        source = Path(made.url.removeprefix("sqlite:///"))
        target = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal"):  # the log is empty after the builder let go; copied if not
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{target}{suffix}")  # and its mode: private
    else:
        copy_postgres_database(made.url, url)
    config = load_config({}, data_dir=str(folder / "data"), database_url=url, secret_key="test-secret")
    engine = open_database(url)
    return Populated(folder, config, engine, SearchIndex(config.data_dir), copy.deepcopy(made.records))


# Where a module's tests run: the store, and how requests reach the app. "app" is the app in the test
# process (its page cache off: tracebacks point at the failing line); "served" is `paperboard serve` in
# a subprocess over real HTTP with every middleware as deployed (page cache included), "served-2" the
# same with two worker processes sharing the store.
VARIANTS = {"sqlite": ("sqlite", "app"), "postgres": ("postgres", "app"),
            "sqlite-served": ("sqlite", "served"), "postgres-served": ("postgres", "served"),
            "postgres-served-2": ("postgres", "served-2")}


def sites(*names: str):  # type: ignore[no-untyped-def]
    """A module-scoped ``populated`` fixture over the given variants, each a site of its own (so no
    test sees what a test of another variant wrote)."""
    params = [pytest.param(n, id=n, marks=pytest.mark.postgres) if VARIANTS[n][0] == "postgres"
              else pytest.param(n, id=n) for n in names]

    @pytest.fixture(scope="module", params=params)
    def populated(request, tmp_path_factory) -> Iterator[Populated]:
        database, transport = VARIANTS[request.param]
        folder = tmp_path_factory.mktemp(f"site-{request.param}")
        with ExitStack() as stack:
            url = (f"sqlite:///{folder / 'db.sqlite3'}" if database == "sqlite"
                   else stack.enter_context(fresh_postgres_database()))
            site = populate(folder, url)
            site.transport = transport
            yield site
            site.engine.dispose()

    return populated


populated = sites("sqlite", "postgres")


@pytest.fixture(scope="module")
def client(populated: Populated) -> Iterator[TestClient | httpx.Client]:
    if populated.transport == "app":
        app = create_app(populated.config, engine=populated.engine, search=populated.search,
                         limits={"signin": Limit(5, 60)}, fetch_from_arxiv=False, cache_seconds=0)
        with TestClient(app, base_url="http://testserver") as c:
            yield c
        return
    workers = 2 if populated.transport == "served-2" else 1
    with serving(populated, workers=workers) as running, \
            httpx.Client(base_url=running.url, follow_redirects=True, timeout=30) as c:
        yield c


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, page: str = "/signin") -> str:
    match = CSRF.search(client.get(page).text)
    assert match, f"no CSRF field on {page}"
    return match.group(1)


def sign_up(client: TestClient, username: str, password: str = "correct horse battery") -> None:
    r = client.post("/signup", data={"csrf_token": csrf(client, "/signup"), "username": username,
                                     "password": password, "password2": password}, follow_redirects=False)
    assert r.status_code == 303, r.text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    populated: Populated
    mail: object  # tests.digest.conftest.Sink: what the server's SMTP relay accepted


@contextmanager
def serving(site: Populated, extra_env: dict[str, str] | None = None, workers: int = 1,
            options: tuple[str, ...] = ()) -> Iterator[Server]:
    """``paperboard serve [options]`` as a subprocess on a free port over ``site``'s store, with an SMTP
    sink."""
    from aiosmtpd.controller import Controller

    from tests.digest.conftest import Sink

    folder = site.folder
    port = free_port()
    sink = Sink()
    relay = Controller(sink, hostname="127.0.0.1", port=free_port())
    relay.start()
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(site.config.data_dir),
           "PAPERBOARD_DATABASE_URL": site.config.database_url, "PAPERBOARD_SECRET_KEY": "test-secret",
           "PAPERBOARD_ARXIV_API_URL": "http://127.0.0.1:9/unreachable", "PAPERBOARD_ARXIV_RETRIES": "0",
           "PAPERBOARD_ARXIV_PDF_URL": "http://127.0.0.1:9/unreachable",
           "PAPERBOARD_SMTP_URL": f"smtp://127.0.0.1:{relay.port}", **(extra_env or {})}
    url = f"http://127.0.0.1:{port}"
    log_path = folder / f"server-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "paperboard", "serve", "--port", str(port),
                                 "--workers", str(workers), *options], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/livez", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield Server(url, site, sink)
    finally:
        proc.terminate()
        proc.wait(10)
        relay.stop()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request, tmp_path_factory) -> Iterator[Server]:
    """``paperboard serve`` as a subprocess on a free port, over its own populated store."""
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    with ExitStack() as stack:
        url = (f"sqlite:///{folder / 'db.sqlite3'}" if request.param == "sqlite"
               else stack.enter_context(fresh_postgres_database()))
        site = populate(folder, url)
        try:
            with serving(site) as running:
                yield running
        finally:
            site.engine.dispose()
