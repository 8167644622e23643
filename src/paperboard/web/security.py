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
    "for_you": Limit(60, 60),             # per account: For you pages and API calls (a dozen searches each)
    "preview": Limit(60, 60),             # per client address: social preview images made (not kept ones)
    "reset": Limit(5, 3600),              # per client address: password reset requests
    "slow_search": Limit(20, 60),         # per client address: searches that took SLOW_SEARCH or more
}
SLOW_SEARCH = 0.25  # seconds: a search that takes this long spends one of the client's slow_search


class SearchBudget:
    """How much search time each client may spend: every search that takes ``SLOW_SEARCH`` seconds or
    more counts against its ``slow_search`` limit, and a client over it is refused (429) until the limit
    allows again, before its search runs. The counts are the limiter's (every worker's together); the
    refusal is remembered in this process, so a refused client costs no database write."""

    def __init__(self, limiter: RateLimiter, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000):
        self.limiter = limiter
        self.clock = clock
        self.max_clients = max_clients
        self._refused: dict[str, float] = {}  # client -> until when (clock)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float | None:
        """Seconds until ``client`` may search again; None when it may now."""
        until = self._refused.get(client)
        if until is None:
            return None
        left = until - self.clock()
        if left > 0:
            return left
        with self._lock:
            self._refused.pop(client, None)
        return None

    def spent(self, client: str, seconds: float) -> None:
        """Record a search of ``client`` that took ``seconds``."""
        if seconds < SLOW_SEARCH:
            return
        wait = self.limiter.retry_after("slow_search", client)
        if wait is not None:
            with self._lock:
                if len(self._refused) >= self.max_clients:
                    now = self.clock()
                    self._refused = {k: v for k, v in self._refused.items() if v > now}
                self._refused[client] = self.clock() + wait


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
