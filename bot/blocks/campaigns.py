"""The campaign list (message and App Home): filters at the top, one section per campaign, paging.

Region, marketplace, state and tag filters are multi-selects in section accessories (not actions blocks,
reference §1.4); sort, the "at risk" checkbox, search, clear and "Save as view" share one actions block.
Each campaign row has an overflow menu (Tag, Note, Details) whose option values are
``{"op": CampaignOp, "id": campaign_id}``.
A list sorted by spend over several currencies comes grouped by currency: a header line per group (again,
marked "continued", on a page that starts mid-group) and the rule under the filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks.alerts import pacing_line_text
from bot.blocks.campaign_details import render_campaign_details
from bot.blocks.common import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    header,
    message,
    multi_static_select,
    option,
    region_choices,
    safe,
    section,
    static_select,
    truncate,
)
from bot.blocks.format import flag, format_amount, format_budget, format_pct, slack_date
from bot.blocks.ids import OPTION_META_MAX_LENGTH, ActionId, BlockId, CampaignOp, block_id, encode_meta
from bot.blocks.limits import MAX_MESSAGE_TEXT_BUDGET, MAX_OPTION_VALUE, MAX_SELECT_OPTIONS, total_text_length
from bot.viewmodels import AT_RISK_PERCENT, CampaignFilterVM, CampaignPageVM, CampaignRowVM, CurrencyGroupVM
from bot.viewmodels.campaigns import HOME_PAGE_SIZE, MESSAGE_PAGE_SIZE, Surface, page_size

__all__ = [
    "AT_RISK_OPTION",
    "AT_RISK_SUMMARY",
    "AT_RISK_VALUE",
    "CURRENCY_RULE",
    "HOME_PAGE_SIZE",
    "MESSAGE_PAGE_SIZE",
    "NO_MATCHES",
    "REGION_OPTIONS",
    "SORT_OPTIONS",
    "STATE_OPTIONS",
    "VIEW_BANNER",
    "list_title",
    "page_size",
    "render_campaign_details",
    "render_campaign_list",
    "render_campaign_message",
    "summarize_filter",
]

REGION_OPTIONS = region_choices()
STATE_OPTIONS = (("enabled", "Enabled"), ("paused", "Paused"), ("archived", "Archived"))
SORT_OPTIONS = (
    ("spend", "Sort: spend (7 days)"),
    ("name", "Sort: name"),
    ("acos", "Sort: ACOS"),
    ("usage", "Sort: today's pacing"),
)
OVERFLOW_OPTIONS = (
    (CampaignOp.TAG, "🏷 Tag"),
    (CampaignOp.NOTE, "📝 Add note"),
    (CampaignOp.DETAILS, "🔎 Details"),
)
EDIT_OPTIONS = {
    CampaignOp.PAUSE: "⏸ Pause…",
    CampaignOp.ENABLE: "▶️ Enable…",
    CampaignOp.BUDGET: "💰 Change daily budget…",
}
BULK_PAUSE = "⏸ Pause all {count} shown…"
BULK_ENABLE = "▶️ Enable all {count} shown…"
TITLE = "Campaigns"
VIEW_BANNER = "View: {name}"  # the title of a list that shows a saved view exactly
COUNT = "{first}–{last} of {total}"  # noqa: RUF001
NO_MATCHES = "*No campaigns match these filters.*"
WIDEN_HINT = (
    "Try widening them: clear the region, marketplace, state, tag or at-risk filters, "
    "or search for part of a name."
)
NO_CAMPAIGNS = (
    "*No campaigns yet.*\nConnect a region with `/hilal connect eu` and tick marketplaces; "
    "campaigns appear after the first sync."
)
STALE = "⏸ as of last sync"
CURRENCY_RULE = "Spend is compared within each currency."
GROUP = "*{currency} · {count}*"
CONTINUED = "continued"
NOTE_MARK = "📝 note"
SEARCH = "🔍 Search"
AT_RISK_OPTION = f"At risk today (≥ {AT_RISK_PERCENT} %)"
AT_RISK_SUMMARY = f"at risk (≥ {AT_RISK_PERCENT} %)"
AT_RISK_VALUE = "at_risk"
CLEAR = "Clear filters"
SAVE_VIEW = "Save as view"
PREVIOUS = "← Previous"
NEXT = "Next →"
LABELS = {"region": "*Region*", "marketplace": "*Marketplace*", "state": "*State*", "tag": "*Tag*"}
PLACEHOLDERS = {
    "region": "All regions",
    "marketplace": "All marketplaces",
    "state": "Any state",
    "tag": "Any tag",
}


@dataclass(frozen=True, slots=True)
class _Widths:
    """Text widths; narrowed step by step until a message fits the text budget."""

    name: int
    option: int
    tags: int


_WIDTHS = (_Widths(100, 40, 100), _Widths(60, 24, 60), _Widths(40, 14, 30), _Widths(24, 10, 12))


def summarize_filter(flt: CampaignFilterVM, marketplace_labels: Mapping[str, str] | None = None) -> str:
    """A one-line plain-text summary of a filter, e.g. "EU, NA · 🇩🇪 DE · enabled · tag brand · by spend"."""
    labels = marketplace_labels or {}
    parts = [", ".join(r.upper() for r in flt.regions) or "All regions"]
    if flt.marketplaces:
        parts.append(", ".join(labels.get(m, m) for m in flt.marketplaces))
    if flt.states:
        parts.append(", ".join(flt.states))
    if flt.tags:
        parts.append("tag " + ", ".join(flt.tags))
    if flt.at_risk:
        parts.append(AT_RISK_SUMMARY)
    if flt.search:
        parts.append(f"“{flt.search}”")
    parts.append(f"by {flt.sort}")
    return " · ".join(parts)


def _is_filtered(flt: CampaignFilterVM) -> bool:
    return bool(flt.regions or flt.marketplaces or flt.states or flt.tags or flt.search or flt.at_risk)


def _at_risk_checkbox(flt: CampaignFilterVM) -> dict[str, Any]:
    """The "at risk" filter: one checkbox (ticked: only campaigns at or over the threshold today)."""
    choice = option(AT_RISK_OPTION, AT_RISK_VALUE)
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": ActionId.CAMPAIGNS_FILTER_AT_RISK.value,
        "options": [choice],
    }
    if flt.at_risk:
        element["initial_options"] = [choice]
    return element


def _multi_filter(
    kind: str, choices: Sequence[tuple[str, str]], chosen: Sequence[str], *, key: str, width: int
) -> Block | None:
    usable = [(value, label) for value, label in choices if 0 < len(value) <= MAX_OPTION_VALUE]
    opts = [option(truncate(label, width), value) for value, label in usable[:MAX_SELECT_OPTIONS]]
    if not opts:
        return None
    initial = [opt for opt in opts if opt["value"] in set(chosen)]
    action = ActionId(f"campaigns.filter.{kind}")
    element = multi_static_select(action, placeholder=PLACEHOLDERS[kind], options=opts, initial=initial)
    return section(
        LABELS[kind], block_id=block_id(BlockId(f"campaigns.filter.{kind}"), key), accessory=element
    )


def _filter_actions(vm: CampaignPageVM, width: _Widths) -> Block:
    sorts = [option(label, value) for value, label in SORT_OPTIONS]
    initial = next((opt for opt in sorts if opt["value"] == vm.filter.sort), sorts[0])
    search = f"🔍 “{truncate(vm.filter.search, width.option)}”" if vm.filter.search else SEARCH
    elements = [
        static_select(ActionId.CAMPAIGNS_FILTER_SORT, sorts, placeholder="Sort", initial=initial),
        _at_risk_checkbox(vm.filter),
        button(search, ActionId.CAMPAIGNS_FILTER_SEARCH),
    ]
    if _is_filtered(vm.filter):
        elements.append(button(CLEAR, ActionId.CAMPAIGNS_FILTER_CLEAR))
    elements.append(button(SAVE_VIEW, ActionId.CAMPAIGNS_SAVE_VIEW))
    if vm.can_edit and _is_filtered(vm.filter):
        if vm.pausable:
            pause = encode_meta({"k": "pause"})
            label = BULK_PAUSE.format(count=f"{vm.pausable:,}")
            elements.append(button(label, ActionId.EDIT_BULK_PAUSE, value=pause))
        if vm.enablable:
            enable = encode_meta({"k": "enable"})
            label = BULK_ENABLE.format(count=f"{vm.enablable:,}")
            elements.append(button(label, ActionId.EDIT_BULK_ENABLE, value=enable))
    return actions(elements, block_id=block_id(BlockId.CAMPAIGNS_FILTER_ACTIONS, vm.render_key))


def _filters(vm: CampaignPageVM, width: _Widths) -> list[Block]:
    flt, key = vm.filter, vm.render_key
    tag_choices = [(tag, tag) for tag in vm.tag_options]
    candidates = [
        _multi_filter("region", REGION_OPTIONS, flt.regions, key=key, width=width.option),
        _multi_filter("marketplace", _marketplace_choices(vm), flt.marketplaces, key=key, width=width.option),
        _multi_filter("state", STATE_OPTIONS, flt.states, key=key, width=width.option),
        _multi_filter("tag", tag_choices, flt.tags, key=key, width=width.option),
    ]
    return [block for block in candidates if block is not None] + [_filter_actions(vm, width)]


def _marketplace_choices(vm: CampaignPageVM) -> list[tuple[str, str]]:
    """(country code, "🇩🇪 DE") options of the marketplace filter."""
    return [(country, f"{flag(country)} {country}") for country in vm.marketplace_options]


def _tags(tags: Sequence[str], width: int) -> str:
    shown = ", ".join(tags[:5])
    more = f" +{len(tags) - 5}" if len(tags) > 5 else ""
    return "🏷 " + safe(shown, width) + more


def editable(row: CampaignRowVM) -> bool:
    """A campaign Hilal can change live: Sponsored Products, not archived."""
    return row.ad_type == "SP" and row.state.lower() not in ("archived", "other")


def _row_options(row: CampaignRowVM, *, can_edit: bool) -> list[tuple[CampaignOp, str]]:
    """Tag, Note, Details, and for an editor Pause or Enable and Change daily budget (at most 5)."""
    ops = list(OVERFLOW_OPTIONS)
    if can_edit and editable(row):
        toggle = CampaignOp.ENABLE if row.state.lower() == "paused" else CampaignOp.PAUSE
        ops += [(toggle, EDIT_OPTIONS[toggle]), (CampaignOp.BUDGET, EDIT_OPTIONS[CampaignOp.BUDGET])]
    return ops


def _row(row: CampaignRowVM, width: _Widths, *, can_edit: bool = False) -> Block:
    lines = [
        f"*{safe(row.name, width.name)}*",
        f"{flag(row.marketplace)} {safe(row.marketplace, 6)} · {safe(row.ad_type, 10)}"
        f" · {safe(row.state, 20)} · Budget {safe(format_budget(row.budget, row.budget_type), 30)}",
        f"{row.window_label}: spend {safe(format_amount(row.spend_7d), 24)}"
        f" · sales {safe(format_amount(row.sales_7d), 24)} · ACOS {safe(format_pct(row.acos_7d), 12)}",
    ]
    if row.usage_today is not None:
        lines.append(pacing_line_text(row.usage_today))
    marks = [_tags(row.tags, width.tags)] if row.tags else []
    marks += [NOTE_MARK] if row.has_note else []
    marks += [STALE] if row.stale else []
    if marks:
        lines.append(" · ".join(marks))
    overflow = {
        "type": "overflow",
        "action_id": ActionId.CAMPAIGNS_OVERFLOW.value,
        "options": [
            option(label, encode_meta({"op": op, "id": row.campaign_id}, limit=OPTION_META_MAX_LENGTH))
            for op, label in _row_options(row, can_edit=can_edit)
        ],
    }
    return section(
        "\n".join(lines), block_id=block_id(BlockId.CAMPAIGNS_ROW, row.campaign_id), accessory=overflow
    )


def _count(vm: CampaignPageVM, shown: int) -> str:
    return COUNT.format(first=f"{vm.offset + 1:,}", last=f"{vm.offset + shown:,}", total=f"{vm.total:,}")


def _summary(vm: CampaignPageVM, shown: int) -> str:
    parts = [
        f"*{_count(vm, shown)}*" if shown else f"*0 of {vm.total:,}*",
        f"sorted by {safe(vm.filter.sort, 10)}",
    ]
    if vm.synced_at:
        parts.append(f"synced {slack_date(vm.synced_at)}")
    rule = f"\n{CURRENCY_RULE}" if vm.groups else ""  # its own line, in the same block
    return " · ".join(parts) + rule


def _group(group: CurrencyGroupVM) -> Block:
    noun = "campaign" if group.count == 1 else "campaigns"
    text = GROUP.format(currency=safe(group.currency, 10), count=f"{group.count:,} {noun}")
    return context(f"{text} · {CONTINUED}" if group.continued else text)


def _rows(vm: CampaignPageVM, rows: Sequence[CampaignRowVM], width: _Widths) -> list[Block]:
    """The rows, each currency group's header before its first row on the page."""
    headers = {group.first_row: _group(group) for group in vm.groups if 0 <= group.first_row < len(rows)}
    blocks: list[Block] = []
    for index, row in enumerate(rows):
        if index in headers:
            blocks.append(headers[index])
        blocks.append(_row(row, width, can_edit=vm.can_edit))
    return blocks


