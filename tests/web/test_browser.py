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


def chromium_path() -> str:
    path = os.environ.get("PAPERBOARD_TEST_CHROMIUM") or shutil.which("chromium")
    if not path:
        if os.environ.get("PAPERBOARD_REQUIRE_BROWSER"):
            pytest.fail("PAPERBOARD_REQUIRE_BROWSER is set but chromium is not installed")
        pytest.skip("chromium not installed (scripts/test installs Debian's package)")
    return path


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    with playwright.sync_playwright() as p:
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

    vote = pg.locator(".paperhead .vote button")
    assert vote.inner_text().endswith("0")
    vote.click()
    assert pg.locator(".paperhead .vote button").get_attribute("aria-pressed") == "true"
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


def test_markup_in_papers_shows_as_text(page):
    page.goto(f"/papers/{XSS_ID}")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert page.locator(".abstract math").count() >= 2  # TeX rendered as MathML
    assert page.locator(".abstract img, .abstract script").count() == 0
    page.goto(f"/papers/date/{DAYS[2]}")
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
