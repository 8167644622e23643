"""E-mail addresses as accounts and subscriptions store them (pure)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from .errors import PaperboardError

MAX_ADDRESS = 254  # RFC 5321's limit on a forward path, less its angle brackets


class AddressError(PaperboardError):
    """Text that is not a usable e-mail address; the message says why."""


def normalize_email(text: str) -> str:
    """A valid address, normalised (IDNA domain, Unicode NFC) and lower-cased so that one inbox is one
    account or subscriber. Deliverability is not checked (no DNS at subscribe time). A non-ASCII local
    part is accepted; the mailer sends to it with SMTPUTF8 where the server offers it."""
    try:
        checked = validate_email((text or "").strip()[:MAX_ADDRESS + 1], check_deliverability=False)
    except EmailNotValidError as exc:
        shown = (text or "").strip()[:100]
        raise AddressError(f"{shown!r} is not a valid e-mail address: {exc}") from None
    return checked.normalized.lower()
