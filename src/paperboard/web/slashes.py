"""A trailing slash answered with a relative redirect to the address without it (pure ASGI middleware).
The framework's own redirect named the request's ``Host``: ``GET /search/`` with ``Host: attacker``
was sent to ``http://attacker/search``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

KEEP = ("/static/", "/api/docs/assets/")  # mounted folders, where a slash means the folder


class DropTrailingSlash:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/" or not path.endswith("/") or path.startswith(KEEP):
            await self.app(scope, receive, send)
            return
        target = quote(path.rstrip("/") or "/", safe="/:@!$&'()*+,;=-._~")
        if target.startswith("//"):  # never an address on another host
            target = "/" + target.lstrip("/")
        query = scope.get("query_string", b"").decode("latin-1")
        location = target + (f"?{query}" if query else "")
        await send({"type": "http.response.start", "status": 307,
                    "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
