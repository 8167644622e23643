"""Digests end to end against a real SMTP server (aiosmtpd): double opt-in, preferences, one-click
unsubscribe, personal picks, valid parts, exactly-once sending through kills, outages and refusals."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from paperboard.community.accounts import create_user
from paperboard.community.submissions import submit
from paperboard.community.votes import upvote
from paperboard.digest import subscribers as store
from paperboard.digest.editions import edition
from paperboard.digest.mailer import Mailer, SmtpSettings
from paperboard.digest.preferences import PreferenceError, Preferences, split_topics
from paperboard.digest.sender import plan, send_edition
from paperboard.storage.schema import digest_outbox, subscribers
from paperboard.web.app import create_app
from tests.digest.conftest import DAY, LIKED, Sink, config_for, free_port, link_in
from tests.web.conftest import csrf

EDITION = edition("daily", dt.date.fromisoformat(DAY))


def send(config, engine, search, **kwargs):
    settings = SmtpSettings.parse(config.smtp_url)
    return send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(settings), sleep=lambda s: None,
                        **kwargs)


def subscribe(engine, email, user_id=None, **prefs):
    with engine.begin() as conn:
        return store.add(conn, email, Preferences(**prefs), confirmed=True, user_id=user_id)[0]


def test_double_opt_in_on_the_site(env):
    config, engine, search, smtp, _ = env
    with TestClient(create_app(config, engine=engine, search=search, fetch_from_arxiv=False)) as client:
        r = client.post("/subscribe", data={"csrf_token": csrf(client, "/subscribe"), "email": " Reader@Example.ORG ",
                                            "keywords": "reversal curse, grokking", "frequency": "daily"})
        assert r.status_code == 200 and "Check your inbox" in r.text
        assert [m["To"] for m in smtp.messages] == ["reader@example.org"]
        assert "Confirm" in smtp.messages[0]["Subject"]
        assert send(config, engine, search).sent == 0  # unconfirmed: nothing else is sent
        bad = client.post("/subscribe", data={"csrf_token": csrf(client, "/subscribe"), "email": "not-an-address"})
        assert bad.status_code == 400 and "not a valid e-mail address" in bad.text
        odd = client.post("/subscribe", data={"csrf_token": csrf(client, "/subscribe"), "email": "odd@example.org",
                                              "keywords": "grokking has:snacks", "frequency": "daily"})
        assert odd.status_code == 400 and "has:code or has:project" in odd.text
        assert [m["To"] for m in smtp.messages] == ["reader@example.org"]  # nobody else was written to
        confirm = client.get(link_in(smtp.messages[0], "/subscribe/confirm"))
        assert confirm.status_code == 200 and "Subscription confirmed" in confirm.text
        assert client.get("/subscribe/confirm?token=forged").status_code == 400
    summary = send(config, engine, search)
    assert summary.sent == 1 and len(smtp.to("reader@example.org")) == 2


def test_preferences_by_signed_link(env):
    config, engine, search, smtp, _ = env
    subscribe(engine, "prefs@example.org", keywords=("reversal curse",), send_empty=True)
    send(config, engine, search)
    digest = smtp.to("prefs@example.org")[0]
    manage = link_in(digest, "/digest/preferences")
    with TestClient(create_app(config, engine=engine, search=search, fetch_from_arxiv=False)) as client:
        page = client.get(manage)
        assert page.status_code == 200 and 'value="reversal curse"' in page.text
        token = csrf(client, manage)
        saved = client.post(manage, data={"csrf_token": token, "frequency": "weekly", "keywords": "grokking",
                                          "max_count": "5", "threshold": "0.2", "trending": "1"})
        assert saved.status_code == 200 and "Saved" in saved.text
        bad = client.post(manage, data={"csrf_token": token, "frequency": "hourly"})
        assert bad.status_code == 400 and "daily or weekly" in bad.text
        unsubscribe_token = link_in(digest, "/digest/unsubscribe").split("token=")[1]
        assert client.get(f"/digest/preferences?token={unsubscribe_token}").status_code == 400  # wrong purpose
        preview = client.get(manage.replace("/digest/preferences", "/digest/preview"))
        assert preview.status_code == 200
    with engine.connect() as conn:
        prefs = store.find(conn, "prefs@example.org").preferences
    assert (prefs.frequency, prefs.keywords, prefs.max_count, prefs.threshold) == ("weekly", ("grokking",), 5, 0.2)


def test_one_click_unsubscribe(env):
    config, engine, search, smtp, _ = env
    subscribe(engine, "leaving@example.org", keywords=("reversal curse",))
    send(config, engine, search)
    msg = smtp.to("leaving@example.org")[0]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", msg["List-Unsubscribe"]).group(1)
    assert url == "http://paperboard.test" + link_in(msg, "/digest/unsubscribe")
    parts = urlsplit(url)
    with TestClient(create_app(config, engine=engine, search=search, fetch_from_arxiv=False)) as client:
        r = client.post(f"{parts.path}?{parts.query}", content="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200  # no session, no CSRF token: the signed link is enough
        assert client.get(f"{parts.path}?{parts.query}").status_code == 404  # already gone
    with engine.connect() as conn:
        assert store.find(conn, "leaving@example.org") is None


def test_liked_papers_come_first_and_every_pick_says_why(env):
    config, engine, search, smtp, records = env
    with engine.begin() as conn:
        user = create_user(conn, "reader", "a long password")
        upvote(conn, LIKED, user.id)
    subscribe(engine, "liker@example.org", user_id=user.id, trending=False)
    subscribe(engine, "keywords@example.org", keywords=("reversal curse",), exclude=("binding",), trending=False)
    subscribe(engine, "nothing@example.org", keywords=("zzzqqqxxy",), trending=False)
    summary = send(config, engine, search)
    assert summary.sent == 2 and summary.skipped == 1  # an empty digest is not sent unless asked for
    liked_title = next(r["title"] for r in records if r["id"] == LIKED)
    text = smtp.to("liker@example.org")[0].get_body(("plain",)).get_content()
    first = text.split("FOR YOU", 1)[1].split("\n2. ")[0]
    assert "reversal" in first.lower() or "Reversal" in first
    assert f"Why: similar to “{liked_title}”" in text
    keyed = smtp.to("keywords@example.org")[0].get_body(("plain",)).get_content()
    assert "Why: matches “reversal curse”" in keyed and "binding" not in keyed.lower().split("--")[0]


def test_papers_by_followed_authors_have_a_section_of_their_own_first(env):
    config, engine, search, smtp, records = env
    author = next(r for r in records if r["listed"] == DAY and "reversal curse" not in r["title"].lower())["authors"][0]
    theirs = {r["id"] for r in records if r["listed"] == DAY and author in r["authors"]}
    subscribe(engine, "follower@example.org", authors=(author,), keywords=("reversal curse",), trending=False)
    assert send(config, engine, search).sent == 1
    text = smtp.to("follower@example.org")[0].get_body(("plain",)).get_content()
    assert text.index("FROM THE AUTHORS YOU FOLLOW") < text.index("FOR YOU")
    followed, rest = text.split("FROM THE AUTHORS YOU FOLLOW", 1)[1].split("FOR YOU", 1)
    assert set(re.findall(r"/papers/(\S+)", followed)) == theirs and f"Why: new paper by {author}" in followed
    assert not theirs & set(re.findall(r"/papers/(\S+)", rest.split("--")[0]))
    page = smtp.to("follower@example.org")[0].get_body(("html",)).get_content()
    assert page.index("From the authors you follow</h2>") < page.index("For you</h2>")


def test_a_collection_can_have_a_section_of_its_own(env):
    """A collection marked for the digest is an interest profile with its own section: the papers like
    its papers, apart from the rest of For you (the reader's other interests)."""
    from paperboard.community.collections import add_paper, create_collection, edit_collection

    config, engine, search, smtp, records = env
    on_the_day = [r for r in records if r["listed"] == DAY]
    diffusion = [r["id"] for r in on_the_day if "diffusion" in r["title"].lower()]
    with engine.begin() as conn:
        reader = create_user(conn, "sectioned", "a long password")
        upvote(conn, LIKED, reader.id)  # the reversal curse: the rest of For you
        cid = create_collection(conn, reader, "Diffusion", public=False)
        for pid in diffusion[:3]:
            add_paper(conn, cid, reader, pid)
        edit_collection(conn, cid, reader, name="Diffusion", description=None, public=False, digest=True)
        other = create_user(conn, "unsectioned", "a long password")
        kept = create_collection(conn, other, "Diffusion too")
        add_paper(conn, kept, other, diffusion[0])
    subscribe(engine, "sectioned@example.org", user_id=reader.id, trending=False)
    subscribe(engine, "unsectioned@example.org", user_id=other.id, trending=False)
    assert send(config, engine, search).sent == 2
    text = smtp.to("sectioned@example.org")[0].get_body(("plain",)).get_content()
    assert text.index("LIKE YOUR COLLECTION “DIFFUSION”") < text.index("FOR YOU")
    section, rest = text.split("LIKE YOUR COLLECTION “DIFFUSION”", 1)[1].split("FOR YOU", 1)
    ids = {r["id"]: r for r in records}
    mine = re.findall(r"/papers/(\S+)", section)
    assert mine and not set(mine) & set(diffusion[:3])  # its own papers are never picks
    assert sum("diffusion" in (ids[p]["title"] + ids[p]["summary"]).lower() for p in mine) >= 0.8 * len(mine)
    saved = {ids[p]["title"] for p in diffusion[:3]}
    assert all(re.search(r"Why: similar to “(.+)” you saved", w).group(1) in saved
               for w in re.findall(r"Why: [^\n]+", section))
    others = re.findall(r"/papers/(\S+)", rest.split("--")[0])
    assert not set(others) & set(mine) and any("reversal" in ids[p]["title"].lower() for p in others)
    page = smtp.to("sectioned@example.org")[0].get_body(("html",)).get_content()
    assert "Like your collection “Diffusion”</h2>" in page
    unmarked = smtp.to("unsectioned@example.org")[0].get_body(("plain",)).get_content()
    assert "LIKE YOUR COLLECTION" not in unmarked  # a collection has a section only when asked


def test_trending_follows_the_picks_without_repeating_them(env):
    """The trending section lists the edition's most upvoted submissions that are not already picks."""
    config, engine, search, smtp, records = env
    on_the_day = [r for r in records if r["listed"] == DAY]
    voted = next(r for r in on_the_day if "reversal curse" not in (r["title"] + r["summary"]).lower())
    curse = next(r for r in on_the_day if "reversal curse" in r["title"].lower())
    when = dt.datetime.fromisoformat(f"{DAY}T12:00:00+00:00")
    with engine.begin() as conn:
        voters = [create_user(conn, name, "a long password") for name in ("voter1", "voter2")]
        for paper_id in (voted["id"], curse["id"]):
            submit(conn, paper_id, voters[0], when=when)
            for user in voters:
                upvote(conn, paper_id, user.id)
    subscribe(engine, "both@example.org", keywords=("reversal curse",))
    assert send(config, engine, search).sent == 1
    text = smtp.to("both@example.org")[0].get_body(("plain",)).get_content()
    picks, trending = text.split("FOR YOU", 1)[1].split("TRENDING", 1)
    picked = set(re.findall(r"/papers/(\S+)", picks))
    listed = re.findall(r"/papers/(\S+)", trending.split("--")[0])
    assert listed and listed[0] == voted["id"] and f"{voted['title']} (2 upvotes)" in " ".join(trending.split())
    assert curse["id"] in picked and curse["id"] not in listed  # a pick is never listed again under trending


def test_each_edition_has_its_own_row_and_counts_its_tries(env):
    """A subscriber gets every edition: one sent does not stand for the next, and marking one never
    touches another's row. Each row counts its tries; every skipped digest is counted."""
    config, engine, search, smtp, _ = env
    settings = SmtpSettings.parse(config.smtp_url)
    day = dt.date.fromisoformat(DAY)
    following = [edition("daily", day + dt.timedelta(days=n)) for n in (1, 2, 3)]
    subscribe(engine, "every@example.org", keywords=("reversal curse",), send_empty=True)
    subscribe(engine, "quiet1@example.org", keywords=("zzzqqqxxy",), trending=False)
    subscribe(engine, "quiet2@example.org", keywords=("zzzqqqxxy",), trending=False)

    def run(ed):
        return send_edition(engine, search, config, ed, mailer=lambda: Mailer(settings), sleep=lambda s: None)

    first = run(EDITION)
    assert (first.sent, first.skipped) == (1, 2)
    assert run(following[0]).sent == 1  # the next day's edition, empty but asked for
    plan(engine, following[2])  # planned ahead: sending the edition before must leave its row alone
    assert run(following[1]).sent == 1
    with engine.connect() as conn:
        rows = conn.execute(select(digest_outbox.c.edition, digest_outbox.c.status, digest_outbox.c.attempts)
                            .join(subscribers, subscribers.c.id == digest_outbox.c.subscriber_id)
                            .where(subscribers.c.email == "every@example.org")
                            .order_by(digest_outbox.c.edition)).all()
    assert [tuple(r) for r in rows] == [(EDITION.key, "sent", 1), (following[0].key, "sent", 1),
                                        (following[1].key, "sent", 1), (following[2].key, "pending", 0)]
    assert run(following[2]).sent == 1 and len(smtp.to("every@example.org")) == 4


def test_parts_are_valid_text_and_html(env):
    config, engine, search, smtp, _ = env
    subscribe(engine, "parts@example.org", keywords=("reversal curse",))
    send(config, engine, search)
    msg = smtp.to("parts@example.org")[0]
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    html = msg.get_body(("html",)).get_content()

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.links = [], []
            self.void = {"meta", "br", "img", "hr", "input", "link"}

        def handle_starttag(self, tag, attrs):
            if tag not in self.void:
                self.stack.append(tag)
            self.links += [v for k, v in attrs if k == "href"]

        def handle_endtag(self, tag):
            assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    checker = Checker()
    checker.feed(html)
    assert checker.stack == []
    assert any(link.startswith("http://paperboard.test/papers/") for link in checker.links)
    assert msg["Message-ID"].endswith("@paperboard.test>")  # the site's own domain
    assert msg["Date"] and msg["From"] == "Paperboard <digest@example.org>"


def test_smtp_down_marks_nothing_sent_then_catches_up(env):
    config, engine, search, smtp, _ = env
    for i in range(3):
        subscribe(engine, f"down{i}@example.org", keywords=("reversal curse",))
    down = config_for(config.data_dir.parent, f"smtp://127.0.0.1:{free_port()}", config.database_url)
    summary = send(down, engine, search)
    assert summary.sent == 0 and summary.pending == 3 and "stopped" in summary.problems[0]
    with engine.connect() as conn:
        assert set(conn.execute(select(digest_outbox.c.status)).scalars()) == {"pending"}
    again = send(config, engine, search)
    assert again.sent == 3 and len(smtp.messages) == 3


def test_a_refused_login_leaves_every_digest_pending_until_the_password_is_mended(env):
    """A wrong password is the operator's mistake, not the subscribers': nobody's digest is marked failed,
    the run stops at the first refusal without waiting out retries, and the mended settings send them all."""
    config, engine, search, _, _ = env
    for i in range(3):
        subscribe(engine, f"login{i}@example.org", keywords=("reversal curse",))
    sink = Sink()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"right"
        return AuthResult(success=ok, handled=False)

    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        waits: list[float] = []
        wrong = SmtpSettings.parse(f"smtp://digest:wrong@127.0.0.1:{controller.port}")
        summary = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(wrong), sleep=waits.append)
        assert (summary.sent, summary.failed, summary.pending) == (0, 0, 3)
        assert "refused the login of 'digest'" in summary.problems[0] and waits == []
        with engine.connect() as conn:
            assert set(conn.execute(select(digest_outbox.c.status)).scalars()) == {"pending"}
        right = SmtpSettings.parse(f"smtp://digest:right@127.0.0.1:{controller.port}")
        again = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(right), sleep=waits.append)
        assert again.sent == 3 and sorted(m["To"] for m in sink.messages) == [
            f"login{i}@example.org" for i in range(3)]
    finally:
        controller.stop()


