"""The list of Hilal admins (`/hilal admins list`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.common import Message, context, message, sections_from_lines, user_mention

__all__ = ["NO_ADMINS", "render_admins"]

TITLE = "*Hilal admins*"
NO_ADMINS = "No Hilal admins are set yet."
HINT = "Admins connect and disconnect regions. Change the list with `/hilal admins add|remove @someone`."
_MAX_SHOWN = 200


def render_admins(admin_ids: Sequence[str]) -> Message:
    """Admins as mentions (Slack user ids), or a note that there are none.

    Args:
        admin_ids: Slack user ids, in display order.

    Returns:
        The message.
    """
    if not admin_ids:
        return message(NO_ADMINS, [*sections_from_lines([TITLE, NO_ADMINS]), context(HINT)])
    lines = [TITLE] + [f"• {user_mention(user)}" for user in admin_ids[:_MAX_SHOWN]]
    if len(admin_ids) > _MAX_SHOWN:
        lines.append(f"… and {len(admin_ids) - _MAX_SHOWN} more")
    mentions = ", ".join(user_mention(user) for user in admin_ids[:_MAX_SHOWN])
    return message(f"Hilal admins: {mentions}", [*sections_from_lines(lines), context(HINT)])
