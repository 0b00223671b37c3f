"""Budget alerts and pacing as Block Kit: alert messages (one campaign, or a group), `alerts list`, and the
pacing texts of the campaign list and Details.

Buttons: **Raise budget +20 %** (`alerts.raise`, value: the campaign's row id) opens the live-edit preview;
**Mute for today** (`alerts.mute`). A grouped alert gives each campaign an overflow menu with both
(`alerts.menu`, values `raise:PK` / `mute:PK`). Usage times budget is shown as an *estimate* only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.blocks.common import Message, actions, button, context, header, section
from bot.blocks.format import (
    Mrkdwn,
    channel_mention,
    escape_mrkdwn,
    flag,
    format_money,
    mrkdwn_format,
    slack_date,
)
from bot.viewmodels.pacing import (
    AlertCampaignVM,
    AlertMessageVM,
    AlertSubscriptionVM,
    PacingLineVM,
    PacingReadingsVM,
    PacingReadingVM,
)

__all__ = [
    "ALERT_MENU",
    "ALERT_MUTE",
    "ALERT_RAISE",
    "BLOCK_KIT_ALERTS",
    "GROUP_SHOWN",
    "BlockKitAlerts",
    "format_usage",
    "pacing_estimate_text",
    "pacing_line_text",
    "pacing_readings_text",
    "render_alert",
    "render_alert_list",
    "render_alerts_subscribed",
    "usage_sparkline",
]

ALERT_RAISE = "alerts.raise"
ALERT_MUTE = "alerts.mute"
ALERT_MENU = "alerts.menu"
GROUP_SHOWN = 20  # campaigns listed in a grouped alert; the rest are counted


def format_usage(percent: Decimal) -> str:
    """`83 %` (whole percent, half up)."""
    return f"{percent.quantize(Decimal(1), rounding=ROUND_HALF_UP)} %"


def _hours(n: int) -> str:
    return "less than an hour" if n < 1 else f"about {n} hour{'s' if n != 1 else ''}"


def _single_text(c: AlertCampaignVM, vm: AlertMessageVM) -> Mrkdwn:
    if vm.kind == "out_of_budget":
        template = "*{name}* ran out of budget at {at} — {left} of today left"
        return mrkdwn_format(template, name=c.name, at=c.at, left=_hours(c.hours_left))
    template = "*{name}* has used {pct} of today's budget ({at}) — {left} of today left"
    return mrkdwn_format(
        template, name=c.name, pct=format_usage(c.percent), at=c.at, left=_hours(c.hours_left)
    )


def _estimate(c: AlertCampaignVM) -> str | None:
    if c.estimate is None or c.budget is None:
        return None
    return (
        f"Budget {format_money(c.budget, c.currency)} · estimated spend today "
        f"{format_money(c.estimate, c.currency)} (estimate: from usage and budget, not a report figure)"
    )


def _editable(c: AlertCampaignVM) -> bool:
    """Live edits cover Sponsored Products only: SB and SD alerts offer Mute, never Raise."""
    return c.ad_product == "SP"


def _buttons(c: AlertCampaignVM) -> dict[str, Any]:
    value = str(c.campaign_pk)
    raise_budget = (
        [button("Raise budget +20 %", ALERT_RAISE, value=value, style="primary")] if _editable(c) else []
    )
    return actions([*raise_budget, button("Mute for today", ALERT_MUTE, value=value)])


def _group_title(vm: AlertMessageVM) -> str:
    count = len(vm.campaigns)
    what = "out of budget" if vm.kind == "out_of_budget" else f"at risk (≥ {vm.threshold} %)"
    return f"{count} campaigns {what} in {vm.country}"


def _menu(c: AlertCampaignVM) -> dict[str, Any]:
    raise_budget = {
        "text": {"type": "plain_text", "text": "Raise budget +20 %"},
        "value": f"raise:{c.campaign_pk}",
    }
    mute = {"text": {"type": "plain_text", "text": "Mute for today"}, "value": f"mute:{c.campaign_pk}"}
    options = [raise_budget, mute] if _editable(c) else [mute]
    return {"type": "overflow", "action_id": ALERT_MENU, "options": options}


def _group_line(c: AlertCampaignVM) -> Mrkdwn:
    return mrkdwn_format("*{name}* · {pct} at {at}", name=c.name, pct=format_usage(c.percent), at=c.at)


def render_alert(vm: AlertMessageVM) -> Message:
    """One alert message: a campaign with both buttons, or a group with a menu per campaign."""
    where = f"{flag(vm.country)} {vm.country}"
    if not vm.grouped:
        c = vm.campaigns[0]
        text = _single_text(c, vm)
        blocks = [section(f"{where} · {text}")]
        note = _estimate(c)
        if note:
            blocks.append(context(escape_mrkdwn(note)))
        blocks.append(_buttons(c))
        return {"text": f"{vm.country}: {_plain(text)}"[:3000], "blocks": blocks}
    title = _group_title(vm)
    blocks = [header(f"{flag(vm.country)} {title}")]
    for c in vm.campaigns[:GROUP_SHOWN]:
        blocks.append(section(_group_line(c), accessory=_menu(c)))
    hidden = len(vm.campaigns) - GROUP_SHOWN
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more: `/hilal campaigns marketplace {vm.country.lower()}`"))
    left = min(c.hours_left for c in vm.campaigns)
    blocks.append(context(f"{_hours(left).capitalize()} of today left in {vm.country}."))
    return {"text": title, "blocks": blocks}


def _plain(text: str) -> str:
    return text.replace("*", "")


class BlockKitAlerts:
    """`bot.services.pacing.AlertRendering` in Block Kit."""

    def message(self, vm: AlertMessageVM) -> dict[str, Any]:
        return dict(render_alert(vm))


BLOCK_KIT_ALERTS = BlockKitAlerts()


def _scope(sub: AlertSubscriptionVM) -> str:
    what = "out of budget" if sub.threshold >= 100 else f"at risk from {sub.threshold} % and out of budget"
    regions = ", ".join(r.upper() for r in sub.regions) or "all regions"
    markets = ", ".join(sub.marketplaces) or "all marketplaces"
    paused = f" · *paused*: {sub.paused_reason}" if sub.paused_reason else ""
    return f"{what} · {regions} · {markets}{paused}"


def render_alert_list(subs: Sequence[AlertSubscriptionVM]) -> Message:
    """`alerts list`: one line per channel."""
    if not subs:
        text = "No budget alerts yet. In a channel: `/hilal alerts subscribe out-of-budget`."
        return {"text": text, "blocks": [section(text)]}
    lines = [f"{channel_mention(s.channel_id)}: {escape_mrkdwn(_scope(s))}" for s in subs]
    return {"text": "Budget alerts", "blocks": [section("*Budget alerts*\n" + "\n".join(lines))]}


def render_alerts_subscribed(sub: AlertSubscriptionVM, *, replaced: AlertSubscriptionVM | None) -> Message:
    """The answer to subscribing a channel (command or form), saying what it replaced, if anything."""
    what = (
        "runs out of budget" if sub.threshold >= 100 else f"reaches {sub.threshold} % or runs out of budget"
    )
    scope = ", ".join([r.upper() for r in sub.regions] + list(sub.marketplaces)) or "every connected region"
    text = (
        f"Budget alerts on in {channel_mention(sub.channel_id)}: a message when an enabled campaign "
        f"(Sponsored Products, Brands or Display) {escape_mrkdwn(what)} ({escape_mrkdwn(scope)}), once per "
        "campaign per marketplace day."
    )
    if replaced is not None:
        text += f"\nThey replace the alerts this channel had: {escape_mrkdwn(_scope(replaced))}."
    return {"text": text, "blocks": [section(text)]}


def pacing_line_text(line: PacingLineVM) -> Mrkdwn:
    """The list row's `Today: 83 % of budget (10:42)`, or `83 % of budget as of …` for an older day."""
    if line.today:
        return Mrkdwn(f"Today: {format_usage(line.percent)} of budget ({slack_date(line.read_at, '{time}')})")
    return Mrkdwn(f"{format_usage(line.percent)} of budget as of {slack_date(line.read_at)}")