def test_the_envelope_sender_is_the_configured_one_and_a_refused_one_loses_no_digest(env):
    config, engine, search, smtp, _ = env
    for i in range(2):
        subscribe(engine, f"sender{i}@example.org", keywords=("reversal curse",))
    refused = config_for(config.data_dir.parent, config.smtp_url, config.database_url,
                         mail_from="Paperboard <refused@example.org>")
    waits: list[float] = []
    summary = send_edition(engine, search, refused, EDITION, mailer=lambda: Mailer(SmtpSettings.parse(refused.smtp_url)),
                           sleep=waits.append)
    assert (summary.sent, summary.failed, summary.pending) == (0, 0, 2) and waits == []
    assert "refuses the sender Paperboard <refused@example.org> (553 5.7.1" in summary.problems[0]
    assert "check PAPERBOARD_MAIL_FROM" in summary.problems[0]
    assert send(config, engine, search).sent == 2  # the mended sender sends them all
    assert smtp.senders == ["digest@example.org", "digest@example.org"]  # MAIL FROM is the configured address


def test_a_refused_address_is_recorded_and_the_rest_are_sent(env):
    config, engine, search, _, _ = env
    subscribe(engine, "ok@example.org", keywords=("reversal curse",))
    subscribe(engine, "bounce@example.org", keywords=("reversal curse",))
    summary = send(config, engine, search)
    assert (summary.sent, summary.failed) == (1, 1) and "bounce@example.org" in summary.problems[0]
    with engine.connect() as conn:
        rows = dict(conn.execute(select(digest_outbox.c.status, digest_outbox.c.last_error)
                                 .where(digest_outbox.c.status == "failed")).all())
    assert "550" in rows["failed"]
    assert send(config, engine, search).sent == 0  # neither resent nor retried for ever


