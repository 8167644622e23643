"""The JSON API: Hugging Face shapes and errors through HTTP, and token-authenticated writes."""

import datetime as dt

import pytest

from paperboard.community.accounts import create_token, find_user
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
