"""The one loopback HTTP stack of the sandbox: request and response types and a threaded server.

Both stand-ins (the Amazon simulator and the Slack stand-in) route plain functions
``route(request) -> Response`` behind `HttpServer`. Invariants:

- a `Request` is parsed once: header names are lower case, the query keeps blank values and the last
  value of a repeated name wins (``raw_query`` keeps the original string);
- a `Response` body is bytes (sent with ``Content-Length``) or an iterable of byte chunks (sent with
  chunked transfer encoding, so large downloads stream without sitting in memory);
- a response with status 0 (`DROP`) closes the connection without answering;
- a route that raises is logged and answered with the server's ``on_error`` response;
- a client that hangs up (broken pipe, reset) is let go quietly: nothing to answer, nothing to report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["DROP", "HttpServer", "Request", "Response", "Route"]

logger = logging.getLogger(__name__)
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
JSON = "application/json"
JSON_UTF8 = "application/json; charset=utf-8"


def _last_values(raw: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}


@dataclass(frozen=True)
class Request:
    """An HTTP request as a stand-in sees it.

    Attributes:
        method: HTTP method, upper case.
        path: the URL path (without the query).
        query: query parameters (last value wins, blank values kept).
        raw_query: the query string as sent.
        headers: request headers with lower-case names.
        body: raw body bytes.
    """

    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case (empty when absent)."""
        return self.media_type("content-type")

    def media_type(self, header: str) -> str:
        """The bare, lower-cased media type of a header such as ``content-type`` or ``accept``."""
        return (self.headers.get(header.lower()) or "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        """A header value (case-insensitive name)."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body parsed as JSON; an empty body is None (ValueError when it is not JSON)."""
        return json.loads(self.body.decode("utf-8") or "null")

    def form(self) -> dict[str, str]:
        """The body parsed as a URL-encoded form (last value wins, blank values kept)."""
        return _last_values(self.body.decode("utf-8"))

    def params(self) -> dict[str, Any]:
        """Query and body parameters merged; JSON bodies keep their types, form values are strings.

        Bodies come the three ways slack_sdk sends them: JSON, URL-encoded and ``multipart/form-data``
        (uploaded files stay bytes).
        """
        merged: dict[str, Any] = dict(self.query)
        if not self.body:
            return merged
        kind = self.content_type
        if kind == JSON or (not kind and self.body.lstrip().startswith(b"{")):
            data = self.json()
            if isinstance(data, dict):
                merged.update(data)
        elif kind == "multipart/form-data":
            merged.update(_parse_multipart(self.headers.get("content-type", ""), self.body))
        else:
            merged.update(self.form())
        return merged


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    raw = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    values: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        values[name] = data if part.get_filename() else data.decode("utf-8")
    return values


@dataclass
class Response:
    """What a route answers: a status, a body (bytes or chunks) and headers (``Content-Type`` included)."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls,
        data: Any,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON_UTF8,
    ) -> Response:
        """A compact JSON response with the given media type."""
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": content_type, **(headers or {})})

    @classmethod
    def text(
        cls, text: str, *, status: int = 200, content_type: str = "text/plain; charset=utf-8"
    ) -> Response:
        """A text response."""
        return cls(status, text.encode("utf-8"), {"Content-Type": content_type})


DROP = Response(status=0)
"""Sentinel: close the connection without answering (a stalled or dead upstream)."""

Route = Callable[[Request], Response]


def _internal_error(_request: Request) -> Response:
    return Response.json({"error": "internal_error"}, status=500)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, parts.path, _last_values(parts.query), parts.query, headers, body)
        kit = self.server.kit
        if kit.record is not None:
            kit.record(request)
        try:
            response = kit.route(request)
        except Exception:
            logger.exception("sandbox.http.route_failed", extra={"server": kit.name, "path": parts.path})
            response = kit.on_error(request)
        self._send(response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def _send(self, response: Response) -> None:
        if response.status == 0:
            self.close_connection = True
            return
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

    def setup(self) -> None:
        super().setup()
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except _CLIENT_GONE as exc:
            self.close_connection = True
            logger.debug("sandbox.http.client_gone", extra={"error": type(exc).__name__})

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(f"{self.server.kit.name}: {format}", *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], kit: HttpServer) -> None:
        self.kit = kit
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def drop_connections(self) -> None:
        """End every open connection: a stopped server must not keep answering on a kept-alive socket
        (a browser tab would talk to the old stand-in after a restart in the same process)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class HttpServer:
    """A ``ThreadingHTTPServer`` handing every parsed request to ``route``; port 0 picks a free port.

    Args:
        route: answers one request (called from the server's handler threads).
        host: interface to bind.
        port: port to bind.
        name: names the serving thread and prefixes log lines.
        on_error: the answer when ``route`` raises (a bare 500 JSON body by default).
        record: called with every request before it is routed (for stand-ins that keep a log).
    """

    def __init__(
        self,
        route: Route,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "sandbox-http",
        on_error: Route = _internal_error,
        record: Callable[[Request], None] | None = None,
    ) -> None:
        self.route = route
        self.name = name
        self.on_error = on_error
        self.record = record
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` of the bound server."""
        if self._server is None:
            raise RuntimeError("server is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> HttpServer:
        """Bind and serve in a daemon thread (idempotent)."""
        if self._server is None:
            self._server = _Server(self._address, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name=self.name, daemon=True
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Bind and serve in the calling thread until interrupted."""
        server = self._server = _Server(self._address, self)
        try:
            server.serve_forever()
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop serving, close the socket and wait (bounded) for the thread (idempotent)."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.drop_connections()
        if thread is not None:
            thread.join(timeout=5)
