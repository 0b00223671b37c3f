"""Errors the user can act on. One handler (`bot.listeners.errors`) turns them into Slack messages.

UserFacingError          title + detail + hint, shown as is
├── UsageError           the command or its arguments are malformed (help follows)
├── NotAllowed           the user may not do this (says who can)
├── NotConnected         the region is not connected (says how to connect)
├── ReconnectRequired    Amazon no longer honours the grant (Reconnect button)
├── NotFound             a campaign, view or subscription does not exist
├── Conflict             already running / already exists
└── UpstreamUnavailable  Amazon or Slack failed; try again later
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "NotAllowed",
    "NotConnected",
    "NotFound",
    "ReconnectRequired",
    "UpstreamUnavailable",
    "UsageError",
    "UserFacingError",
]


class UserFacingError(Exception):
    """An error whose message is written for the person who caused it."""

    title = "Something went wrong"

    def __init__(self, detail: str, *, hint: str | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.hint = hint
        if title:
            self.title = title


class UsageError(UserFacingError):
    title = "That command didn't work"


class NotAllowed(UserFacingError):
    title = "Not allowed"


class NotConnected(UserFacingError):
    title = "Region not connected"


class ReconnectRequired(UserFacingError):
    title = "Reconnect needed"


class NotFound(UserFacingError):
    title = "Not found"


class Conflict(UserFacingError):
    title = "Already in progress"


class UpstreamUnavailable(UserFacingError):
    title = "Temporarily unavailable"
