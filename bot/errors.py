"""Errors the user can act on. One handler (`bot.listeners.errors`) turns them into Slack messages.

UserFacingError          title + detail + hint, shown as is
├── UsageError           the command or its arguments are malformed (help follows)
├── NotAllowed           the user may not do this (says who can)
├── NotConnected         the region is not connected (says how to connect)
├── ReconnectRequired    Amazon no longer honours the grant (Reconnect button)
├── NotFound             a campaign, view or subscription does not exist
├── Conflict             already running / already exists
└── UpstreamUnavailable  Amazon or Slack failed; try again later

Amazon's own errors (`bot.amazon.errors`) are a client's vocabulary; `from_amazon` is the one mapping
from them to what a user is told, used by the error handler for anything that escapes a listener.
"""

from __future__ import annotations

from bot.amazon import errors as amazon

__all__ = [
    "Conflict",
    "NotAllowed",
    "NotConnected",
    "NotFound",
    "ReconnectRequired",
    "UpstreamUnavailable",
    "UsageError",
    "UserFacingError",
    "from_amazon",
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


_TRY_AGAIN = (
    "Nothing was changed. Try again in a minute; if it keeps failing, `/hilal regions` shows each "
    "region's state."
)


def from_amazon(error: amazon.AmazonAdsError) -> UserFacingError:
    """What a user is told when Amazon refused or failed (Amazon's text kept, never a token)."""
    said = f" Amazon says: {error.message}" if error.message else ""
    if isinstance(error, amazon.ReconnectRequired | amazon.Unauthorized):
        return ReconnectRequired(
            "Amazon no longer accepts Hilal's access for this region.",
            hint="Reconnect it with `/hilal connect REGION` (na, eu or fe); everything is kept.",
        )
    if isinstance(error, amazon.AccessDenied):
        return NotAllowed(
            "Amazon refused: this profile is view-only for the account Hilal was connected with." + said,
            hint="Ask an Amazon Ads admin for edit access, then reconnect the region.",
        )
    if isinstance(error, amazon.NotFound):
        return NotFound("Amazon does not know that campaign or report any more." + said)
    if isinstance(error, amazon.BadRequest | amazon.UnsupportedMediaType):
        return UsageError("Amazon did not accept the request." + said, hint=_TRY_AGAIN)
    if isinstance(error, amazon.RateLimited):
        return UpstreamUnavailable("Amazon is busy and asked Hilal to slow down.", hint=_TRY_AGAIN)
    return UpstreamUnavailable("Amazon did not answer as expected." + said, hint=_TRY_AGAIN)
