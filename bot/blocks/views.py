"""Saved views: the list message (`/hilal view list`), the blocks reused by App Home, and the banner of an
opened view."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.campaigns import summarize_filter
from bot.blocks.common import (
    Block,
    Message,
    button,
    context,
    header,
    message,
    safe,
    section,
    user_mention,
)
from bot.blocks.ids import ActionId, BlockId, block_id, encode_meta
from bot.viewmodels import SavedViewVM

__all__ = ["MESSAGE_MAX_VIEWS", "NO_VIEWS", "render_view_blocks", "render_view_list"]

MESSAGE_MAX_VIEWS = 25
TITLE = "Saved views"
NO_VIEWS = "No saved views yet. Save the current campaign filter with `/hilal view save NAME`."
SHARED = "👥 shared"
PERSONAL = "🔒 personal"
OPEN = "Open"
MORE = "… and {count} more. Open any view with `/hilal view NAME`."
MESSAGE_MAX_BLOCKS = 50


def _view_block(view: SavedViewVM, index: int) -> Block:
    sharing = SHARED if view.shared else PERSONAL
    text = (
        f"*{safe(view.name, 100)}* · {sharing} · by {user_mention(view.owner)}\n"
        f"{safe(summarize_filter(view.filter), 250)}"
    )
    value = encode_meta({"name": view.name})
    accessory = button(OPEN, ActionId.VIEWS_OPEN, value=value)
    return section(text, block_id=block_id(BlockId.VIEWS_ROW, str(index)), accessory=accessory)


def render_view_blocks(views: Sequence[SavedViewVM], *, limit: int = MESSAGE_MAX_VIEWS) -> list[Block]:
    """One section per view with an Open button (``{"name"}``), at most ``limit``, then "and N more".

    Args:
        views: The views, in display order.
        limit: How many to show.

    Returns:
        The blocks; a single hint when there are no views.
    """
    if not views:
        return [context(NO_VIEWS)]
    blocks = [_view_block(view, index) for index, view in enumerate(views[:limit])]
    if len(views) > limit:
        blocks.append(context(MORE.format(count=len(views) - limit)))
    return blocks


def render_view_list(views: Sequence[SavedViewVM]) -> Message:
    """The saved views of the workspace (shared) and of the user (personal).

    Args:
        views: The views, in display order.

    Returns:
        The message.
    """
    names = ", ".join(safe(view.name, 100) for view in views[:MESSAGE_MAX_VIEWS])
    text = f"{TITLE}: {names}" if views else NO_VIEWS
    return message(text, [header(TITLE), *render_view_blocks(views)])
