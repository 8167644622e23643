"""Pure parts of the feeds and the site: periods, trending, safe rendering, citations, HF shapes, limits."""

import dataclasses
import datetime as dt

import pytest
from huggingface_hub.utils import parse_datetime

from paperboard import hf_json
from paperboard.cite import bibtex, bibtex_all, bibtex_key, markdown_page
from paperboard.feeds import periods
from paperboard.feeds.entries import Entry
from paperboard.feeds.ranking import trending_score
from paperboard.models import Author, Paper
from paperboard.text import plain_excerpt
from paperboard.web.render import markdown, rich_text
from paperboard.web.security import Limit, MemoryCounts, RateLimiter, csrf_ok, csrf_token

UTC = dt.UTC


# --- periods -------------------------------------------------------------------------------------------

def test_periods_parse_and_step():
    day = periods.parse("date", "2024-02-29")
    assert (day.start, day.end, day.slug) == (dt.date(2024, 2, 29), dt.date(2024, 3, 1), "2024-02-29")
    assert day.shifted(1).slug == "2024-03-01" and day.path == "/papers/date/2024-02-29"
    week = periods.parse("week", "2025-W01")
    assert week.start == dt.date(2024, 12, 30) and week.end == dt.date(2025, 1, 6)  # ISO weeks cross years
    assert week.shifted(-1).slug == "2024-W52" and week.shifted(1).slug == "2025-W02"
    month = periods.parse("month", "2024-12")
    assert (month.start, month.end) == (dt.date(2024, 12, 1), dt.date(2025, 1, 1))
    assert month.shifted(1).slug == "2025-01" and month.shifted(-12).slug == "2023-12"
    assert periods.containing("week", dt.date(2025, 3, 20)).slug == "2025-W12"


@pytest.mark.parametrize("kind, text", [("date", "2023-02-29"), ("date", "20250101"), ("date", ""),
                                        ("week", "2025-W54"), ("week", "2025-12"), ("month", "2025-00"),
                                        ("month", "2025-13"), ("year", "2025")])
def test_bad_periods_say_what_was_expected(kind, text):
    with pytest.raises(periods.PeriodError):
        periods.parse(kind, text)


# --- trending ------------------------------------------------------------------------------------------

def test_trending_prefers_votes_and_freshness():
    now = dt.datetime(2025, 3, 20, 12, tzinfo=UTC)
    hours = lambda h: now - dt.timedelta(hours=h)  # noqa: E731
    assert trending_score(10, hours(5), now) > trending_score(5, hours(5), now)
    assert trending_score(10, hours(5), now) > trending_score(10, hours(50), now)
    assert trending_score(0, hours(1), now) > trending_score(0, hours(30), now)  # fresh, no votes yet
    # the worked example in the module docstring: 10 votes a day ago ~ 52 votes three days ago
    ratio = trending_score(10, hours(24), now) / trending_score(52, hours(72), now)
    assert 0.9 < ratio < 1.1
    assert trending_score(3, now + dt.timedelta(hours=1), now) == trending_score(3, now, now)  # clock skew


# --- rendering ------------------------------------------------------------------------------------------

def test_rich_text_renders_math_and_escapes_everything_else():
    out = str(rich_text("Costs $5 and $10; if $x<y$ then \\(\\alpha\\). <b>no</b>\n\nNew paragraph."))
    assert "$5 and $10" in out  # currency is not math
    assert out.count("<math") == 2 and "<mo>&lt;</mo>" in out and "<mi>α</mi>" in out
    assert "&lt;b&gt;no&lt;/b&gt;" in out and out.count("<p>") == 2


@pytest.mark.parametrize("tex", ["$\\text{<script>alert(1)</script>}$", "$\\href{javascript:alert(1)}{x}$",
                                 "$x$<img src=x onerror=alert(1)>", "$" + "x^" * 300 + "$"])
def test_rich_text_never_emits_markup_from_input(tex):
    out = str(rich_text(tex))
    assert "<script" not in out and "<img" not in out and "javascript:" not in out.replace("&", "")
    assert "onerror=" not in out or "&lt;img" in out


