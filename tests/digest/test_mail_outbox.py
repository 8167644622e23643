"""The mail outbox for confirmation and manage mails, delivered in the test process against aiosmtpd, on
SQLite and PostgreSQL: what each row ends as, what the mails carry, and what a delivery reports."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from sqlalchemy import select, update

from paperboard.digest import notices, tokens
from paperboard.digest import subscribers as store
from paperboard.digest.mailer import Mailer, SmtpSettings
from paperboard.digest.preferences import Preferences
from paperboard.storage.schema import mail_outbox
from tests.digest.conftest import free_port


def _queue(engine, *entries):
    ids = {}
    with engine.begin() as conn:
        for email, kind in entries:
            subscriber = store.add(conn, email, Preferences())[0]
            notices.queue(conn, subscriber, kind)
            ids[email] = subscriber.id
    return ids


def _rows(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(mail_outbox.c.kind, mail_outbox.c.status,
                                                      mail_outbox.c.attempts, mail_outbox.c.last_error)
                                               .order_by(mail_outbox.c.id))]


def _link(msg, path: str) -> str:
    return re.search(rf"http://paperboard\.test{re.escape(path)}\?token=(\S+)",
                     msg.get_body(("plain",)).get_content()).group(1)


def test_each_queued_mail_is_sent_refused_or_kept_and_says_so(env):
    config, engine, _, smtp, _ = env
    ids = _queue(engine, ("new@example.org", "confirm"), ("bounce@example.org", "confirm"),
                 ("known@example.org", "manage"))
    done = notices.deliver(engine, config)
    assert (done.sent, done.failed, done.pending, done.logged) == (2, 1, 0, 0)
    assert len(done.problems) == 1 and done.problems[0].startswith("bounce@example.org: refused by the mail")
    rows = _rows(engine)
    assert [(k, s, a) for k, s, a, _ in rows] == [("confirm", "sent", 1), ("confirm", "failed", 1),
                                                  ("manage", "sent", 1)]
    assert rows[0][3] is None and "550" in rows[1][3]
    confirm, = smtp.to("new@example.org")
    text = confirm.get_body(("plain",)).get_content()
    assert "Paperboard digests at new@example.org." in text and text.rstrip().endswith("http://paperboard.test")
    assert tokens.read(config.signing_key(), "confirm", _link(confirm, "/subscribe/confirm")) \
        == (ids["new@example.org"], "new@example.org")
    manage, = smtp.to("known@example.org")
    text = manage.get_body(("plain",)).get_content()
    assert "subscribe known@example.org to" in text and text.rstrip().endswith("http://paperboard.test")
    secret, who = config.signing_key(), (ids["known@example.org"], "known@example.org")
    assert tokens.read(secret, "manage", _link(manage, "/digest/preferences")) == who
    assert tokens.read(secret, "unsubscribe", _link(manage, "/digest/unsubscribe")) == who
    assert manage["From"] == config.mail_from and manage["Message-ID"].endswith("@paperboard.test>")
    again = notices.deliver(engine, config)
    assert (again.sent, again.failed) == (0, 0) and len(smtp.messages) == 2  # nothing twice


def test_a_server_that_is_down_keeps_the_rest_queued_in_order(env):
    config, engine, _, smtp, _ = env
    _queue(engine, *[(f"wait{i}@example.org", "confirm") for i in range(3)])
    down = replace(config, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    done = notices.deliver(engine, down)
    assert (done.sent, done.pending) == (0, 3) and done.problems[0].startswith("wait0@example.org: ")
    rows = _rows(engine)
    assert [(s, a) for _, s, a, _ in rows] == [("pending", 1), ("pending", 0), ("pending", 0)]
    assert "cannot reach the mail server" in rows[0][3]
    one = notices.deliver(engine, config, limit=1)  # oldest first, at most ``limit``
    assert one.sent == 1 and [str(m["To"]) for m in smtp.messages] == ["wait0@example.org"]
    assert notices.deliver(engine, config).sent == 2


def test_a_claim_left_by_a_killed_process_is_taken_again_once_stale(env):
    config, engine, _, smtp, _ = env
    _queue(engine, ("cut@example.org", "confirm"), ("fresh@example.org", "confirm"))
    now = dt.datetime.now(dt.UTC)
    # both claimed by processes that died before finishing: one long ago, one just now
    assert notices._claim(engine, 1, now - notices.STALE_CLAIM - dt.timedelta(seconds=5))
    assert notices._claim(engine, 2, now)
    assert not notices._claim(engine, 2, now)  # a fresh claim is nobody else's to take
    done = notices.deliver(engine, config)
    assert done.sent == 1 and [str(m["To"]) for m in smtp.messages] == ["cut@example.org"]
    assert [(s, a) for _, s, a, _ in _rows(engine)] == [("sent", 2), ("sending", 1)]  # each claim a try


def test_a_mail_another_delivery_is_sending_is_left_to_it_and_the_rest_still_go(env):
    """Mails queued an hour ago (the server was down). While this delivery sends the first, another
    starts: the first is freshly claimed, so it takes the second; this one finds the second taken and
    goes on to the third. Each mail is sent once."""
    config, engine, _, smtp, _ = env
    _queue(engine, ("first@example.org", "confirm"), ("second@example.org", "confirm"),
           ("third@example.org", "confirm"))
    with engine.begin() as conn:
        conn.execute(update(mail_outbox).values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
    settings = SmtpSettings.parse(config.smtp_url)
    other: list[notices.Delivery] = []

    class Overlapped(Mailer):
        def send(self, msg, **kwargs):
            if msg["To"] == "first@example.org":
                other.append(notices.deliver(engine, config, limit=1))
            super().send(msg, **kwargs)

    done = notices.deliver(engine, config, mailer=lambda: Overlapped(settings))
    assert done.sent == 2 and other[0].sent == 1
    assert sorted(str(m["To"]) for m in smtp.messages) == ["first@example.org", "second@example.org",
                                                            "third@example.org"]
    assert [(s, a) for _, s, a, _ in _rows(engine)] == [("sent", 1), ("sent", 1), ("sent", 1)]


def test_without_a_mail_server_each_link_is_logged_once(env, caplog):
    config, engine, _, smtp, _ = env
    _queue(engine, ("a@example.org", "confirm"), ("b@example.org", "manage"))
    with caplog.at_level("WARNING"):
        done = notices.deliver(engine, replace(config, smtp_url="  "))
    assert (done.logged, done.sent) == (2, 0) and smtp.messages == []
    assert [s for _, s, _, _ in _rows(engine)] == ["logged", "logged"]
    said = [m for m in caplog.messages if "no mail server is configured" in m]
    assert len(said) == 2 and "the confirm link for a@example.org is http://paperboard.test/subscribe/confirm" \
        in said[0] and "/digest/preferences?token=" in said[1]


def test_a_delivery_counts_every_refusal_and_what_a_server_gone_busy_left(env):
    config, engine, _, smtp, _ = env
    _queue(engine, ("bounce1@example.org", "confirm"), ("bounce2@example.org", "confirm"),
           ("first@example.org", "confirm"), ("later@example.org", "confirm"), ("last@example.org", "confirm"))
    accept = smtp.handle_DATA

    async def then_busy(*args):  # the server takes one message, then answers 451 to every other
        answer = await accept(*args)
        smtp.busy = True
        return answer

    smtp.handle_DATA = then_busy
    done = notices.deliver(engine, config)
    assert (done.sent, done.failed, done.pending) == (1, 2, 2)  # both refusals, and the two after the 451
    assert [p.split(":")[0] for p in done.problems] == ["bounce1@example.org", "bounce2@example.org",
                                                        "later@example.org"]
    assert [s for _, s, _, _ in _rows(engine)] == ["failed", "failed", "sent", "pending", "pending"]
    smtp.handle_DATA, smtp.busy = accept, False
    assert notices.deliver(engine, config).sent == 2
