"""A bounded random fuzz of every route and form of the site (found from the routers, so a new route is
fuzzed by default): hostile path segments, query strings and form fields, signed in with a valid CSRF
token so that forms get past their guard. No answer is a server error, and nothing invalid is stored."""

import random
import re
from pathlib import Path

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperboard.community.collections import MAX_DESCRIPTION, MAX_NAME
from paperboard.community.comments import MAX_COMMENT
from paperboard.storage.schema import collections, comments, subscribers
from paperboard.web import account_pages, api, digest_pages, pages
from paperboard.web.app import create_app
from paperboard.web.security import Limit
from tests.web.conftest import csrf, sign_up

TEMPLATES = Path(pages.__file__).parent / "templates"
SEED = 20261201
PER_ROUTE = 40


def _routes() -> list[APIRoute]:
    return [r for router in (api.router, account_pages.router, digest_pages.router, pages.router)
            for r in router.routes if isinstance(r, APIRoute)]


def _form_fields() -> list[str]:
    names = set()
    for template in TEMPLATES.glob("*.html"):
        names |= set(re.findall(r'name="([a-z_0-9]+)"', template.read_text()))
    return sorted(names - {"csrf_token"})


def _value(rnd: random.Random, known: list[str]) -> str:
    pick = rnd.randrange(12)
    if pick == 0:
        return str(rnd.choice([0, -1, 2**31, 2**63 + 1, -(2**64), 10**30]))
    if pick == 1:
        return rnd.choice(["9999-12-31", "0000-00-00", "2025-02-30", "2025-W99", "2025-13", "1e309", "nan"])
    if pick == 2:
        return "".join(chr(rnd.choice([0, 1, 8, 0x0B, 0x1B, 0x7F, 0xFFFE, 0xD7FF, 0x202E, 0x10FFFF]))
                       for _ in range(rnd.randrange(1, 8)))
    if pick == 3:
        return rnd.choice(["<script>alert(1)</script>", "javascript:alert(1)", "'; DROP TABLE papers;--",
                           "../../etc/passwd", "%00", "{{7*7}}", '"quoted', "author:\"", "category:"])
    if pick == 4:
        return "x" * rnd.choice([300, 5000, 20_000])
    if pick == 5 and known:
        return rnd.choice(known)
    if pick == 6:
        return ""
    alphabet = "abc XYZ-_.:/@éü中\t\n"
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 40)))


def _path(route: APIRoute, rnd: random.Random, known: list[str]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        if name == "cid":
            return str(rnd.choice([1, 2, 0, 2**40, 7]))
        if name == "kind":
            return rnd.choice(["date", "week", "month", "hep-th"])
        value = _value(rnd, known).replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
        return value.replace("\x00", "%00") or "x"
    return re.sub(r"\{([^}]+)\}", fill, route.path)


def test_every_route_and_form_survives_hostile_input(populated):
    app = create_app(populated.config, engine=populated.engine, search=populated.search,
                     limits={name: Limit(10**6, 60) for name in ("write", "signin", "signup", "subscribe", "mail",
                                                                  "signin_address", "signin_account", "arxiv")},
                     fetch_from_arxiv=False, cache_seconds=0)
    known = [r["id"] for r in populated.records[:20]] + ["curator1", "Ada Lovelace", "2503.99999"]
    fields = _form_fields()
    rnd = random.Random(SEED)
    sent, failures = 0, []
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_up(client, "fuzzbrowser")
        token = csrf(client, "/submit")
        for route in _routes():
            for method in sorted(route.methods - {"HEAD"}):
                for _ in range(PER_ROUTE):
                    path = _path(route, rnd, known)
                    params = {name: _value(rnd, known) for name in rnd.sample(
                        [p.name for p in route.dependant.query_params] + ["q", "page", "token", "p"], k=2)}
                    data = None
                    if method == "POST" and not route.path.startswith("/api/"):
                        data = {name: _value(rnd, known) for name in rnd.sample(fields, k=min(6, len(fields)))}
                        data["csrf_token"] = token
                    try:
                        r = client.request(method, path, params=params, data=data, follow_redirects=False)
                    except Exception as exc:  # the client refusing a URL is not the server's fault
                        if "URL" in type(exc).__name__ or "URL" in str(exc):
                            continue
                        raise
                    sent += 1
                    stale = path == "/healthz" and '"status":"stale"' in r.text  # its report, by design
                    if r.status_code >= 500 and not stale:
                        failures.append(f"{method} {path} {params} {data}: {r.status_code} {r.text[:200]}")
                    if path == "/signout" or path.startswith("/signout/") or path == "/account/password":
                        sign_up(client, f"fuzz{sent}")  # signed out (or rotated): sign in again
                        token = csrf(client, "/submit")
    assert sent >= 1500
    assert not failures, "\n".join(failures[:20])
    with populated.engine.connect() as conn:
        assert all(0 < len(b.strip()) <= MAX_COMMENT for b in conn.execute(select(comments.c.body)).scalars())
        for name, description in conn.execute(select(collections.c.name, collections.c.description)):
            assert 0 < len(name) <= MAX_NAME and len(description or "") <= MAX_DESCRIPTION
        for email in conn.execute(select(subscribers.c.email)).scalars():
            assert "@" in email and len(email) <= 254 and email == email.strip()