def test_markdown_comments_are_sanitised():
    out = str(markdown("**hi** <script>x</script> [a](javascript:alert(1)) ![p](https://t/p.png) [ok](https://o.org)"))
    assert "<strong>hi</strong>" in out and "&lt;script&gt;" in out
    assert 'href="javascript' not in out and "<img" not in out
    assert '<a href="https://o.org" rel="nofollow noopener ugc">ok</a>' in out


def test_plain_excerpt_cuts_at_a_word():
    assert plain_excerpt("a $x$ b") == "a x b"
    cut = plain_excerpt("word " * 100, limit=50)
    assert cut.endswith("…") and len(cut) <= 51 and not cut[:-1].endswith(" ")


# --- citations -----------------------------------------------------------------------------------------

PAPER = Paper(id="2309.12288", title="The Reversal Curse: LLMs trained on \"A is B\" fail {sometimes} & 100% $x_1$",
              authors=(Author("Lukas Berglund"), Author("Meg Tong")), categories=("cs.CL",),
              published=dt.date(2023, 9, 21), links={"abs": "https://arxiv.org/abs/2309.12288"})


def test_bibtex_entry():
    entry = bibtex(PAPER)
    assert entry.startswith("@misc{berglund2023reversal,\n")
    assert "author = {Lukas Berglund and Meg Tong}" in entry
    assert r"\{sometimes\} \& 100\% $x_1$" in entry  # specials escaped, math kept
    assert "eprint = {2309.12288}" in entry and "primaryClass = {cs.CL}" in entry
    assert entry.count("{") == entry.count("}") + entry.count(r"\}") - entry.count(r"\{")
    both = bibtex_all([PAPER, PAPER])
    assert "{berglund2023reversal," in both and "{berglund2023reversalb," in both  # the first keeps its key, like an implicit a
    assert bibtex_key(Paper(id="title:abc", title="")) == "paper"


def test_markdown_page():
    text = markdown_page(PAPER, upvotes=3, base_url="http://x")
    assert text.startswith("# The Reversal Curse") and "**Upvotes:** 3" in text
    assert "- [Paperboard](http://x/papers/2309.12288)" in text
    assert "In one sentence" not in text  # no gist yet: no line for it
    gisted = markdown_page(dataclasses.replace(PAPER, gist="We show the curse.", keywords=("reversal curse", "LLMs")))
    assert "**In one sentence:** We show the curse.\n\n**Keywords:** reversal curse, LLMs" in gisted


# --- Hugging Face shapes ---------------------------------------------------------------------------------

def test_hf_timestamps_parse_with_huggingface_hub():
    when = dt.datetime(2025, 3, 20, 8, 5, 6, 789000, tzinfo=UTC)
    assert hf_json.timestamp(when) == "2025-03-20T08:05:06.789Z"
    assert parse_datetime(hf_json.timestamp(when)) == when
    assert parse_datetime(hf_json.timestamp(dt.date(2025, 3, 20))) == dt.datetime(2025, 3, 20, tzinfo=UTC)
    assert hf_json.timestamp(None) is None


def test_hf_daily_item_shape():
    entry = Entry(PAPER, upvotes=7, comments=2, day=dt.date(2025, 3, 20),
                  submitted_at=dt.datetime(2025, 3, 20, 9, tzinfo=UTC), submitter="ada", submitter_name="Ada L")
    item = hf_json.daily_item(entry)
    assert item["paper"]["upvotes"] == 7 and item["numComments"] == 2
    assert item["submittedBy"]["name"] == "ada" and item["submittedBy"]["fullname"] == "Ada L"
    assert item["paper"]["submittedOnDailyAt"] == item["publishedAt"] == "2025-03-20T09:00:00.000Z"
    assert item["paper"]["publishedAt"] == "2023-09-21T00:00:00.000Z"
    bare = hf_json.daily_item(Entry(PAPER))
    assert "submittedBy" not in bare and bare["publishedAt"] == "2023-09-21T00:00:00.000Z"


