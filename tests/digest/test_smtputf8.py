"""Non-ASCII addresses: sent with SMTPUTF8 where the server offers it, refused with a clear permanent
error where it does not (a real aiosmtpd server both ways)."""

from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from paperboard.digest.mailer import Mailer, MailError, SmtpSettings
from tests.digest.conftest import Sink, free_port


def _message(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Paperboard <digest@example.org>"
    msg["To"] = to
    msg["Subject"] = "Bücher und Übungen"
    msg.set_content("Hallo, Jürgen.\n")
    return msg


@pytest.mark.parametrize("utf8", [True, False])
def test_non_ascii_local_parts(utf8):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=utf8)
    controller.start()
    try:
        with Mailer(SmtpSettings.parse(f"smtp://127.0.0.1:{controller.port}")) as mailer:
            if utf8:
                mailer.send(_message("jürgen@bücher.example"))
            else:
                with pytest.raises(MailError, match="SMTPUTF8") as refused:
                    mailer.send(_message("jürgen@bücher.example"))
                assert not refused.value.temporary
            mailer.send(_message("ascii@example.org"))  # the session still works for everyone else
    finally:
        controller.stop()
    received = [str(m["To"]) for m in sink.messages]
    assert received == (["jürgen@bücher.example", "ascii@example.org"] if utf8 else ["ascii@example.org"])
    if utf8:
        assert sink.messages[0]["Subject"] == "Bücher und Übungen"
