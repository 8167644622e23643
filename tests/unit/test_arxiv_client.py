"""Polite HTTP: pacing, 503 + Retry-After, backoff. arXiv itself cannot be reached from tests, so its
answers are replayed (the 503 exchange as recorded in ../shared/fixtures/README.md)."""

import httpx
import pytest

from paperboard.ingest.arxiv_client import ArxivClient, ArxivUnavailable, parse_retry_after
from tests.conftest import fixture_bytes

RETRY_BODY = b"<html><body>\n<h1>Retry after 10 seconds</h1>\n</body></html>\n"


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def client_for(responses, clock, **kwargs):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    c = ArxivClient(transport=httpx.MockTransport(handler), sleep=clock.sleep, clock=clock, **kwargs)
    return c, calls


def test_503_retry_after_is_honoured_then_the_page_is_returned():
    page = fixture_bytes("arxiv-oai/listrecords-arXiv-2015-01-01-to-2015-01-03.xml")
    clock = Clock()
    client, calls = client_for(
        [httpx.Response(503, headers={"Retry-After": "10"}, content=RETRY_BODY), httpx.Response(200, content=page)],
        clock, delay=3,
    )
    assert client.get("http://oai.test/oai2", {"verb": "ListRecords"}) == page
    assert clock.sleeps == [10.0] and len(calls) == 2
    assert calls[0].url.params["verb"] == "ListRecords"
    assert "paperboard" in calls[0].headers["user-agent"]


def test_requests_are_spaced_by_the_delay():
    clock = Clock()
    client, _ = client_for([httpx.Response(200, content=b"a"), httpx.Response(200, content=b"b")], clock, delay=3)
    client.get("http://x.test/", {})
    client.get("http://x.test/", {})
    assert clock.sleeps == [3.0]


def test_transient_failures_back_off_exponentially_then_give_up():
    clock = Clock()
    client, calls = client_for(
        [httpx.Response(500), httpx.ConnectError("refused"), httpx.Response(502)], clock, delay=1, retries=2
    )
    with pytest.raises(ArxivUnavailable, match="gave up after 3 attempts; last: HTTP 502"):
        client.get("http://x.test/", {})
    assert clock.sleeps == [1.0, 2.0] and len(calls) == 3


def test_permanent_errors_are_not_retried():
    clock = Clock()
    client, calls = client_for([httpx.Response(404)], clock)
    with pytest.raises(ArxivUnavailable, match="HTTP 404"):
        client.get("http://x.test/", {})
    assert len(calls) == 1


def test_a_400_atom_error_body_is_returned_for_the_parser():
    body = fixture_bytes("arxiv-api/id-malformed-abc.xml")
    client, _ = client_for([httpx.Response(400, content=body)], Clock())
    assert client.get("http://x.test/", {"id_list": "abc"}) == body


def test_an_unreasonable_retry_after_fails_fast():
    client, _ = client_for([httpx.Response(503, headers={"Retry-After": "86400"})], Clock(), max_wait=600)
    with pytest.raises(ArxivUnavailable, match="retry after 86400 s"):
        client.get("http://x.test/", {})


def test_parse_retry_after():
    assert parse_retry_after("10", now=0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon", now=0) is None and parse_retry_after(None, now=0) is None
