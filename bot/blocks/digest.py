"""The daily digest: per region and marketplace, split over a thread so each message stays in budget.

The first message holds the title, as many marketplaces as fit, a note about the rest, and the sync
health footer (with a Reconnect link button per region that needs one). Marketplaces that do not fit
follow as thread replies, in order, each within 50 blocks and 10,000 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.blocks.common import (
    Block,
    Message,
    button,
    context,
    divider,
    fields,
    header,
    image,
    message,
    region_name,
    safe,
    section,
)
from bot.blocks.format import (
    NO_VALUE,
    flag,
    format_acos,
    format_amount,
    format_change,
    format_delta,
    format_int,
    format_money,
    format_multiple,
    format_pct,
    slack_date,
)
from bot.blocks.ids import ActionId, BlockId, block_id, encode_meta
from bot.blocks.limits import MAX_BLOCKS_MESSAGE, MAX_MESSAGE_TEXT_BUDGET, check_message, total_text_length
from bot.viewmodels import (
    DigestLineVM,
    DigestMetricVM,
    DigestVM,
    HealthVM,
    MarketplaceDigestVM,
    Money,
    RegionDigestVM,
)

__all__ = [
    "BLOCK_KIT_DIGEST",
    "CHART_BLOCK_ID",
    "HEALTH_LABELS",
    "HISTORY_ONLY",
    "BlockKitDigest",
    "chart_block",
    "line_detail",
    "metric_texts",
    "render_digest",
    "without_chart",
]

TITLE = "Amazon Ads digest · {date}"
CONTINUED = "*Amazon Ads digest · {date}* (continued)"
VIEW = "View: {name}"
NO_DATA = "No marketplace data for this day. Connect a region and tick marketplaces to fill the digest."
NO_MARKETPLACES = "No marketplaces selected."
MORE_IN_THREAD = "➡️ {count} more marketplaces in the thread."
CONTINUED_IN_THREAD = "➡️ Continued in the thread."
HEALTH_TITLE = "*Sync health*"
HISTORY_ONLY = "disconnected: history only"
HEALTH_LABELS = {
    "not_connected": "⚪ {name}: not connected",
    "connected": "🟢 {name}: last sync {last}",
    "syncing": "🔄 {name}: syncing (last finished {last})",
    "reconnect_needed": "🟠 {name}: reconnect needed; syncs paused, data kept",
    "disconnected": "⚫ {name}: " + HISTORY_ONLY,
}
STALE = " ⚠️ later than expected"
RECONNECT = "Reconnect"
CHART_ALT = "Spend and sales over the last days"
CHART_FILE_ALT = "Spend and sales per day over the last 14 days, one panel per currency"
CHART_BLOCK_ID = "digest_chart"
SECTIONS = (
    ("top_campaigns", "*Top campaigns*"),
    ("movers", "*Movers*"),
    ("out_of_budget", "*Out of budget*"),
)
NOT_LOADED = "⏳ not loaded yet (Amazon report pending since {since})"
NOT_LOADED_NO_REPORT = "⏳ not loaded yet (no Amazon report for this day has landed)"
PARTIAL_WINDOW = "vs avg: {loaded} of {window} days (the others are not loaded yet)"
TOTALS_PARTIAL = "Totals leave out {count} not loaded yet."
_MAX_LINES = 5
_BUDGET = MAX_MESSAGE_TEXT_BUDGET - 200  # margin for the block structure


@dataclass(frozen=True, slots=True)
class _Unit:
    """A region heading or one marketplace: blocks that must stay together in one message."""

    region: int
    heading: bool
    label: str
    blocks: list[Block]


def _fits(blocks: Sequence[Block]) -> bool:
    return len(blocks) <= MAX_BLOCKS_MESSAGE and total_text_length(list(blocks)) <= _BUDGET


def _region_heading(region: RegionDigestVM, *, continued: bool = False) -> Block:
    name = safe(region_name(region.region, region.region_name), 100)
    lines = [f"*{name} ({region.region.upper()})*" + (" (continued)" if continued else "")]
    if not continued:
        lines += [
            f"{safe(currency, 5)}: spend {safe(format_money(spend, currency), 30)}"
            f" · sales {safe(format_money(sales, currency), 30)} · ACOS {safe(format_acos(spend, sales), 12)}"
            for currency, spend, sales in region.currency_totals[:10]
        ]
        if region.not_loaded:
            count = f"{region.not_loaded} marketplace{'s' if region.not_loaded != 1 else ''}"
            lines.append(TOTALS_PARTIAL.format(count=count))
        if not region.marketplaces:
            lines.append(NO_MARKETPLACES)
    return section("\n".join(lines))


def _top_campaign(line: DigestLineVM) -> str:
    spend, sales = line.spend, line.sales or Money(Decimal(0), line.spend.currency)
    acos = format_acos(spend.amount, sales.amount)
    return f"{format_amount(spend)} spend · {format_amount(sales)} sales · ACOS {acos}"


def _mover(line: DigestLineVM) -> str:
    before = line.previous
    change = f" ({format_delta(line.spend.amount, before.amount)})" if before and before.amount else " (new)"
    return f"spend {format_amount(before)} → {format_amount(line.spend)}{change}"


def _out_of_budget(line: DigestLineVM) -> str:
    return f"spent {format_amount(line.spend)} of a {format_amount(line.budget)} daily budget"


_DETAILS: Mapping[str, Callable[[DigestLineVM], str]] = {
    "top_campaigns": _top_campaign,
    "movers": _mover,
    "out_of_budget": _out_of_budget,
}


def line_detail(section: str, line: DigestLineVM) -> str:
    """A campaign line's detail in a section (``SECTIONS``' names), e.g. "€210.00 spend · €900.00 sales ·
    ACOS 23.3%", "spend €10.00 → €30.00 (▲ 200.0%)", "spent €52.00 of a €50.00 daily budget"."""
    return _DETAILS[section](line)


