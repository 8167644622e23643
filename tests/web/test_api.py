"""The JSON API: Hugging Face shapes and errors through HTTP, and token-authenticated writes."""

import datetime as dt
import html
import re
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from paperboard.cli import main
from paperboard.community.accounts import create_token, find_user
from paperboard.filter_terms import SYNTAX, SYNTAX_LINE
from tests.web.conftest import sign_up, sites
from tests.web.data import DAYS, PER_DAY

populated = sites("sqlite", "sqlite-served", "postgres-served")  # in the test process, and served over HTTP


def test_daily_papers_in_the_hugging_face_shape(client):
    items = client.get("/api/daily_papers", params={"date": DAYS[1]}).json()
    assert len(items) == PER_DAY
    item = items[0]
    assert set(item) >= {"paper", "publishedAt", "title", "summary", "numComments", "submittedBy"}
    paper = item["paper"]
    assert set(paper) >= {"id", "authors", "publishedAt", "title", "summary", "upvotes", "submittedOnDailyAt",
                          "discussionId"}
    assert paper["authors"][0]["name"] and item["submittedBy"]["name"].startswith("curator")
    assert item["publishedAt"].startswith(DAYS[1]) and item["publishedAt"].endswith("Z")
    times = [i["publishedAt"] for i in items]
    assert times == sorted(times, reverse=True)  # publishedAt: newest submissions first


def test_daily_papers_parameters(client):
    week = client.get("/api/daily_papers", params={"week": "2025-W12", "limit": 100}).json()
    assert len(week) == 3 * PER_DAY
    page1 = client.get("/api/daily_papers", params={"month": "2025-03", "limit": 10, "p": 0}).json()
    page2 = client.get("/api/daily_papers", params={"month": "2025-03", "limit": 10, "p": 1}).json()
    assert len(page1) == len(page2) == 10
    assert {i["paper"]["id"] for i in page1}.isdisjoint(i["paper"]["id"] for i in page2)
    mine = client.get("/api/daily_papers", params={"submitter": "curator2", "limit": 100}).json()
    assert len(mine) == PER_DAY and {i["submittedBy"]["name"] for i in mine} == {"curator2"}
    trending = client.get("/api/daily_papers", params={"sort": "trending", "limit": 100}).json()
    assert trending and len(trending) <= 3 * PER_DAY + 5
    # all 45 of the month: under the default limit of 50 (a month, so a paper another test submits today
    # does not count)
    assert len(client.get("/api/daily_papers", params={"month": "2025-03"}).json()) == 3 * PER_DAY


@pytest.mark.parametrize("params, words", [
    ({"date": "2025-02-30"}, "real day"), ({"week": "2025-W99"}, "ISO week"), ({"month": "March"}, "YYYY-MM"),
    ({"limit": 101}, "limit"), ({"limit": 0}, "limit"), ({"p": -1}, "p:"), ({"sort": "votes"}, "sort"),
    ({"date": "2025-03-18", "week": "2025-W12"}, "at most one"), ({"limit": "ten"}, "limit"),
])
def test_daily_papers_bad_parameters_are_4xx_json(client, params, words):
    r = client.get("/api/daily_papers", params=params)
    assert r.status_code == 400
    assert words in r.json()["error"]


def test_paper_search_and_markdown(client, populated):
    pid = populated.records[0]["id"]
    paper = client.get(f"/api/papers/{pid}").json()
    assert paper["id"] == pid and paper["title"] == populated.records[0]["title"]
    assert client.get(f"/api/papers/arXiv:{pid}v1").json()["id"] == pid
    missing = client.get("/api/papers/2501.99999")
    assert missing.status_code == 404 and "not in the store" in missing.json()["error"]
    found = client.get("/api/papers/search", params={"q": "gaussian splatting", "limit": 5}).json()
    assert 0 < len(found) <= 5 and all("paper" in i for i in found)
    assert client.get("/api/papers/search", params={"q": "x" * 251}).status_code == 400
    assert client.get("/api/papers/search", params={"q": "a", "limit": 121}).status_code == 400
    assert client.get("/api/papers/search", params={"q": "a\x00"}).status_code == 400
    assert client.get("/api/papers/search").json() == []
    md = client.get(f"/papers/{pid}.md")
    assert md.status_code == 200 and populated.records[0]["title"] in md.text


