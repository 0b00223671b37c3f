"""One place that turns failures into messages: user errors shown as written, the rest with a reference.

`report_error` is used by the `/hilal` dispatcher, by every registered listener (`registry.answered`) and
by `handle_error` (Bolt's `@app.error`), so a failing command, button or modal always answers — never
silence, never a stack trace. `handle_error` acts only on requests whose signature was verified: for any
other it answers 401 and reads nothing of the body (no reply to its `response_url`, no DM to its user).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.common import Message
from bot.blocks.errors import render_unexpected, render_user_error
from bot.blocks.ids import MalformedMeta
from bot.errors import UserFacingError

__all__ = ["VERIFIED", "handle_error", "report_error", "user_message_for"]

VERIFIED = "hilal_request_verified"
"""Context key set by a middleware that runs only once the request's signature checked out."""

logger = logging.getLogger(__name__)


def user_message_for(error: BaseException) -> Message:
    """The message a user sees for `error` (logging unexpected ones with a reference id)."""
    if isinstance(error, UserFacingError):
        return render_user_error(error.title, error.detail, hint=error.hint)
    if isinstance(error, MalformedMeta):
        return render_user_error(
            "That request could not be read",
            "This button, menu or form sent something Hilal could not read, so nothing was changed. "
            "It may come from an old message.",
            hint="Run `/hilal help` to start again from a fresh message.",
        )
    ref = uuid.uuid4().hex[:10]
    logger.error("listener.unexpected_error", exc_info=error, extra={"ref": ref})
    return render_unexpected(ref)


def report_error(
    error: BaseException,
    *,
    body: Mapping[str, Any],
    client: WebClient | None,
    respond: Callable[..., Any] | None,
) -> None:
    """Tell the user, on the surface they used (response_url if any, else a DM)."""
    msg = user_message_for(error)
    try:
        if respond is not None and body.get("response_url"):
            respond(text=msg["text"], blocks=msg["blocks"], response_type="ephemeral", replace_original=False)
            return
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        if client is not None and user:
            client.chat_postMessage(channel=str(user), text=msg["text"], blocks=msg["blocks"])
    except SlackApiError as exc:
        logger.warning("slack.error_report_failed", extra={"error": exc.response.get("error")})
    except Exception as exc:  # an unreachable response_url must not turn a handled error into a 500
        logger.warning("slack.error_report_failed", extra={"error": type(exc).__name__})


def handle_error(
    error: Exception,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    response: BoltResponse | None = None,
    respond: Any = None,
) -> BoltResponse | None:
    """Bolt's global error handler: tell the user and answer 200; unverified requests: 401, nothing else."""
    if not context.get(VERIFIED):
        logger.warning("slack.unverified_request_failed", extra={"error": type(error).__name__})
        return BoltResponse(status=401, body="invalid request") if response is not None else None
    report_error(error, body=body, client=client, respond=respond)
    return BoltResponse(status=200, body="") if response is not None else None
