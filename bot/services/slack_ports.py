"""The Slack calls services make, as small ports, and the errors those calls raise.

Nothing here imports slack_sdk: `bot.slack` implements the ports over a team's `WebClient` and turns
slack_sdk's errors into these. Ports take view-models; the adapter renders them (services never build
Block Kit). The digest's own port (`bot.services.digest.DigestSlack`) follows the
same pattern.
"""

from __future__ import annotations

from typing import Protocol

from bot.viewmodels import AuditLineVM, ReconnectNoticeVM, SyncProgressVM

__all__ = [
    "INSTALLATION_ERRORS",
    "AuditPoster",
    "ChannelPoster",
    "SlackCallError",
    "SlackUnreachable",
    "WorkspaceDirectory",
]

_RATE_LIMITED = ("ratelimited", "rate_limited")

INSTALLATION_ERRORS = {
    "invalid_auth": "Slack no longer accepts Hilal's token for this workspace (the app was removed)",
    "token_revoked": "Hilal's Slack token was revoked (the app was uninstalled)",
    "account_inactive": "the Slack account Hilal was installed with is deactivated",
    "not_authed": "Hilal has no Slack token for this workspace (the app was removed)",
}
"""Slack errors meaning the workspace's token is dead, with what they mean to a user. Digests and alerts
pause every subscription of the team at once and tell nobody (nothing reaches that workspace); the pause
reason and a log line are the record, and reinstalling Hilal resumes them."""


class SlackCallError(Exception):
    """A Slack Web API call answered `ok: false` (nothing was posted)."""

    def __init__(self, error: str, *, status: int = 200, retry_after: float | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.error in _RATE_LIMITED


class SlackUnreachable(Exception):
    """A Slack call failed before Slack answered (request, token or transport); `kind` names the cause."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class WorkspaceDirectory(Protocol):
    """Who is who in one workspace, and which app Hilal is there."""

    def is_admin(self, user_id: str) -> bool:
        """True for a workspace admin or owner. Raises `SlackCallError` or `SlackUnreachable`."""
        ...

    def app_id(self) -> str:
        """Hilal's Slack app id ("" when Slack does not say). Raises `SlackUnreachable`."""
        ...


class ChannelPoster(Protocol):
    """Posting to one workspace: direct messages, channel posts and updates of an earlier message."""

    def open_dm(self, user_id: str) -> str:
        """The id of the direct-message channel with the user. Raises `SlackCallError`."""
        ...

    def post_reconnect_notice(self, *, channel: str, notice: ReconnectNoticeVM) -> None:
        """Post the notice that a region must be reconnected. Raises `SlackCallError`."""
        ...

    def show_sync_progress(self, *, channel: str, ts: str, progress: SyncProgressVM) -> None:
        """Replace the sync's progress message at `(channel, ts)`. Raises `SlackCallError`."""
        ...


class AuditPoster(Protocol):
    """Posting live-edit lines to a team's audit channel."""

    def post_audit_line(self, *, channel: str, line: AuditLineVM) -> None:
        """Post one line. Raises `SlackCallError` or `SlackUnreachable`."""
        ...