def test_hub_fields_are_always_there_and_only_of_their_own_types():
    bare = hf_json.daily_item(Entry(PAPER))
    for where in (bare, bare["paper"]):
        assert set(hf_json.HUB_KEYS) <= set(where)
        assert where["ai_summary"] is None and where["ai_keywords"] is None and where["organization"] is None
        assert where["linkedSpaces"] == [] and where["numTotalSpaces"] == 0
    hostile = {"ai_summary": ["not", "text"], "ai_keywords": "one string", "githubStars": True,
               "organization": {"name": "lab", "avatar": "javascript:alert(1)"}, "mediaUrls": ["https://x.example/a.png"]}
    odd = dataclasses.replace(PAPER, extra={"huggingface": hostile})
    item = hf_json.daily_item(Entry(odd))
    assert (item["ai_summary"], item["ai_keywords"], item["githubStars"]) == (None, None, None)
    assert item["organization"] == {"_id": "lab", "name": "lab", "fullname": "lab", "avatar": "", "avatarUrl": ""}
    assert item["paper"]["mediaUrls"] == [item["thumbnail"]] == [f"/papers/{PAPER.id}/card.png"]  # ours only
    fine = dataclasses.replace(PAPER, extra={"huggingface": {"ai_keywords": ["a", 3, "b"], "githubStars": 7}})
    paper = hf_json.paper(Entry(fine))
    assert paper["ai_keywords"] == ["a", "b"] and paper["githubStars"] == 7


# --- limits and CSRF ---------------------------------------------------------------------------------

def test_rate_limiter_sliding_window():
    now = [9.0]
    limiter = RateLimiter({"signin": Limit(2, 10)}, clock=lambda: now[0])
    assert limiter.retry_after("signin", "k") is None and limiter.retry_after("signin", "k") is None
    assert limiter.retry_after("signin", "k") == 1  # until the window ends
    assert limiter.retry_after("signin", "other") is None
    now[0] = 10.5  # a new fixed window, but the sliding one still holds the burst
    # 3 attempts in the window before, 95% of it still inside the sliding one: wait until its share
    # has fallen to the 1 attempt left, 10 * (1 - 1/3) - 0.5 seconds
    assert limiter.retry_after("signin", "k") == pytest.approx(10 * (1 - 1 / 3) - 0.5)
    now[0] = 17.0  # refused attempts count too: this window alone is over the limit until it ends
    assert limiter.retry_after("signin", "k") == pytest.approx(3.0)
    now[0] = 35.0  # the last attempt is two windows back
    assert limiter.retry_after("signin", "k") is None and limiter.retry_after("signin", "k") is None
    assert limiter.retry_after("signin", "k") is not None


def test_a_client_whose_searches_are_slow_waits_and_a_quick_one_never_does():
    from paperboard.web.security import SLOW_SEARCH, SearchBudget

    now = [100.0]
    budget = SearchBudget(RateLimiter({"slow_search": Limit(3, 60)}, clock=lambda: now[0]), clock=lambda: now[0],
                          max_clients=2)
    for _ in range(50):
        budget.spent("quick", SLOW_SEARCH - 0.01)  # fast searches cost nothing, however many
    assert budget.wait("quick") is None
    for _ in range(3):
        budget.spent("slow", SLOW_SEARCH)
    assert budget.wait("slow") is None  # three slow ones are allowed
    budget.spent("slow", 2.0)
    assert budget.wait("slow") == pytest.approx(20.0)  # refused until its window ends (100 -> 120)
    assert budget.wait("quick") is None  # each client has its own budget
    now[0] = 119.0
    assert budget.wait("slow") == pytest.approx(1.0)
    now[0] = 120.5
    assert budget.wait("slow") is None
    for name, at in (("a", 200.0), ("b", 300.0), ("c", 301.0)):  # past max_clients, ended refusals go
        now[0] = at
        for _ in range(4):
            budget.spent(name, 1.0)
    assert set(budget._refused) == {"b", "c"} and budget.wait("c") is not None


