"""The SMTP seam over TLS against aiosmtpd: STARTTLS with a login, and TLS from the first byte (smtps),
with certificates from a throw-away CA (trustme), and a certificate nobody vouches for."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from paperboard.digest import mailer as mailer_module
from paperboard.digest.compose import Composed, message
from paperboard.digest.mailer import Mailer, MailError, SmtpSettings
from tests.digest.conftest import Sink, free_port


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def trusted(ca, tmp_path, monkeypatch):
    """Make the test CA the one the default SSL context trusts (as a system CA would be)."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    return ca


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"digest", b"p@ss:w0rd")
    # handled=False: aiosmtpd answers a failure itself (535); handled=True would leave the client waiting
    return AuthResult(success=ok, handled=False)


def hello() -> Composed:
    return Composed("Hello ✓", "plain text", "<p>html</p>")


def mail(to: str):
    return message(hello(), sender="Paperboard <digest@example.org>", to=to, message_domain="example.org",
                   unsubscribe="https://example.org/u?token=x", when=dt.datetime.now(dt.UTC))


@pytest.fixture
def starttls_with_login(trusted):
    """A server that wants STARTTLS and then a login (digest / p@ss:w0rd): its sink and port."""
    sink, port = Sink(), free_port()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trusted.issue_cert("127.0.0.1").configure_cert(tls)
    controller = Controller(sink, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
                            authenticator=authenticator, auth_require_tls=True)
    controller.start()
    yield sink, port
    controller.stop()


def test_starttls_with_login(starttls_with_login):
    sink, port = starttls_with_login
    with Mailer(SmtpSettings.parse(f"smtp://digest:p%40ss%3Aw0rd@127.0.0.1:{port}?starttls=1")) as mailer:
        mailer.send(mail("a@example.org"))
        mailer.send(mail("b@example.org"))  # the session is reused
    assert [m["To"] for m in sink.messages] == ["a@example.org", "b@example.org"]
    assert sink.messages[0]["Subject"] == "Hello ✓"


def test_a_refused_login_is_the_settings_fault_and_said_so(starttls_with_login):
    sink, port = starttls_with_login
    with pytest.raises(MailError) as refused, \
            Mailer(SmtpSettings.parse(f"smtp://digest:wrong@127.0.0.1:{port}?starttls=1")) as mailer:
        mailer.send(mail("a@example.org"))
    said = str(refused.value)
    assert "refused the login of 'digest' (535 5.7.8 Authentication credentials invalid)" in said
    assert "check the user and password in PAPERBOARD_SMTP_URL" in said
    assert "wrong" not in said  # the password is never written into an error or a log
    # the settings' fault, not the message's: it waits for the operator to mend them
    assert refused.value.settings and refused.value.temporary
    assert sink.messages == []


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_server_that_never_answers_is_given_up_on(scheme, monkeypatch):
    """A server that accepts the connection and then says nothing (no greeting, no TLS handshake) must
    not hang a digest run: the connection times out and the error is a temporary one."""
    monkeypatch.setattr(mailer_module, "TIMEOUT", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens; the kernel completes the handshake
        port = silent.getsockname()[1]
        outcome: list[BaseException] = []

        def connect():
            try:
                with Mailer(SmtpSettings.parse(f"{scheme}://127.0.0.1:{port}")) as mailer:
                    mailer.send(mail("x@example.org"))
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

        worker = threading.Thread(target=connect, daemon=True)
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive(), "the mailer waited for a silent server without a timeout"
    assert len(outcome) == 1 and isinstance(outcome[0], MailError)
    assert outcome[0].temporary
    assert "cannot reach the mail server" in str(outcome[0])


def test_tls_from_the_first_byte(trusted):
    sink, port = Sink(), free_port()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trusted.issue_cert("127.0.0.1").configure_cert(tls)
    controller = Controller(sink, hostname="127.0.0.1", port=port, ssl_context=tls)
    controller.start()
    try:
        with Mailer(SmtpSettings.parse(f"smtps://127.0.0.1:{port}")) as mailer:
            mailer.send(mail("tls@example.org"))
        assert [m["To"] for m in sink.messages] == ["tls@example.org"]
    finally:
        controller.stop()


@pytest.mark.parametrize("scheme", ["smtps", "starttls"])
def test_an_untrusted_certificate_is_refused_and_said_so(ca, scheme):
    sink, port = Sink(), free_port()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(tls)  # the CA is not trusted by the client here
    wrap = {"ssl_context": tls} if scheme == "smtps" else {"tls_context": tls, "require_starttls": True}
    controller = Controller(sink, hostname="127.0.0.1", port=port, **wrap)
    controller.start()
    url = f"smtps://127.0.0.1:{port}" if scheme == "smtps" else f"smtp://127.0.0.1:{port}?starttls=1"
    try:
        with pytest.raises(MailError) as refused, Mailer(SmtpSettings.parse(url)) as mailer:
            mailer.send(mail("x@example.org"))
        assert "certificate this machine does not trust" in str(refused.value)
        assert "unable to get local issuer certificate" in str(refused.value)
        assert refused.value.temporary and refused.value.settings  # kept until the operator mends the chain
        assert sink.messages == []
    finally:
        controller.stop()
