"""Paper pages, search, accounts and everything people write, through HTTP (SQLite and PostgreSQL)."""

import datetime as dt
import html
import json
import re
import time

from paperboard.web.security import DEFAULT_LIMITS
from tests.web.conftest import csrf, sign_up, sites
from tests.web.data import XSS_ID

populated = sites("sqlite", "sqlite-served", "postgres-served-2")  # in the test process, and served over HTTP


def test_paper_page_has_everything(client, populated):
    rec = populated.records[3]
    r = client.get(f"/papers/{rec['id']}")
    assert r.status_code == 200
    html = r.text
    for author in rec["authors"]:
        assert f'/authors/{author.replace(" ", "%20")}"' in html
    assert "@misc{" in html and f"eprint = {{{rec['id']}}}" in html  # BibTeX
    assert "Similar papers" in html
    assert "/papers/date/" in html  # it was submitted to a daily feed
    assert f'href="https://arxiv.org/pdf/{rec["id"]}' in html


def test_paper_formats_and_id_spellings(client, populated):
    pid = populated.records[3]["id"]
    md = client.get(f"/papers/{pid}.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# ") and "## Abstract" in md.text
    bib = client.get(f"/papers/{pid}.bib")
    assert bib.text.startswith("@misc{") and bib.text.rstrip().endswith("}")
    assert json.loads(client.get(f"/papers/{pid}.json").text)["id"] == pid
    moved = client.get(f"/papers/arXiv:{pid}v2", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/papers/{pid}"
    assert client.get("/papers/2501.99999").status_code == 404
    assert "not in the store" in client.get("/papers/2501.99999").text


def test_search_page_highlights_filters_and_pages(client, populated):
    r = client.get("/search", params={"q": "gaussian splatting"})
    assert r.status_code == 200
    assert "<mark>" in r.text
    assert r.text.count('class="hit"') == 10
    assert 'rel="next"' in r.text
    page2 = client.get("/search", params={"q": "gaussian splatting", "page": 2})
    first = re.findall(r'<h2><a href="/papers/([^"]+)"', r.text)
    second = re.findall(r'<h2><a href="/papers/([^"]+)"', page2.text)
    assert second and set(first).isdisjoint(second)
    lg = client.get("/search", params={"q": "gaussian splatting", "category": "cs.LG"})
    ids = re.findall(r'<h2><a href="/papers/([^"]+)"', lg.text)
    cats = {rec["id"]: rec["categories"] for rec in populated.records}
    assert ids and all("cs.LG" in cats[i] for i in ids)
    bad = client.get("/search", params={"q": "x", "from": "March"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text
    assert "Nothing matched" in client.get("/search", params={"q": "zzzqqqxxy"}).text


def test_search_with_an_arxiv_id_or_url_goes_to_the_paper(client, populated):
    pid = populated.records[7]["id"]
    for q in [pid, f"https://arxiv.org/abs/{pid}v1", f"arXiv:{pid}"]:
        r = client.get("/search", params={"q": q}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/papers/{pid}"
    missing = client.get("/search", params={"q": "2501.99999"})
    deadline = time.monotonic() + 20
    while "being fetched" in missing.text and time.monotonic() < deadline:  # served: arXiv is asked
        assert missing.headers["cache-control"] == "no-store"  # so asking again gets a fresh answer
        time.sleep(0.2)
        missing = client.get("/search", params={"q": "2501.99999"})
    assert missing.status_code == 200 and "arXiv does not have it" in missing.text


def test_odd_queries_never_break_the_page(client):
    for q in ["", "   ", '"', "x" * 10_000, "\x01\x02 binary \ufffd", "'; DROP TABLE papers; --",
              "<script>x</script>", "author:", "category:", "((("]:
        r = client.get("/search", params={"q": q})
        assert r.status_code == 200, q
        assert "<script>x" not in r.text
    nul = client.get("/search", params={"q": "a\x00b"})
    assert nul.status_code == 400 and "NUL" in nul.text


def test_accounts_flow_with_csrf_and_rate_limits(client, populated):
    sign_up(client, "alice")
    assert "alice" in client.get("/").text
    r = client.post("/signout", data={"csrf_token": csrf(client, "/")}, follow_redirects=False)
    assert r.status_code == 303
    assert 'href="/signup"' in client.get("/").text
    token = csrf(client)
    bad = client.post("/signin", data={"csrf_token": token, "username": "alice", "password": "wrong"})
    assert bad.status_code == 401 and "Wrong username or password" in bad.text
    good = client.post("/signin", data={"csrf_token": csrf(client), "username": "ALICE",
                                        "password": "correct horse battery"}, follow_redirects=False)
    assert good.status_code == 303
    assert client.post("/signout", data={}).status_code == 403  # no CSRF token: refused
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    taken = client.post("/signup", data={"csrf_token": csrf(client, "/signup"), "username": "alice",
                                         "password": "another password", "password2": "another password"})
    assert taken.status_code == 400 and "taken" in taken.text
    short = client.post("/signup", data={"csrf_token": csrf(client, "/signup"), "username": "bob",
                                         "password": "short", "password2": "short"})
    assert short.status_code == 400 and "at least 8" in short.text
    allowed = 5 if populated.transport == "app" else DEFAULT_LIMITS["signin"].events  # as deployed
    statuses = [client.post("/signin", data={"csrf_token": csrf(client), "username": "mallory",
                                             "password": "guess"}).status_code for _ in range(allowed + 2)]
    assert statuses[:allowed] == [401] * allowed and statuses[allowed:] == [429, 429]


def test_submit_upvote_comment_collect(client, populated):
    sign_up(client, "carol")
    pid = populated.records[200]["id"]  # a stored paper not yet on the daily feed
    r = client.post("/submit", data={"csrf_token": csrf(client, "/submit"),
                                     "paper": f"https://arxiv.org/abs/{pid}v3"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/papers/{pid}"
    assert "Submitted to today" in client.get(f"/papers/{pid}").text
    again = client.post("/submit", data={"csrf_token": csrf(client, "/submit"), "paper": pid})
    assert again.status_code == 400 and "already on the daily feed" in again.text
    nonsense = client.post("/submit", data={"csrf_token": csrf(client, "/submit"), "paper": "not an id"})
    assert nonsense.status_code == 400 and "not an arXiv id" in nonsense.text
    deadline = time.monotonic() + 30
    while True:  # served, the site asks (an unreachable) arXiv first: "being fetched", then the miss
        absent = client.post("/submit", data={"csrf_token": csrf(client, "/submit"), "paper": "2501.99999"})
        if absent.status_code != 202 or time.monotonic() > deadline:
            break
        assert populated.transport != "app" and "being fetched" in absent.text
        time.sleep(0.5)
    assert absent.status_code == 404 and "arXiv does not have it" in absent.text
    assert pid in client.get("/users/carol").text

    def votes() -> int:
        return int(re.search(r'<span class="count">(\d+)</span>', client.get(f"/papers/{pid}").text).group(1))

    for _ in range(2):  # once per person, however often they click
        client.post("/upvote", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid})
    assert votes() == 1
    client.post("/upvote", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid, "undo": "1"})
    assert votes() == 0

    body = "Nice **result**. <script>alert('c')</script> [x](javascript:alert(1)) [ok](https://example.org)"
    r = client.post("/comment", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid, "body": body})
    html = r.text
    assert "<strong>result</strong>" in html and "&lt;script&gt;alert" in html
    assert 'href="javascript:' not in html and 'href="https://example.org" rel="nofollow noopener ugc"' in html
    assert "1 comment" in html
    empty = client.post("/comment", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid, "body": "  "})
    assert empty.status_code == 400
    first = int(re.search(r'name="reply_to" value="(\d+)"', html).group(1))  # the page offers a reply form
    replied = client.post("/comment", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid,
                                            "reply_to": str(first), "body": "A reply"}, follow_redirects=False)
    assert replied.status_code == 303
    thread = client.get(f"/papers/{pid}").text
    assert thread.index('class="replies"') < thread.index("A reply") and "2 comments" in thread
    for bad in ("abc", "-3", "9" * 30, "99999999", "99999999999"):
        r = client.post("/comment", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid,
                                          "reply_to": bad, "body": "x"})
        assert r.status_code in (400, 404), bad

    r = client.post("/collections", data={"csrf_token": csrf(client, f"/papers/{pid}"), "name": "To read",
                                          "paper": pid}, follow_redirects=False)
    cid = r.headers["location"].rsplit("/", 1)[1]
    other = populated.records[201]["id"]
    client.post(f"/collections/{cid}/papers", data={"csrf_token": csrf(client, f"/papers/{other}"), "paper": other})
    page = client.get(f"/collections/{cid}")
    assert pid in page.text and other in page.text
    bib = client.get(f"/collections/{cid}.bib").text
    assert bib.count("@misc{") == 2
    exported = json.loads(client.get(f"/collections/{cid}.json").text)
    assert [p["id"] for p in exported["papers"]] == [pid, other]
    assert exported["total"] == 2 and exported["next"] is None and exported["page"] == 1
    assert json.loads(client.get(f"/collections/{cid}.json?page=2").text)["papers"] == []  # pages of 50
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    assert client.get(f"/collections/{cid}").status_code == 200  # shared: public by default


