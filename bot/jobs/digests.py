"""The digest job: `send_due_digests(services, *, now)`, called by the scheduler every minute.

Slack calls go through `WebClientDigestSlack`, which maps `SlackApiError` to the service's
`SlackCallError` and drops slack_sdk's own rate-limit retry handler: 429s are retried by the delivery
service after `Retry-After`, with a sleep the caller can inject (tests never wait).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.services.digest_delivery import (
    DeliveryOptions,
    DigestRunReport,
    DigestSlack,
    SlackCallError,
    deliver_due_digests,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["WebClientDigestSlack", "send_due_digests", "slack_call_error"]


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


def send_due_digests(
    services: Services, *, now: datetime, options: DeliveryOptions | None = None
) -> DigestRunReport:
    """Post every digest due at `now` exactly once (see `bot.services.digest_delivery`).

    Args:
        services: Shared services; Slack clients come from `services.slack.client_for(team_id)`.
        now: The current instant (UTC); the scheduler passes its tick time.
        options: Pacing and retry settings (tests inject `sleep`/`monotonic`).

    Returns:
        What the run did.
    """
    ports: dict[str, DigestSlack] = {}

    def slack_for(team_id: str) -> DigestSlack:
        if team_id not in ports:
            ports[team_id] = WebClientDigestSlack(services.slack.client_for(team_id))
        return ports[team_id]

    return deliver_due_digests(services, slack_for, now=now, options=options)
