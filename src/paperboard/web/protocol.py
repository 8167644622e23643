"""The HTTP protocol ``paperboard serve`` runs: uvicorn's httptools protocol, with a deadline for the
request head. Uvicorn times out idle keep-alive connections only after a first response, so a connection that
sends nothing, or half a request, held a file descriptor for ever; about a thousand of them made every
other request fail. Here a connection must deliver a request's line and headers within
``PAPERBOARD_REQUEST_TIMEOUT`` seconds of connecting (or of its previous response), or it is closed."""

from __future__ import annotations

import asyncio
import functools

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..config import load_config


@functools.cache
def request_timeout() -> float:
    """``PAPERBOARD_REQUEST_TIMEOUT``, read once per server process."""
    return load_config().request_timeout


class _HeadDeadline:
    """Mixed into one of uvicorn's HTTP protocols (which provides ``loop``, ``transport``, ``cycle``)."""

    _deadline: asyncio.TimerHandle | None = None
    _waiting_after: object = None  # the request cycle before the head being waited for

    def _arm(self) -> None:
        self._disarm()
        self._waiting_after = self.cycle  # type: ignore[attr-defined]
        self._deadline = self.loop.call_later(request_timeout(), self._head_too_slow)  # type: ignore[attr-defined]

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        transport = self.transport  # type: ignore[attr-defined]
        if self.cycle is self._waiting_after and not transport.is_closing():  # type: ignore[attr-defined]
            transport.close()  # no new request began: nothing is lost

    def _head_seen(self) -> None:
        if self.cycle is not self._waiting_after:  # type: ignore[attr-defined]
            self._disarm()

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():  # type: ignore[attr-defined]
            self._arm()  # the next request's head has the same time (armed first: a pipelined one disarms)
        super().on_response_complete()  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]


class DeadlineHttpToolsProtocol(_HeadDeadline, HttpToolsProtocol):
    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._head_seen()