def pacing_estimate_text(line: PacingLineVM) -> str | None:
    """`Estimated spend today: €41.50 (from usage and budget)`; None without a budget."""
    if line.estimate is None:
        return None
    day = "today" if line.today else "that day"
    amount = format_money(line.estimate, line.currency)
    return f"Estimated spend {day}: {amount} (estimate from usage and budget)"


def pacing_readings_text(vm: PacingReadingsVM) -> Mrkdwn:
    """Details' budget usage: the latest line, the estimate, and the day's readings."""
    if vm.latest is None:
        return Mrkdwn("")
    parts = [f"*Budget usage* {pacing_line_text(vm.latest)}"]
    estimate = pacing_estimate_text(vm.latest)
    if estimate:
        parts.append(escape_mrkdwn(estimate))
    if vm.readings:
        shown = vm.readings[-12:]
        parts.append(usage_sparkline(vm.readings))
        parts.append(" · ".join(f"{r.at[:5]} {format_usage(r.percent)}" for r in shown))
    return Mrkdwn("\n".join(parts))


_BARS = "▁▂▃▄▅▆▇█"
SPARKLINE_READINGS = 48  # a day of 15-minute readings = 96; the chart keeps the latest 48 (12 hours)


def _level(percent: Decimal) -> int:
    """The bar for a percentage: 0 % the lowest, 100 % and above the full one, rounded to the nearest."""
    top = len(_BARS) - 1
    scaled = (max(percent, Decimal(0)) * top / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(int(scaled), top)


def usage_sparkline(readings: Sequence[PacingReadingVM]) -> str:
    """Today's readings as a small chart: one bar per reading from 0 to 100 %, first and last time
    around it, e.g. "`09:00 ▁▂▃▅▆██ 12:30`" (a reading at 100 % is the full bar)."""
    shown = readings[-SPARKLINE_READINGS:]
    if not shown:
        return ""
    bars = "".join(_BARS[_level(r.percent)] for r in shown)
    return f"`{shown[0].at[:5]} {bars} {shown[-1].at[:5]}`"
