"""The arXiv seam: polite HTTP to the OAI-PMH endpoint and the API.

Waits ``delay`` seconds between requests (arXiv asks for 3), honours ``503`` + ``Retry-After``, and
retries transient failures (5xx, 429, network errors) with exponential backoff. Clock and sleep are
injectable so tests run against recorded responses without waiting.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping

import httpx

from .. import __version__
from .errors import SourceError

USER_AGENT = f"paperboard/{__version__} (self-hosted paper discovery)"
TRANSIENT = {429, 500, 502, 503, 504}


class ArxivUnavailable(SourceError):
    """arXiv could not be reached or kept failing after all retries."""


class Missing(SourceError):
    """arXiv answered that what was asked for is not there (404, 410), or that it is too large."""


class ArxivClient:
    def __init__(
        self,
        *,
        delay: float = 3.0,
        retries: int = 5,
        max_wait: float = 600.0,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[float, str], None] | None = None,
    ):
        self.delay = delay
        self.retries = retries
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._on_wait = on_wait
        self._last: float | None = None
        self._http = httpx.Client(
            timeout=timeout, transport=transport, follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ArxivClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, params: Mapping[str, str]) -> bytes:
        """GET ``url``; returns the body of a 200, or of a 400 when arXiv explains the error in it."""
        failure = ""
        for attempt in range(self.retries + 1):
            self._pace()
            try:
                response = self._http.get(url, params=params)
            except httpx.HTTPError as exc:
                self._last = self._clock()
                failure = f"{type(exc).__name__}: {exc}"
                self._backoff(attempt, None, failure)
                continue
            self._last = self._clock()
            if response.status_code == 200:
                return response.content
            if response.status_code == 400 and b"<feed" in response.content[:500]:
                return response.content  # the API explains a bad id inside an Atom feed
            failure = f"HTTP {response.status_code} from {response.url}"
            if response.status_code not in TRANSIENT:
                raise ArxivUnavailable(failure)
            if attempt < self.retries:
                self._backoff(attempt, response.headers.get("Retry-After"), failure)
        raise ArxivUnavailable(f"gave up after {self.retries + 1} attempts; last: {failure}")

    def download(self, url: str, max_bytes: int) -> bytes:
        """GET ``url`` once (paced like every request), reading at most ``max_bytes`` of its body:
        :class:`Missing` when it is not there or larger, :class:`ArxivUnavailable` when arXiv cannot be
        reached or fails (the caller tries again on its next run, not now)."""
        self._pace()
        try:
            with self._http.stream("GET", url) as response:
                if response.status_code in (404, 410):
                    raise Missing(f"HTTP {response.status_code} from {url}")
                if response.status_code != 200:
                    raise ArxivUnavailable(f"HTTP {response.status_code} from {url}")
                if int(response.headers.get("Content-Length") or 0) > max_bytes:
                    raise Missing(f"{url} is over {max_bytes} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise Missing(f"{url} is over {max_bytes} bytes")
                return bytes(body)
        except httpx.HTTPError as exc:
            raise ArxivUnavailable(f"{type(exc).__name__}: {exc}") from None
        finally:
            self._last = self._clock()

    def _pace(self) -> None:
        if self._last is not None:
            wait = self.delay - (self._clock() - self._last)
            if wait > 0:
                self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: str | None, why: str) -> None:
        if attempt >= self.retries:
            return
        wait = parse_retry_after(retry_after, now=time.time())
        if wait is None:
            wait = min(self.max_wait, max(self.delay, 1.0) * 2**attempt)
        if wait > self.max_wait:
            raise ArxivUnavailable(f"{why}: asked to retry after {wait:.0f} s (limit {self.max_wait:.0f} s)")
        if self._on_wait:
            self._on_wait(wait, why)
        self._sleep(wait)
        self._last = None  # the wait already spaced the requests


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
