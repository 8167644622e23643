"""Against a running ``paperboard serve``: a forged X-Forwarded-For dodges no rate limit, one password
sprayed over many usernames is slowed, one account guessed at from many addresses is too, and a copied
session cookie dies with sign-out."""

import re
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from paperboard.storage.schema import rate_limits

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fresh_limits(request, server):
    """Each test starts with no sign-in attempts counted (the counts live in the site's database, which
    every test of the module shares)."""
    engines = [server.populated.engine]
    if "client" in request.fixturenames:
        engines.append(request.getfixturevalue("populated").engine)
    for engine in engines:
        with engine.begin() as conn:
            conn.execute(delete(rate_limits))


def _attempt(http: httpx.Client, username: str, headers: dict[str, str] | None = None) -> int:
    token = CSRF.search(http.get("/signin").text).group(1)
    return http.post("/signin", data={"csrf_token": token, "username": username, "password": "Spring2026!"},
                     headers=headers or {}).status_code


def test_forged_forwarded_headers_do_not_reset_the_limit(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        statuses = [_attempt(http, "alice", {"x-forwarded-for": f"203.0.113.{i}", "x-real-ip": f"198.51.100.{i}"})
                    for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]


def test_one_password_over_many_usernames_is_slowed(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        statuses = [_attempt(http, f"victim{i}") for i in range(60)]
    first_refusal = statuses.index(429)
    assert set(statuses[:first_refusal]) == {401} and first_refusal <= 50
    assert set(statuses[first_refusal:]) == {429}


def test_one_account_from_many_addresses_is_slowed(client):
    statuses = []
    for i in range(32):
        browser = TestClient(client.app, base_url="http://testserver", client=(f"192.0.2.{i}", 40000))
        statuses.append(_attempt(browser, "targeted"))
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429, 429]


def test_a_copied_cookie_dies_with_sign_out_over_http(server):
    with httpx.Client(base_url=server.url, timeout=30) as owner:
        token = CSRF.search(owner.get("/signup").text).group(1)
        r = owner.post("/signup", data={"csrf_token": token, "username": "httpowner",
                                        "password": "correct horse battery", "password2": "correct horse battery"})
        assert r.status_code == 303
        stolen = owner.cookies["paperboard"]
        with httpx.Client(base_url=server.url, timeout=30, cookies={"paperboard": stolen}) as thief:
            assert 'href="/users/httpowner"' in thief.get("/account").text
            owner.post("/signout", data={"csrf_token": CSRF.search(owner.get("/").text).group(1)})
            assert thief.get("/account", follow_redirects=False).status_code == 303  # to sign-in


def test_a_form_is_never_handed_from_one_visitor_to_the_next(server):
    """A visitor who already holds a CSRF token gets /subscribe with it and no cookie; served from the page
    cache to fresh visitors, it made their submits fail (403)."""
    with httpx.Client(base_url=server.url, timeout=30) as first:
        first.get("/subscribe")
        held = CSRF.search(first.get("/subscribe").text).group(1)  # the same token, no Set-Cookie
        assert "set-cookie" not in first.get("/subscribe").headers
    for i in range(3):
        with httpx.Client(base_url=server.url, timeout=30) as fresh:
            page = fresh.get("/subscribe")
            token = CSRF.search(page.text).group(1)
            assert token != held and "paperboard" in fresh.cookies
            r = fresh.post("/subscribe", data={"csrf_token": token, "email": f"fresh{i}@example.org",
                                               "topics": "grokking"})
            assert r.status_code == 200, r.text[:300]


def test_a_forged_host_never_reaches_what_others_are_served(server):
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for _ in range(6):
            forged = http.get("/api/papers?limit=3", headers={"host": "attacker.example:443"})
            assert "attacker" not in forged.headers.get("link", "")
        honest = http.get("/api/papers?limit=3")
    assert honest.headers["link"].startswith(f"<{server.url}/api/papers?")


def test_idle_and_half_sent_connections_are_closed_and_never_shut_others_out(server):
    """About a thousand idle, half-sent or GET /mcp connections made every other request fail: none was
    ever closed. Each must now send its request head within PAPERBOARD_REQUEST_TIMEOUT."""
    import socket

    from tests.web.conftest import serving

    with serving(server.populated, extra_env={"PAPERBOARD_REQUEST_TIMEOUT": "1"}) as quick:
        port = int(quick.url.rsplit(":", 1)[1])
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(40)]
        for i, s in enumerate(idle[20:]):
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" if i % 2 else b"GET /pap")  # never finished
        assert httpx.get(quick.url + "/livez", timeout=10).status_code == 200  # others are answered
        stream = httpx.get(quick.url + "/mcp", headers={"accept": "text/event-stream"}, timeout=10)
        assert stream.status_code == 405  # no event stream is opened for anyone
        time.sleep(2.5)
        closed = [s.recv(1024) == b"" for s in idle]  # the server hung up on every one of them
        for s in idle:
            s.close()
        assert all(closed)
        kept = socket.create_connection(("127.0.0.1", port), timeout=10)  # a slow but whole request is fine
        kept.sendall(b"GET /livez HTTP/1.1\r\n")
        time.sleep(0.5)
        kept.sendall(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert kept.recv(1024).startswith(b"HTTP/1.1 200")
        kept.close()


def test_failing_on_purpose_from_many_addresses_does_not_lock_the_owner_out(client):
    """30 failures on one account from many addresses locked its owner out of sign-in for 15 minutes.
    A browser the account signed in from before is not held to that limit (its own address is)."""
    import uuid

    from tests.web.conftest import sign_up

    name = f"locked{uuid.uuid4().hex[:8]}"  # the site is shared by this module's runs
    owner = TestClient(client.app, base_url="http://testserver", client=("198.51.100.50", 40000))
    sign_up(owner, name)
    owner.post("/signout", data={"csrf_token": CSRF.search(owner.get("/").text).group(1)})
    for i in range(32):  # an attacker, from addresses of its own
        attacker = TestClient(client.app, base_url="http://testserver", client=(f"203.0.113.{i}", 40000))
        _attempt(attacker, name)
    stranger = TestClient(client.app, base_url="http://testserver", client=("198.51.100.51", 40000))
    assert _attempt(stranger, name) == 429  # a new browser still meets the account's limit
    token = CSRF.search(owner.get("/signin").text).group(1)
    r = owner.post("/signin", data={"csrf_token": token, "username": name,
                                    "password": "correct horse battery"}, follow_redirects=False)
    assert r.status_code == 303  # the owner's browser signs in
    forged = TestClient(client.app, base_url="http://testserver", client=("198.51.100.52", 40000),
                        cookies={"paperboard_known": "W10.forged.signature"})
    assert _attempt(forged, name) == 429


def test_sign_up_never_says_whether_an_address_has_an_account(client):
    import uuid

    from tests.web.conftest import csrf

    answers, run = [], uuid.uuid4().hex[:8]  # the site is shared by this module's runs
    for name in (f"holder{run}", f"asker{run}"):
        browser = TestClient(client.app, base_url="http://testserver")
        r = browser.post("/signup", data={"csrf_token": csrf(browser, "/signup"), "username": name,
                                          "password": "correct horse battery", "password2": "correct horse battery",
                                          "email": f"shared{run}@example.org"}, follow_redirects=False)
        answers.append((r.status_code, r.headers.get("location")))
    assert answers[0] == answers[1] == (303, "/")  # the same answer: nothing learned about the address