def test_a_collection_is_renamed_made_private_and_deleted_by_its_owner_only(client, populated):
    client.cookies.clear()
    sign_up(client, "keeper")
    pid = populated.records[210]["id"]
    token = csrf(client, f"/papers/{pid}")
    cid = client.post("/collections", data={"csrf_token": token, "name": "Drafts", "paper": pid},
                      follow_redirects=False).headers["location"].rsplit("/", 1)[1]
    page = client.post(f"/collections/{cid}/edit", data={"csrf_token": token, "name": "Reading group",
                                                         "description": "Tuesdays"})  # public unticked
    assert page.status_code == 200 and "Reading group" in page.text and "private" in page.text
    assert 'name="digest" value="1" >' in page.text  # no digest section unless asked
    page = client.post(f"/collections/{cid}/edit", data={"csrf_token": token, "name": "Reading group",
                                                         "digest": "1"})
    assert 'name="digest" value="1" checked>' in page.text
    for bad in ({"name": ""}, {"name": "x" * 201}, {"name": "ok", "description": "d" * 2001}):
        assert client.post(f"/collections/{cid}/edit", data={"csrf_token": token, **bad}).status_code == 400
    assert client.post("/collections/99999999/delete", data={"csrf_token": token}).status_code == 404
    client.cookies.clear()
    assert client.get(f"/collections/{cid}").status_code == 404  # private now
    sign_up(client, "intruder")
    other = csrf(client, "/")
    assert client.post(f"/collections/{cid}/delete", data={"csrf_token": other}).status_code == 404
    assert client.post(f"/collections/{cid}/edit", data={"csrf_token": other, "name": "Mine"}).status_code == 404
    client.cookies.clear()
    client.post("/signin", data={"csrf_token": csrf(client), "username": "keeper",
                                 "password": "correct horse battery"})
    gone = client.post(f"/collections/{cid}/delete", data={"csrf_token": csrf(client, "/")})
    assert gone.status_code == 200 and "Collection deleted" in gone.text
    assert client.get(f"/collections/{cid}").status_code == 404 and client.get(f"/papers/{pid}").status_code == 200
    client.cookies.clear()


