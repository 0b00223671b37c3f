"""What a feature contributes: slash sub-commands (with their help lines) and Bolt listeners.

A command handler receives a `CommandContext` after the request has been acknowledged, so it may take
its time; it answers through `ctx.reply(message)` (ephemeral, via the response_url) or raises a
`bot.errors.UserFacingError`, which the shared error handler renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.listeners.context import UnitOfWork
    from bot.listeners.registry import Listeners
    from bot.wiring import Services

__all__ = ["CommandContext", "CommandSpec", "Feature", "Message"]

Message = Mapping[str, Any]


@dataclass
class CommandContext:
    """Everything a `/hilal` sub-command handler needs."""

    services: Services
    team_id: str
    enterprise_id: str
    user_id: str
    channel_id: str
    command: str
    args: list[str]
    text: str
    trigger_id: str
    client: WebClient
    respond: Callable[..., Any]
    body: Mapping[str, Any] = field(default_factory=dict)
    uow: UnitOfWork | None = None
    """The request's unit of work; the dispatcher commits it when the handler returns (None outside one)."""

    def reply(self, message: Message, *, replace: bool = False) -> None:
        """Answer the user privately (ephemeral), optionally replacing the previous answer."""
        self.respond(
            text=message.get("text", ""),
            blocks=message.get("blocks"),
            response_type="ephemeral",
            replace_original=replace,
        )


@dataclass(frozen=True)
class CommandSpec:
    """One `/hilal` sub-command: its name, help line and handler."""

    name: str
    usage: str
    description: str
    example: str
    handler: Callable[[CommandContext], None]
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class Feature:
    """A feature's commands and a function registering its actions, views, options and events."""

    name: str
    commands: Sequence[CommandSpec] = ()
    register: Callable[[Listeners], None] | None = None
