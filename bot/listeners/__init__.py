"""Wires features into a Bolt app: the `/hilal` dispatcher, each feature's listeners, events, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.features import load_features
from bot.listeners.commands import CommandTable, make_command_listener
from bot.listeners.errors import VERIFIED, handle_error
from bot.listeners.events import register_events
from bot.listeners.registry import Listeners

__all__ = ["register_listeners"]


def _mark_verified(context: BoltContext, next: Callable[[], Any]) -> Any:
    """Runs only after Bolt's own signature check passed (or Socket Mode's authenticated link)."""
    context[VERIFIED] = True
    return next()


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
    app.error(handle_error)
    return table
