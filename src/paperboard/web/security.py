"""Request safety: CSRF tokens bound to the session, and rate limits whose counters every worker shares
(the database, :mod:`paperboard.storage.rate_limits`)."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

CSRF_FIELD = "csrf_token"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def csrf_ok(session: MutableMapping[str, Any], submitted: object) -> bool:
    expected = session.get("csrf")
    return bool(expected) and isinstance(submitted, str) and hmac.compare_digest(str(expected), submitted)


@dataclass(frozen=True, slots=True)
class Limit:
    events: int
    seconds: float


DEFAULT_LIMITS = {
    "signin": Limit(10, 60),              # per client address and username
    "signin_address": Limit(50, 900),     # per client address, whatever the username (password spraying)
    "signin_account": Limit(30, 900),     # per username, from every address together
    "signup": Limit(20, 3600),            # per client address
    "write": Limit(60, 60),               # per account: submissions, upvotes, comments, collections
    "subscribe": Limit(20, 3600),         # per client address
    "mail": Limit(1, 600),                # per recipient: confirmation and manage-link mails
    "arxiv": Limit(10, 3600),             # per client address: papers fetched from arXiv on demand
}


class Counts(Protocol):
    def hit(self, action: str, key: str, window: int, previous: int, expires: int,
            now: int) -> tuple[int, int]: ...


class MemoryCounts:
    """Counters in this process only (tests and one-off tools). Past ``max_keys`` counters, those of
    finished windows are forgotten rather than kept without bound."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[tuple[str, str, int], tuple[int, int]] = {}
        self._lock = threading.Lock()
        self.max_keys = max_keys

    def hit(self, action: str, key: str, window: int, previous: int, expires: int,
            now: int) -> tuple[int, int]:
        with self._lock:
            count = self._counts.get((action, key, window), (0, expires))[0] + 1
            self._counts[(action, key, window)] = (count, expires)
            if len(self._counts) > self.max_keys:
                self._counts = {k: v for k, v in self._counts.items() if v[1] >= now}
            return count, self._counts.get((action, key, previous), (0, 0))[0]


class RateLimiter:
    """At most ``events`` per ``seconds``, per action and key, as a sliding window estimated from two
    fixed ones (the previous window's count weighted by how much of it the sliding window still
    covers), so a burst cannot straddle a window boundary. Refused attempts count too. The counters
    live in ``counts``: the database for a served site (every worker counts together)."""

    def __init__(self, limits: dict[str, Limit] | None = None, clock: Callable[[], float] = time.time,
                 counts: Counts | None = None):
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._clock = clock
        self.counts = counts or MemoryCounts()

    def retry_after(self, action: str, key: str) -> float | None:
        """Record an attempt; None if allowed, else the seconds until one would be."""
        limit = self.limits[action]
        now = self._clock()
        length = max(1, int(limit.seconds))
        window = int(now // length) * length
        count, before = self.counts.hit(action, key, window, window - length, window + 2 * length, int(now))
        elapsed = now - window
        if before * (1 - elapsed / length) + count <= limit.events:
            return None
        if count > limit.events or not before:
            return max(1.0, window + length - now)
        # the previous window's share must fall to what is left of the limit
        return max(1.0, length * (1 - (limit.events - count) / before) - elapsed)
