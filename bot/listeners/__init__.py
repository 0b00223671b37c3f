"""Wires features into a Bolt app: the `/hilal` dispatcher, each feature's listeners, events, errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.errors import UserFacingError
from bot.features import load_features
from bot.listeners.commands import CommandTable, make_command_listener
from bot.listeners.errors import VERIFIED, handle_error
from bot.listeners.events import register_events
from bot.listeners.registry import Listeners, answered

__all__ = ["register_listeners"]


def _mark_verified(context: BoltContext, next: Callable[[], Any]) -> Any:
    """Runs only after Bolt's own signature check passed (or Socket Mode's authenticated link)."""
    context[VERIFIED] = True
    return next()


def _stale_surface() -> None:
    """A button or modal no listener knows: from an older Hilal, or not Hilal's at all."""
    raise UserFacingError(
        "This button or form is no longer in use.",
        title="That didn't work",
        hint="Run `/hilal help` to see what Hilal can do, or open the list again.",
    )


def _closed_quietly() -> None:
    """A modal closed that no feature listens for: nothing to say."""


def register_listeners(app: App) -> CommandTable:
    """Register every listener; returns the command table (used by help and the manifest test)."""
    app.use(_mark_verified)
    features = load_features()
    table = CommandTable.from_features(features)
    app.command("/hilal")(make_command_listener(table))
    listeners = Listeners(app)
    for feature in features:
        if feature.register is not None:
            feature.register(listeners)
    register_events(listeners)
    # Last, so they only catch what no feature claimed: answered politely instead of Bolt's 404.
    app.action(re.compile(".*"))(answered(_stale_surface))
    app.view(re.compile(".*"))(answered(_stale_surface))
    app.view_closed(re.compile(".*"))(answered(_closed_quietly))
    app.error(handle_error)
    return table
