"""A stand-in for arXiv on loopback that replays recorded responses in their real wire format.

The live endpoint cannot be reached from tests; everything else (HTTP, the client, the CLI) is real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tests.conftest import fixture_bytes

OAI_PAGE = "arxiv-oai/listrecords-arXiv-2015-01-01-to-2015-01-03.xml"
RETRY_BODY = b"<html><body>\n<h1>Retry after 10 seconds</h1>\n</body></html>\n"
Response = tuple[int, dict[str, str], bytes]


def oai_pages() -> tuple[bytes, bytes]:
    """The recorded two-record page split into two pages joined by a resumption token."""
    data = fixture_bytes(OAI_PAGE)
    start = data.index(b"<record>")
    second = data.index(b"<record>", start + 1)
    end = data.index(b"</ListRecords>")
    head, rec1, rec2, tail = data[:start], data[start:second], data[second:end], data[end:]
    page1 = head + rec1 + b'<resumptionToken cursor="0" completeListSize="2">tok|1</resumptionToken>' + tail
    page2 = head + rec2 + b'<resumptionToken cursor="1" completeListSize="2"/>' + tail
    return page1, page2


class FakeArxiv:
    def __init__(self, handler: Callable[[str, dict[str, str]], Response]):
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                outer.requests.append((url.path, params))
                status, headers, body = handler(url.path, params)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeArxiv:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def xml(body: bytes, status: int = 200) -> Response:
    return status, {"Content-Type": "text/xml; charset=utf-8"}, body