def _paging(vm: CampaignPageVM, shown: int) -> list[Block]:
    elements: list[dict[str, Any]] = []
    step = max(vm.page_size, 1)
    if vm.offset > 0:
        meta = encode_meta({"offset": max(vm.offset - step, 0)})
        elements.append(button(PREVIOUS, ActionId.CAMPAIGNS_PAGE_PREV, value=meta))
    if vm.offset + shown < vm.total:
        meta = encode_meta({"offset": vm.offset + step})
        elements.append(button(NEXT, ActionId.CAMPAIGNS_PAGE_NEXT, value=meta))
    blocks: list[Block] = [context(_count(vm, shown))]
    if elements:
        blocks.append(actions(elements, block_id=block_id(BlockId.CAMPAIGNS_PAGING, vm.render_key)))
    return blocks


def _list(vm: CampaignPageVM, surface: Surface, width: _Widths) -> list[Block]:
    rows = list(vm.rows[: page_size(surface)])
    blocks = [*_filters(vm, width), context(_summary(vm, len(rows))), divider()]
    if not rows:
        blocks.append(section(f"{NO_MATCHES}\n{WIDEN_HINT}" if _is_filtered(vm.filter) else NO_CAMPAIGNS))
        return blocks
    blocks.extend(_rows(vm, rows, width))
    if vm.total > len(rows) or vm.offset > 0:
        blocks.extend(_paging(vm, len(rows)))
    return blocks


