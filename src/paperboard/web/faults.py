"""What visitors are told when a part of the service fails underneath them (pure)."""

from __future__ import annotations

import datetime as dt


def database_trouble(exc: BaseException) -> str:
    """What a visitor is told when the database fails (never its address or credentials)."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "readonly" in text or "read-only" in text:
        why = "the database is read-only just now"
    elif "disk is full" in text or "no space" in text:
        why = "the server's disk is full"
    elif "statement timeout" in text:  # PostgreSQL cancelled a statement past db_statement_timeout
        why = "the database took too long to answer"
    else:
        why = "the database cannot be reached just now"
    return f"{why}; nothing you sent was kept. Try again in a minute."


def listing_age(newest: dt.date | None, today: dt.date) -> int | None:
    """Days since the newest listing day (None for a store without one)."""
    return (today - newest).days if newest else None


def is_stale(age: int | None, stale_after: int) -> bool:
    """Whether a store whose newest listing is ``age`` days old (None: it has none) is stale; 0: never."""
    return stale_after > 0 and (age is None or age > stale_after)