def test_comments_are_edited_and_deleted_by_their_author_only(client, populated):
    client.cookies.clear()
    sign_up(client, "writer")
    pid = populated.records[220]["id"]
    token = csrf(client, f"/papers/{pid}")
    first = client.post("/comment", data={"csrf_token": token, "paper": pid, "body": "Frist!"},
                        follow_redirects=False).headers["location"].rsplit("-", 1)[1]
    alone = client.post("/comment", data={"csrf_token": token, "paper": pid, "body": "A second thought"},
                        follow_redirects=False).headers["location"].rsplit("-", 1)[1]
    page = client.post(f"/comments/{first}/edit", data={"csrf_token": token, "body": "First, **really**."})
    assert page.status_code == 200 and "<strong>really</strong>" in page.text and ">edited</span>" in page.text
    for bad in ("", "x" * 10_001):
        assert client.post(f"/comments/{first}/edit", data={"csrf_token": token, "body": bad}).status_code == 400
    client.cookies.clear()
    sign_up(client, "replier")
    other = csrf(client, f"/papers/{pid}")
    client.post("/comment", data={"csrf_token": other, "paper": pid, "body": "A reply", "reply_to": first})
    assert client.post(f"/comments/{first}/edit", data={"csrf_token": other, "body": "hijack"}).status_code == 404
    assert client.post(f"/comments/{first}/delete", data={"csrf_token": other}).status_code == 404
    assert client.post("/comments/99999999999/delete", data={"csrf_token": other}).status_code == 400
    client.cookies.clear()
    client.post("/signin", data={"csrf_token": csrf(client), "username": "writer",
                                 "password": "correct horse battery"})
    token = csrf(client, f"/papers/{pid}")
    client.post(f"/comments/{alone}/delete", data={"csrf_token": token})
    page = client.post(f"/comments/{first}/delete", data={"csrf_token": token}).text
    assert "A second thought" not in page  # gone for good
    assert "First, " not in page and "[deleted]" in page and "A reply" in page  # the reply keeps its thread
    client.cookies.clear()


