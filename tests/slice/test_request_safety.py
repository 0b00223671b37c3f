"""Nothing acts on an unverified request, malformed payloads get 400, and every handled click gets 200.

Requests go through the real HTTP server. A loopback "victim" server stands for any URL an attacker
might put in `response_url`: it must never be called by Hilal for a request that failed verification.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.harness import SIGNING_SECRET, Harness


class _Victim:
    """A loopback HTTP server that records every request it receives."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.hits = hits
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def h(sqlite_engine) -> Iterator[Harness]:
    with Harness.start(sqlite_engine) as harness:
        yield harness


@pytest.fixture
def victim() -> Iterator[_Victim]:
    server = _Victim()
    yield server
    server.close()


def _raw(h: Harness, body: str, *, timestamp: str, signature: str = "v0=" + "0" * 64, kind: str = "") -> int:
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": kind or "application/x-www-form-urlencoded",
    }
    return httpx.post(f"{h.base_url}/slack/events", content=body, headers=headers).status_code


def _signed(h: Harness, body: str, *, kind: str = "application/x-www-form-urlencoded") -> httpx.Response:
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body) or ""
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": kind}
    return httpx.post(f"{h.base_url}/slack/events", content=body, headers=headers)


def _action_body(h: Harness, payload: dict[str, object]) -> str:
    return "payload=" + quote(json.dumps(payload))


@pytest.mark.parametrize("timestamp", ["abc", "1.7e9", "1700000000.5", "", "-1", "9" * 40, "0x10"])
def test_a_malformed_timestamp_is_401_and_nothing_reaches_the_body(h, victim, timestamp):
    command = urlencode(
        {
            "command": "/hilal",
            "text": "regions",
            "team_id": h.team,
            "user_id": h.admin,
            "response_url": victim.url,
        }
    )
    action = _action_body(
        h,
        {
            "type": "block_actions",
            "team": {"id": h.team},
            "user": {"id": h.admin},
            "response_url": victim.url,
            "actions": [{"action_id": "no.such.action"}],
        },
    )
    before = len(h.slack.calls("chat.postMessage"))
    assert _raw(h, command, timestamp=timestamp) == 401
    assert _raw(h, action, timestamp=timestamp) == 401
    assert victim.hits == []
    assert len(h.slack.calls("chat.postMessage")) == before


def test_a_bad_signature_with_a_numeric_timestamp_is_401(h, victim):
    body = urlencode({"command": "/hilal", "text": "help", "team_id": h.team, "response_url": victim.url})
    assert _raw(h, body, timestamp=str(int(time.time()))) == 401
    assert victim.hits == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("{not json", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("[1, 2]", "application/json"),
        ('{"type": "event_callback", "event": null}', "application/json"),
        ('{"type": "event_callback", "event": "x"}', "application/json"),
    ],
)
def test_signed_but_malformed_bodies_are_400(h, body, kind):
    answer = _signed(h, body, kind=kind)
    assert answer.status_code == 400
    assert body not in answer.text  # the body is never echoed


@pytest.mark.parametrize(
    "change",
    [
        {"actions": []},
        {"actions": "x"},
        {"actions": [1]},
        {"state": {"values": {"b": "not an object"}}},
        {"state": {"values": {"b": {"a": 3}}}},
        {"user": "U0ADMIN"},
        {"team": ["T"]},
        {"view": "a string"},
    ],
)
def test_signed_actions_with_the_wrong_shape_are_400(h, change):
    payload: dict[str, object] = {
        "type": "block_actions",
        "team": {"id": h.team},
        "user": {"id": h.admin},
        "actions": [{"action_id": "region.sync_now", "value": "{}"}],
    }
    payload.update(change)
    assert _signed(h, _action_body(h, payload)).status_code == 400


@pytest.mark.parametrize("view", ["x", {"callback_id": "campaigns.tag"}, {"type": "modal"}])
def test_a_submission_whose_view_is_not_a_view_is_400(h, view):
    payload = {"type": "view_submission", "team": {"id": h.team}, "user": {"id": h.admin}, "view": view}
    assert _signed(h, _action_body(h, payload)).status_code == 400


def test_the_gate_counts_what_it_refused(h):
    _raw(h, "command=%2Fhilal", timestamp="abc")
    metrics = httpx.get(f"{h.base_url}/metrics").text
    assert 'hilal_slack_requests_rejected_total{status="401"} 1' in metrics


@pytest.fixture
def threaded(sqlite_engine) -> Iterator[Harness]:
    """Bolt as production runs it: the listener in a thread, the HTTP answer as soon as it acks."""
    with Harness.start(sqlite_engine, process_before_response=False) as harness:
        yield harness


def test_a_refused_click_is_answered_200_with_a_polite_message(threaded):
    h = threaded
    h.connect_region("fe")
    h.command("regions", user=h.member)
    assert h.slack.wait_for(lambda: bool(h.slack.webhook_posts()))
    cards = h.slack.webhook_posts()[-1]
    started = time.monotonic()
    reply = h.slack.send_block_action(
        team_id=h.team,
        user_id=h.member,
        action_id="region.disconnect",
        value=json.dumps({"region": "fe"}),
        response_url=cards.url,
        message=None,
    )
    assert reply.status == 200
    assert time.monotonic() - started < 2.5  # Bolt's 3-second wait for a lost ack never happens
    assert h.slack.wait_for(lambda: "only people who manage" in _last_text(h).lower())


def _last_text(h: Harness) -> str:
    posts = h.slack.webhook_posts()
    return json.dumps(posts[-1].body) if posts else ""


def test_a_button_no_listener_knows_is_answered_with_a_way_on(h):
    payload = {
        "type": "block_actions",
        "team": {"id": h.team},
        "user": {"id": h.admin},
        "response_url": h.slack.issue_response_url(team_id=h.team, user_id=h.admin, channel_id=h.channel),
        "actions": [{"action_id": "from.an.older.version", "value": "x"}],
    }
    assert _signed(h, _action_body(h, payload)).status_code == 200
    assert "no longer in use" in _last_text(h) and "/hilal help" in _last_text(h)


@pytest.mark.parametrize("value", ["", "not json", "[1]", '{"region": 3}'])
def test_a_button_value_hilal_did_not_write_is_answered_and_changes_nothing(h, value):
    payload = {
        "type": "block_actions",
        "team": {"id": h.team},
        "user": {"id": h.admin},
        "response_url": h.slack.issue_response_url(team_id=h.team, user_id=h.admin, channel_id=h.channel),
        "actions": [{"action_id": "region.disconnect", "value": value}],
    }
    assert _signed(h, _action_body(h, payload)).status_code == 200
    assert "could not be read" in _last_text(h)


def test_an_unreachable_response_url_does_not_turn_a_refusal_into_a_500(h, victim):
    victim.close()  # nothing listens there any more
    payload = {
        "type": "block_actions",
        "team": {"id": h.team},
        "user": {"id": h.admin},
        "response_url": victim.url,
        "actions": [{"action_id": "region.disconnect", "value": ""}],
    }
    assert _signed(h, _action_body(h, payload)).status_code == 200