def _metric_value(m: DigestMetricVM) -> str:
    if m.value is None:
        return NO_VALUE
    if isinstance(m.value, Money):
        return format_amount(m.value)
    if m.kind == "count":
        return format_int(int(m.value))
    if m.kind == "multiple":
        return format_multiple(m.value)
    return format_pct(m.value, places=m.places)


def metric_texts(m: DigestMetricVM) -> tuple[str, str, str]:
    """A metric tile's value, change vs the previous day and vs the average, e.g. ("€1,234.00", "▲ 12.3%",
    "—"); a figure that does not exist reads "—", never 0."""
    return _metric_value(m), format_change(m.vs_prev), format_change(m.vs_avg)


def _metric(m: DigestMetricVM) -> str:
    value, vs_prev, vs_avg = metric_texts(m)
    return (
        f"*{safe(m.label, 40)}*: {safe(value, 40)}\n{safe(vs_prev, 20)} vs prev · {safe(vs_avg, 20)} vs avg"
    )


def _lines(section: str, title: str, items: Sequence[DigestLineVM]) -> list[str]:
    if not items:
        return []
    shown = [
        f"• {safe(item.name, 100)}: {safe(line_detail(section, item), 100)}" for item in items[:_MAX_LINES]
    ]
    more = [f"… and {len(items) - _MAX_LINES} more"] if len(items) > _MAX_LINES else []
    return [title, *shown, *more]


def _not_loaded(mp: MarketplaceDigestVM) -> str:
    if mp.pending_since is None:
        return NOT_LOADED_NO_REPORT
    return NOT_LOADED.format(since=slack_date(mp.pending_since, "{time}"))


def _marketplace(mp: MarketplaceDigestVM) -> list[Block]:
    title = f"{flag(mp.country)} *{safe(mp.country, 6)} · {safe(mp.account, 100)}* ({safe(mp.currency, 5)})"
    if mp.local_date:
        title += f" · {safe(mp.local_date, 40)}"
    if not mp.loaded:  # never a zero: there is no figure yet
        return [section(f"{title}\n{_not_loaded(mp)}")]
    if mp.days_loaded < mp.window_days:
        title += "\n" + PARTIAL_WINDOW.format(loaded=mp.days_loaded, window=mp.window_days)
    metrics = [_metric(m) for m in mp.metrics[:10]]
    blocks = [fields(metrics, text=title) if metrics else section(title)]
    lines = [line for attr, label in SECTIONS for line in _lines(attr, label, getattr(mp, attr))]
    if lines:
        blocks.append(section("\n".join(lines)))
    return blocks


def _units(vm: DigestVM) -> list[_Unit]:
    units: list[_Unit] = []
    for index, region in enumerate(vm.regions):
        units.append(_Unit(index, True, region.region.upper(), [_region_heading(region)]))
        for mp in region.marketplaces:
            units.append(_Unit(index, False, f"{mp.country} · {mp.account}", _marketplace(mp)))
    return units


def _health_block(health: HealthVM) -> Block:
    template = HEALTH_LABELS[health.state]
    name = safe(region_name(health.region), 100)
    last = slack_date(health.last_sync) if health.last_sync else "never"
    text = template.format(name=name, last=last)
    if health.stale and health.state in ("connected", "syncing"):
        text += STALE
    accessory = None
    if health.reconnect_url and health.state in ("reconnect_needed", "disconnected"):
        value = encode_meta({"region": health.region})
        accessory = button(
            RECONNECT, ActionId.DIGEST_RECONNECT, url=health.reconnect_url, value=value, style="primary"
        )
    return section(text, block_id=block_id(BlockId.DIGEST_HEALTH, health.region), accessory=accessory)