def test_search_shows_a_count_and_facets_that_narrow_it(client, populated):
    page = client.get("/search", params={"q": "diffusion"}).text
    count = re.search(r'<span class="count">(\d+)(\+?) results?</span>', page)
    assert count and int(count.group(1)) >= 10
    link = re.search(r'Category: <a href="(/search\?q=[^"]+)" title="only these">([^<]+)</a> <small>(\d+)</small>',
                     page)
    assert link, "no category facet"
    narrowed = client.get(html.unescape(link.group(1))).text
    shown = re.findall(r'<h2><a href="/papers/([^"]+)"', narrowed)
    cats = {r["id"]: r["categories"] for r in populated.records}
    assert shown and all(link.group(2) in cats[pid] for pid in shown)
    from paperboard.ids import is_arxiv_category
    coded = next(r for r in populated.records if not all(is_arxiv_category(c) for c in r["categories"]))
    paper = client.get(f"/papers/{coded['id']}").text
    others = [c for c in coded["categories"] if not is_arxiv_category(c)]
    assert f'<span class="classes" title="other classification codes (MSC, ACM)">{", ".join(others)}</span>' in paper
    assert not any(f'category={c}"' in paper for c in others)  # never offered as an arXiv category


def test_writes_need_an_account(client):
    client.cookies.clear()
    assert client.get("/submit", follow_redirects=False).headers["location"].startswith("/signin")
    r = client.post("/comment", data={"csrf_token": csrf(client), "paper": XSS_ID, "body": "hi"})
    assert r.status_code == 401


def test_an_empty_store_welcomes_without_operator_commands(tmp_path, db_url):
    from fastapi.testclient import TestClient

    from paperboard.config import load_config
    from paperboard.web.app import create_app

    config = load_config({}, data_dir=str(tmp_path), database_url=db_url, secret_key="k")
    with TestClient(create_app(config, fetch_from_arxiv=False)) as c:
        r = c.get("/")
        assert r.status_code == 200 and "no papers here yet" in r.text
        # the command line is for the operator's terminal, not the public
        assert "paperboard ingest" not in r.text and "<pre>" not in r.text
        assert c.get("/new").status_code == 200
        assert c.get("/search?q=anything").status_code == 200
        assert c.get("/api/daily_papers").json() == []


