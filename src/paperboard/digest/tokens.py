"""Signed links in e-mails (confirm, manage preferences, unsubscribe): no password needed, and a link
only works for the subscriber and the purpose it was made for."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

# how long each kind of link works; unsubscribe links never expire (old digests must still work)
MAX_AGE = {"confirm": 7 * 86400, "manage": 60 * 86400, "unsubscribe": None}


class LinkError(ValueError):
    """A link that is forged, for something else, or expired."""


def make(secret: str, purpose: str, subscriber_id: int, email: str) -> str:
    return URLSafeTimedSerializer(secret, salt=f"paperboard-{purpose}").dumps([subscriber_id, email])


def read(secret: str, purpose: str, token: str) -> tuple[int, str]:
    serializer = URLSafeTimedSerializer(secret, salt=f"paperboard-{purpose}")
    try:
        subscriber_id, email = serializer.loads(token, max_age=MAX_AGE[purpose])
    except SignatureExpired:
        raise LinkError("this link has expired; ask for a new one") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkError("this link is not valid") from None
    return int(subscriber_id), str(email)