def test_openapi_describes_the_api(client):
    spec = client.get("/api/openapi.json").json()
    assert {"/api/daily_papers", "/api/papers/search", "/api/papers/{paper_id}", "/api/submissions"} <= set(spec["paths"])
    q = next(p for p in spec["paths"]["/api/papers/search"]["get"]["parameters"] if p["name"] == "q")
    assert SYNTAX_LINE in q["description"]


def test_the_search_syntax_is_told_from_one_source_everywhere(client):
    """The search page and `paperboard search --help` list every row of filter_terms.SYNTAX."""
    page = html.unescape(client.get("/search").text)
    cli = CliRunner().invoke(main, ["search", "--help"]).output
    for term, meaning in SYNTAX:
        assert f"{term}</code>: {meaning}" in page
        assert re.search(rf"{re.escape(term)} +{re.escape(meaning)}", cli), term


def test_writes_take_a_token(client, populated):
    pid = populated.records[300]["id"]
    assert client.post(f"/api/papers/{pid}/upvote").status_code == 401
    assert client.post(f"/api/papers/{pid}/upvote", headers={"Authorization": "Bearer nope"}).status_code == 401
    sign_up(client, "dave")
    client.cookies.clear()
    with populated.engine.begin() as conn:
        token = create_token(conn, find_user(conn, "dave"))
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/submissions", json={"paper": pid}, headers=auth)
    assert r.status_code == 201 and r.json()["submittedBy"]["name"] == "dave"
    assert r.json()["publishedAt"].startswith(dt.datetime.now(dt.UTC).date().isoformat())
    assert client.post("/api/submissions", json={"paper": pid}, headers=auth).status_code == 400
    assert client.post("/api/submissions", json={}, headers=auth).status_code == 400
    assert client.post(f"/api/papers/{pid}/upvote", headers=auth).json() == {"id": pid, "upvotes": 1, "upvoted": True}
    assert client.post(f"/api/papers/{pid}/upvote", headers=auth).json()["upvotes"] == 1
    assert client.delete(f"/api/papers/{pid}/upvote", headers=auth).json()["upvotes"] == 0
    said = client.post(f"/api/papers/{pid}/comments", json={"body": "Great *paper*"}, headers=auth)
    assert said.status_code == 201 and said.json()["author"] == "dave"
    assert [c["body"] for c in client.get(f"/api/papers/{pid}/comments").json()] == ["Great *paper*"]
    assert client.post(f"/api/papers/{pid}/comments", json={"body": ""}, headers=auth).status_code == 400
    assert client.post("/api/papers/2501.99999/upvote", headers=auth).status_code == 404
    assert client.get(f"/api/papers/{pid}").json()["upvotes"] == 0
    assert client.get(f"/api/papers/{pid}").json()["numComments"] == 1


def _token_for(client, populated, username: str) -> dict[str, str]:
    sign_up(client, username)
    client.cookies.clear()
    with populated.engine.begin() as conn:
        return {"Authorization": f"Bearer {create_token(conn, find_user(conn, username))}"}


def test_every_paper_a_page_at_a_time_by_the_link_header(client, populated):
    seen: list[str] = []
    url = "/api/papers?limit=100"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        page = r.json()
        assert len(page) <= 100
        seen += [p["id"] for p in page]
        link = r.headers.get("link")
        assert not link or link.endswith('rel="next"')
        target = urlsplit(link[link.index("<") + 1:link.index(">")]) if link else None
        url = f"{target.path}?{target.query}" if target else None
    assert sorted(seen) == sorted({r["id"] for r in populated.records})  # each paper once, none left out
    days = [client.get(f"/api/papers/{pid}").json()["publishedAt"] for pid in seen[:3]]
    assert days == sorted(days, reverse=True)
    assert len(client.get("/api/papers", params={"limit": 7}).json()) == 7
    for bad in ("not-a-cursor!", "%%%", "MjAyNS0xMy0wMXx4"):  # the last: base64 of an impossible day
        r = client.get("/api/papers", params={"cursor": bad})
        assert r.status_code == 400 and "cursor" in r.json()["error"]
    assert client.get("/api/papers", params={"limit": 0}).status_code == 400