def test_a_store_without_submissions_opens_on_the_newest_papers(tmp_path, db_url):
    from fastapi.testclient import TestClient

    from paperboard.config import load_config
    from paperboard.ingest.files_job import ingest_file
    from paperboard.storage.engine import open_database
    from paperboard.web.app import create_app
    from tests.web.data import corpus_records

    config = load_config({}, data_dir=str(tmp_path), database_url=db_url, secret_key="k")
    dump = tmp_path / "papers.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in corpus_records(50)))
    ingest_file(open_database(config.database_url), str(dump))
    with TestClient(create_app(config, fetch_from_arxiv=False)) as c:
        r = c.get("/")
        assert r.status_code == 200 and "No one has submitted a paper" in r.text
        assert r.text.count('class="entry"') > 0
        assert "paperboard ingest" not in r.text


def test_redirects_after_a_form_stay_on_the_site(client, populated):
    sign_up(client, "frank")
    pid = populated.records[5]["id"]
    for referer in ["https://evil.example/x", "//evil.example/x", "/\\evil.example"]:
        r = client.post("/upvote", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid},
                        headers={"Referer": referer}, follow_redirects=False)
        assert r.headers["location"] == f"/papers/{pid}", referer
    r = client.post("/upvote", data={"csrf_token": csrf(client, f"/papers/{pid}"), "paper": pid, "undo": "1"},
                    headers={"Referer": "/papers/date/2025-03-20"}, follow_redirects=False)
    assert r.headers["location"] == "/papers/date/2025-03-20"
    for nxt in ["//evil.example", "https://evil.example", "/\\evil.example"]:
        client.post("/signout", data={"csrf_token": csrf(client, "/")})
        r = client.post("/signin", data={"csrf_token": csrf(client), "username": "frank", "next": nxt,
                                         "password": "correct horse battery"}, follow_redirects=False)
        assert r.headers["location"] == "/"


def test_healthz_reports_freshness(client, populated):
    """The test store's newest papers are from 2025: stale (a non-200 for monitors), while /livez, which
    load balancers ask, says the site serves."""
    answer = client.get("/healthz")
    body = answer.json()
    newest = max(r["listed"] for r in populated.records)
    age = (dt.datetime.now(dt.UTC).date() - dt.date.fromisoformat(newest)).days
    assert answer.status_code == 503 and body["status"] == "stale" and body["stale"] is True
    assert body["newest_listing_day"] == newest and body["stale_after_days"] == 4
    assert body["newest_listing_age_days"] == age
    assert body["index_lag"] == 0 and body["last_harvest"] is None  # indexed; no worker has run here
    assert client.get("/livez").json() == {"status": "live"}


def test_a_store_is_stale_only_past_the_days_it_is_given():
    from paperboard.web.faults import is_stale, listing_age

    today = dt.date(2026, 12, 7)
    assert listing_age(dt.date(2026, 12, 3), today) == 4 and listing_age(None, today) is None
    assert not is_stale(4, 4) and is_stale(5, 4) and is_stale(None, 4)  # a store without papers: stale
    assert not is_stale(158, 0) and not is_stale(None, 0)  # 0: never


