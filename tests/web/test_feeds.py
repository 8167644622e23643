"""The daily feeds, trending and the new listings through HTTP, on SQLite and PostgreSQL."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

from paperboard.feeds import daily
from paperboard.feeds.ranking import trending_score
from tests.web.conftest import sign_up, sites
from tests.web.data import DAYS, PER_DAY, XSS_ID, XSS_TITLE, hf_daily_items

populated = sites("sqlite", "sqlite-served", "postgres-served")  # in the test process, and served over HTTP

ATOM = "{http://www.w3.org/2005/Atom}"
ENTRY_TITLE = re.compile(r'<h2><a href="/papers/([^"]+)">')
UPVOTES = re.compile(r'<span class="count">(\d+)</span>')


def ids_on(html: str) -> list[str]:
    return ENTRY_TITLE.findall(html)


def test_home_is_the_latest_day_ranked_by_upvotes(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Thursday, 20 March 2025" in r.text
    ids = ids_on(r.text)
    assert len(ids) == PER_DAY
    votes = [int(v) for v in UPVOTES.findall(r.text)]
    assert votes == sorted(votes, reverse=True)
    assert "submitted by" in r.text and "Curator 0" in r.text
    # names from an imported feed are not local accounts: never a link to a user page
    assert 'submitted by <span class="imported"' in r.text and "submitted by <a" not in r.text


def test_day_week_month_pages_and_their_navigation(client):
    day = client.get(f"/papers/date/{DAYS[1]}")
    assert len(ids_on(day.text)) == PER_DAY
    assert f'href="/papers/date/{DAYS[0]}" rel="prev"' in day.text
    assert f'href="/papers/date/{DAYS[2]}" rel="next"' in day.text
    week = client.get("/papers/week/2025-W12")
    assert len(ids_on(week.text)) == 30  # the first page of 45
    assert "Page 1 of 2" in week.text
    second = client.get("/papers/week/2025-W12?page=2&sort=upvotes")
    assert len(ids_on(second.text)) == PER_DAY * 3 - 30
    assert set(ids_on(week.text)).isdisjoint(ids_on(second.text))
    month = client.get("/papers/month/2025-03")
    assert month.status_code == 200 and "March 2025" in month.text
    empty = client.get("/papers/date/2024-01-01")
    assert empty.status_code == 200 and "No papers were submitted" in empty.text
    assert f'href="/papers/date/{DAYS[0]}" rel="next"' in empty.text


def test_bad_periods_are_a_clear_400(client):
    for path, words in [("/papers/date/2025-02-30", "real day"), ("/papers/week/2025-W60", "ISO week"),
                        ("/papers/month/2025-13", "YYYY-MM"), ("/papers/trending?from=yesterday", "YYYY-MM-DD")]:
        r = client.get(path)
        assert r.status_code == 400, path
        assert words in r.text


def test_trending_decays_with_age(client, populated):
    r = client.get("/papers/trending")
    assert r.status_code == 200 and "hours since submission" in r.text
    ids = ids_on(r.text)
    now = dt.datetime.now(dt.UTC)
    submitted = {i["paper"]["id"]: (i["paper"]["upvotes"], dt.datetime.fromisoformat(i["publishedAt"]))
                 for i in hf_daily_items(populated.records)}
    decayed = sorted(submitted, key=lambda pid: (-trending_score(*submitted[pid], now), pid))
    assert ids == decayed[:30]
    # seen from the evening of the last day (the site's clock is today), age outweighs some votes
    evening = dt.datetime.fromisoformat(f"{DAYS[-1]}T23:00:00+00:00")
    with populated.engine.connect() as conn:
        then = [e.paper.id for e in daily.daily_papers(conn, daily.DailyQuery(sort="trending", limit=45),
                                                       now=evening).entries]
    assert then == sorted(submitted, key=lambda pid: (-trending_score(*submitted[pid], evening), pid))
    assert any(submitted[a][0] < submitted[b][0] for a, b in itertools.pairwise(then))  # fresher first
    assert then[:5] != sorted(submitted, key=lambda pid: -submitted[pid][0])[:5]
    ranged = client.get(f"/papers/trending?from={DAYS[0]}&until={DAYS[0]}")
    assert len(ids_on(ranged.text)) == PER_DAY
    sorted_day = client.get(f"/papers/date/{DAYS[2]}?sort=trending")
    assert set(ids_on(sorted_day.text)) == set(ids_on(client.get(f"/papers/date/{DAYS[2]}").text))


def test_new_listing_by_day_and_category(client, populated):
    r = client.get("/new")
    assert r.status_code == 200
    latest = max(rec["listed"] for rec in populated.records)
    assert f'value="{latest}"' in r.text
    lg = client.get(f"/new?day={latest}&category=cs.LG")
    expected = {rec["id"] for rec in populated.records if rec["listed"] == latest and "cs.LG" in rec["categories"]}
    assert f"{len(expected)} papers" in lg.text
    assert set(ids_on(lg.text)) <= expected
    assert client.get("/new?day=20250320").status_code == 400
    assert "No papers in no.such" in client.get(f"/new?day={latest}&category=no.such").text


def test_a_filtered_listing_splits_the_day_by_the_filter(client, populated):
    """has:, dates and words are conditions on each listed paper (they once held for every paper of the
    day as soon as one paper met them)."""
    latest = max(rec["listed"] for rec in populated.records)

    def count(q: str) -> int:
        r = client.get("/new", params={"day": latest, "q": q})
        assert r.status_code == 200
        found = re.search(r"([\d,]+) papers?", r.text)
        return int(found.group(1).replace(",", "")) if found else 0

    total = count("")
    for term in ("has:code", "model", "author:wang"):
        assert 0 < count(term) < total and count(term) + count(f"-{term}") == total, term
    assert count(f"since:{latest}") == total
    assert client.get("/new", params={"day": latest, "q": f"-since:{latest}"}).status_code == 400


def test_markup_in_titles_and_abstracts_is_text_everywhere(client):
    urls = [f"/papers/{XSS_ID}", "/search?q=attention&author=Ada+Lovelace", "/authors/Ada Lovelace",
            "/new?day=2025-03-20&category=cs.LG&page=1"]
    pages = [client.get(url).text for url in urls]
    for url, html in zip(urls, pages, strict=True):
        assert f'href="/papers/{XSS_ID}"' in html or url.startswith("/papers/"), f"{url} lacks the paper"
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>is</b>" not in html, url
        assert "&lt;b&gt;is&lt;/b&gt;" in html, url  # the title is there, as text
        assert "Mallory &lt;i&gt;Tables&lt;/i&gt;" in html and "<i>Tables" not in html, url  # and the author
    paper = pages[0]
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in paper or "&lt;script&gt;" in paper
    assert "<math" in paper and "<mi>α</mi>" in paper  # TeX rendered as MathML
    assert "javascript:" not in paper.split("<main>")[1].split('class="comment-note"')[0]


def test_atom_feeds_are_valid_and_escaped(client):
    for path in ["/feeds/daily.atom", "/feeds/trending.atom", "/feeds/search.atom?q=attention"]:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(r.content)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        assert root.findall("{http://www.w3.org/2005/Atom}entry")
    assert client.get("/feeds/search.atom?q=").status_code == 400
    # the paper full of markup: its title, authors and abstract come back as the same text, never as
    # elements (a feed reader renders the text, it runs no script)
    found = client.get("/feeds/search.atom", params={"q": "attention", "author": "Ada Lovelace"})
    entry = next(e for e in ET.fromstring(found.content).iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}id", "").endswith(f"/papers/{XSS_ID}"))
    assert entry.findtext(f"{ATOM}title") == XSS_TITLE
    assert [a.findtext(f"{ATOM}name") for a in entry.iter(f"{ATOM}author")] == ["Mallory <i>Tables</i>",
                                                                                "Ada Lovelace"]
    assert "<img src=x onerror=alert(1)>" in entry.findtext(f"{ATOM}summary")
    assert {el.tag for el in entry.iter()} <= {f"{ATOM}{t}" for t in (
        "entry", "title", "id", "link", "updated", "published", "author", "name", "category", "summary")}
    assert b"<script>" not in found.content and b"&lt;script&gt;" in found.content


def test_author_and_submitter_pages(client, populated):
    first = populated.records[0]
    r = client.get(f"/authors/{first['authors'][0]}")
    assert r.status_code == 200 and first["id"] in r.text
    assert client.get("/authors/Nobody%20Ever%20Wrote").status_code == 404
    assert client.get("/users/curator1").status_code == 404  # an imported name never is an account
    by_name = client.get("/api/daily_papers", params={"submitter": "curator1", "limit": 100}).json()
    assert len(by_name) == 15 and {i["submittedBy"]["name"] for i in by_name} == {"curator1"}
    sign_up(client, "curator1")  # whoever takes the name is not credited with the imported submissions
    u = client.get("/users/curator1")
    assert u.status_code == 200 and "Submitted papers (0)" in u.text
    assert len(client.get("/api/daily_papers", params={"submitter": "curator1", "limit": 100}).json()) == 15
    assert client.get("/users/no-such-user").status_code == 404
    client.cookies.clear()  # the other tests read as an anonymous visitor


def test_empty_days_keep_their_way_to_the_neighbours(client):
    empty = client.get("/papers/date/2025-03-22")  # a Saturday after the last submitted day
    assert empty.status_code == 200 and "No papers were submitted" in empty.text
    assert f'href="/papers/date/{DAYS[-1]}" rel="prev"' in empty.text
    before = client.get("/papers/date/2025-03-01")
    assert f'href="/papers/date/{DAYS[0]}" rel="next"' in before.text
    quiet = client.get("/new", params={"day": "2025-03-22"})
    assert quiet.status_code == 200 and 'rel="prev"' in quiet.text


def test_the_digest_preview_opens_on_an_edition_with_content(client):
    preview = client.get("/digest/preview")
    assert preview.status_code == 200
    assert re.search(r"/papers/\d{4}\.\d{4,5}", preview.text)  # trending papers, not an empty edition
