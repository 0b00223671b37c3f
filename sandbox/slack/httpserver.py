"""A small threaded HTTP server: parse the request once, hand it to a routing function.

Bodies arrive the three ways slack_sdk sends them: JSON, ``application/x-www-form-urlencoded`` and
``multipart/form-data`` (``oauth.v2.access`` and legacy uploads); query parameters are merged in. A client
that hangs up before its answer is written (a console tab reloading mid long-poll) is let go quietly.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["HttpServer", "Request", "Response"]

logger = logging.getLogger(__name__)
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


@dataclass(frozen=True)
class Request:
    """An HTTP request as the stand-in sees it."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    def header(self, name: str) -> str | None:
        """A header value (case-insensitive)."""
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body parsed as JSON (ValueError when it is not)."""
        return json.loads(self.body.decode("utf-8") or "null")

    def params(self) -> dict[str, Any]:
        """Query and body parameters merged; JSON bodies keep their types, form values are strings."""
        merged: dict[str, Any] = dict(self.query)
        if not self.body:
            return merged
        kind = self.content_type
        if kind == "application/json" or (not kind and self.body.lstrip().startswith(b"{")):
            data = self.json()
            if isinstance(data, dict):
                merged.update(data)
        elif kind == "multipart/form-data":
            merged.update(_parse_multipart(self.headers.get("content-type", ""), self.body))
        else:
            merged.update(dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)))
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
    """What a route answers."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
        """A JSON response."""
        return cls(status, json.dumps(data).encode("utf-8"), headers=dict(headers or {}))

    @classmethod
    def text(
        cls, text: str, *, status: int = 200, content_type: str = "text/plain; charset=utf-8"
    ) -> Response:
        """A text response."""
        return cls(status, text.encode("utf-8"), content_type)


Route = Callable[[Request], Response]


def _handler_class(route: Route) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = Request(self.command, parts.path, dict(parse_qsl(parts.query)), headers, body)
            try:
                response = route(request)
            except Exception:
                logger.exception("slack_standin.route_failed", extra={"path": parts.path})
                response = Response.json({"ok": False, "error": "fatal_error"}, status=500)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_HEAD = _serve

        def handle(self) -> None:
            # A browser tab that reloads mid long-poll hangs up: nothing to answer, nothing to report.
            try:
                super().handle()
            except _CLIENT_GONE as exc:
                self.close_connection = True
                logger.debug("slack_standin.client_gone", extra={"error": type(exc).__name__})

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("slack_standin.http " + format, *args)

    return Handler


class HttpServer:
    """``ThreadingHTTPServer`` in a daemon thread; port 0 picks a free port."""

    def __init__(self, route: Route, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._route = route
        self._host = host
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._server is None:
            raise RuntimeError("server is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            return
        server = ThreadingHTTPServer((self._host, self._port), _handler_class(self._route))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="slack-standin", daemon=True
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Bind and serve in the calling thread until interrupted."""
        server = ThreadingHTTPServer((self._host, self._port), _handler_class(self._route))
        server.daemon_threads = True
        self._server = server
        try:
            server.serve_forever()
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        """Stop serving and wait (bounded) for the thread."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)
