"""The `/hilal help` table; also the answer to any unknown or malformed command."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.common import Block, Message, context, header, message, safe, section, sections_from_lines
from bot.blocks.limits import MAX_MESSAGE_TEXT_BUDGET, total_text_length
from bot.viewmodels import CommandHelp

__all__ = ["HELP_TITLE", "UNKNOWN_COMMAND", "render_command_problem", "render_help"]

HELP_TITLE = "Hilal commands"
UNKNOWN_COMMAND = "Unknown command: `{command}`"
INTRO = "Hilal keeps your Amazon Ads campaigns in Slack. Regions are `na`, `eu` or `fe`."
FOOTER = "Tip: the App Home tab shows your regions and campaigns too."
FALLBACK = "Hilal commands: {usages}"
MORE_COMMANDS = "… and {count} more commands."
PROBLEM_TITLE = "That command didn't work"
SEE_HELP = "See `/hilal help` for every command."


def _line(cmd: CommandHelp, *, example: bool = True) -> str:
    usage, description = safe(cmd.usage, 120), safe(cmd.description, 240)
    line = f"*`/hilal {usage}`*  {description}"
    return f"{line}\n      e.g. `{safe(cmd.example, 160)}`" if example else line


def _table(commands: Sequence[CommandHelp], budget: int) -> list[Block]:
    """The command lines; without examples, then cut, when the full table would not fit ``budget``."""
    lines = [_line(cmd) for cmd in commands]
    if sum(len(line) + 1 for line in lines) > budget:
        lines = [_line(cmd, example=False) for cmd in commands]
    kept: list[str] = []
    used = len(MORE_COMMANDS) + 10
    for line in lines:
        if used + len(line) + 1 > budget:
            kept.append(MORE_COMMANDS.format(count=len(lines) - len(kept)))
            break
        kept.append(line)
        used += len(line) + 1
    return sections_from_lines(kept)


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
    budget = MAX_MESSAGE_TEXT_BUDGET - total_text_length(blocks) - len(FOOTER) - 200
    blocks.extend(_table(commands, budget))
    blocks.append(context(FOOTER))
    usages = ", ".join(safe(cmd.usage, 150) for cmd in commands)
    text = FALLBACK.format(usages=usages)
    return message(f"{lead}\n{text}" if lead else text, blocks)


def render_command_problem(problem: str, *, example: str | None = None) -> Message:
    """A malformed or unknown command: the reason, one example, and a pointer to help (not the table).

    Args:
        problem: What was wrong; user text inside must be escaped already (``mrkdwn_format``).
        example: One command that would work, e.g. "/hilal connect eu".

    Returns:
        The message.
    """
    hint = f"e.g. `{safe(example, 160)}` · {SEE_HELP}" if example else SEE_HELP
    blocks: list[Block] = [section(f"⚠️ *{PROBLEM_TITLE}*\n{safe(problem, 1500)}"), context(f"💡 {hint}")]
    return message(f"{PROBLEM_TITLE}: {safe(problem, 1500)} {hint}", blocks)
