"""The campaign details modal: key figures, today's budget usage, ad groups, top keywords, tags and notes."""

from __future__ import annotations

from bot.blocks.alerts import pacing_readings_text
from bot.blocks.common import (
    Block,
    View,
    actions,
    button,
    context,
    divider,
    fields,
    header,
    option,
    plain,
    safe,
    section,
    sections_from_lines,
    user_mention,
)
from bot.blocks.format import flag, format_amount, format_budget, format_pct, slack_date
from bot.blocks.ids import OPTION_META_MAX_LENGTH, ActionId, BlockId, CallbackId, block_id, encode_meta
from bot.viewmodels import AdGroupVM, CampaignDetailVM, KeywordVM

__all__ = ["DETAILS_TITLE", "render_campaign_details"]

DETAILS_TITLE = "Campaign details"
CLOSE = "Close"
STALE = "⏸ Shown as of the last sync: the region is not syncing."
AD_GROUPS = "*Ad groups* ({shown} of {total})"
EDITED = "✏️ changed from Slack by {user} {when}"
KEYWORD_SPEND_NOT_LOADED = "keyword spend not loaded yet"
NO_AD_GROUPS = "*Ad groups*\nNone synced."
KEYWORDS = "*Top keywords, last 7 days*"
NOTES = "*Notes*"
NO_NOTES = "*Notes*\nNo notes yet. Add one with `/hilal note CAMPAIGN TEXT`."
PAUSE = "⏸ Pause…"
ENABLE = "▶️ Enable…"
CHANGE_BUDGET = "💰 Change daily budget…"
CHANGE_BID = "Change bid…"
AD_GROUP_DEFAULT = "(ad group default)"
_MAX_AD_GROUPS = 15
_MAX_KEYWORDS = 10
_MAX_NOTES = 10


def _facts(vm: CampaignDetailVM) -> Block:
    row = vm.campaign
    items = [
        f"*Marketplace*\n{flag(row.marketplace)} {safe(row.marketplace, 6)} ({safe(row.region.upper(), 4)})",
        f"*Type · state*\n{safe(row.ad_type, 10)} · {safe(row.state, 20)}",
        f"*Budget*\n{safe(format_budget(row.budget, row.budget_type), 40)}",
        f"*Spend, {row.window_label}*\n{safe(format_amount(row.spend_7d), 40)}",
        f"*Sales, {row.window_label}*\n{safe(format_amount(row.sales_7d), 40)}",
        f"*ACOS, {row.window_label}*\n{safe(format_pct(row.acos_7d), 20)}",
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
    lines += [_ad_group_line(g) for g in shown]
    return sections_from_lines(lines)


def _ad_group_line(group: AdGroupVM) -> str:
    bid = safe(format_amount(group.default_bid), 30)
    return f"• {safe(group.name, 120)}: {safe(group.state, 20)} · bid {bid}{_spend(group)}"


def _spend(group: AdGroupVM) -> str:
    if group.days_loaded <= 0:
        return f" · {KEYWORD_SPEND_NOT_LOADED}"
    return f" · keyword spend {safe(format_amount(group.spend_7d), 30)} ({group.window_label})"


def _editable(vm: CampaignDetailVM) -> bool:
    row = vm.campaign
    return vm.can_edit and row.ad_type == "SP" and row.state.lower() not in ("archived", "other")


def _campaign_actions(vm: CampaignDetailVM) -> list[Block]:
    """Pause or Enable and Change daily budget, for an editor of a campaign Hilal can change."""
    if not _editable(vm):
        return []
    pk = vm.campaign.campaign_id
    paused = vm.campaign.state.lower() == "paused"
    state = encode_meta({"k": "enable" if paused else "pause", "t": "campaign", "id": pk})
    elements = [
        button(ENABLE if paused else PAUSE, ActionId.EDIT_STATE, value=state),
        button(CHANGE_BUDGET, ActionId.EDIT_BUDGET, value=encode_meta({"id": pk})),
    ]
    return [actions(elements, block_id=block_id(BlockId.EDIT_DETAIL_ACTIONS, pk))]


def _bid(k: KeywordVM) -> str:
    """The keyword's bid, or its ad group's default bid marked as such, or "—"."""
    bid = format_amount(k.bid)
    return f"{bid} {AD_GROUP_DEFAULT}" if k.default_bid and k.bid is not None else bid


def _keyword_line(k: KeywordVM) -> str:
    return (
        f"• {safe(k.text, 120)} _{safe(k.match_type, 20)}_: bid {safe(_bid(k), 30)}"
        f" · spend {safe(format_amount(k.spend_7d), 30)} · sales {safe(format_amount(k.sales_7d), 30)}"
        f" · ACOS {safe(format_pct(k.acos_7d), 12)}"
    )


def _keyword_menu(k: KeywordVM) -> dict[str, object]:
    toggle = "enable" if k.state == "paused" else "pause"
    ops = [("bid", CHANGE_BID), (toggle, ENABLE if toggle == "enable" else PAUSE)]
    return {
        "type": "overflow",
        "action_id": ActionId.EDIT_KEYWORD.value,
        "options": [
            option(label, encode_meta({"op": op, "id": k.keyword_id}, limit=OPTION_META_MAX_LENGTH))
            for op, label in ops
        ],
    }


def _editable_keywords(vm: CampaignDetailVM) -> list[Block]:
    """One section per keyword, each with a menu: Change bid…, Pause… or Enable…."""
    blocks: list[Block] = [section(KEYWORDS)]
    for k in vm.top_keywords[:_MAX_KEYWORDS]:
        usable = k.keyword_id and k.state not in ("archived", "")
        menu = _keyword_menu(k) if usable else None
        blocks.append(
            section(_keyword_line(k), block_id=block_id(BlockId.EDIT_KEYWORD, k.keyword_id), accessory=menu)
        )
    return blocks


def _keywords(vm: CampaignDetailVM) -> list[Block]:
    if not vm.top_keywords:
        return []
    if _editable(vm):
        return _editable_keywords(vm)
    lines = [KEYWORDS]
    lines += [_keyword_line(k) for k in vm.top_keywords[:_MAX_KEYWORDS]]
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
        The modal view (at most 58 blocks).
    """
    blocks: list[Block] = [header(vm.campaign.name), _facts(vm)]
    if vm.campaign.stale or vm.synced_at or vm.edited_by:
        notes = [STALE] if vm.campaign.stale else []
        notes += [f"synced {slack_date(vm.synced_at)}"] if vm.synced_at else []
        if vm.edited_by and vm.edited_at:
            notes.append(EDITED.format(user=user_mention(vm.edited_by), when=slack_date(vm.edited_at)))
        blocks.append(context(*notes))
    if vm.pacing is not None and vm.pacing.latest is not None:  # Amazon's intraday figure, not a report
        blocks.append(section(pacing_readings_text(vm.pacing)))
    blocks += _campaign_actions(vm)
    blocks += [divider(), *_ad_groups(vm), *_keywords(vm), divider(), *_notes(vm)]
    return {
        "type": "modal",
        "callback_id": CallbackId.CAMPAIGN_DETAILS.value,
        "title": plain(DETAILS_TITLE),
        "close": plain(CLOSE),
        "private_metadata": encode_meta({"id": vm.campaign.campaign_id}, limit=3000),
        "blocks": blocks,
    }
