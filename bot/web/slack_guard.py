"""The gate in front of Bolt: a request to `/slack/events` is signed and well formed, or it goes no further.

Bolt verifies signatures too, but it parses the body first and lets a malformed timestamp raise out of
the verifier, which hands the unverified body to the app's error handler. Here nothing of the body is read
before the signature checks out (401 otherwise), and a signed body whose shape Bolt or a listener would
trip over is answered 400. Neither answer echoes the body, and neither is logged with it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import Clock, SignatureVerifier

__all__ = ["MAX_CLOCK_SKEW_SECONDS", "Rejection", "SlackGate", "payload_problem"]

MAX_CLOCK_SKEW_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Top-level keys that every reader (Bolt's context extraction, our listeners) treats as objects.
_OBJECT_KEYS = ("team", "user", "enterprise", "channel", "container", "view", "message", "event", "state")
_LIST_KEYS = ("actions", "authorizations")
_VIEW_KEYS = ("type", "callback_id")


@dataclass(frozen=True)
class Rejection:
    """Why a request was turned away, as an HTTP status and a short reason (never the body)."""

    status: int
    reason: str


class _Clock(Clock):
    """slack_sdk's verifier asks a clock for `now()`; ours is injectable for tests."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class SlackGate:
    """Checks one request: signature first (401), then the payload's shape (400)."""

    def __init__(self, signing_secret: str, *, now: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_Clock(now))
        self._now = now

    def __repr__(self) -> str:
        return "SlackGate(signing_secret='***')"

    def check(
        self, *, raw_body: bytes, headers: Mapping[str, str], content_type: str | None
    ) -> Rejection | None:
        """None when Bolt may have the request; else the answer to give instead."""
        if not self._signed(raw_body, headers):
            return Rejection(401, "invalid request")
        try:
            payload = _parse(raw_body.decode("utf-8"), content_type)
        except ValueError:
            return Rejection(400, "the request body is not valid JSON or form data")
        problem = payload_problem(payload)
        return Rejection(400, problem) if problem else None

    def _signed(self, raw_body: bytes, headers: Mapping[str, str]) -> bool:
        timestamp = headers.get("X-Slack-Request-Timestamp") or ""
        signature = headers.get("X-Slack-Signature") or ""
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self._now() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            return False
        try:
            body = raw_body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return self._verifier.is_valid(body, timestamp, signature)


def _parse(body: str, content_type: str | None) -> Any:
    """The payload as Bolt will parse it (same rules), so whatever Bolt would choke on is caught here."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    params = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body:
        payload = params.get("payload")
        return json.loads(payload) if payload is not None else {}
    return params


def payload_problem(payload: Any) -> str | None:
    """What is wrong with a signed payload's shape, or None when it is fit for Bolt and our listeners."""
    if not isinstance(payload, dict):
        return "the payload is not a JSON object"
    for key in _OBJECT_KEYS:
        if payload.get(key) is not None and not isinstance(payload[key], dict):
            return f"`{key}` must be an object"
    for key in _LIST_KEYS:
        if payload.get(key) is not None and not isinstance(payload[key], list):
            return f"`{key}` must be a list"
    kind = payload.get("type")
    if kind == "block_actions":
        return _actions_problem(payload.get("actions")) or _state_problem(payload.get("state"))
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not all(
            isinstance(view.get(k), str) for k in ("type", "callback_id")
        ):
            return "`view` must be an object with a `type` and a `callback_id`"
        return _state_problem(view.get("state"))
    if kind == "event_callback" and not isinstance((payload.get("event") or None), dict):
        return "`event` must be an object"
    if kind == "event_callback" and not isinstance(payload["event"].get("type"), str):
        return "`event.type` must be a string"
    return None


def _actions_problem(actions: Any) -> str | None:
    if not isinstance(actions, list) or not actions:
        return "`actions` must be a non-empty list"
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return "each action must be an object with an `action_id`"
    return None


def _state_problem(state: Any) -> str | None:
    if state is None:
        return None
    if not isinstance(state, dict):
        return "`state` must be an object"
    values = state.get("values")
    if values is None:
        return None
    if not isinstance(values, dict):
        return "`state.values` must be an object"
    for block in values.values():
        if not isinstance(block, dict) or not all(isinstance(element, dict) for element in block.values()):
            return "`state.values` entries must be objects"
    return None
