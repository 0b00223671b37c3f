"""The App Home tab: region cards, the campaign list and saved views (at most 100 blocks)."""

from __future__ import annotations

from bot.blocks.campaigns import list_title, render_campaign_list
from bot.blocks.common import Block, View, context, divider, header
from bot.blocks.limits import MAX_BLOCKS_VIEW
from bot.blocks.region_card import render_region_card
from bot.blocks.views import render_view_blocks
from bot.viewmodels import HomeVM

__all__ = ["HOME_MAX_VIEWS", "render_home"]

HOME_MAX_VIEWS = 10
TITLE = "Hilal · Amazon Ads"
REGIONS = "Regions"
CAMPAIGNS = "Campaigns"
VIEWS = "Saved views"
NO_CAMPAIGNS = "Connect a region and tick marketplaces to see campaigns here."
INTRO = "Type `/hilal help` in any channel for all commands."


def render_home(vm: HomeVM) -> View:
    """The Home view to publish with ``views.publish``.

    Args:
        vm: Cards, campaign page (rendered for the Home surface) and saved views.

    Returns:
        A ``home`` view.
    """
    blocks: list[Block] = [header(TITLE), context(INTRO), header(REGIONS)]
    for index, card in enumerate(vm.cards):
        if index:
            blocks.append(divider())
        blocks.extend(render_region_card(card))
    blocks += [divider(), header(list_title(vm.campaigns, CAMPAIGNS) if vm.campaigns else CAMPAIGNS)]
    if vm.campaigns is None:
        blocks.append(context(NO_CAMPAIGNS))
    else:
        blocks.extend(render_campaign_list(vm.campaigns, surface="home"))
    view_blocks = render_view_blocks(vm.views, limit=HOME_MAX_VIEWS)
    tail = [divider(), header(VIEWS), *view_blocks]
    room = MAX_BLOCKS_VIEW - len(blocks)
    if len(tail) > room:
        tail = tail[: max(room, 0)]
    return {"type": "home", "blocks": blocks + tail}
