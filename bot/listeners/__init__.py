"""Wires features into a Bolt app: the `/hilal` dispatcher, each feature's listeners, events, errors."""

from __future__ import annotations

from slack_bolt import App

from bot.features import load_features
from bot.listeners.commands import CommandTable, make_command_listener
from bot.listeners.errors import handle_error
from bot.listeners.events import register_events

__all__ = ["register_listeners"]


def register_listeners(app: App) -> CommandTable:
    """Register every listener; returns the command table (used by help and the manifest test)."""
    features = load_features()
    table = CommandTable.from_features(features)
    app.command("/hilal")(make_command_listener(table))
    for feature in features:
        if feature.register is not None:
            feature.register(app)
    register_events(app)
    app.error(handle_error)
    return table
