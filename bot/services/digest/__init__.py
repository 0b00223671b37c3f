"""Digests: building the figures, subscriptions, schedules, the chart and delivery to Slack.

Only the names below are public; the modules are private to the package.
"""

from __future__ import annotations

from bot.services.digest.build import DigestBuild, DigestScope, build_digest
from bot.services.digest.chart import CHART_ALT_TEXT, CHART_TITLE, render_chart_png
from bot.services.digest.delivery import deliver_due_digests
from bot.services.digest.ports import (
    DeliveryOptions,
    DigestRendering,
    DigestRunReport,
    DigestSlack,
    SlackCallError,
)
from bot.services.digest.schedule import next_slot, parse_local_time, parse_zone
from bot.services.digest.subscriptions import (
    EXAMPLE,
    SubscribeRequest,
    SubscriptionInfo,
    current_subscription,
    list_subscriptions,
    parse_channel,
    parse_subscribe_args,
    request_from_meta,
    request_meta,
    scope_of,
    subscribe,
    unsubscribe,
)

__all__ = [
    "CHART_ALT_TEXT",
    "CHART_TITLE",
    "EXAMPLE",
    "DeliveryOptions",
    "DigestBuild",
    "DigestRendering",
    "DigestRunReport",
    "DigestScope",
    "DigestSlack",
    "SlackCallError",
    "SubscribeRequest",
    "SubscriptionInfo",
    "build_digest",
    "current_subscription",
    "deliver_due_digests",
    "list_subscriptions",
    "next_slot",
    "parse_channel",
    "parse_local_time",
    "parse_subscribe_args",
    "parse_zone",
    "render_chart_png",
    "request_from_meta",
    "request_meta",
    "scope_of",
    "subscribe",
    "unsubscribe",
]
