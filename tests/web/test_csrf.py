"""Every state-changing form of the site refuses a post without this session's CSRF token: none at all,
another session's, or a cross-site post carrying the victim's cookie. The routes come from the routers,
so a new form is covered by default (SQLite and PostgreSQL)."""

import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paperboard.storage import schema
from paperboard.web import account_mail_pages, account_pages, digest_pages, foryou_pages, media_pages, pages
from tests.web.conftest import csrf, sign_up

# RFC 8058 one-click unsubscribe is posted by mail clients, without a session: its signed token is the proof
EXEMPT = {"/digest/unsubscribe", "/account/replies/off"}
TABLES = ("users", "sessions", "api_tokens", "submissions", "upvotes", "comments", "collections",
          "collection_items", "subscribers", "mail_outbox", "author_claims", "paper_links", "avatars", "feedback",
          "follows", "topics", "notes")


def _forms() -> list[str]:
    routers = (account_pages.router, account_mail_pages.router, digest_pages.router, foryou_pages.router,
               media_pages.router, pages.router)
    return sorted({r.path for router in routers
                   for r in router.routes if isinstance(r, APIRoute) and "POST" in r.methods} - EXEMPT)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(select(func.count()).select_from(schema.metadata.tables[t])).scalar_one()
                for t in TABLES}


def test_every_form_refuses_a_post_without_its_sessions_token(client, populated):
    forms = _forms()
    assert len(forms) >= 15 and "/comment" in forms and "/account/password" in forms
    sign_up(client, "csrfvictim")
    other = TestClient(client.app, base_url="http://testserver")
    sign_up(other, "csrfattacker")
    foreign = csrf(other, "/submit")
    pid = populated.records[40]["id"]
    fields = {"paper": pid, "body": "forged", "name": "forged", "email": "forged@example.org",
              "username": "forgedname", "password": "correct horse battery", "password2": "correct horse battery",
              "new_password": "a forged password", "new_password2": "a forged password", "token": "0" * 16,
              "session": "0" * 16, "keywords": "forged"}
    before = _counts(populated.engine)
    for path in forms:
        url = re.sub(r"\{[^}]+\}", "1", path) + ("?token=x" if "digest" in path else "")  # every path parameter
        for label, data, headers in [
            ("no token", fields, {}),
            ("another session's token", {**fields, "csrf_token": foreign}, {}),
            ("cross-site", fields, {"origin": "https://evil.example", "referer": "https://evil.example/page"}),
        ]:
            r = client.post(url, data=data, headers=headers, follow_redirects=False)
            assert r.status_code == 403, (path, label, r.status_code, r.text[:200])
    assert _counts(populated.engine) == before  # nothing stored, nothing changed
    assert 'href="/users/csrfvictim"' in client.get("/account").text  # and the victim is still signed in
