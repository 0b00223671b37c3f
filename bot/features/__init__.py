"""Product features. Each module exposes `FEATURE: Feature` (its slash sub-commands and its listeners).

`bot.listeners.register_listeners` wires every feature listed in `FEATURES` into the Bolt app, and the
help table is built from the same command specs, so help can never drift from what is handled.
"""

from __future__ import annotations

from importlib import import_module

from bot.features.base import Feature

__all__ = ["FEATURE_MODULES", "load_features"]

FEATURE_MODULES = (
    "bot.features.regions",
    "bot.features.campaigns",
    "bot.features.digest",
    "bot.features.edits",
    "bot.features.alerts",
    "bot.features.admins",
)


def load_features(modules: tuple[str, ...] = FEATURE_MODULES) -> list[Feature]:
    """Import each feature module and return its `FEATURE`."""
    return [import_module(name).FEATURE for name in modules]
