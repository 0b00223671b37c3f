"""The ``response_url`` sink: 5 posts within 30 minutes, ``replace_original``, ``delete_original``,
``response_type``. Slash-command acknowledgements with a body are delivered the same way (without
using up the URL), since that is how Slack shows them.

Assumption (not in the reference): over-used and expired URLs answer HTTP 404 with ``used_url`` /
``expired_url``; content Slack refuses answers HTTP 400 with the error code as text.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.httpkit import Request, Response
from sandbox.slack.files import check_slack_files
from sandbox.slack.limits import check_message
from sandbox.slack.model import Message, Notice, ResponseUrl, WebhookPost
from sandbox.slack.state import RESPONSE_URL_TTL, RESPONSE_URL_USES, SlackState, assign_ids

__all__ = ["deliver_response", "handle_webhook"]


def _parse(request: Request) -> dict[str, Any] | None:
    try:
        if request.content_type == "application/x-www-form-urlencoded":
            payload = request.params().get("payload")
            data = json.loads(payload) if isinstance(payload, str) else None
        else:
            data = request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _original(state: SlackState, response_url: ResponseUrl) -> Message | None:
    if response_url.original is None:
        return None
    message = state.message_by_id(response_url.original[1])
    return None if message is None or message.deleted else message


def deliver_response(
    state: SlackState, response_url: ResponseUrl, body: dict[str, Any], *, source: str
) -> str | None:
    """Apply a response body; return None when accepted, else Slack's error code. Lock held by caller."""
    original = _original(state, response_url)
    if body.get("delete_original") in (True, "true"):
        if original is None:
            return "message_not_found"
        original.deleted = True
        state.touch()
        return None
    text, blocks, attachments = body.get("text"), body.get("blocks"), body.get("attachments")
    verdict = check_message(text=text, blocks=blocks, attachments=attachments)
    if verdict.ok:
        verdict = check_slack_files(state, response_url.team_id, blocks) or verdict
    if not verdict.ok:
        _notice(state, response_url, body, error=str(verdict.error), details=verdict.messages, source=source)
        return str(verdict.error)
    if body.get("replace_original") in (True, "true") and original is not None:
        original.text = str(text or "")
        original.blocks = assign_ids(list(blocks or []))
        original.attachments = list(attachments or [])
        original.warnings = list(verdict.warnings)
        original.edited_ts = state.next_ts()
        state.touch()
        return None
    _post_new(state, response_url, body, warnings=list(verdict.warnings), source=source)
    return None


def _post_new(
    state: SlackState, response_url: ResponseUrl, body: dict[str, Any], *, warnings: list[str], source: str
) -> None:
    workspace = state.workspace(response_url.team_id)
    in_channel = body.get("response_type") == "in_channel"
    channel = response_url.channel_id or state.open_im(workspace, response_url.user_id).id
    message = Message(
        team_id=workspace.team_id,
        channel=channel,
        ts="",
        user=workspace.bot_user_id,
        text=str(body.get("text") or ""),
        blocks=list(body.get("blocks") or []),
        attachments=list(body.get("attachments") or []),
        thread_ts=str(body["thread_ts"]) if body.get("thread_ts") else None,
        ephemeral_to=None if in_channel else response_url.user_id,
        bot_id=workspace.bot_id,
        source=source,
        warnings=warnings,
    )
    state.add_message(message)
    if response_url.is_command:
        response_url.original = (message.channel, message.id)


def _notice(
    state: SlackState,
    response_url: ResponseUrl,
    body: dict[str, Any],
    *,
    error: str,
    details: list[str],
    source: str,
) -> None:
    state.add_notice(
        Notice(
            team_id=response_url.team_id,
            user_id=response_url.user_id,
            channel=response_url.channel_id,
            kind=source,
            title="A response to this user was rejected",
            error=error,
            details=tuple(details),
            payload=body,
            ts=state.now(),
        )
    )


def _answer(state: SlackState, url: str, body: dict[str, Any], status: int, answer: str) -> Response:
    state.record_webhook(WebhookPost(url, body, status, answer, state.now()))
    if status == 200:
        return Response.json({"ok": True})
    return Response.text(answer, status=status)


def handle_webhook(state: SlackState, request: Request, url_id: str) -> Response:
    """Answer a POST to ``/webhook/<id>``."""
    with state.lock:
        response_url = state.response_urls.get(url_id)
        url = response_url.url if response_url else request.path
        body = _parse(request)
        if response_url is None:
            return _answer(state, url, body or {}, 404, "invalid_url")
        if state.now() - response_url.created_at > RESPONSE_URL_TTL:
            return _answer(state, url, body or {}, 404, "expired_url")
        if response_url.uses >= RESPONSE_URL_USES:
            return _answer(state, url, body or {}, 404, "used_url")
        if body is None:
            return _answer(state, url, {}, 400, "invalid_payload")
        response_url.uses += 1
        error = deliver_response(state, response_url, body, source="response_url")
        if error is not None:
            return _answer(state, url, body, 404 if error == "message_not_found" else 400, error)
        return _answer(state, url, body, 200, "ok")