def test_a_message_refused_at_data_for_good_is_failed_once_and_the_rest_are_sent(env):
    """A 554 to the DATA command itself, and a 554 after the whole message (when this side has already
    marked it sent): each digest is failed with the server's words, neither is retried or resent, and
    the subscriber after them is served in the same run."""
    config, engine, search, smtp, _ = env
    for email in ("nodata@example.org", "spam@example.org", "fine@example.org"):
        subscribe(engine, email, keywords=("reversal curse",))
    waits: list[float] = []
    settings = SmtpSettings.parse(config.smtp_url)
    summary = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(settings), sleep=waits.append)
    assert (summary.sent, summary.failed, summary.pending) == (1, 2, 0) and waits == []
    assert smtp.refused_at_end == 1  # the spam copy was refused once, never tried again
    assert [m["To"] for m in smtp.messages] == ["fine@example.org"]
    with engine.connect() as conn:
        rows = conn.execute(select(subscribers.c.email, digest_outbox.c.status, digest_outbox.c.last_error)
                            .join(subscribers, subscribers.c.id == digest_outbox.c.subscriber_id)).all()
    status = {email: (state, error or "") for email, state, error in rows}
    assert status["fine@example.org"][0] == "sent"
    assert status["nodata@example.org"][0] == "failed" and "no data accepted" in status["nodata@example.org"][1]
    assert status["spam@example.org"][0] == "failed" and "refused as spam" in status["spam@example.org"][1]
    assert sorted(p.split(":")[0] for p in summary.problems) == ["nodata@example.org", "spam@example.org"]
    assert send(config, engine, search).sent == 0 and smtp.refused_at_end == 1  # not resent by a later run


