"""The `/hilal help` table; also the answer to any unknown or malformed command."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.common import Block, Message, context, header, message, safe, section, sections_from_lines
from bot.viewmodels import CommandHelp

__all__ = ["HELP_TITLE", "UNKNOWN_COMMAND", "render_help"]

HELP_TITLE = "Hilal commands"
UNKNOWN_COMMAND = "Unknown command: `{command}`"
INTRO = "Hilal keeps your Amazon Ads campaigns in Slack. Regions are `na`, `eu` or `fe`."
FOOTER = "Tip: the App Home tab shows your regions and campaigns too."
FALLBACK = "Hilal commands: {usages}"


def _line(cmd: CommandHelp) -> str:
    usage, description, example = safe(cmd.usage, 150), safe(cmd.description, 300), safe(cmd.example, 200)
    return f"*`/hilal {usage}`*  {description}\n      e.g. `{example}`"


def render_help(
    commands: Sequence[CommandHelp], *, problem: str | None = None, unknown: str | None = None
) -> Message:
    """The command table, optionally preceded by what was wrong with the user's command.

    Args:
        commands: The command table (from ``bot.commands``).
        problem: What was wrong (plain text, escaped here), e.g. "`connect` needs a region".
        unknown: The unknown subcommand the user typed; renders "Unknown command: `x`".

    Returns:
        The message.
    """
    lead = UNKNOWN_COMMAND.format(command=safe(unknown, 80)) if unknown is not None else None
    if problem:
        lead = f"{lead}. {safe(problem, 1000)}" if lead else safe(problem, 1000)
    blocks: list[Block] = []
    if lead:
        blocks.append(section(f"⚠️ {lead}"))
    blocks.append(header(HELP_TITLE))
    blocks.append(context(INTRO))
    blocks.extend(sections_from_lines(_line(cmd) for cmd in commands))
    blocks.append(context(FOOTER))
    usages = ", ".join(safe(cmd.usage, 150) for cmd in commands)
    text = FALLBACK.format(usages=usages)
    return message(f"{lead}\n{text}" if lead else text, blocks)