def test_each_wait_is_the_time_until_an_attempt_would_be_allowed():
    """Limit(4, 60): the previous window's count weighs by how much of it the sliding window still
    covers; this window alone over the limit waits for its end; a wait is never under a second."""
    now = [6_000.0]
    limiter = RateLimiter({"write": Limit(4, 60)}, clock=lambda: now[0])

    def at(t):
        now[0] = t
        return limiter.retry_after("write", "me")

    assert [at(t) for t in (6_000, 6_001, 6_002, 6_003)] == [None] * 4
    assert at(6_010) == 50.0  # the fifth in a window with nothing before: until the window ends
    # the next window, 22.5 s in: 5 * (1 - 22.5/60) + 1 = 4.125 > 4; the share falls to 3 (of 5) at
    # 60 * (1 - 3/5) = 24 s in, 1.5 s from now
    assert at(6_082.5) == pytest.approx(1.5)
    # refused attempts count: with 2, 3 and 4 here the share must fall to 2, 1 and 0 of the 5
    assert [at(t) for t in (6_092, 6_093, 6_094)] == pytest.approx([60 * (1 - 2 / 5) - 32,
                                                                   60 * (1 - 1 / 5) - 33, 60 - 34])
    assert at(6_110) == pytest.approx(10.0)  # a fifth: this window alone is over the limit, until its end
    now[0] = 6_000.0
    for _ in range(5):
        limiter.retry_after("write", "other")
    now[0] = 6_083.5  # 0.5 s by the formula (60 * (1 - 3/5) - 23.5), but never less than a second
    assert limiter.retry_after("write", "other") == 1.0


def test_the_counters_a_window_still_needs_survive_a_sweep():
    """With a cap of one counter every new key sweeps: a window's counter lives until two windows on,
    so a burst is still counted after another key's sweep."""
    now = [6_000.0]
    limiter = RateLimiter({"write": Limit(3, 60)}, clock=lambda: now[0], counts=MemoryCounts(max_keys=1))

    def at(t, key="me"):
        now[0] = t
        return limiter.retry_after("write", key)

    assert at(6_000) is None and at(6_001, "someone else") is None  # the second key sweeps
    assert at(6_002) is None and at(6_003) is None
    assert at(6_004) == 56.0  # my fourth: the counter kept through the sweep
    assert at(6_061, "a third") is None  # sweeps again in the next window: mine is still needed there
    assert at(6_062) == pytest.approx(60 * (1 - (3 - 1) / 4) - 2)  # 4 before, weighed


def test_in_memory_counts_forget_finished_windows_past_their_cap_and_keep_live_ones():
    counts = MemoryCounts(max_keys=3)
    assert counts.hit("signin", "a", 0, -10, 20, 0) == (1, 0)
    assert counts.hit("signin", "b", 0, -10, 25, 0) == (1, 0)
    # three counters, at a time when a's first window has expired: at the cap, not over it, so
    # nothing is swept and the window before still counts
    assert counts.hit("signin", "a", 10, 0, 30, 25) == (1, 1)
    # a fourth: over the cap, the finished window (expired at 20) is forgotten, while one that
    # expires at this very second is still live
    assert counts.hit("signin", "c", 10, 0, 30, 25) == (1, 0)
    assert counts.hit("signin", "b", 10, 0, 30, 25) == (1, 1)  # b's window before kept its count
    assert sorted(counts._counts) == [("signin", "a", 10), ("signin", "b", 0), ("signin", "b", 10),
                                      ("signin", "c", 10)]
    roomy = MemoryCounts()
    for window in range(0, 50, 10):
        roomy.hit("signin", "a", window, window - 10, window + 20, 1_000)
    assert len(roomy._counts) == 5  # under the default cap nothing is swept, expired or not


def test_csrf_tokens_are_per_session():
    session: dict = {}
    token = csrf_token(session)
    assert csrf_token(session) == token and csrf_ok(session, token)
    assert not csrf_ok(session, token + "x") and not csrf_ok(session, None) and not csrf_ok({}, token)


# --- the anonymous-page cache -----------------------------------------------------------------------

