"""The loopback HTTP layer: request/response types, recording, and the threaded server.

The first path segment names the emulated host (``/advertising-api.amazon.com/v2/profiles``).
Responses are either bytes (sent with ``Content-Length``) or an iterator of byte chunks (sent with
chunked transfer encoding, so large report downloads stream).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["DROP", "RecordedRequest", "Request", "Response", "SimHTTPServer", "json_response"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the simulator received it.

    Attributes:
        method: HTTP method.
        host: emulated host (first path segment), e.g. ``advertising-api-eu.amazon.com``.
        path: the path on that host, e.g. ``/v2/profiles``.
        query: query parameters (last value wins); ``raw_query`` keeps the original string.
        headers: request headers with lower-case names.
        body: raw body bytes.
        at: simulator time of arrival.
    """

    method: str
    host: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes
    at: datetime

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body parsed as a URL-encoded form (last value wins)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


Request = RecordedRequest


@dataclass
class Response:
    """What a route answers."""

    status: int
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


DROP = Response(status=0)  # sentinel: close the connection without answering


def json_response(status: int, payload: Any, *, content_type: str = "application/json") -> Response:
    """A JSON response with the given media type."""
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return Response(status, body, {"Content-Type": content_type})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: SimHTTPServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        segments = parts.path.lstrip("/").split("/", 1)
        host = segments[0]
        path = "/" + (segments[1] if len(segments) > 1 else "")
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = RecordedRequest(
            self.command, host, path, query, parts.query, headers, body, self.server.now()
        )
        try:
            response = self.server.dispatch(request)
        except Exception:
            log.exception("amazon simulator: unhandled error on %s %s%s", self.command, host, path)
            response = json_response(500, {"code": "INTERNAL_ERROR", "message": "Simulator error"})
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.status == 0:
            self.close_connection = True
            return
        try:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if isinstance(response.body, bytes):
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
                return
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in response.body:
                if chunk:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("amazon simulator: " + format, *args)


class SimHTTPServer(ThreadingHTTPServer):
    """A threaded loopback server that hands every request to ``dispatch``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        dispatch: Callable[[RecordedRequest], Response],
        now: Callable[[], datetime],
    ) -> None:
        super().__init__(address, _Handler)
        self.dispatch = dispatch
        self.now = now
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name="amazon-simulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