def test_the_next_page_link_is_the_sites_own_address_whatever_the_host(client, populated):
    r = client.get("/api/papers?limit=2", headers={"host": "attacker.example:443"})
    assert urlsplit(r.headers["link"][1:].split(">")[0]).path == "/api/papers"
    assert "attacker" not in r.headers["link"]


def test_hub_write_routes(client, populated):
    pid = populated.records[310]["id"]
    auth = _token_for(client, populated, "erin")
    assert client.post("/api/papers/submit", json={"arxivId": pid}).status_code == 401
    r = client.post("/api/papers/submit", json={"arxivId": f"arXiv:{pid}v3"}, headers=auth)
    assert r.status_code == 201 and r.json()["paper"]["id"] == pid and r.json()["submittedBy"]["name"] == "erin"
    assert client.post("/api/papers/submit", json={"arxivId": "nonsense"}, headers=auth).status_code == 400
    indexed = client.post("/api/papers/index", json={"arxivId": pid}, headers=auth)
    assert indexed.status_code == 200 and indexed.json()["id"] == pid
    missing = client.post("/api/papers/index", json={"arxivId": "2501.99999"}, headers=auth)
    # not stored: in the test process the site never fetches from arXiv; served, it queues the paper
    assert missing.status_code == (404 if populated.transport == "app" else 202), missing.text
    assert "2501.99999" in missing.json()["error"]
    assert client.get(f"/api/arxiv/{pid}/repos").json() == {"models": [], "datasets": [], "spaces": []}
    assert client.get("/api/arxiv/2501.99999/repos").status_code == 404


def test_comment_threads_through_the_hub_routes(client, populated):
    pid = populated.records[320]["id"]
    auth = _token_for(client, populated, "frank")
    first = client.post(f"/api/papers/{pid}/comment", json={"comment": "Does it scale?"}, headers=auth)
    assert first.status_code == 201 and first.json()["parentId"] is None
    cid = first.json()["id"]
    reply = client.post(f"/api/papers/{pid}/comment/{cid}/reply", json={"comment": "Yes"}, headers=auth)
    assert reply.status_code == 201 and reply.json()["parentId"] == cid
    deeper = client.post(f"/api/papers/{pid}/comment/{reply.json()['id']}/reply", json={"comment": "Really"},
                         headers=auth)
    assert deeper.json()["parentId"] == cid  # a reply to a reply joins the thread
    listed = client.get(f"/api/papers/{pid}/comments").json()
    assert [(c["body"], c["parentId"]) for c in listed] == [("Does it scale?", None), ("Yes", cid), ("Really", cid)]
    other = populated.records[321]["id"]
    assert client.post(f"/api/papers/{other}/comment/{cid}/reply", json={"comment": "x"},
                       headers=auth).status_code == 404  # a comment of another paper
    for bad in ("0", "-1", "abc", "99999999999999999999"):
        assert client.post(f"/api/papers/{pid}/comment/{bad}/reply", json={"comment": "x"},
                           headers=auth).status_code in (400, 404)
    assert client.post(f"/api/papers/{pid}/comment", json={"comment": ""}, headers=auth).status_code == 400
    page = client.get(f"/papers/{pid}").text
    assert page.index("Does it scale?") < page.index('class="replies"') < page.index("Really")


def test_the_api_viewer_is_served_from_the_site(client):
    html = client.get("/api/docs").text
    assert "/api/docs/assets/swagger-ui-bundle.js" in html and "//cdn" not in html and "https://" not in html
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert client.get("/static/api-docs.js").status_code == 200


