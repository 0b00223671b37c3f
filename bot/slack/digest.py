"""The digest's Slack port (`bot.services.digest.DigestSlack`) over a team's `WebClient`.

It maps `SlackApiError` to the service's `SlackCallError` and drops slack_sdk's own rate-limit retry
handler: 429s are retried by the delivery service after `Retry-After`, with a sleep the caller can
inject (tests never wait).

A call Slack never received (connection refused, unknown host: the Web API is down or unreachable) is a
`SlackCallError("slack_unreachable")`: nothing was posted, so delivery may try again at the next tick. A
timeout or a connection dropped after the request was sent is raised as is: the post may have landed,
and delivery never repeats it (at most once).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.services.slack_ports import SlackCallError
from bot.slack.workspace import slack_call_error

__all__ = ["UNREACHABLE", "WebClientDigestSlack"]

UNREACHABLE = "slack_unreachable"


def _never_sent(exc: OSError) -> bool:
    """The request cannot have reached Slack: the connection was refused or the host is unknown."""
    reason = exc.reason if isinstance(exc, URLError) else exc
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class WebClientDigestSlack:
    """`DigestSlack` over a team's `WebClient`."""

    def __init__(self, client: WebClient) -> None:
        handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
        self._client = WebClient(
            token=client.token, base_url=client.base_url, timeout=client.timeout, retry_handlers=handlers
        )

    def _run(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except SlackApiError as exc:
            raise slack_call_error(exc) from None
        except OSError as exc:
            if _never_sent(exc):
                raise SlackCallError(UNREACHABLE, status=0) from None
            raise

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> str:
        response = self._run(
            lambda: self._client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False
            )
        )
        return str(response.get("ts") or "")

    def upload_png(self, *, data: bytes, filename: str, title: str, alt_text: str) -> str:
        response = self._run(
            lambda: self._client.files_upload_v2(
                content=data, filename=filename, title=title, alt_txt=alt_text
            )
        )
        return str((response.get("file") or {}).get("id") or "")

    def dm(self, *, user_id: str, text: str) -> None:
        self._run(lambda: self._client.chat_postMessage(channel=user_id, text=text))
