"""One workspace's Slack over its `WebClient`: the ports services use (`bot.services.slack_ports`).

slack_sdk's errors become the services' own: `SlackApiError` (Slack answered `ok: false`) becomes
`SlackCallError`; any other client error, and the `OSError` urllib raises when Slack cannot be reached
(connection refused, unknown host, timeout), becomes `SlackUnreachable`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.blocks.edits import render_audit_line
from bot.blocks.region_card import render_reconnect_notice
from bot.blocks.sync import render_sync_progress
from bot.services.slack_ports import SlackCallError, SlackUnreachable
from bot.viewmodels import AuditLineVM, ReconnectNoticeVM, SyncProgressVM

__all__ = ["WebClientWorkspace", "slack_call_error"]

T = TypeVar("T")


def slack_call_error(exc: SlackApiError) -> SlackCallError:
    """The service-level error for a failed Web API call (status, error string, Retry-After)."""
    response = exc.response
    headers = {str(k).lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    raw = headers.get("retry-after")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        retry_after = float(raw) if raw is not None else None
    except ValueError:
        retry_after = None
    status = int(getattr(response, "status_code", 200) or 200)
    return SlackCallError(
        str(response.get("error") or "unknown_error"), status=status, retry_after=retry_after
    )


def _call(call: Callable[[], T]) -> T:
    try:
        return call()
    except SlackApiError as exc:
        raise slack_call_error(exc) from None
    except (SlackClientError, OSError) as exc:
        raise SlackUnreachable(type(exc).__name__) from None


class WebClientWorkspace:
    """`WorkspaceDirectory`, `ChannelPoster` and `AuditPoster` over a team's `WebClient`."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def is_admin(self, user_id: str) -> bool:
        try:
            answer = _call(lambda: self._client.users_info(user=user_id))
        except SlackCallError as exc:
            if exc.status >= 500 or exc.rate_limited:  # Slack is down or busy: it did not say "no"
                raise SlackUnreachable(f"{exc.error} ({exc.status})") from None
            raise
        user = answer.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def app_id(self) -> str:
        # `auth.test` names the app; older answers only name the bot, so ask `bots.info`
        try:
            answer = self._client.auth_test()
            app_id = answer.get("app_id")
            if not app_id and answer.get("bot_id"):
                app_id = (self._client.bots_info(bot=str(answer["bot_id"])).get("bot") or {}).get("app_id")
        except (SlackClientError, OSError) as exc:
            raise SlackUnreachable(type(exc).__name__) from None
        return str(app_id or "")

    def open_dm(self, user_id: str) -> str:
        return str(_call(lambda: self._client.conversations_open(users=user_id))["channel"]["id"])

    def post_reconnect_notice(self, *, channel: str, notice: ReconnectNoticeVM) -> None:
        msg = render_reconnect_notice(notice)
        _call(lambda: self._client.chat_postMessage(channel=channel, text=msg["text"], blocks=msg["blocks"]))

    def show_sync_progress(self, *, channel: str, ts: str, progress: SyncProgressVM) -> None:
        msg = render_sync_progress(progress)
        _call(
            lambda: self._client.chat_update(channel=channel, ts=ts, text=msg["text"], blocks=msg["blocks"])
        )

    def post_audit_line(self, *, channel: str, line: AuditLineVM) -> None:
        msg = render_audit_line(line)
        _call(lambda: self._client.chat_postMessage(channel=channel, text=msg["text"], blocks=msg["blocks"]))
