"""A console tab that reloads mid long-poll hangs up on the server: it is let go quietly."""

from __future__ import annotations

import logging
import socket
import struct
from urllib.parse import urlsplit

import pytest

from sandbox.slack import SlackStandIn

from .test_standin_console import post, state


def _hang_up_mid_poll(slack: SlackStandIn, version: int) -> None:
    """Start a long-poll like the console does, then reset the connection (a reloading tab)."""
    parts = urlsplit(slack.base_url)
    sock = socket.create_connection((parts.hostname, parts.port))
    request = f"GET /console/state?since={version}&wait=5 HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n"
    sock.sendall(request.encode())
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    sock.close()


def test_a_tab_reloading_mid_poll_logs_nothing_and_the_server_keeps_serving(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    version = state(slack)["version"]

    _hang_up_mid_poll(slack, version)
    post(slack, "/console/command", {"channel": "C0PPC", "text": "hello"})  # wakes the poll

    assert state(slack)["version"] > version  # still serving
    slack.stop()  # waits for the request threads, the hung-up one included
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in capsys.readouterr().err