def test_citations_for_a_paper_a_day_a_search_and_a_collection(client, populated):
    import rispy

    from tests.web.data import DAYS, PER_DAY

    paper = populated.records[400]
    r = client.get(f"/papers/{paper['id']}.ris")
    assert r.headers["content-type"].startswith("application/x-research-info-systems")
    (record,) = rispy.loads(r.text)
    assert record["title"] == paper["title"] and len(record["authors"]) == len(paper["authors"])
    item = json.loads(client.get(f"/papers/{paper['id']}.csl.json").text)[0]
    assert item["title"] == paper["title"] and item["URL"].endswith(paper["id"])
    day = client.get(f"/papers/date/{DAYS[0]}.bib").text
    assert day.count("@misc{") + day.count("@article{") == PER_DAY
    assert len(rispy.loads(client.get("/papers/week/2025-W12.ris").text)) == 3 * PER_DAY
    found = json.loads(client.get("/search.csl.json", params={"q": paper["title"]}).text)
    assert found[0]["URL"].endswith(paper["id"])
    assert client.get("/search.ris").status_code == 400  # q is required
    assert client.get("/papers/date/2025-02-30.bib").status_code == 400
    assert client.get("/papers/2501.99999.ris").status_code == 404


def test_paper_pages_carry_the_tags_reference_managers_read(client, populated):
    paper = populated.records[401]
    html = client.get(f"/papers/{paper['id']}").text
    assert f'<meta name="citation_arxiv_id" content="{paper["id"]}">' in html
    assert html.count('<meta name="citation_author"') == len(paper["authors"])
    assert re.search(r'<meta name="citation_publication_date" content="\d{4}/\d\d/\d\d">', html)
    assert '<meta property="og:title"' in html and '<meta name="citation_title"' in html
    xss = client.get(f"/papers/{XSS_ID}").text  # a title full of markup stays text in the tags too
    assert '<meta name="citation_title" content="&lt;script&gt;' in xss and "<script>alert" not in xss


def test_importing_a_reference_list_into_a_collection(client, populated):
    sign_up(client, "iris")
    first, second, third = (populated.records[i]["id"] for i in (410, 411, 412))
    r = client.post("/collections", data={"csrf_token": csrf(client, "/"), "name": "Imported"},
                    follow_redirects=False)
    cid = r.headers["location"].rsplit("/", 1)[1]
    token = csrf(client, f"/collections/{cid}")
    bib = f"@misc{{a, eprint={{{first}}}, archivePrefix={{arXiv}}}}\n@article{{b, journal={{Nature}}}}\n"
    r = client.post(f"/collections/{cid}/import", data={"csrf_token": token},
                    files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})
    assert r.status_code == 200 and "Added 1 paper." in r.text and "1 entries name no arXiv paper" in r.text
    pasted = f"{first}\nhttps://arxiv.org/abs/{second}v2\n{third}"
    r = client.post(f"/collections/{cid}/import", data={"csrf_token": token, "references": pasted})
    assert "Added 2 papers." in r.text and "1 were already in the collection" in r.text
    exported = client.get(f"/collections/{cid}.bib").text
    assert [first, second, third] == [e for e in (first, second, third) if e in exported]
    # hostile: no token, nothing to import, not text, someone else's collection
    assert client.post(f"/collections/{cid}/import", data={"references": first}).status_code == 403
    assert client.post(f"/collections/{cid}/import", data={"csrf_token": token}).status_code == 400
    r = client.post(f"/collections/{cid}/import", data={"csrf_token": token},
                    files={"file": ("x.bin", bytes(range(256)), "application/octet-stream")})
    assert r.status_code == 400 and "not text" in r.text
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    sign_up(client, "mallory2")
    r = client.post(f"/collections/{cid}/import", data={"csrf_token": csrf(client, f"/collections/{cid}"),
                                                        "references": first})
    assert r.status_code in (400, 404) and "owner" in r.text


