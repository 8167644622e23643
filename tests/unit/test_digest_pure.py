"""Pure parts of digests: addresses, preferences, signed links, SMTP settings, DATA encoding, composing."""

import datetime as dt
import smtplib
from email.message import EmailMessage, Message

import pytest

from paperboard.digest import tokens
from paperboard.digest.compose import Links, compose, message
from paperboard.digest.editions import edition
from paperboard.digest.mailer import SmtpSettings, _classify, _data, _said
from paperboard.digest.picks import Pick
from paperboard.digest.preferences import PreferenceError, Preferences, normalize_email, split_terms
from paperboard.models import Author, Paper


def test_addresses_are_validated_and_normalised():
    assert normalize_email("  Ada.Lovelace@Example.ORG ") == "ada.lovelace@example.org"
    assert normalize_email("Ü@Bücher.de") == "ü@bücher.de"  # internationalised addresses stay readable
    for bad in ["", "ada", "ada@", "@example.org", "a b@example.org", "ada@example..org"]:
        with pytest.raises(PreferenceError, match="not a valid e-mail address"):
            normalize_email(bad)


def test_preferences_parse_and_validate():
    assert split_terms("grokking, Grokking;  mixture of experts\n") == ("grokking", "mixture of experts")
    prefs = Preferences.from_json({"frequency": "weekly", "keywords": "a, b", "max_count": "5"})
    assert (prefs.frequency, prefs.keywords, prefs.max_count) == ("weekly", ("a", "b"), 5)
    assert Preferences.from_json(prefs.to_json()) == prefs
    for bad in [{"frequency": "hourly"}, {"max_count": 0}, {"threshold": 2}, {"max_count": "many"},
                {"keywords": "x" * 101}]:
        with pytest.raises(PreferenceError):
            Preferences.from_json(bad)


def test_signed_links_are_per_purpose_and_tamper_proof():
    token = tokens.make("secret", "manage", 7, "a@example.org")
    assert tokens.read("secret", "manage", token) == (7, "a@example.org")
    with pytest.raises(tokens.LinkError):
        tokens.read("secret", "unsubscribe", token)
    with pytest.raises(tokens.LinkError):
        tokens.read("other secret", "manage", token)
    with pytest.raises(tokens.LinkError):
        tokens.read("secret", "manage", token[:-2] + "xx")


def test_smtp_urls():
    s = SmtpSettings.parse("smtp://user%40x:p%3Ass@mail.example.org:587?starttls=1")
    assert (s.host, s.port, s.starttls, s.tls, s.username, s.password) == (
        "mail.example.org", 587, True, False, "user@x", "p:ss")
    assert SmtpSettings.parse("smtps://mail.example.org").port == 465
    assert SmtpSettings.parse("smtp://localhost").port == 25
    for bad in ["http://x", "smtp://", "mail.example.org:25", "smtp://host:notaport"]:
        with pytest.raises(ValueError):
            SmtpSettings.parse(bad)


def test_data_phase_doubles_leading_dots_and_uses_crlf():
    msg = EmailMessage()
    msg["To"] = "a@example.org"
    msg.set_content("line one\n.hidden line\n..two dots\nend")
    data = _data(msg, utf8=False)
    assert b"\r\n..hidden line\r\n" in data and b"\r\n...two dots\r\n" in data
    assert data.endswith(b"\r\n") and b"\r\n.\r\n" not in data and b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\nend\r\n")  # one line break before the end-of-data line, not two
    bare = Message()  # a body with no final line break gets one, so the end-of-data line stands alone
    bare["To"] = "b@example.org"
    bare.set_payload("no break at the end")
    assert _data(bare, utf8=False).endswith(b"\r\n\r\nno break at the end\r\n")
    utf8 = EmailMessage()
    utf8["To"] = "émile@example.org"
    utf8.set_content("hello")
    assert "To: émile@example.org".encode() in _data(utf8, utf8=True)  # SMTPUTF8: the header as it is
    assert "To: émile@example.org".encode() not in _data(utf8, utf8=False)


