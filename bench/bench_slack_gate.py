"""Benchmark: the request gate in front of Bolt (`bot/web/slack_guard.py`) against its floor.

Every request to `/slack/events` is checked twice now: by the gate (signature, then the payload's shape)
and by Bolt (signature again, then its own parse). This measures what the gate adds per request.

- Hilal: `SlackGate.check` on signed bodies of three kinds Slack sends — a slash command (form), a
  block action carrying a 40-block message (≈ 12 KB), a view submission with 30 inputs (≈ 6 KB).
- Floor: the least any verifier must do with the same bodies, `SignatureVerifier.is_valid` (HMAC-SHA256
  of the body) plus parsing the payload once (`parse_qsl` + `json.loads`).

Goal: the gate within 1.5x of the floor, and well under a millisecond per request.
Run: `.venv/bin/python bench/bench_slack_gate.py`.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.web.slack_guard import SlackGate

SECRET = "bench-signing-secret"
ROUNDS = 7
PER_ROUND = 2_000


def _bodies() -> dict[str, str]:
    command = urlencode(
        {
            "command": "/hilal",
            "text": "campaigns region eu state enabled",
            "team_id": "T0DEMO",
            "user_id": "U1",
        }
    )
    blocks = [
        {
            "type": "section",
            "block_id": f"b{i}",
            "text": {"type": "mrkdwn", "text": "*Campaign* " + "x" * 200},
        }
        for i in range(40)
    ]
    action = {
        "type": "block_actions",
        "team": {"id": "T0DEMO"},
        "user": {"id": "U1"},
        "actions": [{"action_id": "campaigns.page_next", "value": '{"page":2}'}],
        "message": {"blocks": blocks},
        "state": {"values": {f"b{i}": {"a": {"type": "static_select"}} for i in range(5)}},
    }
    values = {f"input{i}": {"value": {"type": "plain_text_input", "value": "y" * 150}} for i in range(30)}
    view = {
        "type": "view_submission",
        "team": {"id": "T0DEMO"},
        "user": {"id": "U1"},
        "view": {"type": "modal", "callback_id": "campaigns.note", "state": {"values": values}},
    }
    return {
        "command": command,
        "block action": "payload=" + quote(json.dumps(action)),
        "view submission": "payload=" + quote(json.dumps(view)),
    }


def _floor(verifier: SignatureVerifier) -> Callable[[str, dict[str, str]], object]:
    def check(body: str, headers: dict[str, str]) -> object:
        assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
        params = dict(parse_qsl(body, keep_blank_values=True))
        return json.loads(params["payload"]) if "payload" in params else params

    return check


def _measure(check: Callable[[str, dict[str, str]], object], body: str, headers: dict[str, str]) -> float:
    """Median microseconds per request over ROUNDS rounds of PER_ROUND requests."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(PER_ROUND):
            check(body, headers)
        rounds.append((time.perf_counter() - started) / PER_ROUND * 1e6)
    return statistics.median(rounds)


def main() -> None:
    verifier = SignatureVerifier(SECRET)
    gate = SlackGate(SECRET)
    floor = _floor(verifier)

    def hilal(body: str, headers: dict[str, str]) -> object:
        problem = gate.check(
            raw_body=body.encode(), headers=headers, content_type="application/x-www-form-urlencoded"
        )
        assert problem is None, problem
        return problem

    print(f"{'request':<18}{'bytes':>8}{'gate µs':>10}{'floor µs':>10}{'ratio':>8}")
    for name, body in _bodies().items():
        ts = str(int(time.time()))
        headers = {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        ours, base = _measure(hilal, body, headers), _measure(floor, body, headers)
        print(f"{name:<18}{len(body):>8}{ours:>10.1f}{base:>10.1f}{ours / base:>8.2f}")


if __name__ == "__main__":
    main()
