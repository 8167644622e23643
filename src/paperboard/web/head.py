"""``HEAD`` wherever ``GET`` works (pure ASGI middleware): the request is answered as a GET whose
headers are sent and whose body is not."""

from __future__ import annotations

from typing import Any


class HeadAsGet:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)  # the start, with the Content-Length of the GET's body

        await self.app({**scope, "method": "GET"}, receive, headers_only)
