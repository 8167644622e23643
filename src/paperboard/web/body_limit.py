"""Limits on requests (pure ASGI middleware): a body over the cap is answered 413 before the
application reads it, whether its size is declared (Content-Length) or only seen as it streams in; an
address holding a NUL character is answered 400."""

from __future__ import annotations

from typing import Any

import orjson

MAX_BODY = 1_000_000  # a 10,000-character comment or a long preferences form is a few tens of kB


async def _answer(scope: dict[str, Any], send: Any, status: int, message: str,
                  headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """An error answered before the application sees the request: JSON under /api/, else text."""
    wants_json = scope["path"].startswith("/api/")
    body = orjson.dumps({"error": message}) if wants_json else message.encode()
    kind = b"application/json" if wants_json else b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _refuse(scope: dict[str, Any], send: Any, limit: int) -> None:
    await _answer(scope, send, 413, f"the request body is larger than {limit:,} bytes",
                  ((b"connection", b"close"),))


class BodyLimit:
    def __init__(self, app: Any, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_body
            except ValueError:
                too_large = True
            if too_large:
                await _refuse(scope, send, self.max_body)
                return
        # read the whole body first (it is small by definition), then hand it on as one message
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before it finished sending
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                await _refuse(scope, send, self.max_body)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)


class RefuseNul:
    """A 400 for a NUL character in the path or the query string (``%00``): no id, name or query holds
    one, and PostgreSQL refuses it in text, which would otherwise surface as a server error."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            seen = raw + b"?" + (scope.get("query_string") or b"")
            if b"%00" in seen or b"\x00" in seen or "\x00" in scope["path"]:
                await _answer(scope, send, 400, "a NUL character (%00) is not allowed in an address")
                return
        await self.app(scope, receive, send)
