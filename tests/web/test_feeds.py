"""The daily feeds, trending and the new listings through HTTP, on SQLite and PostgreSQL."""

import re
import xml.etree.ElementTree as ET

from tests.web.conftest import sign_up, sites
from tests.web.data import DAYS, PER_DAY, XSS_ID

populated = sites("sqlite", "sqlite-served", "postgres-served")  # in the test process, and served over HTTP

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
    assert "/users/curator" not in r.text  # names from an imported feed are not local accounts


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


def test_trending_decays_with_age(client):
    r = client.get("/papers/trending")
    assert r.status_code == 200 and "hours since submission" in r.text
    ids = ids_on(r.text)
    assert len(ids) == 30
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


def test_markup_in_titles_and_abstracts_is_text_everywhere(client):
    pages = [client.get(f"/papers/date/{DAYS[2]}").text, client.get(f"/papers/{XSS_ID}").text,
             client.get("/search?q=attention+what+you+need").text, client.get("/new?day=2025-03-20").text]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>is</b>" not in html
    paper = pages[1]
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
