"""Request safety: CSRF tokens bound to the session, and in-memory rate limits.

Rate limits are per process (a sliding window per key); behind several workers each counts alone, which
bounds abuse by the number of workers. Put a shared limiter in the proxy for more.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

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
    "signin": Limit(10, 60),     # per address and username
    "signup": Limit(20, 3600),   # per address
    "write": Limit(60, 60),      # per account: submissions, upvotes, comments, collections
}


class RateLimiter:
    def __init__(self, limits: dict[str, Limit] | None = None, clock: Callable[[], float] = time.monotonic):
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self._clock = clock
        self._events: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def retry_after(self, action: str, key: str) -> float | None:
        """Record an attempt; None if allowed, else the seconds until one would be."""
        limit = self.limits[action]
        now = self._clock()
        with self._lock:
            window = self._events[(action, key)]
            while window and window[0] <= now - limit.seconds:
                window.popleft()
            if len(window) >= limit.events:
                return max(0.0, window[0] + limit.seconds - now)
            window.append(now)
            if len(self._events) > 100_000:  # forget idle keys rather than grow without bound
                for k in [k for k, w in self._events.items() if not w]:
                    del self._events[k]
            return None