def test_claiming_authorship_and_an_administrator_confirming_it(client, populated):
    from paperboard.community.accounts import find_user, set_admin

    paper = populated.records[420]
    sign_up(client, "kai")
    r = client.post("/papers/claim", data={"csrf_token": csrf(client, f"/papers/{paper['id']}"),
                                           "paper": paper["id"], "author": paper["authors"][0]})
    assert r.status_code == 200 and "waiting for an administrator" in r.text
    assert client.get("/claims").status_code == 403  # kai is no administrator
    assert "pending" in client.get("/users/kai").text
    client.post("/signout", data={"csrf_token": csrf(client, "/")})
    sign_up(client, "boss")
    with populated.engine.begin() as conn:
        set_admin(conn, find_user(conn, "boss"), True)
    waiting = client.get("/claims")
    assert waiting.status_code == 200 and "kai" in waiting.text and paper["id"] in waiting.text
    claim_id = re.search(r'action="/claims/(\d+)"', waiting.text).group(1)
    assert client.post(f"/claims/{claim_id}", data={"csrf_token": csrf(client, "/claims"),
                                                    "decision": "maybe"}).status_code == 400
    done = client.post(f"/claims/{claim_id}", data={"csrf_token": csrf(client, "/claims"), "decision": "confirm"})
    assert "confirmed" in done.text
    page = client.get(f"/papers/{paper['id']}").text
    assert 'class="verified" href="/users/kai"' in page
    assert paper["title"] in client.get("/users/kai").text  # the profile lists the paper
    assert client.post("/claims/99999999", data={"csrf_token": csrf(client, "/claims"),
                                                 "decision": "refuse"}).status_code == 404
    client.post("/signout", data={"csrf_token": csrf(client, "/")})


def test_a_corrected_search_says_so_and_offers_the_words_as_typed(client):
    r = client.get("/search", params={"q": "difusion modles"})
    assert r.status_code == 200
    said = re.search(r'Showing results for <strong>([^<]+)</strong>', r.text)
    assert said and said.group(1) == "diffusion models", r.text[:2000]
    link = re.search(r'Search instead for <a href="([^"]+)">difusion modles</a>', r.text)
    assert link and "exact=1" in link.group(1)
    exact = client.get(link.group(1).replace("&amp;", "&"))
    assert exact.status_code == 200 and "Showing results for" not in exact.text
    assert "<mark>diffusion</mark>" in r.text.lower() or "<mark>Diffusion</mark>" in r.text


def test_recent_papers_first_when_asked_and_related_work_from_a_pasted_abstract(client, populated):
    import datetime as dt

    def mean_day(params) -> float:
        html = client.get("/search", params=params).text
        found = re.findall(r'<p class="meta">[^<]*· (\d{4}-\d\d-\d\d)', html)
        assert len(found) == 10, params
        return sum(dt.date.fromisoformat(d).toordinal() for d in found) / len(found)

    for q in ("graph neural networks", "language model reasoning"):
        assert mean_day({"q": q, "recent": "true"}) >= mean_day({"q": q})
    paper = populated.records[430]
    r = client.get("/search", params={"related": paper["summary"]})
    assert r.status_code == 200 and "Related work" in r.text
    found = re.findall(r'<h2><a href="/papers/([^"]+)"', r.text)
    assert len(found) == 20 and found[0] == paper["id"]  # the paper the abstract is from, then its neighbours
    assert client.get("/search", params={"related": "x" * 20_001}).status_code == 400


def test_cards_show_the_date_and_every_category_and_the_category_filter_ignores_case(client, populated):
    with_many = next(r for r in populated.records if len(r["categories"]) >= 3)
    page = client.get("/new", params={"day": with_many["listed"], "category": with_many["categories"][0].upper()})
    assert page.status_code == 200 and f"in {with_many['categories'][0]}" in page.text  # spelled as arXiv does
    author_page = client.get(f"/authors/{with_many['authors'][0]}").text  # a page with few cards
    card = author_page[author_page.index(f'href="/papers/{with_many["id"]}"'):]
    card = card[:card.index("</article>")]
    assert all(f">{c}</a>" in card for c in with_many["categories"]) and "<time datetime=" in card
    assert '<datalist id="categories">' in page.text and f'<option value="{with_many["categories"][0]}">' in page.text
    lower = client.get("/search", params={"q": "learning", "category": with_many["categories"][0].lower()})
    ids = re.findall(r'<h2><a href="/papers/([^"]+)"', lower.text)
    cats = {r["id"]: r["categories"] for r in populated.records}
    assert ids and all(with_many["categories"][0] in cats[i] for i in ids)


