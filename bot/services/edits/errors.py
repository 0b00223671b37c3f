"""Why a live edit is refused: one `UserFacingError` subclass per guard, each telling what to do.

Every refusal happens before anything is sent to Amazon and before anything is written.
"""

from __future__ import annotations

from bot.errors import Conflict, NotAllowed, NotConnected, ReconnectRequired, UsageError, UserFacingError

__all__ = [
    "AmountOutOfBounds",
    "ConfirmWordMismatch",
    "EditNotAllowed",
    "EntityArchived",
    "EntityNotEditable",
    "NothingToChange",
    "PreviewExpired",
    "ProfileNotEditable",
    "RegionDisconnected",
    "RegionNeedsReconnect",
    "RegionReadOnly",
    "UndoUnavailable",
]


class EditNotAllowed(NotAllowed):
    """The user is neither a manager nor a named editor."""


class RegionDisconnected(NotConnected):
    """The region was disconnected: live edits stop."""


class RegionNeedsReconnect(ReconnectRequired):
    """Amazon no longer honours the region's grant."""


class RegionReadOnly(NotAllowed):
    """An admin turned the region's read-only switch on."""

    title = "Read-only region"


class ProfileNotEditable(NotAllowed):
    """The profile is view-only for Hilal's Amazon account, or an agency account."""


class EntityArchived(UserFacingError):
    """Archived at Amazon: it cannot be changed any more."""

    title = "Archived"


class EntityNotEditable(UsageError):
    """Not something Hilal edits (Sponsored Brands or Display, a missing entity …)."""


class AmountOutOfBounds(UsageError):
    """The budget or bid is outside the marketplace's limits."""

    title = "Amount out of bounds"


class NothingToChange(UserFacingError):
    """Everything is already as asked (already paused, same budget)."""

    title = "Nothing to change"


class ConfirmWordMismatch(UsageError):
    """A big change needs its confirmation word typed exactly."""

    title = "Not confirmed"


class PreviewExpired(Conflict):
    """The preview is too old (or was cancelled); preview again."""

    title = "Preview expired"


class UndoUnavailable(UserFacingError):
    """The change cannot be undone any more (or was never applied)."""

    title = "Undo unavailable"
