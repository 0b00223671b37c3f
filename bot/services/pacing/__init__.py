"""Intraday budget pacing: polling Amazon's budget usage, today's readings, and budget alerts.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.pacing.alerts import alert_pause_notice, deliver_alerts, kind_of
from bot.services.pacing.days import day_end, hours_left, local_clock, local_day
from bot.services.pacing.poll import PollResult, poll_connection
from bot.services.pacing.ports import (
    PAUSE_ERRORS,
    AlertOptions,
    AlertRendering,
    AlertReport,
    AlertSlack,
    ChannelPacer,
    RenderedAlert,
)
from bot.services.pacing.present import pacing_lines, pacing_readings
from bot.services.pacing.round import PACING_LEASE_TTL, PacingRoundReport, run_pacing_round
from bot.services.pacing.subscriptions import (
    ALERTS_EXAMPLE,
    AlertRequest,
    list_alerts,
    mute_for_today,
    parse_alert_args,
    subscribe_alerts,
    unsubscribe_alerts,
)

__all__ = [
    "ALERTS_EXAMPLE",
    "PACING_LEASE_TTL",
    "PAUSE_ERRORS",
    "AlertOptions",
    "AlertRendering",
    "AlertReport",
    "AlertRequest",
    "AlertSlack",
    "ChannelPacer",
    "PacingRoundReport",
    "PollResult",
    "RenderedAlert",
    "alert_pause_notice",
    "day_end",
    "deliver_alerts",
    "hours_left",
    "kind_of",
    "list_alerts",
    "local_clock",
    "local_day",
    "mute_for_today",
    "pacing_lines",
    "pacing_readings",
    "parse_alert_args",
    "poll_connection",
    "run_pacing_round",
    "subscribe_alerts",
    "unsubscribe_alerts",
]
