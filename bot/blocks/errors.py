"""Messages for errors the user can act on, and for unexpected ones (with a reference id only)."""

from __future__ import annotations

from bot.blocks.common import Block, Message, context, message, safe, section

__all__ = ["UNEXPECTED_DETAIL", "UNEXPECTED_TITLE", "render_unexpected", "render_user_error"]

UNEXPECTED_TITLE = "Something went wrong on our side"
UNEXPECTED_DETAIL = "Nothing was changed that you need to undo. Please try again in a minute."
REFERENCE = "If it keeps happening, contact support with reference `{ref}`."


def render_user_error(title: str, detail: str, *, hint: str | None = None) -> Message:
    """An error the user can fix (wrong region, not connected, not allowed ...).

    Args:
        title: Short statement, e.g. "Europe is not connected".
        detail: What happened and why.
        hint: What to do next, e.g. "Run `/hilal connect eu`" (may contain inline code).

    Returns:
        The message (``text`` holds title and detail).
    """
    blocks: list[Block] = [section(f"⚠️ *{safe(title, 200)}*\n{safe(detail, 2000)}")]
    if hint:
        blocks.append(context(f"💡 {safe(hint, 1000)}"))
    text = f"{safe(title, 200)}: {safe(detail, 2000)}"
    return message(f"{text} {safe(hint, 1000)}" if hint else text, blocks)


def render_unexpected(ref: str) -> Message:
    """The answer to an unexpected failure: an apology and the reference id from the logs, nothing else.

    Args:
        ref: The reference id logged with the exception.

    Returns:
        The message.
    """
    reference = REFERENCE.format(ref=safe(ref, 100))
    blocks: list[Block] = [section(f"😕 *{UNEXPECTED_TITLE}*\n{UNEXPECTED_DETAIL}"), context(reference)]
    return message(f"{UNEXPECTED_TITLE}. {UNEXPECTED_DETAIL} {reference}", blocks)