def render_campaign_list(vm: CampaignPageVM, *, surface: Surface = "message") -> list[Block]:
    """The campaign list blocks: filters, summary, rows (at most ``page_size(surface)``, with a header
    before each currency group's first row on the page), paging.

    Args:
        vm: The page.
        surface: "message" (stays within 10,000 characters: labels shorten when needed) or "home".

    Returns:
        The blocks: at most 29 for a message and 34 for Home, plus one per currency group on the page
        (at most one per row: 49 and 59).
    """
    blocks: list[Block] = []
    for width in _WIDTHS:
        blocks = _list(vm, surface, width)
        if surface == "home" or total_text_length(blocks) <= MAX_MESSAGE_TEXT_BUDGET - 200:
            break
    return blocks


def list_title(vm: CampaignPageVM, plain: str = TITLE) -> str:
    """``View: NAME`` when the page shows a saved view exactly, else ``plain`` (at most 150 characters)."""
    return truncate(VIEW_BANNER.format(name=vm.view_name), 150) if vm.view_name else plain


def render_campaign_message(vm: CampaignPageVM) -> Message:
    """The campaign list as a message (`/hilal campaigns`, `/hilal view NAME`).

    Args:
        vm: The page.

    Returns:
        The message; ``text`` states the count or that nothing matched.
    """
    blocks = [header(list_title(vm)), *render_campaign_list(vm, surface="message")]
    shown = len(vm.rows[:MESSAGE_PAGE_SIZE])
    if shown:
        text = f"{TITLE} {_count(vm, shown)}"
    else:
        text = "No campaigns match these filters." if _is_filtered(vm.filter) else "No campaigns yet."
    return message(text, blocks)