def test_compose_names_the_reason_and_escapes_html():
    paper = Paper(id="2509.21993", title="Fixing <b>reversal</b> & more", abstract="An abstract.",
                  authors=(Author("Ada Lovelace"),))
    links = Links("http://s", "http://s/manage", "http://s/unsub")
    daily = edition("daily", dt.date(2025, 9, 29))
    out = compose(daily, [Pick(paper, 0.9, ["matches “reversal”"])], [], links)
    assert out.subject == "1 paper for you · Paperboard daily, 2025-09-29"
    assert "Why: matches “reversal”" in out.text and "Fixing <b>reversal</b> & more" in out.text
    assert "Fixing &lt;b&gt;reversal&lt;/b&gt; &amp; more" in out.html and "<b>reversal</b>" not in out.html
    empty = compose(edition("weekly", dt.date(2025, 9, 29)), [], [], links)
    assert empty.subject.startswith("Nothing new for you · Paperboard weekly, 2025-W40")
    msg = message(out, sender="P <p@s>", to="a@example.org", message_domain="s", unsubscribe="http://s/unsub",
                  when=dt.datetime(2025, 9, 29, tzinfo=dt.UTC))
    assert msg["List-Unsubscribe"] == "<http://s/unsub>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("exc, temporary, says", [
    (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), False, "refused by the mail server"),
    (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"mailbox busy"), "b@x.org": (550, b"no")}), True,
     "unavailable or busy"),  # the mildest reply decides: retried while one recipient may still take it
    (smtplib.SMTPRecipientsRefused({"a@x.org": (451, b"try later")}), True, "unavailable or busy"),
    (smtplib.SMTPRecipientsRefused({}), False, "refused by the mail server"),
    (smtplib.SMTPDataError(554, b"rejected"), False, "refused by the mail server"),
    (smtplib.SMTPDataError(500, b"syntax error"), False, "refused by the mail server"),  # 5xx from its first
    (smtplib.SMTPDataError(599, b"odd"), False, "refused by the mail server"),
    (smtplib.SMTPDataError(600, b"beyond"), True, "unavailable or busy"),
    (smtplib.SMTPDataError(499, b"greylisted"), True, "unavailable or busy"),
    (smtplib.SMTPServerDisconnected("gone"), True, "unavailable or busy"),
    (ConnectionRefusedError(111, "refused"), True, "unavailable or busy"),
])
def test_mail_errors_are_temporary_unless_the_server_said_5xx(exc, temporary, says):
    err = _classify(exc)
    assert err.temporary is temporary
    assert str(err).startswith("refused by the mail server: " if not temporary else "mail server unavailable")
    assert says in str(err) and str(err).endswith(str(exc))


def test_a_refused_sender_is_the_settings_fault_and_a_busy_one_is_only_temporary():
    refused = _classify(smtplib.SMTPSenderRefused(553, b"5.7.1 sender address rejected", "P <x@example.org>"))
    assert refused.settings and refused.temporary
    assert str(refused) == ("the mail server refuses the sender P <x@example.org> (553 5.7.1 sender address "
                            "rejected); nothing was sent: check PAPERBOARD_MAIL_FROM")
    busy = _classify(smtplib.SMTPSenderRefused(451, b"try later", "P <x@example.org>"))
    assert busy.temporary and not busy.settings


def test_a_delivery_reports_every_count():
    from paperboard.digest.notices import Delivery

    done = Delivery(sent=3, logged=1, failed=2, pending=4, problems=["x@example.org: refused"])
    assert done.as_dict() == {"sent": 3, "logged": 1, "failed": 2, "pending": 4,
                              "problems": ["x@example.org: refused"]}


def test_a_servers_reply_reads_as_text_whatever_its_bytes():
    assert _said(b"5.7.8 Authentication credentials invalid") == "5.7.8 Authentication credentials invalid"
    assert _said("already text") == "already text"
    assert _said("5.7.8 caf\u00e9".encode()) == "5.7.8 caf\u00e9"  # UTF-8, as RFC 6531 servers write
    assert _said(b"bad \xff byte") == "bad \ufffd byte"  # never an error about the error
