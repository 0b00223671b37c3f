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

from bot.amazon.errors import AmazonAdsError
from bot.blocks.common import Message
from bot.blocks.errors import render_unexpected, render_user_error
from bot.blocks.ids import MalformedMeta
from bot.errors import UserFacingError, from_amazon

__all__ = ["VERIFIED", "handle_error", "modal_errors_for", "report_error", "user_message_for"]

VERIFIED = "hilal_request_verified"
"""Context key set by a middleware that runs only once the request's signature checked out."""

logger = logging.getLogger(__name__)


def user_message_for(error: BaseException) -> Message:
    """The message a user sees for `error` (logging unexpected ones with a reference id)."""
    if isinstance(error, AmazonAdsError):
        logger.warning("listener.amazon_error", extra={"error": type(error).__name__, "status": error.status})
        error = from_amazon(error)
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


_MODAL_ERROR_MAX = 300  # characters of an input's error line that read well in a modal


def modal_errors_for(error: BaseException, body: Mapping[str, Any]) -> dict[str, str] | None:
    """`{input block_id: text}` to show a user error inside the submitted modal, or None.

    Only for a form submission with an input block: the modal stays open with the reason under its
    first input, so nothing typed is lost. Anything else (unexpected errors, no input) goes through
    `report_error`.
    """
    if body.get("type") != "view_submission":
        return None
    if isinstance(error, AmazonAdsError):
        error = from_amazon(error)
    if not isinstance(error, UserFacingError):
        return None
    view = body.get("view")
    blocks = view.get("blocks") if isinstance(view, Mapping) else None
    first = next(
        (
            b
            for b in blocks or ()
            if isinstance(b, Mapping) and b.get("type") == "input" and b.get("block_id")
        ),
        None,
    )
    if first is None:
        return None
    text = f"{error.detail} {error.hint or ''}".strip()
    cut = text if len(text) <= _MODAL_ERROR_MAX else text[: _MODAL_ERROR_MAX - 1] + "…"
    return {str(first["block_id"]): cut}


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
