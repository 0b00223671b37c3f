"""The campaign details modal: key figures, ad groups, top keywords, tags and the team's notes."""

from __future__ import annotations

from bot.blocks.common import (
    Block,
    View,
    context,
    divider,
    fields,
    header,
    plain,
    safe,
    section,
    sections_from_lines,
    user_mention,
)
from bot.blocks.format import slack_date
from bot.blocks.ids import CallbackId, encode_meta
from bot.viewmodels import AdGroupVM, CampaignDetailVM

__all__ = ["DETAILS_TITLE", "render_campaign_details"]

DETAILS_TITLE = "Campaign details"
CLOSE = "Close"
STALE = "⏸ Shown as of the last sync: the region is not syncing."
AD_GROUPS = "*Ad groups* ({shown} of {total})"
KEYWORD_SPEND_NOT_LOADED = "keyword spend not loaded yet"
NO_AD_GROUPS = "*Ad groups*\nNone synced."
KEYWORDS = "*Top keywords, last 7 days*"
NOTES = "*Notes*"
NO_NOTES = "*Notes*\nNo notes yet. Add one with `/hilal note CAMPAIGN TEXT`."
_MAX_AD_GROUPS = 15
_MAX_KEYWORDS = 10
_MAX_NOTES = 10


def _facts(vm: CampaignDetailVM) -> Block:
    row = vm.campaign
    items = [
        f"*Marketplace*\n{row.flag} {safe(row.marketplace, 6)} ({safe(row.region.upper(), 4)})",
        f"*Type · state*\n{safe(row.ad_type, 10)} · {safe(row.state, 20)}",
        f"*Budget*\n{safe(row.budget, 40)}",
        f"*Spend, {row.window_label}*\n{safe(row.spend_7d, 40)}",
        f"*Sales, {row.window_label}*\n{safe(row.sales_7d, 40)}",
        f"*ACOS, {row.window_label}*\n{safe(row.acos_7d, 20)}",
        "*Tags*\n" + (safe(", ".join(row.tags), 1000) if row.tags else "—"),
    ]
    if vm.amazon_campaign_id:
        items.append(f"*Amazon campaign id*\n`{safe(vm.amazon_campaign_id, 100)}`")
    return fields(items)


def _ad_groups(vm: CampaignDetailVM) -> list[Block]:
    if not vm.ad_groups:
        return [section(NO_AD_GROUPS)]
    shown = vm.ad_groups[:_MAX_AD_GROUPS]
    total = max(vm.ad_groups_total, len(vm.ad_groups))
    lines = [AD_GROUPS.format(shown=len(shown), total=total)]
    lines += [
        f"• {safe(g.name, 120)}: {safe(g.state, 20)} · bid {safe(g.default_bid, 30)}{_spend(g)}"
        for g in shown
    ]
    return sections_from_lines(lines)


def _spend(group: AdGroupVM) -> str:
    if group.days_loaded <= 0:
        return f" · {KEYWORD_SPEND_NOT_LOADED}"
    return f" · keyword spend {safe(group.spend_7d, 30)} ({group.window_label})"


def _keywords(vm: CampaignDetailVM) -> list[Block]:
    if not vm.top_keywords:
        return []
    lines = [KEYWORDS]
    lines += [
        f"• {safe(k.text, 120)} _{safe(k.match_type, 20)}_: bid {safe(k.bid, 30)}"
        f" · spend {safe(k.spend_7d, 30)} · sales {safe(k.sales_7d, 30)} · ACOS {safe(k.acos_7d, 12)}"
        for k in vm.top_keywords[:_MAX_KEYWORDS]
    ]
    return sections_from_lines(lines)


def _notes(vm: CampaignDetailVM) -> list[Block]:
    if not vm.notes:
        return [section(NO_NOTES)]
    blocks: list[Block] = [section(NOTES)]
    for note in vm.notes[:_MAX_NOTES]:
        blocks.append(context(f"{user_mention(note.author)} · {safe(note.date, 60)}"))
        blocks.append(section(safe(note.text, 2900)))
    if len(vm.notes) > _MAX_NOTES:
        blocks.append(context(f"… and {len(vm.notes) - _MAX_NOTES} older notes"))
    return blocks


def render_campaign_details(vm: CampaignDetailVM) -> View:
    """The details modal of one campaign (no submit; ``private_metadata`` holds ``{"id": campaign_id}``).

    Args:
        vm: The campaign's details.

    Returns:
        The modal view (at most 45 blocks).
    """
    blocks: list[Block] = [header(vm.campaign.name), _facts(vm)]
    if vm.campaign.stale or vm.synced_at:
        notes = [STALE] if vm.campaign.stale else []
        notes += [f"synced {slack_date(vm.synced_at)}"] if vm.synced_at else []
        blocks.append(context(*notes))
    blocks += [divider(), *_ad_groups(vm), *_keywords(vm), divider(), *_notes(vm)]
    return {
        "type": "modal",
        "callback_id": CallbackId.CAMPAIGN_DETAILS.value,
        "title": plain(DETAILS_TITLE),
        "close": plain(CLOSE),
        "private_metadata": encode_meta({"id": vm.campaign.campaign_id}, limit=3000),
        "blocks": blocks,
    }