def test_anonymous_cache_serves_repeats_and_never_shares_personal_pages():
    import asyncio

    from paperboard.web.cache import AnonymousCache

    calls = []

    async def app(scope, receive, send):
        calls.append(scope["path"])
        headers = [(b"content-type", b"text/html")]
        if scope["path"] == "/form":
            headers.append((b"set-cookie", b"session=x"))
        if scope["path"] == "/note":
            headers.append((b"Cache-Control", b"No-Store"))
        status = 404 if scope["path"] == "/missing" else 200
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": f"page {len(calls)}".encode()})

    now = [0.0]
    cache = AnonymousCache(app, ttl=5, clock=lambda: now[0], skip_prefixes=("/signin",))

    def get(path, session=None, method="GET"):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": method, "path": path, "query_string": b"", "session": session or {}}
        asyncio.run(cache(scope, None, send))
        return sent[-1]["body"].decode()

    assert get("/") == "page 1" and get("/") == "page 1"  # second answer from the cache
    assert get("/", session={"sid": "a-session-id"}) == "page 2"  # signed in: always fresh
    assert get("/", session={"flash": [["info", "hi"]]}) == "page 3"
    assert get("/form") == "page 4" and get("/form") == "page 5"  # hands out a cookie: never kept
    assert get("/missing") == "page 6" and get("/missing") == "page 7"  # only 200s are kept
    assert get("/signin") == "page 8" and get("/signin") == "page 9"
    assert get("/", method="POST") == "page 10"
    assert get("/note") == "page 11" and get("/note") == "page 12"  # says no-store: never kept
    now[0] = 5.1
    assert get("/") == "page 13"  # expired


def _cache_client(cache):
    import asyncio

    def get(path, session=None):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "session": session or {}}
        asyncio.run(cache(scope, None, send))
        return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()

    return get


def test_a_page_the_visitors_session_shaped_is_never_kept_for_the_next():
    """A form with the CSRF token this visitor already holds sets no cookie; served to the next visitor
    it would fail their submit (403). A session that holds nothing the page read leaves it cacheable."""
    from paperboard.web.cache import AnonymousCache

    made = []

    async def app(scope, receive, send):
        made.append(1)
        session = scope["session"]
        if scope["path"] == "/form":  # as csrf_token() does: the visitor's token, or a new one
            token = session.get("csrf") or session.setdefault("csrf", f"new{len(made)}")
            body = f"token {token} page {len(made)}"
        else:
            body = f"page {len(made)}"
        session.pop("flash", None)  # every page looks for a message; an absent one tells nothing
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body.encode()})

    get = _cache_client(AnonymousCache(app, ttl=5, clock=lambda: 0.0))
    assert get("/form", {"csrf": "mine"}) == "token mine page 1"
    assert get("/form", {"csrf": "theirs"}) == "token theirs page 2"  # not the first visitor's form
    assert get("/form") == "token new3 page 3"  # (a new token sets a cookie in the real app)
    assert get("/form", {"csrf": "later"}) == "token later page 4"
    assert get("/plain", {"csrf": "mine"}) == "page 5" and get("/plain") == "page 5"  # read nothing: kept


def test_the_anonymous_cache_is_bounded_by_bytes_and_sweeps_what_expired():
    from paperboard.web.cache import AnonymousCache

    sizes = {"/big": 300, "/a": 40, "/b": 40, "/c": 40}
    made = []

    async def app(scope, receive, send):
        made.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        body = b"x" * sizes[scope["path"]]
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    now = [0.0]
    cache = AnonymousCache(app, ttl=5, clock=lambda: now[0], max_body=100, max_bytes=100)
    get = _cache_client(cache)
    assert len(get("/big")) == 300 and len(get("/big")) == 300  # whole, each time, never kept
    assert made == ["/big", "/big"] and cache.bytes == 0
    get("/a"), get("/b"), get("/c")  # 120 bytes: the oldest goes
    assert cache.bytes == 80 and list(cache._entries) == [b"GET /b?", b"GET /c?"]
    get("/b")
    assert made.count("/b") == 1  # still kept
    now[0] = 6.0
    get("/a")  # storing it sweeps the two that expired
    assert list(cache._entries) == [b"GET /a?"] and cache.bytes == 40