def test_paper_pages_cards_and_search_show_the_gist_and_link_its_keywords(client, populated):
    record = populated.records[-3]  # not on the imported feed: the gist written at ingest
    page = client.get(f"/papers/{record['id']}").text
    sentence = re.search(r'<p class="tldr"><strong>In one sentence:</strong> (.+?)</p>', page).group(1)
    assert 0 < len(sentence) <= 300 and sentence[1:30] in " ".join(record["summary"].split())
    keywords = re.findall(r'<a class="kw" href="/search\?q=%22([^"]+)%22">([^<]+)</a>', page)
    assert 3 <= len(keywords) <= 8
    assert all(quoted and shown for quoted, shown in keywords)  # each a phrase search for the keyword
    phrases = " ".join(f'"{html.unescape(shown)}"' for _, shown in keywords[:3])
    found = client.get("/search", params={"q": phrases}).text
    assert f'href="/papers/{record["id"]}"' in found  # its keywords find the paper they came from
    author_page = client.get(f"/authors/{record['authors'][0]}").text
    card = author_page[author_page.index(f'href="/papers/{record["id"]}"'):]
    card = card[:card.index("</article>")]
    assert 'class="abstract tldr"' in card and 'class="kw"' in card


def test_feeds_take_the_filter_language(client, populated):
    from collections import Counter

    from paperboard.filter_rules import matches
    from paperboard.filter_terms import feed_terms
    from paperboard.storage.papers import fetch_many
    from tests.web.data import DAYS

    cats = {r["id"]: r["categories"] for r in populated.records}
    text = {r["id"]: f"{r['title']} {r['summary']}".lower() for r in populated.records}

    def listed(path, **params):
        page = client.get(path, params=params)
        assert page.status_code == 200, page.text
        return re.findall(r'<h2><a href="/papers/([^"]+)"', page.text)

    day = f"/papers/date/{DAYS[0]}"
    every = listed(day)
    share = Counter(c for pid in every for c in cats[pid])
    common = max((c for c, n in share.items() if n < len(every)), key=lambda c: share[c])  # some, not all
    without = listed(day, q=f"-category:{common}")
    assert without and len(without) < len(every) and not any(common in cats[p] for p in without)
    within = listed(day, q=f"category:{common.lower()}")  # spelled as arXiv does, whatever the case
    assert sorted(within + without) == sorted(every)
    word = "learning"  # any form of it ("learns", "learned"), as filter_rules.matches reads the paper
    with populated.engine.connect() as conn:
        stored = fetch_many(conn, every)
    holding = {p for p in every if matches(feed_terms(word), stored[p])}
    assert 0 < len(holding) < len(every)
    assert set(listed(day, q=word)) == holding and set(listed(day, q=f"-{word}")) == set(every) - holding
    assert all("learn" in text[p] for p in holding)
    new = listed("/new", day=populated.records[0]["listed"], q=f"-category:{common}")
    assert new and not any(common in cats[p] for p in new)
    assert all(common in cats[p] for p in listed("/papers/trending", q=f"category:{common}"))
    feed = client.get("/feeds/daily.atom", params={"q": f"category:{common}"})
    ids = re.findall(r"<id>[^<]*/papers/([^<]+)</id>", feed.text)
    assert feed.status_code == 200 and ids and all(common in cats[p] for p in ids)
    for bad, says in (("has:nothing", "has:code or has:project"), ("since:2025-99", "is not a date")):
        refused = client.get("/", params={"q": bad})
        assert refused.status_code == 400 and says in refused.text