def _footer(vm: DigestVM) -> list[Block]:
    blocks: list[Block] = []
    if vm.health:
        blocks += [divider(), section(HEALTH_TITLE), *(_health_block(h) for h in vm.health)]
    if vm.restatement_note:
        blocks.append(context(safe(vm.restatement_note, 500)))
    return blocks


def chart_block(file_id: str) -> Block:
    """The chart as an image block showing an uploaded Slack file (``slack_file``, not a public URL)."""
    return {
        "type": "image",
        "block_id": CHART_BLOCK_ID,
        "slack_file": {"id": file_id},
        "alt_text": CHART_FILE_ALT,
    }


def without_chart(msg: Message) -> Message:
    """The same message without the chart block (when Slack refuses the file)."""
    blocks = [b for b in msg["blocks"] if b.get("block_id") != CHART_BLOCK_ID]
    return message(msg["text"], blocks)


def _head(vm: DigestVM) -> list[Block]:
    blocks: list[Block] = [header(TITLE.format(date=vm.date_label))]
    if vm.view_name:
        blocks.append(context(VIEW.format(name=safe(vm.view_name, 100))))
    if vm.chart_file_id:
        blocks.append(chart_block(vm.chart_file_id))
    elif vm.chart_url:
        blocks.append(image(vm.chart_url, CHART_ALT))
    if not vm.regions:
        blocks.append(section(NO_DATA))
    return blocks


def _take(prefix: list[Block], units: list[_Unit], suffix: list[Block], *, first: bool) -> int:
    """How many leading units fit between prefix and suffix (a heading never ends a message)."""
    reserve = [context(MORE_IN_THREAD.format(count=99_999))] if first else []
    chosen: list[Block] = []
    count = 0
    for unit in units:
        if not _fits(prefix + chosen + unit.blocks + reserve + suffix):
            break
        chosen += unit.blocks
        count += 1
    if count and count < len(units) and units[count - 1].heading:
        count -= 1
    return count if (first or count) else 1


def _thread_prefix(vm: DigestVM, unit: _Unit) -> list[Block]:
    blocks = [section(CONTINUED.format(date=safe(vm.date_label, 100)))]
    if not unit.heading:
        blocks.append(_region_heading(vm.regions[unit.region], continued=True))
    return blocks


def _fallback(vm: DigestVM, units: Sequence[_Unit], *, continued: bool) -> str:
    title = TITLE.format(date=safe(vm.date_label, 100)) + (" (continued)" if continued else "")
    names = [safe(unit.label, 120) for unit in units if not unit.heading]
    text = f"{title}: {', '.join(names)}" if names else title
    needs = [safe(region_name(h.region), 100) for h in vm.health if h.state == "reconnect_needed"]
    if needs and not continued:
        text += f". Reconnect needed: {', '.join(needs)}"
    return text


def render_digest(vm: DigestVM) -> list[Message]:
    """The digest as one message plus thread replies for marketplaces that do not fit.

    Args:
        vm: The digest.

    Returns:
        The messages: post the first, then the others with ``thread_ts`` of the first.
    """
    units = _units(vm)
    head, foot = _head(vm), _footer(vm)
    count = _take(head, units, foot, first=True)
    taken, rest = units[:count], units[count:]
    body = [block for unit in taken for block in unit.blocks]
    more = sum(1 for unit in rest if not unit.heading)
    note = [context(MORE_IN_THREAD.format(count=more) if more else CONTINUED_IN_THREAD)] if rest else []
    messages = [message(_fallback(vm, taken, continued=False), head + body + note + foot)]
    while rest:
        prefix = _thread_prefix(vm, rest[0])
        count = _take(prefix, rest, [], first=False)
        chunk, rest = rest[:count], rest[count:]
        blocks = prefix + [block for unit in chunk for block in unit.blocks]
        messages.append(message(_fallback(vm, chunk, continued=True), blocks))
    return messages


class BlockKitDigest:
    """The digest as Block Kit messages (`bot.services.digest.DigestRendering`)."""

    def messages(self, vm: DigestVM) -> list[dict[str, Any]]:
        return [dict(m) for m in render_digest(vm)]

    def has_chart(self, first: Mapping[str, Any]) -> bool:
        return any(b.get("block_id") == CHART_BLOCK_ID for b in first["blocks"])

    def without_chart(self, first: Mapping[str, Any]) -> dict[str, Any]:
        return dict(without_chart(message(first["text"], first["blocks"])))

    def problems(self, msg: Mapping[str, Any]) -> list[str]:
        return check_message(message(msg["text"], msg["blocks"]))

    def format_money(self, amount: Decimal, currency: str) -> str:
        return format_money(amount, currency)


BLOCK_KIT_DIGEST = BlockKitDigest()
