"""For you over HTTP: the API (a token's own ranking, never another's), feedback that acts at once and
can be undone, and the page with its buttons."""

import html
import re

import pytest

from paperboard.community.accounts import create_token, create_user
from tests.web.conftest import csrf, sign_up, sites

# served over real HTTP with the page cache on, and in the test process on PostgreSQL
populated = sites("sqlite-served", "postgres")

SPLATTING = "gaussian splatting"  # 40 titles among the site's papers
FEDERATED = "federated"  # 11


def _titled(populated, words: str, n: int) -> list[str]:
    ids = [r["id"] for r in populated.records if words in r["title"].lower()]
    assert len(ids) >= n, words
    return ids[:n]


def _on(populated, words: str) -> set[str]:
    return {r["id"] for r in populated.records if words in " ".join((r["title"] + " " + r["summary"]).lower().split())}


def _reader(populated, name: str) -> dict[str, str]:
    with populated.engine.begin() as conn:
        user = create_user(conn, name, "correct horse battery")
        return {"Authorization": f"Bearer {create_token(conn, user)}"}


def _for_you(client, auth, **params) -> list[dict]:
    r = client.get("/api/for-you", params=params, headers=auth)
    assert r.status_code == 200, r.text
    assert "no-store" in r.headers["cache-control"]
    return r.json()


def _upvote(client, auth, ids) -> None:
    for pid in ids:
        assert client.post(f"/api/papers/{pid}/upvote", headers=auth).status_code == 200


