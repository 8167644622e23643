"""The HTTP protocol ``paperboard serve`` runs: uvicorn's h11 protocol, with a deadline for the request
head. Uvicorn times out idle keep-alive connections only after a first response, so a connection that
sends nothing, or half a request, held a file descriptor for ever; about a thousand of them made every
other request fail. Here a connection must deliver a request's line and headers within
``PAPERBOARD_REQUEST_TIMEOUT`` seconds of connecting (or of its previous response), or it is closed."""

from __future__ import annotations

import asyncio
import functools

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..config import load_config


@functools.cache
def request_timeout() -> float:
    """``PAPERBOARD_REQUEST_TIMEOUT``, read once per server process."""
    return load_config().request_timeout


class DeadlineH11Protocol(H11Protocol):
    _deadline: asyncio.TimerHandle | None = None
    _waiting_after: object = None  # the request cycle before the head being waited for

    def _arm(self) -> None:
        self._disarm()
        self._waiting_after = self.cycle
        self._deadline = self.loop.call_later(request_timeout(), self._head_too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _head_too_slow(self) -> None:
        if self.cycle is self._waiting_after and not self.transport.is_closing():  # no new request began
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def,override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not self._waiting_after:  # a whole request head arrived
            self._disarm()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._arm()  # the next request's head has the same time (armed first: a pipelined one disarms)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
