"""Subscriptions cannot be taken over: the form changes nothing about an existing address and answers as
for a new one, an account is linked only with both proofs, mails to one inbox have a cooldown, and the
confirmation mail goes through an outbox (a real aiosmtpd server)."""

import re
import threading
from dataclasses import replace

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from paperboard.digest import notices
from paperboard.digest import subscribers as store
from paperboard.digest.preferences import Preferences
from paperboard.storage.schema import mail_outbox
from paperboard.web.app import create_app
from tests.digest.conftest import Sink, free_port, link_in
from tests.web.conftest import csrf, sign_up

CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]+"')


def _app(config, engine, search):
    return create_app(config, engine=engine, search=search, fetch_from_arxiv=False, cache_seconds=0)


def _subscribe(client, email, **fields):
    data = {"csrf_token": csrf(client, "/subscribe"), "email": email, "frequency": "daily", **fields}
    return client.post("/subscribe", data=data)


def _shown(response, email):
    return CSRF_VALUE.sub("", response.text).replace(email, "ADDRESS")


def test_the_form_never_changes_or_reveals_an_existing_subscription(env):
    config, engine, search, smtp, _ = env
    with engine.begin() as conn:
        victim = store.add(conn, "victim@example.org", Preferences(keywords=("grokking",)), confirmed=True)[0]
    with TestClient(_app(config, engine, search), client=("192.0.2.1", 1)) as client:
        known = _subscribe(client, "victim@example.org", keywords="spam, casino", frequency="weekly")
    with TestClient(_app(config, engine, search), client=("192.0.2.2", 1)) as client:
        new = _subscribe(client, "newcomer@example.org", keywords="spam, casino", frequency="weekly")
    assert known.status_code == new.status_code == 200
    assert _shown(known, "victim@example.org") == _shown(new, "newcomer@example.org")
    with engine.connect() as conn:
        after = store.get(conn, victim.id)
    assert after.preferences == victim.preferences and after.confirmed and after.user_id is None
    [reminder] = smtp.to("victim@example.org")
    assert "already subscribed" in reminder.get_body(("plain",)).get_content()
    assert "/digest/preferences?token=" in reminder.get_body(("plain",)).get_content()
    [confirm] = smtp.to("newcomer@example.org")
    assert "Confirm" in confirm["Subject"]


def test_an_account_is_linked_only_with_the_mailed_link_and_its_own_session(env):
    config, engine, search, smtp, _ = env
    app = _app(config, engine, search)
    with TestClient(app) as attacker:
        sign_up(attacker, "mallory")
        assert _subscribe(attacker, "target@example.org").status_code == 200
        with engine.connect() as conn:
            target = store.find(conn, "target@example.org")
        assert target.user_id is None  # a signed-in subscriber's account is not attached by the form
        confirm = link_in(smtp.to("target@example.org")[0], "/subscribe/confirm")
    with TestClient(app) as owner:
        sign_up(owner, "targetowner")
        page = owner.get(confirm)
        assert page.status_code == 200 and "Use my upvotes and collections as targetowner" in page.text
        manage = re.search(r'action="/digest/link\?token=([^"]+)"', page.text).group(1)
        with engine.connect() as conn:
            assert store.find(conn, "target@example.org").user_id is None  # confirming links nothing
        with TestClient(app) as stranger:  # no session: refused, whatever token it holds
            assert stranger.post(f"/digest/link?token={manage}",
                                 data={"csrf_token": csrf(stranger, "/signin")}).status_code == 401
        with TestClient(app) as other:  # signed in, but without the mailed link
            sign_up(other, "mallory2")
            assert other.post("/digest/link?token=forged",
                              data={"csrf_token": csrf(other, "/subscribe")}).status_code == 400
        linked = owner.post(f"/digest/link?token={manage}", data={"csrf_token": csrf(owner, "/subscribe")},
                            follow_redirects=False)
        assert linked.status_code == 303
    with engine.connect() as conn:
        user_id = store.find(conn, "target@example.org").user_id
        from paperboard.community.accounts import find_user
        assert user_id == find_user(conn, "targetowner").id


def test_one_inbox_gets_one_mail_per_cooldown_whoever_asks(env):
    config, engine, search, smtp, _ = env
    app = _app(config, engine, search)
    answers = []
    for i in range(6):
        with TestClient(app, client=(f"198.51.100.{i}", 1)) as client:
            answers.append(_subscribe(client, "flooded@example.org").status_code)
    assert answers == [200] * 6
    assert len(smtp.to("flooded@example.org")) == 1


def test_a_mail_server_that_is_down_shows_no_error_and_the_mail_goes_out_later(env):
    config, engine, search, smtp, _ = env
    down = replace(config, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    with TestClient(_app(down, engine, search)) as client:
        r = _subscribe(client, "patient@example.org")
    assert r.status_code == 200 and "Check your inbox" in r.text and "Errno" not in r.text
    assert smtp.to("patient@example.org") == []
    with engine.connect() as conn:
        assert conn.execute(select(mail_outbox.c.status)).scalars().all() == ["pending"]
    assert notices.deliver(engine, down).pending == 1  # still down: still queued
    done = notices.deliver(engine, config)  # the server is back
    assert done.sent == 1 and len(smtp.to("patient@example.org")) == 1
    assert notices.deliver(engine, config).sent == 0  # sent once


def test_without_a_mail_server_the_link_is_logged_for_the_operator(env, caplog):
    config, engine, search, _, _ = env
    none = replace(config, smtp_url="")
    with TestClient(_app(none, engine, search)) as client, caplog.at_level("WARNING"):
        r = _subscribe(client, "offline@example.org")
    assert r.status_code == 200
    logged = [m for m in caplog.messages if "offline@example.org" in m]
    assert logged and "/subscribe/confirm?token=" in logged[0]
    with engine.connect() as conn:
        assert conn.execute(select(mail_outbox.c.status)).scalars().all() == ["logged"]


def test_two_deliveries_at_once_send_each_mail_once(env):
    config, engine, _, _, _ = env
    slow = Sink()
    controller = Controller(slow, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        cfg = replace(config, smtp_url=f"smtp://127.0.0.1:{controller.port}")
        with engine.begin() as conn:
            for i in range(30):
                s = store.add(conn, f"queued{i}@example.org", Preferences())[0]
                notices.queue(conn, s, "confirm")
        runs = [threading.Thread(target=notices.deliver, args=(engine, cfg)) for _ in range(3)]
        for t in runs:
            t.start()
        for t in runs:
            t.join()
    finally:
        controller.stop()
    sent = sorted(str(m["To"]) for m in slow.messages)
    assert sent == sorted(f"queued{i}@example.org" for i in range(30))


def test_the_cli_queues_and_delivers_confirmation_mails(env):
    import json

    from tests.digest.test_digest import run_cli

    config, _, _, smtp, _ = env
    down = replace(config, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    added = run_cli(down, "subscribers", "add", "cli.reader@example.org", "--keywords", "grokking")
    assert added.returncode == 1 and "queued but not sent yet" in added.stderr
    retried = run_cli(config, "mail", "deliver", "--format", "json")
    assert retried.returncode == 0 and json.loads(retried.stdout)["sent"] == 1
    assert len(smtp.to("cli.reader@example.org")) == 1
    offline = run_cli(replace(config, smtp_url=""), "subscribers", "add", "no.mail@example.org")
    assert offline.returncode == 0 and "/subscribe/confirm?token=" in offline.stdout