def test_for_you_takes_a_token(client):
    assert client.get("/api/for-you").status_code == 401
    assert client.get("/api/for-you", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_new_reader_gets_trending_and_is_told_why(client, populated):
    items = _for_you(client, _reader(populated, "newcomer"), limit=5)
    assert items and all(i["reason"].startswith("trending") for i in items)
    assert {"paper", "title", "summary", "publishedAt", "numComments"} <= set(items[0])


def test_picks_follow_what_the_reader_upvoted_and_say_why(client, populated):
    auth = _reader(populated, "splatter")
    liked = _titled(populated, SPLATTING, 4)
    _upvote(client, auth, liked)
    items = _for_you(client, auth, limit=20)
    ids = [i["paper"]["id"] for i in items]
    assert not set(ids) & set(liked), "an upvoted paper is never recommended"
    on_topic = _on(populated, SPLATTING)
    assert sum(pid in on_topic for pid in ids[:10]) >= 8
    titles = {r["id"]: r["title"] for r in populated.records}
    for item in items:
        said = re.fullmatch(r"similar to “(.+)” you upvoted", item["reason"])
        assert said and said.group(1) in {titles[pid] for pid in liked}, item["reason"]
    # another reader's answer is their own, even through the served site's page cache
    assert _for_you(client, _reader(populated, "other"), limit=20)[0]["reason"].startswith("trending")
    assert [i["paper"]["id"] for i in _for_you(client, auth, limit=20)] == ids


def test_two_interests_both_keep_their_place(client, populated):
    auth = _reader(populated, "two-minds")
    _upvote(client, auth, _titled(populated, SPLATTING, 3) + _titled(populated, FEDERATED, 3))
    ids = [i["paper"]["id"] for i in _for_you(client, auth, limit=10)]
    assert sum(pid in _on(populated, SPLATTING) for pid in ids) >= 3
    assert sum(pid in _on(populated, FEDERATED) for pid in ids) >= 3


def test_feedback_acts_at_once_and_can_be_undone(client, populated):
    auth = _reader(populated, "marker")
    _upvote(client, auth, _titled(populated, SPLATTING, 4))
    first = [i["paper"]["id"] for i in _for_you(client, auth, limit=30)]
    top = first[0]
    r = client.post(f"/api/papers/{top}/feedback", json={"signal": "not_interested"}, headers=auth)
    assert r.status_code == 200 and r.json() == {"id": top, "signal": "not_interested"}
    assert top not in [i["paper"]["id"] for i in _for_you(client, auth, limit=50)]
    assert client.delete(f"/api/papers/{top}/feedback", headers=auth).json()["signal"] is None
    assert [i["paper"]["id"] for i in _for_you(client, auth, limit=30)] == first

    # more like this on a paper of another topic brings that topic in, and says so
    other = _titled(populated, FEDERATED, 1)[0]
    assert not set(first[:10]) & _on(populated, FEDERATED)
    client.post(f"/api/papers/{other}/feedback", json={"signal": "more_like_this"}, headers=auth)
    items = _for_you(client, auth, limit=10)
    brought = [i for i in items if i["paper"]["id"] in _on(populated, FEDERATED)]
    assert brought and all(i["reason"].endswith("you asked for more like") for i in brought)

    # less like this on a paper: it and the papers most like it go down
    client.delete(f"/api/papers/{other}/feedback", headers=auth)
    neighbours = _reader(populated, "neighbour")
    _upvote(client, neighbours, [top])
    near = [i["paper"]["id"] for i in _for_you(client, neighbours, limit=5)]
    client.post(f"/api/papers/{top}/feedback", json={"signal": "less_like_this"}, headers=auth)
    after = [i["paper"]["id"] for i in _for_you(client, auth, limit=30)]
    assert top not in after

    def place(ids: list[str], pid: str) -> int:
        return ids.index(pid) if pid in ids else len(ids)

    assert sum(place(after, pid) for pid in near) > sum(place(first, pid) for pid in near)


def test_following_an_author_brings_their_papers_first_and_says_so(client, populated):
    auth = _reader(populated, "follower")
    counts: dict[str, int] = {}
    for r in populated.records:
        for name in r["authors"]:
            counts[name] = counts.get(name, 0) + 1
    author = max(counts, key=lambda n: (counts[n], n))  # the author with the most papers here
    theirs = {r["id"] for r in populated.records if author in r["authors"]}
    assert client.post("/api/authors/Nobody%20Atall/follow", headers=auth).status_code == 404
    r = client.post(f"/api/authors/{author.upper()}/follow", headers=auth)
    assert r.status_code == 200 and r.json() == {"author": author, "following": True, "person": None}  # as papers spell it
    items = _for_you(client, auth, limit=50)
    assert {i["paper"]["id"] for i in items} == theirs
    assert all(i["reason"] == f"by {author}, whom you follow" for i in items)
    _upvote(client, auth, _titled(populated, SPLATTING, 3))
    mixed = _for_you(client, auth, limit=10)
    assert mixed[0]["paper"]["id"] in theirs and any("you upvoted" in i["reason"] for i in mixed)
    assert client.delete(f"/api/authors/{author}/follow", headers=auth).json()["following"] is False
    assert not {i["paper"]["id"] for i in _for_you(client, auth, limit=50)} & (theirs - _on(populated, SPLATTING))


@pytest.mark.parametrize("body, status", [
    ({"signal": "love_it"}, 400), ({}, 400), ({"signal": None}, 400), ({"signal": ["not_interested"]}, 400),
])
def test_bad_feedback_is_a_clear_400(client, populated, body, status):
    auth = _reader(populated, f"bad-{len(str(body))}-{status}-{abs(hash(str(body))) % 10_000}")
    pid = populated.records[0]["id"]
    r = client.post(f"/api/papers/{pid}/feedback", json=body, headers=auth)
    assert r.status_code == status and "error" in r.json()


def test_feedback_on_a_paper_not_stored_is_404_and_bad_days_400(client, populated):
    auth = _reader(populated, "careful")
    assert client.post("/api/papers/2101.99999/feedback", json={"signal": "not_interested"},
                       headers=auth).status_code == 404
    for since in ("yesterday", "2025-13-01", "2025-02-30"):
        assert client.get("/api/for-you", params={"since": since}, headers=auth).status_code == 400
    assert client.get("/api/for-you", params={"limit": 0}, headers=auth).status_code == 400
    assert client.get("/api/for-you", params={"limit": 101}, headers=auth).status_code == 400


def test_the_page_its_buttons_and_the_feedback_list(client, populated):
    r = client.get("/for-you", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    sign_up(client, "pageturner")
    page = client.get("/for-you")
    assert page.status_code == 200 and "learns from you" in page.text  # nothing to go on yet
    token = csrf(client, "/for-you")
    for pid in _titled(populated, SPLATTING, 3):
        client.post("/upvote", data={"csrf_token": token, "paper": pid})
    page = client.get("/for-you").text
    assert "you upvoted" in page and 'value="not_interested"' in page
    shown = re.findall(r'name="paper" value="([^"]+)"', page)
    r = client.post("/feedback", data={"csrf_token": token, "paper": shown[0], "signal": "not_interested"},
                    headers={"referer": "/for-you"}, follow_redirects=False)
    assert r.status_code == 303
    assert shown[0] not in re.findall(r'name="paper" value="([^"]+)"', client.get("/for-you").text)
    listed = client.get("/for-you/feedback").text
    assert "not interested" in listed and f'value="{shown[0]}"' in listed
    assert client.post("/feedback", data={"csrf_token": token, "paper": shown[0], "signal": "adore"}
                       ).status_code == 400
    assert client.post("/feedback", data={"paper": shown[0], "signal": "not_interested"}).status_code == 403
    client.post("/feedback", data={"csrf_token": token, "paper": shown[0], "signal": ""})
    assert "You have not marked any paper yet" in client.get("/for-you/feedback").text

    author = populated.records[0]["authors"][0]
    page = client.get(f"/authors/{author}").text
    assert ">Follow</button>" in page
    followed = client.post("/follow", data={"csrf_token": token, "author": author},
                           headers={"referer": f"/authors/{author}"})
    assert followed.status_code == 200 and "Following ✓" in followed.text
    assert f">{author}</a>: their new papers are here first" in client.get("/for-you").text
    assert client.post("/follow", data={"csrf_token": token, "author": "Nobody Atall"}).status_code == 404
    client.post("/follow", data={"csrf_token": token, "author": author, "undo": "1"})
    assert ">Follow</button>" in client.get(f"/authors/{author}").text


def test_topics_fill_themselves_feed_for_you_and_keep_private_ones_private(client, populated):
    sign_up(client, "topicker")
    token = csrf(client, "/topics")
    r = client.post("/topics", data={"csrf_token": token, "query": '"gaussian splatting" -category:cs.RO',
                                     "name": "Splats"}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/topics/\d+", r.headers["location"])
    topic = r.headers["location"]
    page = client.get(topic).text
    shown = set(re.findall(r'<h2><a href="/papers/([^"]+)"', page))
    by_id = {r["id"]: r for r in populated.records}
    assert shown and shown <= _on(populated, SPLATTING)
    assert not any("cs.RO" in by_id[pid]["categories"] for pid in shown)
    feed = client.get(topic + ".atom")
    assert feed.status_code == 200 and feed.text.count("<entry>") == len(shown)
    data = client.get(topic + ".json").json()
    assert data["name"] == "Splats" and {i["paper"]["id"] for i in data["papers"]} == shown
    reasons = set(re.findall(r'<span class="reason">([^<]+)</span>', client.get("/for-you").text))
    assert reasons == {"in your topic Splats"}

    for bad in ("has:everything", "   ", "-since:2025", "x" * 501):
        refused = client.post("/topics", data={"csrf_token": token, "query": bad, "name": "x"})
        assert refused.status_code == 400, bad
    private = client.post("/topics", data={"csrf_token": token, "query": "federated", "private": "1"},
                          follow_redirects=False).headers["location"]
    assert client.get(private).status_code == 200 and "no-store" in client.get(private).headers["cache-control"]
    client.post("/signout", data={"csrf_token": token})
    assert client.get(private).status_code == 404 and client.get(private + ".atom").status_code == 404
    assert client.get(topic).status_code == 200  # a public topic's link works for anyone
    assert client.get("/topics/99999999999").status_code == 400
    client.post("/signin", data={"csrf_token": csrf(client), "username": "topicker",
                                 "password": "correct horse battery"})
    client.post(topic + "/delete", data={"csrf_token": csrf(client, "/topics")})
    assert client.get(topic).status_code == 404


def test_topics_over_the_api(client, populated):
    auth = _reader(populated, "api-topics")
    assert client.post("/api/topics", json={"query": "federated"}).status_code == 401
    made = client.post("/api/topics", json={"query": "federated", "name": "Fed", "public": False}, headers=auth)
    assert made.status_code == 201
    topic = made.json()
    assert {k: topic[k] for k in ("name", "query", "owner", "public")} == {
        "name": "Fed", "query": "federated", "owner": "api-topics", "public": False}
    assert [t["id"] for t in client.get("/api/topics", headers=auth).json()] == [topic["id"]]
    assert all(i["reason"] == "in your topic Fed" for i in _for_you(client, auth))
    assert client.get(f"/topics/{topic['id']}.json").status_code == 404  # private: not for others
    for bad in ({"query": ""}, {"query": "has:everything"}, {"query": "x", "name": "n" * 101}, {"name": "no query"},
                {"query": "federated", "name": "\x00"}, {"query": "\x00"}):
        assert client.post("/api/topics", json=bad, headers=auth).status_code == 400, bad
    nul = client.post("/api/topics", json={"query": "feder\x00ated", "name": "Fed\x00"}, headers=auth)
    assert nul.status_code == 201 and (nul.json()["name"], nul.json()["query"]) == ("Fed", "federated")
    assert client.delete(f"/api/topics/{nul.json()['id']}", headers=auth).status_code == 204
    assert client.delete(f"/api/topics/{topic['id']}", headers=auth).status_code == 204
    assert client.delete(f"/api/topics/{topic['id']}", headers=auth).status_code == 404
    assert client.get("/api/topics", headers=auth).json() == []


def test_a_topic_of_example_papers_holds_papers_like_them(client, populated):
    sign_up(client, "exampler")
    token = csrf(client, "/topics")
    splats, fed = _titled(populated, SPLATTING, 3), _titled(populated, FEDERATED, 1)
    links = "\n".join(f"https://arxiv.org/abs/{pid}v1" for pid in splats)  # any spelling of an id
    r = client.post("/topics", data={"csrf_token": token, "examples": links, "name": "Like these"},
                    follow_redirects=False)
    assert r.status_code == 303
    topic = r.headers["location"]

    def timeline() -> list[str]:
        return [i["paper"]["id"] for i in client.get(topic + ".json").json()["papers"]]

    page = client.get(topic).text
    assert all(f'href="/papers/{pid}"' in page for pid in splats)  # the examples are listed
    shown = timeline()
    assert client.get(topic + ".json").json()["examples"] == splats
    assert len(shown) >= 5 and not set(shown) & set(splats)
    assert sum(pid in _on(populated, SPLATTING) for pid in shown) >= 0.8 * len(shown)
    days = {r["id"]: r.get("listed") or "" for r in populated.records}
    assert [days[p] for p in shown] == sorted((days[p] for p in shown), reverse=True)  # newest first
    reasons = {i["reason"] for i in _for_you_page(client)}
    assert reasons == {"in your topic Like these"}

    # an example of another topic brings its papers in; taking it out sends them away again
    client.post(topic + "/examples", data={"csrf_token": token, "paper": fed[0]})
    assert set(timeline()) & _on(populated, FEDERATED) - set(fed)
    client.post(topic + "/examples", data={"csrf_token": token, "paper": fed[0], "remove": "1"})
    assert not set(timeline()) & (_on(populated, FEDERATED) - _on(populated, SPLATTING))

    for bad, status in (("not an id", 400), ("2501.99999", 404)):
        assert client.post(topic + "/examples", data={"csrf_token": token, "paper": bad}).status_code == status
        assert client.post("/topics", data={"csrf_token": token, "examples": bad}).status_code == status
    too_many = " ".join(r["id"] for r in populated.records[:21])
    assert client.post("/topics", data={"csrf_token": token, "examples": too_many}).status_code == 400
    for pid in splats[:2]:
        client.post(topic + "/examples", data={"csrf_token": token, "paper": pid, "remove": "1"})
    last = client.post(topic + "/examples", data={"csrf_token": token, "paper": splats[2], "remove": "1"})
    assert last.status_code == 400, "a topic of examples alone keeps its last one"
    assert client.get(topic + ".json").json()["examples"] == splats[2:]
    client.post("/signout", data={"csrf_token": token})
    sign_up(client, "intruder")
    other = client.post(topic + "/examples", data={"csrf_token": csrf(client, topic), "paper": fed[0]})
    assert other.status_code == 404 and client.get(topic + ".json").json()["examples"] == splats[2:]
    client.post("/signout", data={"csrf_token": csrf(client, topic)})


def test_topic_examples_over_the_api(client, populated):
    auth = _reader(populated, "api-examples")
    splats = _titled(populated, SPLATTING, 2)
    made = client.post("/api/topics", json={"query": "-category:cs.RO", "examples": [f"arXiv:{splats[0]}"],
                                            "name": "Splats"}, headers=auth)
    assert made.status_code == 201 and made.json()["examples"] == splats[:1]
    tid = made.json()["id"]
    changed = client.put(f"/api/topics/{tid}/examples", json={"examples": splats}, headers=auth)
    assert changed.status_code == 200 and changed.json()["examples"] == splats
    for bad, status in (({"examples": ["nope"]}, 400), ({"examples": ["2501.99999"]}, 404),
                        ({"examples": [str(i) for i in range(21)]}, 400), ({"examples": "2501.00001"}, 400),
                        ({}, 400)):
        assert client.put(f"/api/topics/{tid}/examples", json=bad, headers=auth).status_code == status, bad
    assert client.put(f"/api/topics/{tid}/examples", json={"examples": []}, headers=auth).status_code == 200
    assert client.put("/api/topics/99999/examples", json={"examples": splats}, headers=auth).status_code == 404
    assert client.put(f"/api/topics/{tid}/examples", json={"examples": splats}).status_code == 401
    stranger = _reader(populated, "api-stranger")
    assert client.put(f"/api/topics/{tid}/examples", json={"examples": []}, headers=stranger).status_code == 404


def _for_you_page(client) -> list[dict]:
    reasons = re.findall(r'<span class="reason">([^<]+)</span>', client.get("/for-you").text)
    return [{"reason": html.unescape(r)} for r in reasons]


def test_secret_feed_links_work_signed_out_and_die_when_replaced(client, populated):
    sign_up(client, "feedreader")
    token = csrf(client, "/for-you")
    for pid in _titled(populated, SPLATTING, 3):
        client.post("/upvote", data={"csrf_token": token, "paper": pid})
    link = re.search(r'href="(/feeds/for-you/[^"]+\.atom)"', client.get("/for-you").text).group(1)
    private = client.post("/topics", data={"csrf_token": token, "query": "federated", "private": "1"},
                          follow_redirects=False).headers["location"]
    keyed = re.search(r'href="(/topics/\d+\.atom\?key=[^"]+)"', client.get(private).text).group(1)
    client.post("/signout", data={"csrf_token": token})
    feed = client.get(link)
    assert feed.status_code == 200 and "no-store" in feed.headers["cache-control"]
    assert feed.text.count("<entry>") >= 10 and "For you (feedreader)" in feed.text
    assert client.get(keyed).status_code == 200 and client.get(keyed.split("?")[0]).status_code == 404
    for forged in (link.replace("-", "-x", 1), "/feeds/for-you/1.atom", "/feeds/for-you/99999999999999-abc.atom",
                   "/feeds/for-you/-.atom", keyed[:-3] + "abc"):
        assert client.get(forged).status_code == 404, forged
    client.post("/signin", data={"csrf_token": csrf(client), "username": "feedreader",
                                 "password": "correct horse battery"})
    client.post("/for-you/feed/rotate", data={"csrf_token": csrf(client, "/for-you")})
    assert client.get(link).status_code == 404 and client.get(keyed).status_code == 404
    fresh = re.search(r'href="(/feeds/for-you/[^"]+\.atom)"', client.get("/for-you").text).group(1)
    assert fresh != link and client.get(fresh).status_code == 200
    client.post("/signout", data={"csrf_token": csrf(client, "/for-you")})


def test_suggested_topics_are_followed_in_one_click(client, populated):
    page = client.get("/topics/suggested")
    assert page.status_code == 200 and "Sign in</a> to follow it" in page.text
    assert len(re.findall(r'<section class="suggestion">', page.text)) >= 4
    sign_up(client, "suggestee")
    page = client.get("/topics/suggested").text
    query = re.findall(r'name="query" value="([^"]+)"', page)[0]
    name = re.findall(r'name="name" value="([^"]+)"', page)[0]
    r = client.post("/topics", data={"csrf_token": csrf(client, "/topics/suggested"),
                                     "query": html.unescape(query), "name": html.unescape(name)},
                    follow_redirects=False)
    assert r.status_code == 303
    timeline = client.get(r.headers["location"]).text
    assert timeline.count('<article class="entry">') >= 3
    client.post("/signout", data={"csrf_token": csrf(client, "/for-you")})


def test_the_sites_script_gets_form_outcomes_as_json(client, populated):
    """static/app.js posts the same forms with Accept: application/json and updates the page in place."""
    wants = {"Accept": "application/json"}
    pid = populated.records[3]["id"]
    anonymous = client.post("/upvote", data={"csrf_token": csrf(client), "paper": pid}, headers=wants)
    assert anonymous.status_code == 401 and anonymous.json() == {"error": "sign in to upvote"}
    sign_up(client, "scripted")
    token = csrf(client, "/for-you")
    voted = client.post("/upvote", data={"csrf_token": token, "paper": pid}, headers=wants)
    assert voted.status_code == 200 and voted.json()["upvoted"] is True and voted.json()["paper"] == pid
    again = client.post("/upvote", data={"csrf_token": token, "paper": pid, "undo": "1"}, headers=wants).json()
    assert again["upvoted"] is False and again["upvotes"] == voted.json()["upvotes"] - 1
    said = client.post("/feedback", data={"csrf_token": token, "paper": pid, "signal": "less_like_this"},
                       headers=wants).json()
    assert said == {"paper": pid, "signal": "less_like_this", "message": "Fewer papers like this one from now on."}
    author = populated.records[3]["authors"][0]
    assert client.post("/follow", data={"csrf_token": token, "author": author}, headers=wants).json()["following"]
    forged = client.post("/upvote", data={"csrf_token": "forged", "paper": pid}, headers=wants)
    assert forged.status_code == 403 and "error" in forged.json()
    assert client.post("/feedback", data={"csrf_token": token, "paper": pid, "signal": "x"},
                       headers=wants).status_code == 400
    assert "Fewer papers" not in client.get("/for-you").text  # a message sent as JSON is not flashed later
    client.post("/signout", data={"csrf_token": token})


def test_the_library_notes_read_marks_search_export_and_deleting_the_account(client, populated):
    sign_up(client, "librarian")
    splats, fed = _titled(populated, SPLATTING, 2), _titled(populated, FEDERATED, 1)
    token = csrf(client, f"/papers/{splats[0]}")
    made = client.post("/collections", data={"csrf_token": token, "name": "To read", "paper": splats[0]},
                       follow_redirects=False)
    cid = made.headers["location"].rsplit("/", 1)[-1]
    for pid in (splats[1], fed[0]):
        client.post(f"/collections/{cid}/papers", data={"csrf_token": token, "paper": pid})
    page = client.get("/library").text
    assert set(re.findall(r'<h2><a href="/papers/([^"]+)"', page)) == {*splats, *fed}
    client.post("/library/note", data={"csrf_token": token, "paper": fed[0],
                                       "note": "Check **client drift** <script>alert(1)</script>"})
    client.post("/library/note", data={"csrf_token": token, "paper": fed[0], "read": "1"})
    page = client.get("/library").text
    assert "<strong>client drift</strong>" in page and "<script>alert(1)" not in page
    assert "Read ✓ · mark unread" in page
    found = client.get("/library", params={"q": "federated"}).text
    assert re.findall(r'<h2><a href="/papers/([^"]+)"', found) == fed
    only = client.get("/library", params={"q": '"gaussian splatting"'}).text
    assert set(re.findall(r'<h2><a href="/papers/([^"]+)"', only)) == set(splats)
    assert client.post("/library/note", data={"csrf_token": token, "paper": fed[0],
                                              "note": "x" * 20_001}).status_code == 400
    assert client.post("/library/note", data={"csrf_token": token, "paper": "2101.99999",
                                              "note": "x"}).status_code == 404

    client.post(f"/api/papers/{splats[0]}/upvote")  # no token: refused, nothing changes
    client.post("/upvote", data={"csrf_token": token, "paper": splats[0]})
    archive = client.get("/account/export.json")
    assert archive.status_code == 200 and "attachment" in archive.headers["content-disposition"]
    data = archive.json()
    assert data["account"]["username"] == "librarian"
    assert [p["paper_id"] for p in data["upvotes"]] == [splats[0]]
    assert {p["paper_id"] for p in data["collections"][0]["papers"]} == {*splats, *fed}
    assert data["notes"][0]["body"].startswith("Check") and data["notes"][0]["read"] is True

    assert client.post("/account/delete", data={"csrf_token": token, "password": "wrong password!",
                                                "confirm": "librarian"}).status_code == 400
    assert client.post("/account/delete", data={"csrf_token": token, "password": "correct horse battery",
                                                "confirm": "someone"}).status_code == 400
    gone = client.post("/account/delete", data={"csrf_token": token, "password": "correct horse battery",
                                                "confirm": "librarian"}, follow_redirects=False)
    assert gone.status_code == 303
    assert client.get("/library", follow_redirects=False).status_code == 303  # signed out
    assert client.get("/users/librarian").status_code == 404
    assert client.get(f"/collections/{cid}").status_code == 404
    r = client.post("/signin", data={"csrf_token": csrf(client), "username": "librarian",
                                     "password": "correct horse battery"})
    assert r.status_code == 401


def test_each_collection_is_an_interest_profile_with_its_own_feed(client, populated):
    from paperboard.community.accounts import find_user
    from paperboard.community.collections import add_paper, create_collection

    auth = _reader(populated, "profiled")
    with populated.engine.begin() as conn:
        user = find_user(conn, "profiled")
        splats = create_collection(conn, user, "Splatting", public=False)
        fed = create_collection(conn, user, "Federated", public=False)
        for pid in _titled(populated, SPLATTING, 3):
            add_paper(conn, splats, user, pid)
        for pid in _titled(populated, FEDERATED, 3):
            add_paper(conn, fed, user, pid)
    everything = [i["paper"]["id"] for i in _for_you(client, auth, limit=10)]
    assert any(p in _on(populated, SPLATTING) for p in everything)
    assert any(p in _on(populated, FEDERATED) for p in everything)
    one = _for_you(client, auth, limit=5, profile=splats)
    assert one and all(i["paper"]["id"] in _on(populated, SPLATTING) for i in one)
    other = _for_you(client, auth, limit=5, profile=fed)
    assert other and all(i["paper"]["id"] in _on(populated, FEDERATED) for i in other)
    assert all("you saved" in i["reason"] for i in one + other)
    stranger = _reader(populated, "stranger")
    assert client.get("/api/for-you", params={"profile": splats}, headers=stranger).status_code == 404
    for bad in ("0", "-1", "x", str(2**40)):
        assert client.get("/api/for-you", params={"profile": bad}, headers=auth).status_code == 400


def test_library_tags_filter_and_export_in_every_format(client, populated):
    sign_up(client, "tagger")
    splats, fed = _titled(populated, SPLATTING, 2), _titled(populated, FEDERATED, 1)
    token = csrf(client, "/library")
    for pid in (*splats, *fed):
        assert client.post("/save", data={"csrf_token": token, "paper": pid}).status_code == 200
    r = client.post("/library/tags", data={"csrf_token": token, "paper": fed[0], "tags": "federated, to read ,"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["tags"] == ["federated", "to read"]
    client.post("/library/tags", data={"csrf_token": token, "paper": splats[0], "tags": "to read"})
    page = client.get("/library", params={"tag": "to read"}).text
    assert set(re.findall(r'<h2><a href="/papers/([^"]+)"', page)) == {fed[0], splats[0]}
    assert set(re.findall(r'<h2><a href="/papers/([^"]+)"', client.get("/library", params={"tag": "Saved"}).text)) \
        == {splats[1]}  # the tagged ones left Saved
    assert client.post("/library/tags", data={"csrf_token": token, "paper": fed[0], "tags": " , "}).status_code == 400
    assert client.post("/library/tags", data={"csrf_token": token, "paper": fed[0],
                                              "tags": ",".join(f"t{i}" for i in range(21))}).status_code == 400
    assert client.post("/library/tags", data={"csrf_token": token, "paper": "2101.99999",
                                              "tags": "x"}).status_code == 404
    bib = client.get("/library.bib")
    assert bib.status_code == 200 and bib.text.count("@misc{") == 3 and "attachment" in bib.headers["content-disposition"]
    assert client.get("/library.ris", params={"tag": "to read"}).text.count("TY  - ") == 2
    assert len(client.get("/library.csl.json").json()) == 3
    rows = client.get("/library.csv", params={"tag": "federated"}).text.splitlines()
    assert rows[0].startswith("id,title,authors") and len(rows) == 2 and fed[0] in rows[1]
    assert "federated; to read" in rows[1]
    data = client.get("/library.json", params={"q": "federated"}).json()
    assert [d["id"] for d in data] == fed and data[0]["tags"] == ["federated", "to read"]
    assert client.get("/library.exe").status_code == 404
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    assert client.get("/library.csv").status_code == 401


def test_an_authors_atom_feed_lists_their_papers_newest_first(client, populated):
    import xml.etree.ElementTree as ET

    name = next(a for r in populated.records for a in r["authors"] if sum(a in q["authors"] for q in populated.records) >= 2)
    theirs = {r["id"] for r in populated.records if name in r["authors"]}
    page = client.get(f"/authors/{name}").text
    assert f'href="/feeds/authors/{name.replace(" ", "%20")}.atom"' in page
    feed = client.get(f"/feeds/authors/{name}.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.find("a:link", ns).get("href").rsplit("/", 1)[-1] for e in ET.fromstring(feed.content).findall("a:entry", ns)]
    assert set(ids) == theirs
    assert client.get("/feeds/authors/Nobody%20Atall.atom").status_code == 404


def test_an_author_page_tells_namesakes_apart_where_coauthors_and_fields_allow(client, populated, tmp_path):
    import json

    from paperboard.ingest.files_job import ingest_file

    records = [{"id": f"2503.9{n:04d}", "title": f"Namesake paper {n}", "abstract": "Words.", "listed": "2025-03-20",
                "authors": ["Quill Namesake", co], "categories": [field]}
               for n, co, field in [(1, "Ann Coauthor", "cs.CV"), (2, "Ann Coauthor", "cs.LG"),
                                    (3, "Bo Coauthor", "math.AG"), (4, "Cy Coauthor", "math.AG")]]
    dump = tmp_path / "namesakes.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    ingest_file(populated.engine, str(dump))
    page = " ".join(html.unescape(client.get("/authors/Quill Namesake").text).split())
    assert "At least 2 people write as Quill Namesake" in page
    people = re.findall(r"<li>(\d+) papers in ([^,]+(?:, [a-z]+\.[A-Z]+)*), with ([^:]+):", page)
    assert {(n, frozenset(fields.split(", ")), frozenset(names.split(", "))) for n, fields, names in people} == {
        ("2", frozenset({"cs.CV", "cs.LG"}), frozenset({"Ann Coauthor"})),
        ("2", frozenset({"math.AG"}), frozenset({"Bo Coauthor", "Cy Coauthor"}))}
    one = html.unescape(client.get("/authors/Ann Coauthor").text)
    assert "At least" not in one and "One person as far as their co-authors and fields show" in one


def test_following_one_of_the_namesakes_brings_only_their_papers(client, populated, tmp_path):
    import json

    from paperboard.ingest.files_job import ingest_file

    def paper(n: int, coauthor: str, field: str) -> dict:
        return {"id": f"2503.8{n:04d}", "title": f"Followed namesake paper {n}", "abstract": "Words.",
                "listed": "2025-03-20", "authors": ["Rook Namesake", coauthor], "categories": [field]}

    def ingest(records) -> None:
        dump = tmp_path / "papers.jsonl"
        dump.write_text("".join(json.dumps(r) + "\n" for r in records))
        ingest_file(populated.engine, str(dump))

    # two people: one in vision with Ann, one in algebra with Bo
    ingest([paper(1, "Ann Other", "cs.CV"), paper(2, "Ann Other", "cs.CV"), paper(3, "Bo Other", "math.AG")])
    auth = _reader(populated, "namesake-follower")
    followed = client.post("/api/authors/Rook Namesake/follow", params={"paper": "2503.80003"}, headers=auth)
    assert followed.status_code == 200 and followed.json() == {
        "author": "Rook Namesake", "following": True, "person": "2503.80003"}
    # new papers: with the algebraist's co-author (in vision), in algebra with someone new: theirs; with
    # the other's co-author, or new co-authors in another field: not theirs
    ingest([paper(4, "Bo Other", "cs.CV"), paper(5, "Dee New", "math.AG"), paper(6, "Ann Other", "cs.LG"),
            paper(7, "Eve New", "cs.LG")])
    by_them = {i["paper"]["id"] for i in _for_you(client, auth, limit=50)
               if i["reason"] == "by Rook Namesake, whom you follow"}
    assert by_them == {"2503.80003", "2503.80004", "2503.80005"}
    # the name, all of them, when no paper is given
    assert client.post("/api/authors/Rook Namesake/follow", headers=auth).json()["person"] is None
    by_name = {i["paper"]["id"] for i in _for_you(client, auth, limit=50)
               if i["reason"] == "by Rook Namesake, whom you follow"}
    assert by_name == {f"2503.8000{n}" for n in range(1, 8)}
    for params, status in (({"paper": "2503.89999"}, 400), ({"paper": "not an id"}, 400), ({"paper": "x" * 201}, 400)):
        assert client.post("/api/authors/Rook Namesake/follow", params=params, headers=auth).status_code == status
    assert client.post("/api/authors/Nobody Here/follow", params={"paper": "2503.80001"},
                       headers=auth).status_code == 404

    # on the author page: one button per person, and which one is followed
    sign_up(client, "page-follower")
    page = html.unescape(client.get("/authors/Rook Namesake").text)
    assert page.count("Follow this one") == 3 and "Follow all of them" in page  # 7 has a field of its own
    token = csrf(client, "/authors/Rook Namesake")
    client.post("/follow", data={"csrf_token": token, "author": "Rook Namesake", "paper": "2503.80001"})
    page = " ".join(html.unescape(client.get("/authors/Rook Namesake").text).split())
    assert "Following one of them ✓" in page and page.count("Following this one ✓") == 1
    assert page.count("Follow this one") == 2
    followed_one = [li for li in re.findall(r"<li>(.*?)</li>", page) if "Following this one" in li]
    # (Bo's paper in vision made the two first people one: 1, 2, 3, 4 and 6; 5 and 7 are two others)
    assert len(followed_one) == 1 and followed_one[0].startswith("5 papers")
    client.post("/signout", data={"csrf_token": token})
