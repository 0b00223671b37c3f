"""Local mode in this process, as `hilal run` starts it without Slack credentials, on a folder in tmp_path.

`LocalHilal.start(folder, port)` builds the runtime exactly as `hilal run` does (the stand-ins from the
folder's saved state, SQLite and the key from the folder) and serves it with a threaded server on
`port` (0: a free one). `stop()` waits for background work, then stops everything, as Ctrl-C does.
Slash commands go through the Slack stand-in like a click in the console; their answers arrive on a
listener thread, so `command()` waits for the answer on the stand-in's change notifications, never by
sleeping.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from werkzeug.serving import BaseWSGIServer, make_server

from bot.runtime import Runtime, build_runtime
from bot.settings import load_settings
from sandbox.amazon import AmazonSimulator
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM, SlackStandIn

__all__ = ["LocalHilal", "leave_time_wait", "port_of"]

ANSWER_TIMEOUT = 30.0


def port_of(url: str) -> int:
    return int(urlsplit(url).port or 0)


def leave_time_wait(url: str, path: str = "/") -> None:
    """One HTTP exchange the server closes first, so its side of the connection lingers in TIME_WAIT."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        while conn.recv(65536):  # read until the server closes: it sent its FIN first
            pass


@dataclass
class LocalHilal:
    runtime: Runtime
    server: BaseWSGIServer
    thread: threading.Thread
    browser: httpx.Client

    @classmethod
    def start(cls, folder: Path, *, port: int = 0) -> LocalHilal:
        app: list[Any] = []
        server = make_server("127.0.0.1", port, lambda environ, start: app[0](environ, start), threaded=True)
        bound = int(server.server_port)
        try:
            runtime = build_runtime(
                load_settings({"HILAL_PORT": str(bound)}), local_port=bound, local_dir=folder
            )
        except BaseException:
            server.server_close()
            raise
        app.append(runtime.web)
        thread = threading.Thread(target=server.serve_forever, name="local-hilal", daemon=True)
        thread.start()
        runtime.start_background(scheduler=False)
        return cls(runtime, server, thread, httpx.Client(follow_redirects=False, timeout=30))

    @property
    def slack(self) -> SlackStandIn:
        assert self.runtime.local is not None
        return self.runtime.local.slack

    @property
    def amazon(self) -> AmazonSimulator:
        assert self.runtime.local is not None
        return self.runtime.local.amazon

    @property
    def console_url(self) -> str:
        assert self.runtime.local is not None
        return self.runtime.local.console_url

    @property
    def app_url(self) -> str:
        return self.runtime.settings.hilal_public_url

    def stop(self) -> None:
        self.runtime.services.background.shutdown(wait=True)  # let started work finish, as a person would
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        self.browser.close()
        self.runtime.stop()

    def command(self, text: str, *, channel: str = "C0PPC") -> str:
        """Run `/hilal TEXT` as Ada in ``channel``; return the text of the answer Hilal posts back."""
        before = len(self.slack.webhook_posts())
        reply = self.slack.send_command(team_id=DEMO_TEAM, user_id=DEMO_ADMIN, channel_id=channel, text=text)
        assert reply.status == 200, reply
        answered = self.slack.wait_for(
            lambda: len(self.slack.webhook_posts()) > before, timeout=ANSWER_TIMEOUT
        )
        assert answered, f"no answer to /hilal {text}"
        return str(self.slack.webhook_posts()[before].body.get("text") or "")

    def connect(self, region: str) -> None:
        """Connect → Amazon's consent page → Allow → Hilal's callback, like the browser does."""
        from bot.services.connections import connect_url

        link = connect_url(
            self.runtime.services, team_id=DEMO_TEAM, enterprise_id="", user_id=DEMO_ADMIN, region=region
        )
        start = self.browser.get(link)
        assert start.status_code == 302, start.text
        page = self.browser.get(self.amazon.approve(start.headers["location"], user_id="demo"))
        assert page.status_code == 200 and "Connected" in page.text, page.text
