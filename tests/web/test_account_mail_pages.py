"""The address pages through HTTP, hostile use first: forged links answer 400, forms without their
CSRF token 403, the reset form the same page for every address and 429 past its limit."""

import pytest
from fastapi.testclient import TestClient

from paperboard.web.app import create_app
from paperboard.web.security import Limit
from tests.web.conftest import csrf, sign_up, sites

populated = sites("sqlite")


@pytest.mark.parametrize("path", ["/reset/confirm", "/account/verify", "/account/replies/off"])
@pytest.mark.parametrize("token", ["", "forged", "eyJhIjoxfQ.x.y", "%00" * 20])
def test_forged_links_are_a_clear_400(client, path, token):
    r = client.get(f"{path}?token={token}")
    assert r.status_code == 400 and ("link" in r.text or "NUL" in r.text)
    if path != "/account/verify":
        assert client.post(f"{path}?token={token}", data={"token": token,
                                                          "csrf_token": csrf(client, "/reset")}).status_code == 400


def test_forms_without_their_csrf_token_are_refused(client):
    sign_up(client, "nocsrf")
    for path, data in [("/reset", {"email": "a@example.org"}), ("/account/email", {"email": "x@example.org"}),
                       ("/account/email/resend", {}), ("/account/replies", {"on": "1"})]:
        assert client.post(path, data=data).status_code == 403, path
    client.post("/signout", data={"csrf_token": csrf(client, "/")})


def test_the_reset_form_answers_alike_and_is_limited_per_client(populated):
    app = create_app(populated.config, engine=populated.engine, search=populated.search,
                     limits={"reset": Limit(3, 3600)}, fetch_from_arxiv=False, cache_seconds=0)
    with TestClient(app, client=("192.0.2.7", 50000)) as c:  # an address of its own: its own counts
        sign_up(c, "hasmail")
        token = csrf(c, "/account")
        assert c.post("/account/email", data={"csrf_token": token, "email": "has.mail@example.org",
                                              "password": "correct horse battery"}).status_code == 200
        c.post("/signout", data={"csrf_token": csrf(c, "/")})
        token = csrf(c, "/reset")
        known = c.post("/reset", data={"csrf_token": token, "email": "has.mail@example.org"})
        unknown = c.post("/reset", data={"csrf_token": token, "email": "no.one@example.org"})
        bad = c.post("/reset", data={"csrf_token": token, "email": "not an address"})
        assert known.status_code == unknown.status_code == bad.status_code == 200
        assert known.text.replace("has.mail", "X") == unknown.text.replace("no.one", "X")
        assert c.post("/reset", data={"csrf_token": token, "email": "x@example.org"}).status_code == 429
