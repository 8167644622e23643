"""The mails an account's owner gets (:mod:`paperboard.community.account_mail`): confirm the address,
reset the password, a reply to a comment. Each is made when it is sent, from what the store holds then:
a reply that was deleted meanwhile, or mail on replies turned off, sends nothing."""

from __future__ import annotations

from email.message import Message

from sqlalchemy import Connection, select

from ..clock import utcnow
from ..community import account_mail
from ..config import Config
from ..storage.schema import comments, papers, users
from ..text import plain_excerpt
from .compose import account_notice, message

Built = tuple[Message, str, str]  # the mail, the link it carries, the address


def account_message(conn: Connection, config: Config, user_id: int, kind: str,
                    ref: str | None) -> Built | None:
    """The mail of an outbox row for an account; None when there is nothing to send any more."""
    address = account_mail.address_of(conn, user_id)
    if address is None or not address.email:
        return None
    secret, base = config.signing_key(), config.base_url
    unsubscribe = None
    if kind == "verify":
        url = f"{base}/account/verify?token={account_mail.make_link(secret, 'verify', address)}"
        composed = account_notice(
            "Confirm your address for Paperboard",
            f"The Paperboard account {address.username} gave {address.email} as its address.",
            "Confirm the address", url,
            "The link works for 7 days. If you did not sign up, ignore this message: the address stays "
            "unconfirmed and no other mail is sent to it.", base)
    elif kind == "reset":
        url = f"{base}/reset/confirm?token={account_mail.make_link(secret, 'reset', address)}"
        composed = account_notice(
            "Reset your Paperboard password",
            f"Someone asked to reset the password of the Paperboard account {address.username}.",
            "Choose a new password", url,
            "The link works once, for one hour. If it was not you, ignore this message: your password "
            "stays as it is.", base)
    elif kind == "reply":
        if not (address.reply_mail and address.verified) or not (ref or "").isdigit():
            return None
        reply = conn.execute(
            select(comments.c.id, comments.c.body, comments.c.paper_id, users.c.username, papers.c.title)
            .join(users, users.c.id == comments.c.user_id).join(papers, papers.c.id == comments.c.paper_id)
            .where(comments.c.id == int(ref or 0))).first()
        if reply is None or reply.body == "[deleted]":
            return None
        url = f"{base}/papers/{reply.paper_id}#comment-{reply.id}"
        off = account_mail.make_link(secret, "replies-off", address)
        unsubscribe = f"{base}/account/replies/off?token={off}"
        composed = account_notice(
            f"{reply.username} replied to your comment",
            f"{reply.username} replied to your comment on “{' '.join(reply.title.split())}”:",
            "Read the thread", url,
            f"You get these because you asked for mail on replies. To stop them: {unsubscribe}", base,
            quote=plain_excerpt(reply.body, 600))
    else:
        raise ValueError(f"unknown account mail {kind!r}")
    from .sender import _domain

    msg = message(composed, sender=config.mail_from, to=address.email, message_domain=_domain(config),
                  unsubscribe=unsubscribe, when=utcnow())
    return msg, url, address.email
