"""`/hilal`: ack at once, parse, dispatch to the feature that owns the sub-command.

Unknown or malformed commands answer with the help table and what was wrong.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.format import mrkdwn_format
from bot.blocks.help import render_command_problem, render_help
from bot.errors import UsageError
from bot.features.base import CommandContext, CommandSpec, Feature, Message
from bot.listeners.context import end_unit_of_work, request_ids, services_of, unit_of_work
from bot.listeners.errors import report_error
from bot.viewmodels import CommandHelp

__all__ = ["CommandTable", "make_command_listener"]


def _help_handler(_ctx: CommandContext) -> None:
    """Help is answered by the dispatcher itself (it needs the whole table)."""


HELP = CommandSpec("help", "help", "Show this list of commands", "/hilal help", handler=_help_handler)


@dataclass(frozen=True)
class CommandTable:
    """Sub-command name → spec, plus the help rows in display order."""

    specs: Mapping[str, CommandSpec]
    help_rows: Sequence[CommandHelp]

    @classmethod
    def from_features(cls, features: Sequence[Feature]) -> CommandTable:
        specs: dict[str, CommandSpec] = {"help": HELP}
        rows = [CommandHelp(HELP.usage, HELP.description, HELP.example)]
        for feature in features:
            for spec in feature.commands:
                for name in (spec.name, *spec.aliases):
                    specs[name] = spec
                rows.append(CommandHelp(spec.usage, spec.description, spec.example))
        return cls(specs=specs, help_rows=rows)


def _command_text(body: Mapping[str, Any]) -> str:
    """The text after `/hilal`, with the three entities Slack escapes in it (&, <, >) turned back."""
    text = str(body.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text.replace("“", '"').replace("”", '"'))
    except ValueError:
        return text.split()


def _unknown(table: CommandTable, typed: str) -> Message:
    """ "Unknown command", the closest real one as the example (or help's own), and the way to help."""
    close = difflib.get_close_matches(typed.lower(), [name for name in table.specs if name != "help"], n=1)
    spec = table.specs[close[0]] if close else None
    problem = mrkdwn_format("Unknown command: `{typed}`.", typed=typed[:80])
    if spec is not None:
        problem = mrkdwn_format("{problem} Did you mean `{name}`?", problem=problem, name=spec.name)
    return render_command_problem(problem, example=spec.example if spec else "/hilal help")


def make_command_listener(table: CommandTable) -> Callable[..., None]:
    """The `/hilal` listener bound to `table`."""

    def handle_hilal_command(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        ack()
        args = _split(_command_text(body))
        name = args[0].lower() if args else "help"
        spec = table.specs.get(name)
        if spec is HELP:
            help_msg = render_help(table.help_rows)
            respond(text=help_msg["text"], blocks=help_msg["blocks"], response_type="ephemeral")
            return
        if spec is None:
            answer = _unknown(table, args[0])
            respond(text=answer["text"], blocks=answer["blocks"], response_type="ephemeral")
            return
        ids = request_ids(context)
        ctx = CommandContext(
            services=services_of(context),
            team_id=ids.team_id,
            enterprise_id=ids.enterprise_id,
            user_id=ids.user_id,
            channel_id=str(body.get("channel_id") or ""),
            command=name,
            args=args[1:],
            text=_command_text(body),
            trigger_id=str(body.get("trigger_id") or ""),
            client=client,
            respond=respond,
            body=body,
            uow=unit_of_work(context),
        )
        try:
            spec.handler(ctx)
            end_unit_of_work(context)
        except UsageError as error:
            end_unit_of_work(context, error)
            problem = mrkdwn_format(
                "`{usage}`: {detail} {hint}", usage=spec.usage, detail=error.detail, hint=error.hint or ""
            )
            example = None if "/hilal" in (error.hint or "") else spec.example  # one example is enough
            answer = render_command_problem(problem, example=example)
            respond(text=answer["text"], blocks=answer["blocks"], response_type="ephemeral")
        except Exception as error:  # every failure answers the user (bot.listeners.errors)
            end_unit_of_work(context, error)
            report_error(error, body=body, client=client, respond=respond)

    return handle_hilal_command
