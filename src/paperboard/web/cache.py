"""A short-lived cache of whole responses for anonymous readers (pure ASGI middleware).

Everyone who is not signed in sees the same daily page, paper page or API answer, so those are rendered
once per ``ttl`` seconds per process instead of once per request. Only GET/HEAD responses with status
200, no ``Set-Cookie`` and no ``Cache-Control: no-store`` or ``private`` are kept (a note about a fetch
under way or about the client's own limit says no-store); signed-in people, anyone with a message
waiting and any request with an ``Authorization`` header always get a fresh answer. Anonymous readers
may see a vote count up to ``ttl`` seconds old.

A response the visitor's session shaped is never kept, whether or not the session changed: a form that
carries the CSRF token a visitor already holds sets no cookie, yet must not reach the next visitor. The
cache watches the session while the page is made (:class:`WatchedSession`) and keeps only pages that
read nothing from it.

Memory is bounded by bytes, not only entries: a body over ``max_body`` is never kept, the entries
together stay under ``max_bytes`` (oldest dropped first), and expired entries are swept as new ones come.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware.sessions import Session

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

MAX_BODY = 256 << 10  # a response larger than this is made anew each time, never kept
MAX_BYTES = 32 << 20  # all kept responses of one process together


class WatchedSession(Session):
    """A session that remembers whether the page read a value it holds, or wrote one (reading a key it
    does not hold tells the page nothing about the visitor). Starlette's own flags (``accessed``,
    ``modified``: whether to send a cookie) are kept as its session middleware sets them."""

    used = False

    def _saw(self, key: object) -> None:
        if dict.__contains__(self, key):
            self.used = True

    def __getitem__(self, key: object) -> Any:
        self._saw(key)
        return dict.__getitem__(self, key)

    def get(self, key: object, default: Any = None) -> Any:
        self._saw(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._saw(key)
        return dict.__contains__(self, key)

    def pop(self, key: object, *default: Any) -> Any:
        self._saw(key)
        return super().pop(key, *default)

    def setdefault(self, key: object, default: Any = None) -> Any:
        self.used = True
        return super().setdefault(key, default)

    def __setitem__(self, key: object, value: Any) -> None:
        self.used = True
        super().__setitem__(key, value)

    def __delitem__(self, key: object) -> None:
        self.used = True
        super().__delitem__(key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.used = True
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self.used = True
        super().clear()

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.used = self.used or bool(len(self))
        return dict.__iter__(self)

    def items(self):  # type: ignore[no-untyped-def]
        self.used = self.used or bool(len(self))
        return dict.items(self)

    def values(self):  # type: ignore[no-untyped-def]
        self.used = self.used or bool(len(self))
        return dict.values(self)


class AnonymousCache:
    def __init__(self, app: ASGIApp, *, ttl: float = 5.0, max_entries: int = 2000, max_body: int = MAX_BODY,
                 max_bytes: int = MAX_BYTES, clock: Callable[[], float] = time.monotonic,
                 skip_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_body = max_body
        self.max_bytes = max_bytes
        self.clock = clock
        self.skip_prefixes = skip_prefixes
        self._entries: OrderedDict[bytes, tuple[float, Message, bytes]] = OrderedDict()
        self.bytes = 0  # the bodies kept now

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or self.ttl <= 0:
            return False
        session = scope.get("session") or {}
        if session.get("sid") or session.get("flash"):
            return False
        if any(name.lower() == b"authorization" for name, _ in scope.get("headers", ())):
            return False  # an answer for a token's owner (For you) is theirs alone
        return not scope["path"].startswith(self.skip_prefixes)

    async def __call__(self, scope: Scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["method"].encode() + b" " + scope["path"].encode() + b"?" + scope.get("query_string", b"")
        now = self.clock()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            await send(hit[1])
            await send({"type": "http.response.body", "body": hit[2]})
            return
        session = WatchedSession(scope.get("session") or {})
        if "session" in scope:
            session.accessed = scope["session"].accessed if isinstance(scope["session"], Session) else False
            scope["session"] = session  # the session middleware then reads this one's flags and values
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and size <= self.max_body:
                body = message.get("body", b"")
                size += len(body)
                chunks.append(body)
                if not message.get("more_body") and size <= self.max_body and not session.used:
                    self._store(key, start, b"".join(chunks), now)
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: bytes, start: Message, body: bytes, now: float) -> None:
        headers = {k.lower(): v.lower() for k, v in start.get("headers", [])}
        if start.get("status") != 200 or b"set-cookie" in headers:
            return
        if any(word in headers.get(b"cache-control", b"") for word in (b"no-store", b"private")):
            return
        self._drop(key)
        self._sweep(now)
        self._entries[key] = (now + self.ttl, start, body)
        self.bytes += len(body)
        while self._entries and (len(self._entries) > self.max_entries or self.bytes > self.max_bytes):
            self._drop(next(iter(self._entries)))

    def _drop(self, key: bytes) -> None:
        gone = self._entries.pop(key, None)
        if gone is not None:
            self.bytes -= len(gone[2])

    def _sweep(self, now: float) -> None:
        """Drop the expired entries at the front (entries are kept in the order they were stored, and all
        live for the same ``ttl``, so the oldest expire first)."""
        while self._entries:
            oldest = next(iter(self._entries))
            if self._entries[oldest][0] > now:
                break
            self._drop(oldest)