def test_a_trailing_slash_is_redirected_within_the_site():
    import asyncio

    from paperboard.web.slashes import DropTrailingSlash

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    def get(path, query=b""):
        sent = []

        async def send(message):
            sent.append(message)

        asyncio.run(DropTrailingSlash(app)({"type": "http", "path": path, "query_string": query}, None, send))
        return sent[0]["status"], dict(sent[0]["headers"]).get(b"location")

    assert get("/new/", b"page=2") == (307, b"/new?page=2")
    assert get("//evil.example/") == (307, b"/evil.example")  # never another host
    assert get("/authors/Ada Lovelace/") == (307, b"/authors/Ada%20Lovelace")
    assert get("/") == (200, None) and get("/static/") == (200, None) and get("/new") == (200, None)


def test_sessions_name_their_device():
    import datetime as dt

    from paperboard.community.sessions import Session

    now = dt.datetime.now(dt.UTC)

    def device(agent):
        return Session("h" * 64, 1, now, now, agent).device

    assert device("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36") == "Chrome on Linux"
    assert device("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36 Edg/120") == "Edge on Windows"
    assert device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Safari/605.1") == "Safari on iPhone"
    assert device(None) == "A browser"


def test_the_card_is_valid_svg_whatever_the_title():
    import xml.etree.ElementTree as ET

    from paperboard.web.card import card_svg

    odd = Paper(id="2501.00002", title='<script>alert("x")</script> & a "very" ' + "long title " * 20,
                authors=tuple(Author(f"Author {i} <b>") for i in range(7)))
    svg = card_svg(odd)
    root = ET.fromstring(svg)  # well-formed whatever the title holds
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    text = "".join(root.itertext())
    assert "and 4 more" in text and "…" in text and "2501.00002" in text
    assert len(root.findall(".//{http://www.w3.org/2000/svg}tspan")) == 4  # the title in at most four lines


@pytest.mark.parametrize(("typed", "spelled"), [
    ("CS.lg", "cs.LG"), ("cs.LG", "cs.LG"), (" astro-ph.co ", "astro-ph.CO"), ("PHYSICS.Comp-Ph", "physics.comp-ph"),
    ("HEP-TH", "hep-th"), ("stat.ml", "stat.ML"), ("q-bio.nc", "q-bio.NC"),
])
def test_categories_are_spelled_as_arxiv_spells_them(typed, spelled):
    from paperboard.ids import category_spelling

    assert category_spelling(typed) == spelled


def test_titles_render_their_tex_and_abstracts_link_their_urls():
    from paperboard.tex import title_text

    title = str(title_text("Scaling  $O(n^2)$ attention <i>fast</i>"))
    assert "<math" in title and "&lt;i&gt;fast&lt;/i&gt;" in title and "\n" not in title and "$" not in title
    assert str(title_text("costs $5 and $10")) == "costs $5 and $10"  # prices are not math
    abstract = str(rich_text("Code: https://github.com/a/b. See (www.x.org/p); not javascript:alert(1)"))
    assert '<a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>.' in abstract
    assert '<a href="https://www.x.org/p" rel="nofollow noopener">www.x.org/p</a>)' in abstract
    assert "javascript:alert(1)" in abstract and 'href="javascript' not in abstract
    quoted = str(rich_text('Broken "https://x.org/a"onclick=1 end'))
    assert "onclick" not in quoted.split("</a>")[0].split(">")[0]  # the quote ends the URL: no attribute injected


def test_comments_render_their_tex_and_leave_prices_alone():
    html = str(markdown("Is $x^2$ right? $$\\sum_i a_i$$ It costs $5 and $10. $<script>alert(1)</script>$"))
    assert html.count("<math") == 3 and "costs $5 and $10" in html  # the third: the tags as letters
    assert "<script>" not in html


@pytest.mark.parametrize(("header", "token"), [
    ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Bearer ", None), ("Basic abc", None), ("", None), (None, None),
])
def test_the_token_of_an_authorization_header(header, token):
    from paperboard.community.accounts import bearer_token

    assert bearer_token(header) == token
