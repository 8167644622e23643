"""A short-lived cache of whole responses for anonymous readers (pure ASGI middleware).

Everyone who is not signed in sees the same daily page, paper page or API answer, so those are rendered
once per ``ttl`` seconds per process instead of once per request. Only GET/HEAD responses with status
200, no ``Set-Cookie`` and no ``Cache-Control: no-store`` or ``private`` are kept (a page that hands
out a CSRF token sets a cookie, so forms are never shared; a note about a fetch under way or about the
client's own limit says no-store); signed-in people and anyone with a message waiting always get a
fresh page. Anonymous readers may see a vote count up to ``ttl`` seconds old.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]


class AnonymousCache:
    def __init__(self, app: ASGIApp, *, ttl: float = 5.0, max_entries: int = 2000,
                 clock: Callable[[], float] = time.monotonic, skip_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self.skip_prefixes = skip_prefixes
        self._entries: OrderedDict[bytes, tuple[float, Message, bytes]] = OrderedDict()

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or self.ttl <= 0:
            return False
        session = scope.get("session") or {}
        if session.get("sid") or session.get("flash"):
            return False
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
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    self._store(key, start, b"".join(chunks), now)
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: bytes, start: Message, body: bytes, now: float) -> None:
        headers = {k.lower(): v.lower() for k, v in start.get("headers", [])}
        if start.get("status") != 200 or b"set-cookie" in headers:
            return
        if any(word in headers.get(b"cache-control", b"") for word in (b"no-store", b"private")):
            return
        self._entries[key] = (now + self.ttl, start, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
