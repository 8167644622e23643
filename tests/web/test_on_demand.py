"""Papers not yet stored are fetched from arXiv on demand (a loopback stand-in replays arXiv's recorded
answers), and the API never answers a bad request with a 500."""

import re

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperboard.config import load_config
from paperboard.web.app import create_app
from tests.conftest import fixture_bytes
from tests.functional.fake_arxiv import FakeArxiv, xml
from tests.web.conftest import csrf, sign_up

FOUND = "arxiv-api/id-versioned-2104.12255v1.xml"
MISSING = "arxiv-api/id-not-found-0000.0000.xml"


def test_search_and_submit_fetch_unknown_papers_from_arxiv(tmp_path, db_url):
    def handler(path, params):
        return xml(fixture_bytes(FOUND if params.get("id_list", "").startswith("2104.12255") else MISSING))

    with FakeArxiv(handler) as arxiv:
        config = load_config({}, data_dir=str(tmp_path), database_url=db_url, secret_key="k",
                             arxiv_api_url=arxiv.url + "/api/query",
                             arxiv_delay="0")
        with TestClient(create_app(config, cache_seconds=0)) as client:
            r = client.get("/search", params={"q": "https://arxiv.org/abs/2104.12255v1"}, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/papers/2104.12255"
            page = client.get("/papers/2104.12255")
            assert page.status_code == 200
            title = re.search(r"<h1>(.*?)</h1>", page.text).group(1)
            assert client.get("/search", params={"q": title}).text.count("/papers/2104.12255") >= 1  # indexed
            assert "arXiv does not have it" in client.get("/search", params={"q": "2501.00001"}).text
            sign_up(client, "fetcher")
            r = client.post("/submit", data={"csrf_token": csrf(client, "/submit"), "paper": "2501.00001"})
            assert r.status_code == 404 and "arXiv does not have it" in r.text
            assert [p for p, _ in arxiv.requests] == ["/api/query"] * 2  # the miss was remembered


words = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["p", "limit", "date", "week", "month", "submitter", "sort", "q"]),
                       st.one_of(words, st.integers(-10**6, 10**6).map(str)), max_size=4),
       st.sampled_from(["/api/daily_papers", "/api/papers/search", "/api/papers/2503.11731",
                        "/search", "/papers/trending", "/new"]))
def test_no_parameters_make_a_500(client, params, path):
    r = client.get(path, params=params)
    assert r.status_code < 500, (path, params, r.text[:300])
    if path.startswith("/api/") and r.status_code >= 400:
        assert "error" in r.json()
