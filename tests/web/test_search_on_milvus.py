"""A site whose search lives on a Milvus server (``PAPERBOARD_SEARCH_URL``), as deployed: ``paperboard
serve`` and the indexing job in processes of their own, Milvus in another. Search answers from Milvus;
when Milvus goes down, search answers 503 with a message while every other page keeps working, papers
stored meanwhile are kept, and the next catch-up indexes them once Milvus is back."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from paperboard.board import Paperboard
from paperboard.config import load_config
from paperboard.errors import Unavailable
from paperboard.ingest.files_job import ingest_file
from tests.web.conftest import free_port, populate, serving


@contextmanager
def milvus_server(folder: Path, port: int) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.milvus_server", str(folder), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        said = proc.stdout.readline() if proc.stdout is not None else ""
        assert said == f"listening {port}\n", said
        yield proc
    finally:
        proc.kill()
        proc.wait()


def until_answered(call, answered=lambda _: True, seconds: float = 30):  # type: ignore[no-untyped-def]
    """``call()`` again until it is ``answered`` without Unavailable (its last answer after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = call()
            if answered(result) or time.monotonic() > deadline:
                return result
        except Unavailable:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def board_on(site, url: str) -> Paperboard:
    config = load_config({}, data_dir=str(site.config.data_dir), database_url=site.config.database_url,
                         secret_key="test-secret", search_url=url)
    return Paperboard(config, fetch_from_arxiv=False)


@pytest.mark.postgres
def test_search_on_a_milvus_server_survives_its_outage(tmp_path, postgres_url):
    # the production pairing: PostgreSQL, and Milvus as a server of its own
    site = populate(tmp_path, postgres_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    folder = tmp_path / "milvus"
    title = site.records[7]["title"]
    with milvus_server(folder, port) as milvus:
        board = board_on(site, url)
        assert board.reindex() == len(site.records)
        with serving(site, {"PAPERBOARD_SEARCH_URL": url}) as server, \
                httpx.Client(base_url=server.url, timeout=30) as http:
            page = http.get("/search", params={"q": title})
            assert page.status_code == 200 and title.split()[0] in page.text
            api = http.get("/api/papers/search", params={"q": title})
            assert api.status_code == 200 and site.records[7]["id"] in [p["paper"]["id"] for p in api.json()]
            listing = http.get("/api/papers/search", params={"q": "category:cs.RO"})
            assert listing.status_code == 200 and listing.json()

            milvus.kill()
            milvus.wait()
            started = time.monotonic()
            down = http.get("/search", params={"q": "a query never cached"})
            assert down.status_code == 503 and "Milvus" in down.text
            assert time.monotonic() - started < 15  # the site does not hang on a dead Milvus
            assert http.get("/api/papers/search", params={"q": "another query"}).status_code == 503
            assert http.get("/").status_code == 200  # every page that does not search keeps working
            assert http.get(f"/papers/{site.records[3]['id']}").status_code == 200
            # a paper stored while Milvus is down is kept, and waits for it
            new = tmp_path / "new.jsonl"
            new.write_text('{"id": "2512.01234", "title": "Quokka locomotion on sandstone", '
                           '"summary": "How quokkas hop.", "authors": ["Q. Marsupial"], '
                           '"categories": ["cs.RO"], "listed": "2025-03-20"}\n')
            ingest_file(site.engine, str(new))
            with pytest.raises(Unavailable, match="Milvus"):  # the worker's run says so, and retries later
                board.catch_up()

            with milvus_server(folder, port):
                # the worker's next run (pymilvus finds a server that came back within seconds)
                assert until_answered(board.catch_up) == 1  # from the watermark: the new one
                back = until_answered(lambda: http.get("/api/papers/search", params={"q": "quokka sandstone"}),
                                      lambda answer: answer.status_code == 200 and answer.json()
                                      and answer.json()[0]["paper"]["id"] == "2512.01234")
                assert back.json()[0]["paper"]["id"] == "2512.01234"  # found again by the server, by itself
                assert board.index.indexed() == len(site.records) + 1  # none doubled