def test_links_and_authorship_claims_through_the_api(client, populated):
    pid = populated.records[330]["id"]
    auth = _token_for(client, populated, "gina")
    body = {"githubRepo": "https://github.com/gina/code"}
    assert client.post(f"/api/papers/{pid}/links", json=body).status_code == 401
    refused = client.post(f"/api/papers/{pid}/links", json=body, headers=auth)
    assert refused.status_code == 403 and "submitter" in refused.json()["error"]
    assert client.post("/api/papers/submit", json={"arxivId": pid}, headers=auth).status_code == 201
    before = client.get(f"/api/papers/{pid}").json()["githubRepo"]
    r = client.post(f"/api/papers/{pid}/links", json=body, headers=auth)
    assert r.json() == {"id": pid, "githubRepo": "https://github.com/gina/code", "projectPage": None,
                        "suggested": True}  # the submitter is not a verified author: a suggestion
    assert client.get(f"/api/papers/{pid}").json()["githubRepo"] == before
    assert "Code suggested by" in client.get(f"/papers/{pid}").text
    for bad in ({"githubRepo": "javascript:alert(1)"}, {"githubRepo": "https://example.org"}, {},
                {"projectPage": "x" * 3000}):
        assert client.post(f"/api/papers/{pid}/links", json=bad, headers=auth).status_code == 400
    author = populated.records[330]["authors"][0]
    claimed = client.post(f"/api/papers/{pid}/claim", json={"author": author}, headers=auth)
    assert claimed.status_code == 201 and claimed.json()["status"] == "pending"
    assert client.post(f"/api/papers/{pid}/claim", json={"author": "Nobody"}, headers=auth).status_code == 400
    assert client.post("/api/papers/2501.99999/claim", json={"author": author}, headers=auth).status_code == 404


def test_feeds_with_code_only_list_exactly_the_papers_with_a_repository(client, populated):
    from sqlalchemy import delete, insert

    from paperboard.community.accounts import create_user
    from paperboard.storage.schema import author_claims, paper_links

    every = client.get("/api/daily_papers", params={"date": DAYS[0], "limit": 100}).json()
    coded = client.get("/api/daily_papers", params={"date": DAYS[0], "limit": 100, "has_code": "true"}).json()
    assert coded and len(coded) < len(every)
    assert [i["paper"]["id"] for i in coded] == [i["paper"]["id"] for i in every if i["paper"]["githubRepo"]]
    # a repository an author gave counts as much as one found at ingest
    given = next(i["paper"]["id"] for i in every if not i["paper"]["githubRepo"])
    now = dt.datetime.now(dt.UTC)
    with populated.engine.begin() as conn:
        author = find_user(conn, "coder") or create_user(conn, "coder", "a long enough password")
        conn.execute(insert(author_claims).values(paper_id=given, author_name="A", user_id=author.id,
                                                  status="confirmed", created_at=now))
        conn.execute(insert(paper_links).values(paper_id=given, kind="code", url="https://github.com/a/b",
                                                user_id=author.id, updated_at=now))
    try:
        # (another limit: a served site may answer the same address from its page cache for a while)
        again = client.get("/api/daily_papers", params={"date": DAYS[0], "limit": 99, "has_code": "true"}).json()
        assert given in [i["paper"]["id"] for i in again] and len(again) == len(coded) + 1
        trending = client.get("/papers/trending", params={"has_code": "true"})
        assert trending.status_code == 200 and "Trending papers <small>with code</small>" in trending.text
        shown = set(re.findall(r'<h2><a href="/papers/([^"]+)"', trending.text))
        # trending is the last week of submissions (other tests add some): each one shown has code
        assert shown and all(pid == given or client.get(f"/api/papers/{pid}").json()["githubRepo"]
                             for pid in shown)
        feed = client.get("/feeds/trending.atom", params={"has_code": "true"})
        assert feed.status_code == 200 and "with code" in feed.text
    finally:
        with populated.engine.begin() as conn:
            conn.execute(delete(paper_links).where(paper_links.c.paper_id == given))
            conn.execute(delete(author_claims).where(author_claims.c.paper_id == given))
    assert client.get("/api/daily_papers", params={"has_code": "maybe"}).status_code in (400, 422)


def test_the_search_api_speaks_the_filter_language_and_refuses_what_means_nothing(client, populated):
    coded = client.get("/api/papers/search", params={"q": "learning has:code", "limit": 20}).json()
    assert coded and all(i["paper"]["githubRepo"] for i in coded)
    refused = client.get("/api/papers/search", params={"q": "learning has:nothing"})
    assert refused.status_code == 400 and "has:code or has:project" in refused.text
    bad_date = client.get("/api/papers/search", params={"q": "since:2025-02-30"})
    assert bad_date.status_code == 400 and "is not a date" in bad_date.text