def test_temporary_refusals_are_retried(env):
    config, engine, search, smtp, _ = env
    subscribe(engine, "busy@example.org", keywords=("reversal curse",))
    smtp.busy = True
    settings = SmtpSettings.parse(config.smtp_url)
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        smtp.busy = False  # the server recovers while we wait

    summary = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(settings), sleep=sleep)
    assert summary.sent == 1 and waits == [1.0] and len(smtp.messages) == 1


def test_a_refusal_after_the_mark_undoes_it_and_every_retry_is_waited_for(env):
    """The digest is marked sent just before the server's final answer; a 451 at the end of DATA undoes
    the mark, each of the retries waits its turn (1, 4, 15 s), and a later run sends it once."""
    config, engine, search, smtp, _ = env
    subscribe(engine, "full@example.org", keywords=("reversal curse",))
    smtp.busy_at_end = True
    settings = SmtpSettings.parse(config.smtp_url)
    waits: list[float] = []
    summary = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(settings), sleep=waits.append)
    assert (summary.sent, summary.pending) == (0, 1) and waits == [1.0, 4.0, 15.0]
    assert smtp.refused_at_end == 4  # once, then once after each wait: no try after the last
    assert "stopped: mail server unavailable or busy" in summary.problems[0]
    assert "451" in summary.problems[0] and "queue full" in summary.problems[0]  # what the server said
    with engine.connect() as conn:
        status, error = conn.execute(select(digest_outbox.c.status, digest_outbox.c.last_error)).one()
    assert status == "pending" and "451" in error  # not "sent": the server never took it
    assert smtp.messages == []
    smtp.busy_at_end = False
    again = send_edition(engine, search, config, EDITION, mailer=lambda: Mailer(settings), sleep=waits.append)
    assert again.sent == 1 and len(smtp.to("full@example.org")) == 1


