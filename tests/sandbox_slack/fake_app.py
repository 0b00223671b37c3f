"""A tiny stdlib "app" that verifies Slack signatures and answers with a per-test handler."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier


@dataclass
class Received:
    """One request the fake app accepted."""

    kind: str  # "command", the payload "type", or the event "type"
    body: dict[str, Any]
    headers: dict[str, str]


Answer = tuple[int, str]
Handler = Callable[[Received], Answer]


@dataclass
class FakeApp:
    signing_secret: str = "test-signing-secret"
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    handler: Handler = field(default=lambda r: (200, ""))

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/slack/events"

    def _parse(self, raw: str, content_type: str) -> Received:
        if content_type.startswith("application/json"):
            body = json.loads(raw)
            return Received(body["event"]["type"], body, {})
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if "payload" in form:
            payload = json.loads(form["payload"])
            return Received(payload["type"], payload, {})
        return Received("command", form, {})

    def _handle(self, raw: bytes, headers: dict[str, str]) -> Answer:
        verifier = SignatureVerifier(self.signing_secret)
        text = raw.decode("utf-8")
        if not verifier.is_valid_request(text, headers):
            self.rejected += 1
            return 401, '{"error": "invalid request"}'
        received = self._parse(text, headers.get("content-type", ""))
        received.headers = headers
        self.received.append(received)
        return self.handler(received)

    def start(self) -> FakeApp:
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                status, body = app._handle(raw, {k.lower(): v for k, v in self.headers.items()})
                data = body.encode("utf-8")
                self.send_response(status)
                kind = "application/json" if body.startswith("{") else "text/plain"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def last(self, kind: str) -> Received:
        return [r for r in self.received if r.kind == kind][-1]
