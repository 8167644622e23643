"""Visitors cannot drive the server's traffic to arXiv: 45 searches for unknown ids at once against a
running ``paperboard serve`` (two workers) whose arXiv answers slowly. Every page answers with a note
instead of waiting on arXiv, /healthz keeps answering, arXiv sees a few batched requests at its pace, a
client's cap stops the rest, and a miss is never asked for twice."""

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import fixture_bytes
from tests.functional.fake_arxiv import FakeArxiv, xml
from tests.web.conftest import populate, serving

MISSING = "arxiv-api/id-not-found-0000.0000.xml"


def test_a_burst_of_unknown_ids_is_queued_capped_and_paced(tmp_path, db_url):
    def slow_arxiv(path, params):
        time.sleep(1.0)
        return xml(fixture_bytes(MISSING))

    site = populate(tmp_path, db_url)
    with FakeArxiv(slow_arxiv) as arxiv, serving(site, {"PAPERBOARD_ARXIV_API_URL": arxiv.url + "/api/query",
                                                        "PAPERBOARD_ARXIV_DELAY": "1"}, workers=2) as server:
        ids = [f"2509.{10000 + i}" for i in range(45)]
        with httpx.Client(base_url=server.url, timeout=20) as http, ThreadPoolExecutor(45) as pool:
            pages = pool.map(lambda pid: http.get("/search", params={"q": pid}), ids)
            health = [http.get("/healthz", timeout=5) for _ in range(5)]
            answers = list(pages)
        assert all(h.json()["status"] in ("ok", "stale") for h in health)  # answered, with its report
        assert all(a.status_code == 200 for a in answers)
        texts = [a.text for a in answers]
        limited = sum("asked for many papers from arXiv" in t for t in texts)
        assert limited == 35  # ten new ids per client address and hour
        assert sum("being fetched from arXiv" in t or "arXiv does not have it" in t for t in texts) == 10
        deadline = time.monotonic() + 30  # the queued ten are settled in the background
        with httpx.Client(base_url=server.url, timeout=20) as http:
            asked = [pid for pid, t in zip(ids, texts, strict=True) if "asked for many" not in t]
            while time.monotonic() < deadline:
                again = [http.get("/search", params={"q": pid}).text for pid in asked]
                if all("arXiv does not have it" in t for t in again):
                    break
                time.sleep(0.5)
            assert all("arXiv does not have it" in t for t in again)
            before = len(arxiv.requests)
            http.get("/search", params={"q": asked[0]})  # a remembered miss costs arXiv nothing
        assert len(arxiv.requests) == before
        assert 1 <= before <= 2  # up to 20 ids a request: the ten in one or two, not one each
        assert sum(len(p.get("id_list", "").split(",")) for _, p in arxiv.requests) == 10
    site.engine.dispose()
