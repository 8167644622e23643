"""The SMTP seam: settings from one URL, a connection reused for many messages, and a send that lets
the caller record a message as sent at the last moment before the server accepts it.

``smtp://user:pass@host:587?starttls=1`` (STARTTLS), ``smtps://host:465`` (TLS from the start),
``smtp://host:25`` (plain, e.g. a local relay).
"""

from __future__ import annotations

import contextlib
import email.policy
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import parse_qs, unquote, urlsplit

TIMEOUT = 30.0


class MailError(RuntimeError):
    """Sending failed. ``temporary``: worth retrying later (server down, 4xx); else permanent (5xx), a
    fault of this message. ``settings``: the fault is this side's mail settings (a refused login, a
    certificate nobody vouches for), not the message; every message waits until the operator mends them,
    and retrying before that is no use."""

    def __init__(self, message: str, *, temporary: bool, settings: bool = False):
        super().__init__(message)
        self.temporary = temporary or settings
        self.settings = settings


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool = False  # TLS from the first byte (smtps)
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> SmtpSettings:
        if not (url or "").strip():
            raise ValueError("no mail server is configured: set PAPERBOARD_SMTP_URL, e.g. smtp://127.0.0.1:25")
        parts = urlsplit(url or "")
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"PAPERBOARD_SMTP_URL must look like smtp://user:pass@host:587?starttls=1 or "
                             f"smtps://host:465, not {url!r}")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 587 if starttls else 25)
        except ValueError:
            raise ValueError(f"PAPERBOARD_SMTP_URL has a bad port: {url!r}") from None
        return cls(host=parts.hostname, port=port, tls=parts.scheme == "smtps", starttls=starttls,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


def _classify(exc: Exception) -> MailError:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPSenderRefused) and 500 <= exc.smtp_code < 600:
        # every message has this sender: the settings' fault, not this message's
        return MailError(f"the mail server refuses the sender {exc.sender} ({exc.smtp_code} "
                         f"{_said(exc.smtp_error)}); nothing was sent: check PAPERBOARD_MAIL_FROM",
                         temporary=True, settings=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = min((c for c, _ in exc.recipients.values()), default=550)
    if isinstance(code, int) and 500 <= code < 600:
        return MailError(f"refused by the mail server: {exc}", temporary=False)
    return MailError(f"mail server unavailable or busy: {exc}", temporary=True)


def _said(reply: bytes | str) -> str:
    """A server's reply text as text (smtplib keeps it as bytes)."""
    return reply.decode("utf-8", errors="replace") if isinstance(reply, bytes) else reply


# headers kept on one line up to RFC 5322's limit: a folded List-Unsubscribe trips some mail clients
_UNFOLDED = email.policy.compat32.clone(max_line_length=998)


_UNFOLDED_UTF8 = email.policy.SMTPUTF8.clone(max_line_length=998)


def _data(msg: Message, *, utf8: bool) -> bytes:
    """The message as the DATA phase carries it: CRLF lines, a leading dot doubled (RFC 5321 4.5.2),
    ending with a line break, without the terminating dot line. ``utf8``: headers in raw UTF-8, for a
    message sent with SMTPUTF8."""
    body = re.sub(rb"\r?\n", b"\r\n", msg.as_bytes(policy=_UNFOLDED_UTF8 if utf8 else _UNFOLDED))
    body = re.sub(rb"(?m)^\.", b"..", body)
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class Mailer:
    """One SMTP session; ``send`` can be called for many messages. Use as a context manager."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            # commands and replies are small and strictly alternate: without this, Nagle's algorithm
            # meets delayed ACKs and every message waits tens of milliseconds (measured: 10 ms a reply)
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"the mail server {s.host}:{s.port} refused the login of {s.username!r} "
                            f"({exc.smtp_code} {_said(exc.smtp_error)}); nothing was "
                            f"sent: check the user and password in PAPERBOARD_SMTP_URL",
                            temporary=True, settings=True) from None
        except ssl.SSLCertVerificationError as exc:
            raise MailError(f"the mail server {s.host}:{s.port} shows a certificate this machine does not "
                            f"trust ({exc.verify_message}); nothing was sent",
                            temporary=True, settings=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot reach the mail server {s.host}:{s.port}: {exc}",
                            temporary=True) from None
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, msg: Message, *, before_accept: Callable[[], None] | None = None) -> None:
        """Send ``msg``. ``before_accept`` runs after the whole message has been transmitted and just
        before the final end-of-data line that makes the server accept it: the caller commits "sent"
        there, so that a process killed at any moment either never handed the message over or has
        already recorded it. If the server then refuses, the caller's record must be undone (the
        MailError says so)."""
        if self._smtp is None:
            self._smtp = self._connect()
        smtp = self._smtp
        recipients = [a for a in (msg.get_all("To") or [])]
        utf8 = not all(str(a).isascii() for a in [msg["From"], *recipients])
        if utf8 and not smtp.has_extn("smtputf8"):
            raise MailError("the mail server does not offer SMTPUTF8, which a non-ASCII address needs",
                            temporary=False)
        try:
            code, reply = smtp.mail(str(msg["From"]), ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else [])
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, str(msg["From"]))
            refused = {}
            for rcpt in recipients:
                code, reply = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused[rcpt] = (code, reply)
            if len(refused) == len(recipients):
                smtp.rset()
                raise smtplib.SMTPRecipientsRefused(refused)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            smtp.send(_data(msg, utf8=utf8))
            if before_accept is not None:
                try:
                    before_accept()
                except BaseException:
                    self._smtp = None  # leave the DATA phase unfinished: the server discards the message
                    smtp.close()
                    raise
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None  # the session is in an unknown state: start a new one next time
            with contextlib.suppress(OSError):
                smtp.close()
            raise _classify(exc) from None
