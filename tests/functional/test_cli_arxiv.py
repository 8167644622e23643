"""``paperboard ingest arxiv`` against a loopback stand-in that replays recorded arXiv responses."""

import json

import pytest

from tests.conftest import fixture_bytes
from tests.functional.cli import paperboard
from tests.functional.fake_arxiv import RETRY_BODY, FakeArxiv, oai_pages, xml

pytestmark = pytest.mark.usefixtures("store_kind")  # each test on SQLite and on PostgreSQL


def _env(server: FakeArxiv) -> dict[str, str]:
    return {"PAPERBOARD_ARXIV_OAI_URL": server.url + "/oai", "PAPERBOARD_ARXIV_API_URL": server.url + "/api/query",
            "PAPERBOARD_ARXIV_RETRIES": "2"}


def test_harvest_honours_503_follows_tokens_and_continues_incrementally(tmp_path):
    page1, page2 = oai_pages()
    state = {"first": True}

    def handler(path, params):
        if state.pop("first", False):
            return 503, {"Retry-After": "1"}, RETRY_BODY
        return xml(page2 if params.get("resumptionToken") == "tok|1" else page1)

    with FakeArxiv(handler) as server:
        result = paperboard("ingest", "arxiv", "--from", "2015-01-01", "--until", "2015-01-03",
                            "--category", "cs.DM", "--output-format", "json", data_dir=tmp_path, env=_env(server))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["added"] == 2
        first, retried, second = server.requests
        assert first == retried
        assert first[1] == {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2015-01-01",
                            "until": "2015-01-03", "set": "cs:cs:DM"}
        assert second[1] == {"verb": "ListRecords", "resumptionToken": "tok|1"}

        # no --from: continues from where the last harvest of that set ended
        again = paperboard("ingest", "arxiv", "--category", "cs.DM", "--output-format", "json",
                           data_dir=tmp_path, env=_env(server))
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["unchanged"] == 2
        assert server.requests[3][1]["from"] == "2015-01-03"


def test_a_harvest_that_fails_midway_resumes_from_its_checkpoint(tmp_path):
    page1, page2 = oai_pages()
    state = {"down": True}

    def handler(path, params):
        if params.get("resumptionToken"):
            return (500, {}, b"down") if state["down"] else xml(page2)
        return xml(page1)

    with FakeArxiv(handler) as server:
        failed = paperboard("ingest", "arxiv", "--from", "2015-01-01", "--output-format", "json",
                            data_dir=tmp_path, env=_env(server))
        assert failed.returncode == 1
        summary = json.loads(failed.stdout)
        assert summary["added"] == 1 and "rerun the same command to resume" in summary["failures"][0]
        state["down"] = False
        before = len(server.requests)
        resumed = paperboard("ingest", "arxiv", "--from", "2015-01-01", "--output-format", "json",
                             data_dir=tmp_path, env=_env(server))
        assert resumed.returncode == 0, resumed.stderr
        assert json.loads(resumed.stdout)["added"] == 1
        assert server.requests[before][1] == {"verb": "ListRecords", "resumptionToken": "tok|1"}
    stats = json.loads(paperboard("stats", "--format", "json", data_dir=tmp_path).stdout)
    assert stats["papers"] == 2 and stats["by_source"] == {"arxiv-oai": 2}


def test_an_expired_token_restarts_the_harvest(tmp_path):
    page1, page2 = oai_pages()
    expired = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
               b'<error code="badResumptionToken">expired</error></OAI-PMH>')
    calls = {"n": 0}

    def handler(path, params):
        calls["n"] += 1
        if params.get("resumptionToken"):
            return xml(expired if calls["n"] == 2 else page2)
        return xml(page1)

    with FakeArxiv(handler) as server:
        result = paperboard("ingest", "arxiv", "--from", "2015-01-01", "--output-format", "json",
                            data_dir=tmp_path, env=_env(server))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 2


def test_fetch_by_ids(tmp_path):
    bodies = {
        "1707.08567": fixture_bytes("arxiv-api/id-list-0808.05394-1707.08567.xml"),
        "2104.12255v1": fixture_bytes("arxiv-api/id-versioned-2104.12255v1.xml"),
        "hep-th/9901001v2": fixture_bytes("arxiv-api/id-not-found-0000.0000.xml"),
    }

    def handler(path, params):
        ids = params["id_list"].split(",")
        if len(ids) > 1:  # one request per id keeps the replay simple
            return 400, {}, b""
        return xml(bodies[ids[0]])

    with FakeArxiv(handler) as server:
        result = paperboard("ingest", "arxiv", "--ids", "arXiv:1707.08567", "--output-format", "json",
                            data_dir=tmp_path, env=_env(server))
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["added"] == 1
        result = paperboard("ingest", "arxiv", "--ids", "https://arxiv.org/abs/2104.12255v1", data_dir=tmp_path,
                            env=_env(server))
        assert result.returncode == 0 and "added 1" in result.stdout
        missing = paperboard("ingest", "arxiv", "--ids", "hep-th/9901001v2,abc", "--output-format", "json",
                             data_dir=tmp_path, env=_env(server))
        assert missing.returncode == 1
        problems = {p["location"]: p["reason"] for p in json.loads(missing.stdout)["problems"]}
        assert problems == {"abc": "'abc' is not an arXiv id (expected e.g. 2401.00001 or hep-th/9901001)",
                            "hep-th/9901001v2": "not found on arXiv"}
        assert [r[1]["id_list"] for r in server.requests] == ["1707.08567", "2104.12255v1", "hep-th/9901001v2"]