def test_a_digest_another_run_marked_first_is_abandoned_and_the_run_goes_on(env):
    """Between this run's claim and its mark another run sent the first digest: this copy is abandoned
    before the server takes it, counted as already done, and the next subscriber is still served."""
    config, engine, search, smtp, _ = env
    first = subscribe(engine, "raced@example.org", keywords=("reversal curse",))
    subscribe(engine, "next@example.org", keywords=("reversal curse",))
    settings = SmtpSettings.parse(config.smtp_url)

    class Racing(Mailer):
        def send(self, msg, *, before_accept=None):
            if msg["To"] == "raced@example.org":
                with engine.begin() as conn:  # the other run's mark
                    conn.execute(update(digest_outbox).where(digest_outbox.c.subscriber_id == first.id)
                                 .values(status="sent"))
            super().send(msg, before_accept=before_accept)

    summary = send_edition(engine, search, config, EDITION, mailer=lambda: Racing(settings), sleep=lambda s: None)
    assert (summary.sent, summary.already_done, summary.pending, summary.failed) == (1, 1, 0, 0)
    assert [m["To"] for m in smtp.messages] == ["next@example.org"]  # the raced copy never reached the server


def test_dry_run_sends_and_records_nothing(env):
    config, engine, _, smtp, _ = env
    subscribe(engine, "dry@example.org", keywords=("reversal curse",))
    out = run_cli(config, "digest", "send", "--date", DAY, "--dry-run", "--format", "json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["digests"][0]["email"] == "dry@example.org" and report["digests"][0]["subject"]
    assert smtp.messages == []
    with engine.connect() as conn:
        assert conn.execute(select(digest_outbox)).first() is None


def run_cli(config, *args, wait=True):
    env = {**os.environ, "PAPERBOARD_DATA_DIR": str(config.data_dir), "PAPERBOARD_DATABASE_URL": config.database_url,
           "PAPERBOARD_SMTP_URL": config.smtp_url, "PAPERBOARD_SECRET_KEY": "digest-secret",
           "PAPERBOARD_BASE_URL": "http://paperboard.test", "PAPERBOARD_MAIL_FROM": config.mail_from}
    command = [sys.executable, "-m", "paperboard", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_killed_and_rerun_sends_nobody_twice_and_loses_at_most_the_digest_in_hand(env):
    """The guarantee the README states: at most once. A run killed after the database made a digest's
    "sent" durable (while the commit's reply is on its way, or before the last five bytes of DATA went
    out) loses that one digest; every other one arrives, once."""
    config, engine, _, smtp, _ = env
    emails = [f"reader{i:02d}@example.org" for i in range(40)]
    for i, email in enumerate(emails):
        subscribe(engine, email, keywords=(["reversal curse", "transformers", "reinforcement learning"][i % 3],))
    for kill_after in (3, 11, 24):  # SIGKILL once this many digests have been accepted
        proc = run_cli(config, "digest", "send", "--date", DAY, "--no-progress", wait=False)
        deadline = time.monotonic() + 120
        while len(smtp.messages) < kill_after and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    final = run_cli(config, "digest", "send", "--date", DAY, "--format", "json")
    assert final.returncode == 0, final.stderr
    got = [m["To"] for m in smtp.messages]
    assert len(got) == len(set(got)), "someone got the edition twice"
    lost = set(emails) - set(got)
    assert len(lost) <= 3, lost  # at most the one in hand at each of the three kills
    with engine.connect() as conn:
        status = dict(conn.execute(select(subscribers.c.email, digest_outbox.c.status).join(
            subscribers, subscribers.c.id == digest_outbox.c.subscriber_id)).all())
    assert {status[e] for e in emails} == {"sent"}  # the lost ones too: recorded, never sent again
    again = run_cli(config, "digest", "send", "--date", DAY, "--format", "json")
    assert json.loads(again.stdout)["sent"] == 0 and len(smtp.messages) == len(got)


def test_sending_to_one_address(env):
    config, engine, _, smtp, _ = env
    subscribe(engine, "one@example.org", keywords=("reversal curse",))
    subscribe(engine, "two@example.org", keywords=("reversal curse",))
    out = run_cli(config, "digest", "send", "--date", DAY, "--to", "ONE@example.org", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [m["To"] for m in smtp.messages] == ["one@example.org"]
    unknown = run_cli(config, "digest", "send", "--date", DAY, "--to", "nobody@example.org")
    assert unknown.returncode == 2 and "not a confirmed subscriber" in unknown.stderr


def test_an_edition_run_reports_and_records_every_digest(env):
    config, engine, search, smtp, _ = env
    for email, prefs in [("picks@example.org", {"keywords": ("reversal curse",)}),
                         ("empty@example.org", {"keywords": ("zzzqqqxxy",), "trending": False}),
                         ("bounce@example.org", {"keywords": ("reversal curse",)}),
                         ("weekly@example.org", {"keywords": ("reversal curse",), "frequency": "weekly"})]:
        subscribe(engine, email, **prefs)
    with engine.begin() as conn:  # never confirmed: never due
        store.add(conn, "unconfirmed@example.org", Preferences(keywords=("reversal curse",)))
    steps = []
    summary = send(config, engine, search, on_progress=steps.append)
    assert steps == [1, 1, 1]
    problems = summary.as_dict().pop("problems")
    assert {k: v for k, v in summary.as_dict().items() if k != "problems"} == {
        "edition": EDITION.key, "due": 3, "sent": 1, "skipped": 1, "failed": 1, "already_done": 0, "pending": 0}
    assert len(problems) == 1 and problems[0].startswith("bounce@example.org: refused by the mail server")
    with engine.connect() as conn:
        status = dict(conn.execute(select(subscribers.c.email, digest_outbox.c.status).join(
            subscribers, subscribers.c.id == digest_outbox.c.subscriber_id)).all())
    assert status == {"picks@example.org": "sent", "empty@example.org": "skipped", "bounce@example.org": "failed"}
    again = send(config, engine, search)
    assert (again.due, again.sent, again.already_done, again.skipped) == (3, 0, 3, 0)

    for email in ("late@example.org", "later@example.org"):  # two new readers; one digest sent by hand
        subscribe(engine, email, keywords=("reversal curse",))
    one = send(config, engine, search, only="late@example.org")
    assert (one.due, one.sent, one.already_done) == (1, 1, 0)
    with engine.connect() as conn:
        planned = set(conn.execute(select(subscribers.c.email).join(
            digest_outbox, subscribers.c.id == digest_outbox.c.subscriber_id)).scalars())
    assert "later@example.org" not in planned  # only the one asked for was planned
    assert [str(m["To"]) for m in smtp.messages] == ["picks@example.org", "late@example.org"]
    rest = send(config, engine, search)
    assert (rest.sent, rest.already_done) == (1, 4) and str(smtp.messages[-1]["To"]) == "later@example.org"


def test_a_digest_keyword_speaks_the_filter_language(env):
    """Each keyword is a search, so its filters hold in the digest: a category left out is never picked."""
    from paperboard.digest.picks import Personalizer

    _, engine, search, _, records = env
    personal = Personalizer(engine, search, EDITION)
    plain = personal.picks(Preferences(keywords=("reversal curse",)))
    cats = {r["id"]: r["categories"] for r in records}
    share = {c: sum(c in cats[p.paper.id] for p in plain) for p in plain for c in cats[p.paper.id]}
    common = max((c for c, n in share.items() if n < len(plain)), key=lambda c: share[c])  # some, not all
    narrowed = personal.picks(Preferences(keywords=(f"reversal curse -category:{common}",)))
    assert narrowed and not any(common in cats[p.paper.id] for p in narrowed)
    # a topic stored before topics were checked matches nothing; the others still count
    odd = personal.picks(Preferences(keywords=("has:everything", "reversal curse")))
    assert {p.paper.id for p in odd} == {p.paper.id for p in plain}
    with pytest.raises(PreferenceError, match="the topic 'has:everything': has:everything is not a filter"):
        split_topics("reversal curse, has:everything")


def test_every_stated_reason_holds_and_nothing_is_padded(env):
    """Each pick's Why holds for its paper: its topic's words are in it, it is by the author followed, or
    it is like the paper the subscriber liked; topics that match nothing get the trending papers and a
    line saying so, never papers that only look close."""
    from paperboard.digest.picks import Personalizer
    from paperboard.filter_rules import matches
    from paperboard.foryou.ranking import FLOOR
    from paperboard.foryou.topics import topic_terms

    config, engine, search, smtp, records = env
    with engine.begin() as conn:
        user = create_user(conn, "honest", "a long password")
        upvote(conn, LIKED, user.id)
    liked_title = next(r["title"] for r in records if r["id"] == LIKED)
    topics = ("reversal curse", "knowledge distillation", "grokking")
    author = next(r for r in records if r["listed"] == DAY)["authors"][0]
    personal = Personalizer(engine, search, EDITION)
    picks = personal.picks(Preferences(keywords=topics, authors=(author,), max_count=50), user.id)
    assert picks
    for pick in picks:
        for reason in pick.reasons:
            if reason.startswith("matches “"):
                topic = reason.removeprefix("matches “").removesuffix("”")
                assert topic in topics and matches(topic_terms(topic), pick.paper), (reason, pick.paper.title)
            elif reason.startswith("new paper by "):
                assert reason.removeprefix("new paper by ") in {a.name for a in pick.paper.authors}
            else:
                assert reason == f"similar to “{liked_title}” you upvoted" and pick.score >= FLOOR
    said = {r.split("“")[0] for p in picks for r in p.reasons}
    assert {"similar to ", "matches ", "new paper by " + author} <= said

    on_the_day = next(r for r in records if r["listed"] == DAY)
    with engine.begin() as conn:
        submit(conn, on_the_day["id"], user, when=dt.datetime.fromisoformat(f"{DAY}T12:00:00+00:00"))
    subscribe(engine, "unmatched@example.org", keywords=("zzzqqqxxy", "qqqzzzyyx"))
    send(config, engine, search, only="unmatched@example.org")
    text = smtp.to("unmatched@example.org")[0].get_body(("plain",)).get_content()
    assert "Nothing in this edition matched your topics (zzzqqqxxy, qqqzzzyyx); here is what is trending." in text
    assert "FOR YOU" not in text and "TRENDING" in text


def test_a_digest_on_milvus_keeps_its_topic_picks_without_for_you(env, tmp_path):
    """Search on Milvus has no term statistics, which For you reads: a subscriber with an account still
    gets the topics they follow, and no pick claims a likeness nobody measured."""
    from paperboard.digest.picks import Personalizer
    from paperboard.search.milvus import MilvusSearch

    _, engine, _, _, _ = env
    with engine.begin() as conn:
        user = create_user(conn, "on-milvus", "a long password")
        upvote(conn, LIKED, user.id)
    milvus = MilvusSearch(str(tmp_path / "milvus" / "search.db"))
    try:
        milvus.reindex(engine)
        picks = Personalizer(engine, milvus, EDITION).picks(
            Preferences(keywords=("reversal curse",), max_count=50), user.id)
    finally:
        milvus.close()
    assert picks and all(r.startswith("matches “reversal curse”") for p in picks for r in p.reasons)
