"""The search index is derived data: a damaged one leaves search unavailable (with the reason) and every
other page working until it is rebuilt, a rebuild never empties live search, and index writers of
different processes take turns (SQLite and PostgreSQL)."""

import gc
import threading
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from paperboard.config import load_config
from paperboard.errors import Unavailable
from paperboard.search.folders import IndexBusy
from paperboard.search.service import SearchIndex
from paperboard.web.app import create_app
from tests.functional.test_index_freshness import add

IDS = [f"2501.{i:05d}" for i in range(1, 6)]


def _damage(index: SearchIndex, part: str = "lexical") -> None:
    """Truncate the largest file of the served index's ``part``, as a full disk or a bad copy leaves it
    (a process that has it mapped dies of SIGBUS when it next reads there: these tests read it no more)."""
    folder = index.folders.live()
    files = [p for p in folder.glob(f"{part}*/*") if p.is_file() and not p.name.endswith(".json")]
    biggest = max(files, key=lambda p: p.stat().st_size)
    with open(biggest, "r+b") as fh:
        fh.truncate(biggest.stat().st_size // 2)


def test_a_damaged_index_leaves_search_unavailable_until_the_next_catch_up_rebuilds_it(engine, tmp_path):
    add(engine, *IDS)
    built = SearchIndex(tmp_path)
    built.catch_up(engine)
    damaged_folder = built.folders.live()
    _damage(built)
    server = SearchIndex(tmp_path)  # as a server process starts: it opens, whatever the files hold
    assert server.problem and "cannot be read" in server.problem
    with pytest.raises(Unavailable, match="paperboard reindex"):
        server.search(engine, "topic", limit=3)
    assert SearchIndex(tmp_path).catch_up(engine) == 5  # the worker's index job: built anew
    assert not damaged_folder.exists()
    hits = server.search(engine, "topic 2501.00002", limit=1).hits  # the server follows the switch
    assert [h.id for h in hits] == ["2501.00002"] and server.problem is None


def test_damaged_vectors_leave_search_to_bm25_until_rebuilt(engine, tmp_path):
    add(engine, *IDS)
    built = SearchIndex(tmp_path)
    built.catch_up(engine)
    _damage(built, "vectors")
    server = SearchIndex(tmp_path)
    assert [h.id for h in server.search(engine, "topic 2501.00003", limit=1).hits] == ["2501.00003"]
    with pytest.raises(Unavailable):
        server.similar(engine, paper_id="2501.00003")
    assert SearchIndex(tmp_path).catch_up(engine) == 5
    server._retry_at = 0.0  # (it looks again by itself after REOPEN_AFTER seconds)
    assert len(server.similar(engine, paper_id="2501.00003", limit=2)) == 2


def test_the_site_serves_every_page_but_search_over_a_damaged_index(engine, tmp_path):
    add(engine, *IDS)
    built = SearchIndex(tmp_path)
    built.catch_up(engine)
    _damage(built)
    config = load_config({}, data_dir=str(tmp_path), database_url=str(engine.url.render_as_string(False)),
                         secret_key="test-secret")
    app = create_app(config, engine=engine, fetch_from_arxiv=False, cache_seconds=0)  # opens the index
    with TestClient(app) as client:
        for page in ("/", "/new", "/papers/2501.00002", "/api/papers/2501.00002", "/papers/2501.00002.md",
                     "/api/daily_papers", "/papers/trending", "/livez"):
            assert client.get(page).status_code == 200, page
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and "cannot be read" in health["search"]
        page = client.get("/search", params={"q": "topic"})
        assert page.status_code == 503 and "cannot be read" in page.text and "reindex" in page.text
        api = client.get("/api/papers/search", params={"q": "topic"})
        assert api.status_code == 503 and "cannot be read" in api.json()["error"]


def test_searches_during_a_rebuild_answer_from_the_index_being_served(engine, tmp_path):
    add(engine, *IDS)
    SearchIndex(tmp_path).catch_up(engine)
    server = SearchIndex(tmp_path)
    answers = []
    rebuilt = SearchIndex(tmp_path).reindex(
        engine, on_progress=lambda n: answers.append(len(server.search(engine, "topic", limit=10).hits)))
    # after the BM25 batch and after the embeddings': `reindex` emptied live search for its whole run
    assert rebuilt == 5 and answers == [5, 5]
    assert len(server.search(engine, "topic", limit=10).hits) == 5
    assert server.folders.live() == server._folder  # now reading the new generation
    assert len([p for p in (tmp_path / "index").iterdir() if p.is_dir()]) == 1  # the old one removed


def test_index_writers_of_different_processes_take_turns(engine, tmp_path):
    add(engine, IDS[0])
    SearchIndex(tmp_path).catch_up(engine)
    add(engine, IDS[1])
    done = []
    with SearchIndex(tmp_path).folders.writing():  # another process is writing
        with pytest.raises(IndexBusy):
            SearchIndex(tmp_path).catch_up(engine, wait=0.3)  # a serving process waits a while only
        waiting = threading.Thread(target=lambda: done.append(SearchIndex(tmp_path).catch_up(engine)))
        waiting.start()
        time.sleep(0.5)
        assert not done  # an ingest waits its turn (it failed with a traceback)
    waiting.join(60)
    assert done == [1]


def test_paperboard_serve_starts_over_a_damaged_index_and_search_comes_back(db_url, tmp_path):
    """Replacement workers crashed at import on "Footer magic byte mismatch", in a loop: every page
    failed, not only search."""
    import httpx

    from tests.web.conftest import populate, serving

    site = populate(tmp_path, db_url)
    searched, site.search = site.search, None  # this process lets go of the files before they break
    folders = searched.folders
    del searched
    gc.collect()
    _damage(SimpleNamespace(folders=folders))
    try:
        with serving(site) as running:  # it answered /healthz: it started
            assert httpx.get(running.url + "/", timeout=30).status_code == 200
            deadline = time.monotonic() + 120  # rebuilt in the background, then switched to
            while (found := httpx.get(running.url + "/api/papers/search", params={"q": "learning"},
                                      timeout=30)).status_code == 503 and time.monotonic() < deadline:
                assert "cannot be read" in found.json()["error"]
                time.sleep(0.5)
            assert found.status_code == 200 and found.json()
            assert httpx.get(running.url + "/healthz", timeout=30).json()["search"] == "ok"
    finally:
        site.engine.dispose()


def test_the_search_page_says_how_far_the_index_is_built(engine, tmp_path, monkeypatch):
    from paperboard.search import service

    monkeypatch.setattr(service, "EMBED_BATCH", 2)
    monkeypatch.setattr(service, "PUBLISH_EVERY", 2)
    add(engine, *[f"2501.0000{i}" for i in range(1, 7)])
    config = load_config({}, data_dir=str(tmp_path), database_url=str(engine.url.render_as_string(False)),
                         secret_key="test-secret")
    app = create_app(config, engine=engine, fetch_from_arxiv=False, cache_seconds=0)
    with TestClient(app) as client:
        page = client.get("/search", params={"q": "topic"})
        assert page.status_code == 200 and "The search index is being built (6 papers)" in page.text
        assert client.get("/healthz").json()["semantic_index"] == 0.0

        def killed(batch: int) -> None:
            if steps and steps[-1][0] == "embeddings":
                raise KeyboardInterrupt  # stopped after the first third of the vectors

        steps: list = []
        with pytest.raises(KeyboardInterrupt):
            SearchIndex(tmp_path).catch_up(engine, on_progress=killed, on_step=lambda *step: steps.append(step))
        page = client.get("/search", params={"q": "topic"})
        assert "The semantic index is 33 % built" in page.text and "6 results" in page.text
        assert client.get("/healthz").json()["semantic_index"] == 0.33
        SearchIndex(tmp_path).catch_up(engine)
        page = client.get("/search", params={"q": "topic"})
        assert "index is" not in page.text and "being built" not in page.text
        assert client.get("/healthz").json()["semantic_index"] == 1.0


def test_paperboard_serve_answers_at_once_and_indexes_what_is_stored_in_the_background(db_url, tmp_path):
    import httpx

    from paperboard.ingest.files_job import ingest_file
    from paperboard.storage.engine import open_database
    from tests.web.conftest import Populated, serving
    from tests.web.data import write_inputs

    corpus, daily, records = write_inputs(tmp_path)
    engine = open_database(db_url)
    for path in (corpus, daily):  # stored, not indexed: as `ingest --no-index` (and ./scripts/start) leave it
        ingest_file(engine, str(path))
    config = load_config({}, data_dir=str(tmp_path / "data"), database_url=db_url, secret_key="test-secret")
    site = Populated(tmp_path, config, engine, None, records)  # type: ignore[arg-type]
    try:
        with serving(site) as running:
            assert httpx.get(running.url + "/", timeout=30).status_code == 200
            deadline = time.monotonic() + 120
            # the vectors are published a moment before the watermark that ends the lag is written: a
            # look in between sees the index whole and the lag not yet down, so both are waited for
            while ((health := httpx.get(running.url + "/healthz", timeout=30).json())["semantic_index"] != 1.0
                   or health["index_lag"] != 0):
                assert time.monotonic() < deadline, health
                time.sleep(0.3)
            assert health["search"] == "ok"
            found = httpx.get(running.url + "/api/papers/search", params={"q": "learning"}, timeout=30)
            assert found.status_code == 200 and found.json()
            log = "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
            assert "serving now; indexing" in log and "papers in the background" in log
    finally:
        engine.dispose()


def test_app_machines_sharing_one_database_each_keep_their_own_index_current(postgres_url, tmp_path):
    """Two ``paperboard serve --index-every`` over one PostgreSQL database, each with its own data folder
    (two machines behind a proxy): a paper stored afterwards, by neither, is found on both."""
    import httpx

    from paperboard.ingest.files_job import ingest_file
    from paperboard.storage.engine import open_database
    from tests.web.conftest import Populated, serving
    from tests.web.data import write_inputs

    corpus, daily, records = write_inputs(tmp_path)
    engine = open_database(postgres_url)
    for path in (corpus, daily):
        ingest_file(engine, str(path))
    machines = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        config = load_config({}, data_dir=str(tmp_path / name / "data"), database_url=postgres_url,
                             secret_key="test-secret")
        machines.append(Populated(tmp_path / name, config, engine, None, records))  # type: ignore[arg-type]
    late = tmp_path / "late.jsonl"
    late.write_text('{"id": "2402.09999", "title": "Zorblax lattices for quantum error correction", '
                    '"abstract": "We propose zorblax lattices.", "authors": ["Q. Bit"], "listed": "2024-02-14"}\n')

    def found(url: str) -> list[str]:
        got = httpx.get(url + "/api/papers/search", params={"q": "zorblax"}, timeout=30)
        assert got.status_code == 200
        return [hit["paper"]["id"] for hit in got.json()]

    try:
        with serving(machines[0], options=("--index-every", "1")) as a, \
                serving(machines[1], options=("--index-every", "1")) as b:
            for running in (a, b):
                deadline = time.monotonic() + 120
                while httpx.get(running.url + "/healthz", timeout=30).json()["index_lag"] != 0:
                    assert time.monotonic() < deadline
                    time.sleep(0.3)
                assert found(running.url) == []
            ingest_file(engine, str(late))  # by a third process: the worker's harvest, an ingest
            for running in (a, b):
                deadline = time.monotonic() + 60
                while (ids := found(running.url))[:1] != ["2402.09999"]:
                    assert time.monotonic() < deadline, ids
                    time.sleep(0.3)
        assert (tmp_path / "a" / "data" / "index").is_dir() and (tmp_path / "b" / "data" / "index").is_dir()
    finally:
        engine.dispose()


def test_index_every_asks_for_seconds_and_contradicts_no_index(tmp_path):
    from tests.functional.cli import paperboard

    both = paperboard("serve", "--no-index", "--index-every", "5", data_dir=tmp_path)
    assert both.returncode == 2 and "--index-every and --no-index contradict each other" in both.stderr
    never = paperboard("serve", "--index-every", "0", data_dir=tmp_path)
    assert never.returncode == 2 and "--index-every" in never.stderr
