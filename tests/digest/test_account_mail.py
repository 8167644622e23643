"""An account's mails through the outbox and a real SMTP server, on SQLite and PostgreSQL: links that
work once and die when the account changes, replies mailed only to those who asked with a confirmed
address, and mails that are no longer wanted dropped rather than sent."""

from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from paperboard.community import account_mail, accounts, comments
from paperboard.community.errors import CommunityError
from paperboard.digest import notices
from paperboard.storage.schema import mail_outbox

SECRET = "digest-secret"


def _token(msg, path: str) -> str:
    return re.search(rf"http://paperboard\.test{re.escape(path)}\?token=(\S+)",
                     msg.get_body(("plain",)).get_content()).group(1)


def _statuses(engine):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(mail_outbox.c.kind, mail_outbox.c.status)
                                               .where(mail_outbox.c.user_id.is_not(None)).order_by(mail_outbox.c.id))]


def _account(engine, name, email=None, *, verified=False, replies=False):
    with engine.begin() as conn:
        user = accounts.create_user(conn, name, "a long password", email=email)
        if verified:
            account_mail.verify(conn, SECRET, account_mail.make_link(SECRET, "verify", account_mail.address_of(conn, user.id)))
        account_mail.set_reply_mail(conn, user.id, replies)
    return user


def test_a_reset_link_works_once_and_dies_when_the_address_changes(env):
    config, engine, _, smtp, _ = env
    user = _account(engine, "resetter", "resetter@example.org")
    with engine.begin() as conn:
        account_mail.queue(conn, user.id, "reset")
        account_mail.queue(conn, user.id, "reset")
    assert notices.deliver(engine, config).sent == 2
    first, second = (_token(m, "/reset/confirm") for m in smtp.messages)
    with engine.begin() as conn:
        assert account_mail.reset_password(conn, SECRET, first, "a brand new password").id == user.id
        assert account_mail.address_of(conn, user.id).verified  # the link came to the address
        assert accounts.authenticate(conn, "resetter", "a brand new password")
    for used in (first, second):  # the password changed: every earlier link is spent
        with engine.begin() as conn, pytest.raises(account_mail.LinkError, match="has been used"):
            account_mail.reset_password(conn, SECRET, used, "yet another password")
    with engine.begin() as conn:
        fresh = account_mail.make_link(SECRET, "reset", account_mail.address_of(conn, user.id))
        account_mail.change_address(conn, user, "elsewhere@example.org", "a brand new password")
    with engine.begin() as conn, pytest.raises(account_mail.LinkError):
        account_mail.reset_password(conn, SECRET, fresh, "yet another password")
    assert _statuses(engine)[-1] == ("verify", "pending")  # the new address is sent a link to confirm it


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000])
def test_forged_and_foreign_links_are_refused(env, token):
    _, engine, _, _, _ = env
    user = _account(engine, "target", "target@example.org")
    with engine.connect() as conn:
        verify_link = account_mail.make_link(SECRET, "verify", account_mail.address_of(conn, user.id))
        forged = URLSafeTimedSerializer("another-secret", salt="paperboard-account-reset").dumps([user.id, "x"])
        for bad in (token, verify_link, forged):  # a verify link is not a reset link
            with pytest.raises(account_mail.LinkError):
                account_mail.read_link(conn, SECRET, "reset", bad)


def test_an_expired_link_says_so(env, monkeypatch):
    _, engine, _, _, _ = env
    user = _account(engine, "late", "late@example.org")
    with engine.connect() as conn:
        address = account_mail.address_of(conn, user.id)
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() - 7200)  # made two hours ago
    old = account_mail.make_link(SECRET, "reset", address)
    monkeypatch.setattr(itsdangerous.timed.time, "time", real)
    with engine.connect() as conn, pytest.raises(account_mail.LinkError, match="expired"):
        account_mail.read_link(conn, SECRET, "reset", old)


def test_replies_are_mailed_only_to_those_who_asked_with_a_confirmed_address(env):
    config, engine, _, smtp, records = env
    paper = records[0]["id"]
    asked = _account(engine, "asked", "asked@example.org", verified=True, replies=True)
    unconfirmed = _account(engine, "unconfirmed", "unconfirmed@example.org", replies=True)
    quiet = _account(engine, "quiet", "quiet@example.org", verified=True)
    replier = _account(engine, "replier")
    with engine.begin() as conn:
        firsts = {u.username: comments.add_comment(conn, paper, u, f"by {u.username}")
                  for u in (asked, unconfirmed, quiet)}
        for name, said in firsts.items():
            reply = comments.add_comment(conn, paper, replier, f"re {name}", reply_to=said.id)
            account_mail.queue_reply(conn, reply.id, said.id, replier.id)
        mine = comments.add_comment(conn, paper, asked, "answering myself", reply_to=firsts["asked"].id)
        assert not account_mail.queue_reply(conn, mine.id, firsts["asked"].id, asked.id)
    assert notices.deliver(engine, config).sent == 1
    (mail,) = smtp.messages
    assert mail["To"] == "asked@example.org" and "re asked" in mail.get_body(("plain",)).get_content()
    assert mail["List-Unsubscribe"].startswith("<http://paperboard.test/account/replies/off?token=")


def test_a_reply_deleted_or_mail_turned_off_before_sending_is_dropped(env):
    config, engine, _, smtp, records = env
    paper = records[0]["id"]
    author = _account(engine, "author", "author@example.org", verified=True, replies=True)
    replier = _account(engine, "replier2")
    with engine.begin() as conn:
        first = comments.add_comment(conn, paper, author, "first")
        gone = comments.add_comment(conn, paper, replier, "soon deleted", reply_to=first.id)
        kept = comments.add_comment(conn, paper, replier, "kept", reply_to=first.id)
        assert account_mail.queue_reply(conn, gone.id, first.id, replier.id)
        assert account_mail.queue_reply(conn, kept.id, first.id, replier.id)
        comments.delete_comment(conn, gone.id, replier)
        account_mail.set_reply_mail(conn, author.id, False)
    done = notices.deliver(engine, config)
    assert done.sent == 0 and not smtp.messages
    assert _statuses(engine) == [("reply", "dropped"), ("reply", "dropped")]


def test_an_address_taken_by_another_account_is_refused(env):
    _, engine, _, _, _ = env
    _account(engine, "holder", "taken@example.org")
    other = _account(engine, "other", "mine@example.org")
    with engine.begin() as conn, pytest.raises(CommunityError, match="cannot be used"):
        account_mail.change_address(conn, other, "Taken@Example.org", "a long password")
    with engine.begin() as conn, pytest.raises(CommunityError, match="password is wrong"):
        account_mail.change_address(conn, other, "new@example.org", "not the password")
    with engine.connect() as conn:
        assert account_mail.address_of(conn, other.id).email == "mine@example.org"
