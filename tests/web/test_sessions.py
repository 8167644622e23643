"""Sessions are server-side records and API tokens are managed: a copied cookie dies with sign-out,
"sign out everywhere", a password change and expiry; tokens are listed, named, revoked, expire, and a
new one is never in a cookie or stored (SQLite and PostgreSQL)."""

import datetime as dt
import hashlib
import re

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from paperboard.storage.schema import api_tokens, sessions
from tests.web.conftest import csrf, sign_up

PASSWORD = "correct horse battery"


def _copy(client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s cookie, as a thief would."""
    other = TestClient(client.app, base_url="http://testserver")
    other.cookies.set("paperboard", client.cookies["paperboard"])
    return other


def _signed_in(client: TestClient, username: str) -> bool:
    return f'href="/users/{username}"' in client.get("/account").text


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    r = client.post("/signin", data={"csrf_token": csrf(client), "username": username, "password": password},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_a_copied_cookie_dies_with_sign_out(client):
    sign_up(client, "copycat")
    thief = _copy(client)
    assert _signed_in(thief, "copycat")
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    assert not _signed_in(client, "copycat")
    assert not _signed_in(thief, "copycat")
    assert thief.post("/comment", data={"csrf_token": csrf(thief), "paper": "x", "body": "hi"},
                      follow_redirects=False).status_code in (401, 403)


def test_sign_out_everywhere_and_one_session_from_the_account_page(client):
    sign_up(client, "everywhere")
    laptop, phone = _copy(client), TestClient(client.app, base_url="http://testserver")
    _sign_in(phone, "everywhere")
    page = client.get("/account").text
    assert page.count('name="session"') == 1  # the phone's session; this one is marked instead
    assert "(this browser)" in page
    ref = re.search(r'name="session" value="([0-9a-f]{16})"', page).group(1)
    client.post("/account/sessions/end", data={"csrf_token": csrf(client, "/account"), "session": ref})
    assert not _signed_in(phone, "everywhere") and _signed_in(laptop, "everywhere")
    client.post("/signout/everywhere", data={"csrf_token": csrf(client, "/account")})
    assert not _signed_in(client, "everywhere") and not _signed_in(laptop, "everywhere")


def test_the_account_page_names_each_sessions_browser_from_its_user_agent(client, populated):
    sign_up(client, "devices")
    phone = TestClient(client.app, base_url="http://testserver", headers={
        "User-Agent": "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"})
    _sign_in(phone, "devices")
    odd = TestClient(client.app, base_url="http://testserver", headers={"User-Agent": "x" * 500})
    _sign_in(odd, "devices")
    page = client.get("/account").text
    assert "Firefox on Android" in page
    assert 'title="Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"' in page
    with populated.engine.connect() as conn:
        stored = sorted(len(a) for a in conn.execute(select(sessions.c.user_agent)).scalars() if a)
    assert stored[-1] == 200  # a long agent is cut, not refused


def test_a_password_change_ends_the_other_sessions(client):
    sign_up(client, "rotator")
    thief = _copy(client)
    other = TestClient(client.app, base_url="http://testserver")
    _sign_in(other, "rotator")
    wrong = client.post("/account/password", data={"csrf_token": csrf(client, "/account"), "password": "nope",
                                                   "new_password": "a new password", "new_password2": "a new password"})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    assert _signed_in(thief, "rotator")
    r = client.post("/account/password", data={"csrf_token": csrf(client, "/account"), "password": PASSWORD,
                                                "new_password": "a new password", "new_password2": "a new password"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert _signed_in(client, "rotator")
    assert not _signed_in(thief, "rotator") and not _signed_in(other, "rotator")
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    bad = client.post("/signin", data={"csrf_token": csrf(client), "username": "rotator", "password": PASSWORD})
    assert bad.status_code == 401
    _sign_in(client, "rotator", "a new password")


def test_idle_and_absolute_expiry(client, populated):
    sign_up(client, "sleeper")
    sid_hashes = []
    with populated.engine.connect() as conn:
        sid_hashes = [r.id_hash for r in conn.execute(select(sessions.c.id_hash, sessions.c.user_id))]
    now = dt.datetime.now(dt.UTC)
    with populated.engine.begin() as conn:  # every session's last use 15 days ago: idle too long
        conn.execute(update(sessions).values(last_seen_at=now - dt.timedelta(days=15)))
    assert not _signed_in(client, "sleeper")
    _sign_in(client, "sleeper")
    with populated.engine.begin() as conn:  # active a minute ago, but signed in 31 days ago
        conn.execute(update(sessions).values(created_at=now - dt.timedelta(days=31),
                                             last_seen_at=now - dt.timedelta(minutes=1)))
    assert not _signed_in(client, "sleeper")
    _sign_in(client, "sleeper")
    assert _signed_in(client, "sleeper")
    assert sid_hashes  # the rows existed: the cookie only ever named them


def test_the_cookie_holds_no_account_id_and_the_database_no_session_id(client, populated):
    sign_up(client, "cookiejar")
    import base64
    import json

    cookie = client.cookies["paperboard"]
    data = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))
    assert set(data) >= {"sid"} and "uid" not in data
    with populated.engine.connect() as conn:
        stored = {r.id_hash for r in conn.execute(select(sessions.c.id_hash))}
    assert data["sid"] not in stored and hashlib.sha256(data["sid"].encode()).hexdigest() in stored


def _new_token(client: TestClient, name: str, days: str = "", password: str = PASSWORD) -> tuple[str, str]:
    r = client.post("/account/tokens", data={"csrf_token": csrf(client, "/account"), "name": name, "days": days,
                                             "password": password})
    assert r.status_code == 200
    assert "no-store" in r.headers["cache-control"]
    token = re.search(r'<code class="token">(pb_[^<]+)</code>', r.text).group(1)
    return token, r.headers.get("set-cookie", "")


def test_tokens_are_listed_named_revoked_and_expire(client, populated):
    sign_up(client, "tokenuser")
    token, set_cookie = _new_token(client, "laptop script")
    assert token not in set_cookie and token not in str(client.cookies.get("paperboard"))
    assert token not in client.get("/account").text  # shown once
    with populated.engine.connect() as conn:
        hashes = [r.token_hash for r in conn.execute(select(api_tokens.c.token_hash))]
    assert token not in hashes and hashlib.sha256(token.encode()).hexdigest() in hashes
    pid = populated.records[12]["id"]
    auth = {"authorization": f"Bearer {token}"}
    assert client.post(f"/api/papers/{pid}/upvote", headers=auth).status_code == 200
    page = client.get("/account").text
    assert "laptop script" in page and "never" not in page.split("laptop script")[1].split("</tr>")[0]
    ref = re.search(r'name="token" value="([0-9a-f]{16})"', page).group(1)
    client.post("/account/tokens/revoke", data={"csrf_token": csrf(client, "/account"), "token": ref})
    assert client.post(f"/api/papers/{pid}/upvote", headers=auth).status_code == 401
    assert "laptop script" not in client.get("/account").text

    short, _ = _new_token(client, "one day", days="1")
    assert client.post(f"/api/papers/{pid}/upvote", headers={"authorization": f"Bearer {short}"}).status_code == 200
    with populated.engine.begin() as conn:
        conn.execute(update(api_tokens)
                     .where(api_tokens.c.token_hash == hashlib.sha256(short.encode()).hexdigest())
                     .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert client.post(f"/api/papers/{pid}/upvote", headers={"authorization": f"Bearer {short}"}).status_code == 401
    assert "expired" in client.get("/account").text
    bad = client.post("/account/tokens", data={"csrf_token": csrf(client, "/account"), "name": "x", "days": "0",
                                               "password": PASSWORD})
    assert bad.status_code == 400 and "1 to 3650 days" in bad.text


def test_a_stolen_session_cannot_mint_a_token_and_tokens_end_with_the_sessions(client, populated):
    """A session thief made a token without the password and kept API (and MCP) write access after a
    password change and after "sign out everywhere"."""
    sign_up(client, "tokenthief")
    thief = _copy(client)
    refused = thief.post("/account/tokens", data={"csrf_token": csrf(thief, "/account"), "name": "mine"})
    assert refused.status_code == 400 and "needs your current password" in refused.text
    wrong = thief.post("/account/tokens", data={"csrf_token": csrf(thief, "/account"), "name": "mine",
                                                "password": "a good guess"})
    assert wrong.status_code == 400 and "pb_" not in wrong.text
    pid = populated.records[13]["id"]

    def works(token: str) -> bool:
        return client.post(f"/api/papers/{pid}/upvote", headers={"authorization": f"Bearer {token}"}).status_code == 200

    before_change, _ = _new_token(client, "before the change")
    assert works(before_change)
    client.post("/account/password", data={"csrf_token": csrf(client, "/account"), "password": PASSWORD,
                                           "new_password": "another password", "new_password2": "another password"})
    assert not works(before_change)
    before_signout, _ = _new_token(client, "before signing out", password="another password")
    assert works(before_signout)
    client.post("/signout/everywhere", data={"csrf_token": csrf(client, "/account")})
    assert not works(before_signout)
