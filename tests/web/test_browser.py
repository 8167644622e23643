"""The site in a real browser: Debian's chromium driven by Playwright against a running server.

Screenshots of the main pages at desktop and phone sizes are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT
from tests.web.data import DAYS, XSS_ID, XSS_TITLE

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("PAPERBOARD_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


AXE_URL = "/__tests__/axe.min.js"  # never a route of the site: the test's browser context answers it
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help}; at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""
FOCUSABLE = """() => {
  // inside a closed <details> only its own summary is shown (and so reachable) until it is opened
  const folded = e => { const d = e.closest("details:not([open])");
                        return d !== null && !(e.tagName === "SUMMARY" && e.parentElement === d); };
  const all = [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")]
    .filter(e => !e.disabled && e.getAttribute("tabindex") !== "-1" && !e.closest("[aria-hidden=true]")
                 && !folded(e)
                 && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden");
  all.forEach((e, i) => { e.dataset.tabIndexInTest = String(i); });
  return all.length;
}"""
CARD_IMAGES = """async () => {
  const images = [...document.querySelectorAll("article.entry .thumb img")];
  await Promise.all(images.map(i => { i.loading = "eager"; return i.decode().catch(() => null); }));
  return images.map(i => [i.naturalWidth, i.getBoundingClientRect().height]);
}"""


def axe_script() -> str:
    path = os.environ.get("PAPERBOARD_TEST_AXE") or str(ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
    if not Path(path).is_file():
        if os.environ.get("PAPERBOARD_REQUIRE_BROWSER"):
            pytest.fail("PAPERBOARD_REQUIRE_BROWSER is set but axe-core is not installed (scripts/axe)")
        pytest.skip("axe-core not installed (scripts/axe installs it from the npm registry)")
    return path


def chromium_path() -> str:
    path = os.environ.get("PAPERBOARD_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        if os.environ.get("PAPERBOARD_REQUIRE_BROWSER"):
            pytest.fail("PAPERBOARD_REQUIRE_BROWSER is set but chromium is not installed")
        pytest.skip("chromium not installed (scripts/test installs Debian's package)")
    return path


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, **DESKTOP)
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # any alert() means injected script
    yield pg
    context.close()
    assert not dialogs, f"a script ran: {dialogs}"


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_browse_search_sign_up_submit_upvote_comment_sign_out(page, server):
    pg = page
    pg.goto("/")
    assert "Daily papers" in pg.locator("h1").inner_text()
    shot(pg, "desktop-daily")
    pg.get_by_role("link", name="Day", exact=True).click()
    pg.get_by_role("link", name=f"← {DAYS[1]}").click()
    assert pg.url.endswith(f"/papers/date/{DAYS[1]}")
    first_title = pg.locator("article.entry h2 a").first
    title = first_title.inner_text()
    first_title.click()
    assert pg.locator("h1").inner_text() == title
    shot(pg, "desktop-paper")

    pg.get_by_role("searchbox", name="Search").fill("gaussian splatting slam")
    pg.keyboard.press("Enter")
    pg.wait_for_url(re.compile(r"/search\?q="))
    assert pg.locator("li.hit").count() == 10
    assert pg.locator("li.hit mark").count() > 0
    shot(pg, "desktop-search")

    pg.get_by_role("link", name="Sign up").click()
    pg.get_by_label("Username").fill("erin")
    pg.get_by_label("Password (8 characters or more)").fill("a long enough password")
    pg.get_by_label("Password again").fill("a long enough password")
    pg.get_by_role("button", name="Create account").click()
    assert pg.locator(".flash").first.inner_text() == "Welcome, erin!"

    new_paper = server.populated.records[400]
    pg.get_by_role("link", name="Submit").click()
    pg.get_by_label("arXiv id or URL").fill(f"https://arxiv.org/abs/{new_paper['id']}")
    pg.get_by_role("button", name="Submit").click()
    pg.wait_for_url(f"**/papers/{new_paper['id']}")
    assert "Submitted to today's daily papers." in pg.locator(".flash").inner_text()

    vote = pg.locator(".paperhead .vote [data-inplace=vote] button")
    assert vote.inner_text().endswith("0")
    vote.click()
    pg.wait_for_selector('.paperhead .vote [data-inplace=vote] button[aria-pressed="true"]')  # in place: no new page
    assert pg.locator(".paperhead .vote .count").inner_text() == "1"

    pg.get_by_label("Add a comment (markdown)").fill("Loved it. <script>alert('x')</script> **bold**")
    pg.get_by_role("button", name="Comment").click()
    comment = pg.locator(".comment .md").last
    assert "<script>alert('x')</script>" in comment.inner_text()
    assert comment.locator("strong").inner_text() == "bold"
    shot(pg, "desktop-paper-after-comment")

    pg.get_by_role("button", name="Sign out").click()
    assert pg.get_by_role("link", name="Sign in").is_visible()
    pg.goto(f"/papers/{new_paper['id']}")
    assert pg.locator(".paperhead .votebtn").get_attribute("href").startswith("/signin")


def _sign_up(pg, username: str) -> None:
    pg.goto("/signup")
    pg.get_by_label("Username").fill(username)
    pg.get_by_label("Password (8 characters or more)").fill("a long enough password")
    pg.get_by_label("Password again").fill("a long enough password")
    pg.get_by_role("button", name="Create account").click()
    assert pg.locator(".flash").first.inner_text() == f"Welcome, {username}!"


def test_for_you_learns_from_upvotes_and_takes_feedback_from_a_card(page, server):
    pg = page
    liked = [r for r in server.populated.records if "gaussian splatting" in r["title"].lower()][:3]
    _sign_up(pg, "fiona")
    pg.get_by_role("link", name="For you").click()
    assert "learns from you" in pg.locator("main").inner_text()
    for r in liked:
        pg.goto(f"/papers/{r['id']}")
        pg.locator(".paperhead .vote [data-inplace=vote] button").click()
        pg.wait_for_selector('.paperhead .vote [data-inplace=vote] button[aria-pressed="true"]')
    pg.get_by_role("link", name="For you").click()
    first = pg.locator(".pick").first
    assert "you upvoted" in first.locator(".why").inner_text()
    dismissed = first.locator("h2 a").get_attribute("href")
    shot(pg, "desktop-for-you")
    pg.evaluate("window.stayed = true")  # gone if the page is loaded again
    first.get_by_role("button", name="Not interested").click()
    gone = pg.locator(".pick .why.gone").first
    assert gone.inner_text().startswith("Not interested: it will not be shown again.")
    assert pg.locator(f'.pick h2 a[href="{dismissed}"]').count() == 0
    gone.get_by_role("button", name="Undo").click()  # in place too: the card comes back
    pg.locator(f'.pick h2 a[href="{dismissed}"]').wait_for()
    assert pg.evaluate("window.stayed") is True
    pg.locator(".pick").first.get_by_role("button", name="Not interested").click()
    pg.locator(".pick .why.gone").first.wait_for()
    pg.reload()
    assert pg.locator(f'.pick h2 a[href="{dismissed}"]').count() == 0
    pg.get_by_role("link", name="Your feedback").click()
    pg.get_by_role("button", name="Undo").click()
    assert pg.locator(".flash").first.inner_text() == "Feedback taken back."
    pg.goto("/for-you")
    assert pg.locator(f'.pick h2 a[href="{dismissed}"]').count() == 1
    # following one of a card's authors, in place
    card = pg.locator(".pick").first
    name = card.locator("select[name=author] option").last.inner_text()
    card.get_by_label("Follow").select_option(name)
    pg.evaluate("window.stayed = true")
    card.get_by_role("button", name="Follow", exact=True).click()
    pg.locator("#said").filter(has_text=f"You follow {name}").wait_for()
    assert pg.evaluate("window.stayed") is True
    pg.reload()
    assert f"You follow {name}" in pg.locator("main").inner_text()


def test_card_actions_act_in_place_and_keep_the_scroll_position(page, server):
    pg = page
    _sign_up(pg, "gwen")
    pg.goto("/new")
    card = pg.locator("article.entry").nth(20)
    card.scroll_into_view_if_needed()
    pg.evaluate("window.scrollBy(0, 150); window.stayed = true")
    before = pg.evaluate("window.scrollY")
    assert before > 1000
    button = card.locator(".vote [data-inplace=vote] button")
    count = int(button.locator(".count").inner_text())
    button.click()
    pg.wait_for_function("b => b.getAttribute('aria-pressed') === 'true'", arg=button.element_handle())
    assert int(button.locator(".count").inner_text()) == count + 1
    assert pg.evaluate("window.scrollY") == before and pg.evaluate("window.stayed") is True
    button.click()  # and back
    pg.wait_for_function("b => b.getAttribute('aria-pressed') === 'false'", arg=button.element_handle())
    assert int(button.locator(".count").inner_text()) == count
    # the keyboard: j j to the second card, u upvotes it, ? lists the keys
    pg.evaluate("window.scrollTo(0, 0)")
    pg.keyboard.press("j")
    pg.keyboard.press("j")
    second = pg.locator("article.entry").nth(1)
    assert "current" in second.get_attribute("class")
    pg.keyboard.press("u")
    pg.wait_for_function("b => b.getAttribute('aria-pressed') === 'true'",
                         arg=second.locator(".vote [data-inplace=vote] button").element_handle())
    pg.keyboard.press("?")
    assert "upvote it" in pg.locator("#keys").inner_text()
    # saving in place, by the button and by s; the library has it
    save = card.locator(".save button")
    card.scroll_into_view_if_needed()
    before = pg.evaluate("window.scrollY")
    save.click()
    pg.wait_for_function("b => b.getAttribute('aria-pressed') === 'true'", arg=save.element_handle())
    assert save.inner_text() == "Saved" and pg.evaluate("window.scrollY") == before
    assert pg.evaluate("window.stayed") is True
    pg.keyboard.press("s")  # the current card (the second)
    pg.wait_for_function("b => b.getAttribute('aria-pressed') === 'true'",
                         arg=second.locator(".save button").element_handle())
    saved_titles = [card.locator("h2").inner_text(), second.locator("h2").inner_text()]
    pg.goto("/library")
    assert all(t in pg.locator("main").inner_text() for t in saved_titles)
    pg.go_back()
    assert pg.locator("article.entry").nth(1).locator(".save button").inner_text() == "Saved"  # as stored
    # a comment and a reply in place: no new page, the count follows
    paper = pg.locator("article.entry").nth(1).locator("h2 a").get_attribute("href")
    pg.goto(paper)
    pg.evaluate("window.stayed = true")
    pg.get_by_label("Add a comment (markdown)").fill("Posted *in place*.")
    pg.get_by_role("button", name="Comment", exact=True).click()
    pg.locator(".comment em", has_text="in place").wait_for()
    assert pg.locator(".comments h2").inner_text() == "1 comment" and pg.evaluate("window.stayed") is True
    assert pg.get_by_label("Add a comment (markdown)").input_value() == ""
    pg.reload()
    pg.locator("details.reply summary").click()
    pg.get_by_label("Reply to gwen (markdown)").fill("And a reply.")
    pg.get_by_role("button", name="Reply").click()
    pg.locator(".replies .comment", has_text="And a reply.").wait_for()
    assert pg.locator(".comments h2").inner_text() == "2 comments"
    pg.go_back()
    # following an author in place
    author = second.locator(".authors a").first
    name = author.inner_text()
    author.click()
    pg.get_by_role("button", name="Follow").click()
    pg.get_by_role("button", name="Following ✓ · unfollow").wait_for()
    assert pg.locator("#said").inner_text() == f"You follow {name}: their new papers come to your For you."
    pg.reload()
    assert pg.get_by_role("button", name="Following ✓ · unfollow").is_visible()


def test_a_topic_from_a_search_its_feed_and_a_note_in_the_library(page, server):
    pg = page
    _sign_up(pg, "hana")
    pg.get_by_role("searchbox", name="Search").fill('"gaussian splatting"')
    pg.keyboard.press("Enter")
    pg.get_by_role("link", name="Save as a topic").click()
    pg.get_by_label("Name").fill("Splats")
    pg.get_by_role("button", name="Save topic").click()
    pg.wait_for_url(re.compile(r"/topics/\d+$"))
    assert pg.locator("h1").inner_text().startswith("Splats")
    papers = pg.locator("article.entry h2 a")
    assert papers.count() >= 10
    first = papers.first.get_attribute("href")
    feed = pg.request.get(pg.url + ".atom")
    assert feed.ok and feed.text().count("<entry>") == papers.count()
    shot(pg, "desktop-topic")
    # an example paper narrows the topic to papers like it; the page lists it
    example = first.rsplit("/", 1)[1]
    pg.get_by_label("Add an example").fill(f"https://arxiv.org/abs/{example}")
    pg.get_by_role("button", name="Add", exact=True).click()
    pg.locator("ul.examples a").first.wait_for()
    assert pg.locator("ul.examples a").first.get_attribute("href") == f"/papers/{example}"
    assert example not in [a.get_attribute("href").rsplit("/", 1)[1] for a in papers.all()]
    pg.goto(first)
    pg.locator("details.collect summary").click()
    pg.get_by_label("New collection name").fill("Reading")
    pg.get_by_role("button", name="Create and save").click()
    pg.wait_for_url(re.compile(r"/collections/\d+$"))
    pg.goto("/library")
    pg.locator("details.note-edit summary").first.click()
    pg.get_by_label("Note (markdown, only you see it)").first.fill("Compare with **3DGS**.")
    pg.get_by_role("button", name="Save note").first.click()
    assert pg.locator(".note strong").first.inner_text() == "3DGS"
    shot(pg, "desktop-library")


def test_markup_in_papers_shows_as_text(page):
    page.goto(f"/papers/{XSS_ID}")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert page.locator(".abstract math").count() >= 2  # TeX rendered as MathML
    assert page.locator(".abstract img, .abstract script").count() == 0
    assert page.locator(".authors").inner_text().startswith("Mallory <i>Tables</i>")  # a name, as text
    page.goto("/search?q=attention+what+you+need")
    assert XSS_TITLE in page.locator("li.hit h2").all_inner_texts()


def test_phone_layout(browser, server):
    context = browser.new_context(base_url=server.url, **PHONE)
    pg = context.new_page()
    for path, name in [("/", "phone-daily"), (f"/papers/{server.populated.records[0]['id']}", "phone-paper"),
                       ("/search?q=diffusion", "phone-search")]:
        pg.goto(path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
        shot(pg, name)
    for path in ("/", "/new", "/papers/trending"):  # the first paper without scrolling past the controls
        pg.goto(path)
        top = pg.locator("article.entry").first.bounding_box()["y"]
        assert top <= 200, f"{path}: the first paper starts {top:.0f} px down on a phone"
    context.close()


def test_subscribe_confirm_and_preview_a_digest(page, server):
    import re as _re

    pg = page
    pg.goto("/")
    pg.get_by_role("link", name="Digest").click()
    pg.get_by_label("E-mail").fill("browser.reader@example.org")
    pg.get_by_label("Topics (comma-separated)").fill("gaussian splatting, diffusion")
    pg.get_by_role("button", name="Subscribe").click()
    assert pg.locator("h1").inner_text() == "Check your inbox"
    deadline = time.monotonic() + 10  # the mail goes out just after the page answered
    while not (confirmation := [m for m in server.mail.messages if m["To"] == "browser.reader@example.org"]):
        assert time.monotonic() < deadline, "no confirmation mail"
        time.sleep(0.1)
    assert len(confirmation) == 1
    link = _re.search(r"http://\S+/subscribe/confirm\?token=\S+", confirmation[0].get_body(("plain",)).get_content())
    pg.goto(link.group(0).replace(link.group(0).split("/subscribe")[0], ""))
    assert pg.locator("h1").inner_text() == "Subscription confirmed"
    shot(pg, "desktop-subscribed")
    pg.get_by_role("link", name="Preview your digest").click()
    assert "Paperboard" in pg.content() and "gaussian splatting" in pg.content().lower()
    shot(pg, "desktop-digest-preview")


def test_the_account_page_manages_tokens_and_sessions(browser, server):
    """Sign up, create a token (shown once), revoke it, see the other browser's session, sign out
    everywhere: the other browser is signed out too."""
    import httpx

    desk = browser.new_context(base_url=server.url, **DESKTOP)
    other = browser.new_context(base_url=server.url, **PHONE)
    pg, phone = desk.new_page(), other.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        pg.goto("/signup")
        pg.get_by_label("Username").fill("accountowner")
        pg.get_by_label("Password (8 characters or more)").fill("correct horse battery")
        pg.get_by_label("Password again").fill("correct horse battery")
        pg.get_by_role("button", name="Create account").click()
        phone.goto("/signin")
        phone.get_by_label("Username").fill("accountowner")
        phone.get_by_label("Password").fill("correct horse battery")
        phone.get_by_role("button", name="Sign in").click()
        pg.goto("/account")
        pg.get_by_label("Token name").fill("reading list script")
        pg.get_by_label("Your current password").fill("correct horse battery")
        pg.get_by_role("button", name="Create a token").click()
        token = pg.locator("code.token").inner_text()
        assert token.startswith("pb_")
        shot(pg, "desktop-account")
        pid = server.populated.records[30]["id"]
        auth = {"authorization": f"Bearer {token}"}
        assert httpx.post(f"{server.url}/api/papers/{pid}/upvote", headers=auth).status_code == 200
        pg.goto("/account")
        assert pg.locator("code.token").count() == 0  # shown once
        assert pg.locator("ul.sessions li").count() == 2
        pg.locator("tr.token-row", has_text="reading list script").get_by_role("button", name="Revoke").click()
        assert "Token revoked" in pg.content()
        assert httpx.post(f"{server.url}/api/papers/{pid}/upvote", headers=auth).status_code == 401
        pg.get_by_role("button", name="Sign out everywhere").click()
        phone.goto("/account")
        assert phone.url.endswith("/signin?next=/account")  # the other browser was signed out too
    finally:
        desk.close()
        other.close()
    assert not errors, errors


class Watched:
    """A browser context on the site only (any request off it is refused, and remembered), with every
    console error, uncaught script error and failed same-site request it met."""

    def __init__(self, browser, server, size: dict):
        self.server = server
        self.context = browser.new_context(base_url=server.url, **size)
        self.problems: list[str] = []
        self.context.route("**/*", self._only_the_site)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}")
                     if r.status >= 400 and r.request.resource_type != "document" else None)
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))

    def _only_the_site(self, route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url == self.server.url + AXE_URL:  # the checker, served to the page by the test
            route.fulfill(path=axe_script(), content_type="text/javascript")
        elif route.request.url.startswith(self.server.url):
            route.continue_()
        else:
            self.problems.append(f"left the site: {route.request.url}")
            route.abort()

    def visit(self, path: str, heading: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        h1 = self.page.locator("h1").first.inner_text()
        assert re.match(heading, h1), f"{path}: the heading is {h1!r}"

    def check_accessibility(self, path: str) -> None:
        """axe-core on the page as it is: every serious or critical violation becomes a problem."""
        self.page.add_script_tag(url=AXE_URL)
        found = self.page.evaluate(AXE_RUN)
        self.problems += [f"{path}: {v}" for v in found]

    def check_keyboard(self, path: str) -> None:
        """Tab reaches every control a mouse can use on the page (links, buttons, fields, summaries)."""
        count = self.page.evaluate(FOCUSABLE)
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        reached = set()
        for _ in range(count + 10):
            self.page.keyboard.press("Tab")
            reached.add(self.page.evaluate("document.activeElement.dataset.tabIndexInTest || ''"))
        missed = [str(i) for i in range(count) if str(i) not in reached]
        if missed:
            what = self.page.evaluate(f"[{','.join(missed[:5])}].map(i => document.querySelector("
                                      "`[data-tab-index-in-test='${i}']`).outerHTML.slice(0, 120))")
            self.problems.append(f"{path}: {len(missed)} controls not reached by Tab, e.g. {what}")

    def check_card_images(self, path: str) -> None:
        """Every card's image loads (lazy ones too) and has a size."""
        sizes = self.page.evaluate(CARD_IMAGES)
        if not sizes or any(w == 0 or h == 0 for w, h in sizes):
            self.problems.append(f"{path}: card images without a size: {sizes}")

    def sign_up(self, username: str) -> None:
        self.page.goto("/signup")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password (8 characters or more)").fill("a long enough password")
        self.page.get_by_label("Password again").fill("a long enough password")
        self.page.get_by_role("button", name="Create account").click()
        assert self.page.locator(".flash").first.inner_text() == f"Welcome, {username}!"


def _tour(site: Watched, author: str, username: str, collection: str) -> None:
    for path, heading in [("/", "Daily papers"), ("/new", "New papers"), ("/papers/trending", "Trending papers"),
                          ("/papers/week/2025-W12", r"Daily papers\s+Week 12"),
                          ("/papers/month/2025-03", r"Daily papers\s+March 2025"),
                          (f"/papers/{XSS_ID}", re.escape(XSS_TITLE)), ("/search?q=diffusion", ""),
                          (f"/authors/{author}", re.escape(author)), (f"/users/{username}", re.escape(username)),
                          (collection, "Reading group"), ("/subscribe", "Papers in your inbox"),
                          ("/account", re.escape(username)), ("/submit", "Submit"),
                          ("/for-you", "For you"), ("/for-you/feedback", "Your feedback"),
                          ("/library", "Your library"), ("/topics", "Your topics"),
                          ("/topics/suggested", "Suggested topics"), ("/reset", "Reset your password")]:
        site.visit(path, heading)
        site.check_accessibility(path)
        if path in ("/", f"/papers/{XSS_ID}", "/account", "/search?q=diffusion"):
            site.check_keyboard(path)
        if path in ("/", "/new", "/papers/trending", "/papers/week/2025-W12", "/papers/month/2025-03"):
            site.check_card_images(path)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_kind_of_page_works_at_desktop_and_phone_sizes(browser, server, size):
    """Sign up, submit, start a collection from the paper page, then every kind of page: each answers
    200 with its heading, with no console or script error, no failed request and (on a phone) no sideways
    scrolling; sign out, and the sign-in page takes the account back."""
    site = Watched(browser, server, DESKTOP if size == "desktop" else PHONE)
    pg, username = site.page, f"tour{size}"
    try:
        site.sign_up(username)
        paper = server.populated.records[410 + (size == "phone")]
        pg.goto("/submit")
        pg.get_by_label("arXiv id or URL").fill(paper["id"])
        pg.get_by_role("button", name="Submit").click()
        pg.wait_for_url(f"**/papers/{paper['id']}")
        pg.locator("details.collect summary").click()
        pg.get_by_label("New collection name").fill("Reading group")
        pg.get_by_role("button", name="Create and save").click()
        pg.wait_for_url(re.compile(r"/collections/\d+$"))
        collection = pg.url.removeprefix(server.url)
        assert paper["title"] in pg.locator("main").inner_text()
        _tour(site, paper["authors"][0], username, collection)
        pg.goto(f"/users/{username}")
        assert paper["title"] in pg.locator("main").inner_text()  # the user page lists the submission
        if size == "phone":
            for path in ["/", "/new", f"/papers/{paper['id']}", collection, "/account", "/search?q=graph"]:
                pg.goto(path)
                width = pg.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["viewport"]["width"], f"{path} scrolls sideways on a phone ({width}px)"
        shot(pg, f"{size}-collection")
        pg.get_by_role("button", name="Sign out").click()
        site.visit("/signin", "Sign in")
        pg.get_by_label("Username").fill(username)
        pg.get_by_label("Password").fill("a long enough password")
        pg.get_by_role("button", name="Sign in").click()
        assert pg.get_by_role("button", name="Sign out").is_visible()
    finally:
        site.context.close()
    assert not site.problems, "\n".join(site.problems)


def test_the_api_viewer_renders_every_route_from_the_sites_own_files(browser, server):
    """/api/docs: Swagger UI from a package, nothing from a CDN, no console or CSP errors."""
    site = Watched(browser, server, DESKTOP)
    try:
        response = site.page.goto("/api/docs")
        assert response is not None and response.status == 200
        site.page.wait_for_selector(".opblock", timeout=20_000)
        shown = site.page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/daily_papers" in shown and "/api/papers/{paper_id}" in shown
        assert "Paperboard API" in site.page.locator(".info .title").inner_text()
    finally:
        site.context.close()
    assert not site.problems, site.problems


def _mail_to(server, address: str, subject: str, seen: int = 0):
    """The newest mail to ``address`` whose subject has ``subject``, once more than ``seen`` have come."""
    deadline = time.monotonic() + 10  # mail goes out just after the page answered
    while len(found := [m for m in server.mail.messages if m["To"] == address and subject in m["Subject"]]) <= seen:
        assert time.monotonic() < deadline, f"no mail {subject!r} to {address}"
        time.sleep(0.1)
    return found[-1]


def _link_in(mail, path: str) -> str:
    text = mail.get_body(("plain",)).get_content()
    url = re.search(rf"http://\S+{re.escape(path)}\?token=\S+", text).group(0)
    return url[url.index(path):]


def test_addresses_are_confirmed_passwords_reset_by_mail_and_replies_mailed_on_request(browser, server):
    """Through a real SMTP server: sign up with an address and confirm it from the mail; forget the
    password and reset it from the mail (the link works once; the form says the same for an address
    with no account); ask for mail on replies, get one when someone replies, stop it from the mail."""
    site = Watched(browser, server, DESKTOP)
    pg, address = site.page, "forgetful@example.org"
    try:
        pg.goto("/signup")
        pg.get_by_label("Username").fill("forgetful")
        pg.get_by_label("E-mail (optional)").fill(address)
        pg.get_by_label("Password (8 characters or more)").fill("the first password")
        pg.get_by_label("Password again").fill("the first password")
        pg.get_by_role("button", name="Create account").click()
        assert "A link to confirm your address is on its way" in pg.locator(".flash").first.inner_text()
        pg.goto(_link_in(_mail_to(server, address, "Confirm your address"), "/account/verify"))
        assert f"{address} is confirmed" in pg.locator(".flash").first.inner_text()
        assert "confirmed" in pg.locator("#mail + p").inner_text()
        pg.get_by_role("button", name="Turn it on").click()
        assert "on" in pg.locator("form[action='/account/replies'] strong").inner_text()
        pg.goto("/papers/" + server.populated.records[7]["id"])
        pg.get_by_label("Add a comment (markdown)").fill("A question about the second table.")
        pg.get_by_role("button", name="Comment").click()
        pg.get_by_role("button", name="Sign out", exact=True).click()

        pg.goto("/signin")
        pg.get_by_role("link", name="Forgot your password?").click()
        pg.get_by_label("E-mail").fill("nobody-has-this@example.org")
        pg.get_by_role("button", name="Send me a link").click()
        unknown = pg.locator("main").inner_text().replace("nobody-has-this@example.org", "X")
        pg.goto("/reset")
        pg.get_by_label("E-mail").fill(address)
        pg.get_by_role("button", name="Send me a link").click()
        assert pg.locator("main").inner_text().replace(address, "X") == unknown  # it tells nobody
        link = _link_in(_mail_to(server, address, "Reset your Paperboard password"), "/reset/confirm")
        pg.goto(link)
        pg.get_by_label("New password", exact=True).fill("the second password")
        pg.get_by_label("New password again").fill("the second password")
        pg.get_by_role("button", name="Set the new password").click()
        assert "Your password is changed" in pg.locator(".flash").first.inner_text()
        assert pg.get_by_role("button", name="Sign out", exact=True).is_visible()
        used = pg.goto(link)
        assert used.status == 400 and "has been used" in pg.locator("main").inner_text()
        pg.get_by_role("button", name="Sign out", exact=True).click()
        pg.goto("/signin")
        pg.get_by_label("Username").fill("forgetful")
        pg.get_by_label("Password").fill("the first password")
        pg.get_by_role("button", name="Sign in").click()
        assert "Wrong username or password" in pg.locator(".flash").first.inner_text()

        site.sign_up("replier")
        pg.goto("/papers/" + server.populated.records[7]["id"])
        pg.locator("details.reply summary").last.click()
        pg.get_by_label("Reply to forgetful (markdown)").fill("The second table is in the appendix.")
        pg.get_by_role("button", name="Reply").click()
        reply = _mail_to(server, address, "replier replied to your comment")
        assert "The second table is in the appendix." in reply.get_body(("plain",)).get_content()
        assert reply["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        off = reply["List-Unsubscribe"].strip("<>")
        pg.goto(off[off.index("/account/replies/off"):])
        pg.get_by_role("button", name="Stop them").click()
        assert "No more mail on replies" in pg.locator("main").inner_text()
        pg.goto("/papers/" + server.populated.records[7]["id"])
        pg.locator("details.reply summary").last.click()
        pg.get_by_label("Reply to forgetful (markdown)").fill("And a second reply.")
        pg.get_by_role("button", name="Reply").click()
        time.sleep(1)
        assert len([m for m in server.mail.messages if "replied to your comment" in m["Subject"]]) == 1
    finally:
        site.context.close()
    expected = {f"console: Failed to load resource: the server responded with a status of {s}" for s in
                ("400 (Bad Request)", "401 (Unauthorized)")}  # the used link, the old password
    assert set(site.problems) <= expected and len(site.problems) == 2, site.problems


def test_the_rest_of_the_site_in_a_browser(browser, server, tmp_path):
    """An empty day links to its neighbours; search shows a count, facets that add terms, and a sort;
    a collection is renamed, made private and deleted; a comment edited (it says so) and deleted; a
    face uploaded shows beside the comment; the account is deleted."""
    from PIL import Image

    site = Watched(browser, server, DESKTOP)
    pg = site.page
    try:
        before, after = "2025-03-17", "2025-03-21"  # empty days around the fixture's days with papers
        assert before < DAYS[0] and after > DAYS[-1]
        site.visit(f"/papers/date/{before}", "Daily papers")
        pg.locator("a[rel=next]").click()
        assert pg.url.endswith(f"/papers/date/{DAYS[0]}") and pg.locator("article.entry").count() > 0
        site.visit(f"/papers/date/{after}", "Daily papers")
        pg.locator("a[rel=prev]").click()
        assert pg.url.endswith(f"/papers/date/{DAYS[-1]}") and pg.locator("article.entry").count() > 0

        site.visit("/search?q=diffusion", "")
        assert re.fullmatch(r"\d+\+? results?", pg.locator(".facets .count").inner_text())
        facet = pg.locator(".facet a[title='only these']").first
        term = facet.get_attribute("href")
        facet.click()
        assert pg.locator("input[name=q]").first.input_value().startswith("diffusion ")
        assert "q=" in term
        pg.get_by_role("link", name="newest").click()
        assert "sort=date" in pg.url

        site.sign_up("tidy")
        pg.goto("/account")
        picture = tmp_path / "me.png"
        Image.new("RGB", (400, 300), (30, 90, 200)).save(picture)
        pg.locator("input[name=picture]").set_input_files(str(picture))
        pg.get_by_role("button", name="Upload").click()
        assert "Your picture is saved" in pg.locator(".flash").first.inner_text()
        paper = server.populated.records[12]
        pg.goto(f"/papers/{paper['id']}")
        pg.locator("details.collect summary").click()
        pg.get_by_label("New collection name").fill("Draft list")
        pg.get_by_role("button", name="Create and save").click()
        pg.wait_for_url(re.compile(r"/collections/\d+$"))
        collection = pg.url.removeprefix(server.url)
        pg.locator("summary", has_text="Rename, describe, share or delete").click()
        pg.get_by_label("Name").fill("Final list")
        pg.get_by_label("Public (anyone with the link sees it)").uncheck()
        pg.get_by_role("button", name="Save", exact=True).click()
        assert pg.locator("h1").inner_text().startswith("Final list")
        other = browser.new_context(base_url=server.url)
        assert other.new_page().goto(collection).status == 404  # private: nobody else sees it
        other.close()
        pg.locator("summary", has_text="Rename, describe, share or delete").click()
        pg.once("dialog", lambda d: d.accept())
        pg.get_by_role("button", name="Delete this collection").click()
        assert pg.goto(collection).status == 404

        pg.goto(f"/papers/{paper['id']}")
        pg.get_by_label("Add a comment (markdown)").fill("First thoughts.")
        pg.get_by_role("button", name="Comment", exact=True).click()
        mine = pg.locator(".comment", has_text="First thoughts.")
        mine.wait_for()
        face = mine.locator("img.face")
        face.wait_for()
        assert pg.evaluate("i => i.decode().then(() => i.naturalWidth)", face.element_handle()) == 128
        pg.reload()
        mine.locator("summary", has_text="Edit or delete").click()
        mine.locator("textarea").fill("Second thoughts.")
        mine.get_by_role("button", name="Save").click()
        edited = pg.locator(".comment", has_text="Second thoughts.")
        assert edited.locator(".edited").inner_text() == "edited"
        edited.locator("summary", has_text="Edit or delete").click()
        edited.get_by_role("button", name="Delete").click()
        assert pg.locator(".comment", has_text="Second thoughts.").count() == 0

        pg.goto("/account")
        pg.locator("summary", has_text="Delete your account").click()
        pg.locator("details.danger").get_by_label("Your password").fill("a long enough password")
        pg.get_by_label("Type your username, tidy, to confirm").fill("tidy")
        pg.get_by_role("button", name="Delete my account").click()
        assert pg.goto("/users/tidy").status == 404
    finally:
        site.context.close()
    expected = "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    assert all(p == expected for p in site.problems), site.problems
