"""Digest subscriptions: parsing `/hilal digest subscribe …`, saving, listing and unsubscribing.

Unsubscribing pauses the row with reason `unsubscribed` instead of deleting it: the channel's delivery
history stays, and subscribing again on the same day cannot post that day's digest a second time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.amazon.regions import ALL_REGIONS
from bot.errors import NotFound, UsageError
from bot.services.campaigns import find_view
from bot.services.digest.build import DigestScope
from bot.services.digest.ports import pause_reason_text
from bot.services.digest.schedule import format_local, next_slot, parse_local_time, parse_zone
from bot.viewmodels.text import channel_mention, mrkdwn_format
from storage.db import session_scope
from storage.models import DigestSubscription, SavedView
from storage.repositories import digests as repo
from storage.repositories.digests import DeliveryStatus

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "DEFAULT_TIME",
    "EXAMPLE",
    "UNSUBSCRIBED",
    "SubscribeRequest",
    "SubscriptionInfo",
    "current_subscription",
    "list_subscriptions",
    "parse_channel",
    "parse_subscribe_args",
    "request_from_meta",
    "request_meta",
    "scope_of",
    "subscribe",
    "unsubscribe",
]

DEFAULT_TIME = "09:00"
UNSUBSCRIBED = "unsubscribed"
EXAMPLE = "/hilal digest subscribe #ppc at 09:00 Europe/Berlin region eu,fe chart"
_CHANNEL = re.compile(r"^<#([CGD][A-Z0-9]{2,30})(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,30}$")
_TIME_WORD = re.compile(r"^\d{1,2}:\d{2}$")
_ANY_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,30}$")  # ids Hilal wrote itself (button values)


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What `/hilal digest subscribe` asked for (None: use the default)."""

    channel_id: str | None = None
    local_time: str = DEFAULT_TIME
    timezone: str | None = None
    regions: tuple[str, ...] = ALL_REGIONS
    view_name: str | None = None
    chart: bool = False


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    """A subscription as the user sees it."""

    channel_id: str
    local_time: str
    timezone: str
    regions: tuple[str, ...]
    view_name: str | None
    chart: bool
    subscriber_id: str
    next_due: str | None
    paused_reason: str | None
    unsure_date: str | None = None  # the latest digest's local date when it may not have been posted


def _usage(detail: str) -> UsageError:
    return UsageError(detail, hint=f"Example: `{EXAMPLE}`")


def parse_channel(word: str) -> str | None:
    """`<#C123|ppc>` or `C123…` → the channel id; None when `word` is not a channel."""
    match = _CHANNEL.match(word)
    if match:
        return match.group(1)
    if _CHANNEL_ID.match(word):
        return word
    if word.startswith("#"):
        raise _usage(
            f"I can't tell which channel `{word[:40]}` is. Pick it from Slack's autocomplete so the "
            "command carries the channel link, run the command in that channel without a channel, or run "
            "`/hilal digest subscribe` alone to choose the channel in a form."
        )
    return None


def _regions(word: str) -> tuple[str, ...]:
    wanted = {w.strip().lower() for w in word.split(",") if w.strip()}
    unknown = sorted(wanted - set(ALL_REGIONS))
    if unknown or not wanted:
        raise _usage(f"`{word[:30]}` is not a list of regions: use na, eu and fe, e.g. `region eu,fe`.")
    return tuple(r for r in ALL_REGIONS if r in wanted)


def _take_value(args: list[str], index: int, what: str) -> str:
    if index + 1 >= len(args):
        raise _usage(f"`{args[index]}` needs {what}.")
    return args[index + 1]


def parse_subscribe_args(args: list[str]) -> SubscribeRequest:
    """Parse `[#channel] [at HH:MM] [TIMEZONE] [region eu,fe | view NAME] [chart]` in any order.

    Raises:
        UsageError: an unknown word, a bad time, zone or region, or both `region` and `view`.
    """
    values: dict[str, object] = {}
    i = 0
    while i < len(args):
        word, lower = args[i], args[i].lower()
        if lower == "at" or _TIME_WORD.match(word):
            raw = _take_value(args, i, "a time such as 09:00") if lower == "at" else word
            i += 1 if lower == "at" else 0
            try:
                values["local_time"] = parse_local_time(raw)
            except ValueError as exc:
                raise _usage(str(exc)) from None
        elif lower in ("region", "regions"):
            values["regions"] = _regions(_take_value(args, i, "regions such as eu,fe"))
            i += 1
        elif lower == "view":
            values["view_name"] = _take_value(args, i, "the name of a saved view")
            i += 1
        elif lower == "chart":
            values["chart"] = True
        elif "/" in word or word.upper() == "UTC":
            try:
                values["timezone"] = parse_zone(word if word.upper() != "UTC" else "UTC").key
            except ValueError as exc:
                raise _usage(str(exc)) from None
        elif (channel := parse_channel(word)) is not None:
            values["channel_id"] = channel
        else:
            raise _usage(f"I don't understand `{word[:40]}`.")
        i += 1
    if "regions" in values and "view_name" in values:
        raise _usage("Choose either `region …` or `view NAME`, not both (a view already has its regions).")
    return SubscribeRequest(**values)  # type: ignore[arg-type]


def request_meta(request: SubscribeRequest, *, channel_id: str, timezone: str) -> dict[str, object]:
    """``request`` for a button value (what "Replace" subscribes): channel and zone filled in."""
    return {
        "channel": channel_id,
        "time": request.local_time,
        "tz": timezone,
        "regions": list(request.regions),
        "view": request.view_name,
        "chart": request.chart,
    }


def request_from_meta(meta: Mapping[str, object]) -> SubscribeRequest:
    """The request ``request_meta`` wrote, checked again (channel and zone set).

    Raises:
        ValueError: Anything missing or not valid.
    """
    channel, view = meta.get("channel"), meta.get("view")
    regions, local_time, zone = meta.get("regions"), meta.get("time"), meta.get("tz")
    if not isinstance(channel, str) or not _ANY_CHANNEL_ID.match(channel):
        raise ValueError("channel")
    if not isinstance(regions, list) or not regions or not set(map(str, regions)) <= set(ALL_REGIONS):
        raise ValueError("regions")
    if view is not None and (not isinstance(view, str) or not view.strip()):
        raise ValueError("view")
    if not isinstance(local_time, str) or not isinstance(zone, str):
        raise ValueError("time")
    return SubscribeRequest(
        channel_id=channel,
        local_time=parse_local_time(local_time),
        timezone=parse_zone(zone).key,
        regions=tuple(r for r in ALL_REGIONS if r in regions),
        view_name=view,
        chart=meta.get("chart") is True,
    )


def current_subscription(services: Services, *, team_id: str, channel_id: str) -> SubscriptionInfo | None:
    """The channel's subscription (active or paused), or None (none, or unsubscribed)."""
    with session_scope(services.engine, readonly=True) as session:
        row = repo.get_subscription(session, team_id=team_id, channel_id=channel_id)
        if row is None or row.pause_reason == UNSUBSCRIBED:
            return None
        view = session.get(SavedView, row.view_id) if row.view_id is not None else None
        return _info(row, view.name if view else None)


def _regions_of(row: DigestSubscription) -> tuple[str, ...]:
    return tuple(r for r in row.regions.split(",") if r) or ALL_REGIONS


def scope_of(row: DigestSubscription, *, enterprise_id: str = "") -> DigestScope:
    """The digest scope of a subscription row."""
    return DigestScope(
        team_id=row.team_id,
        enterprise_id=enterprise_id,
        regions=_regions_of(row),
        view_id=row.view_id,
        timezone=row.timezone,
        subscriber_id=row.subscriber_id,
    )


def _unsure_date(session: Session, row: DigestSubscription) -> str | None:
    latest = repo.get_latest_delivery(session, subscription_id=row.id) if row.id is not None else None
    return str(latest.local_date) if latest is not None and latest.status == DeliveryStatus.UNKNOWN else None


def _info(
    row: DigestSubscription, view_name: str | None, *, unsure_date: str | None = None
) -> SubscriptionInfo:
    due = row.next_due_at if row.paused_at is None else None
    return SubscriptionInfo(
        channel_id=row.channel_id,
        local_time=row.local_time,
        timezone=row.timezone,
        regions=_regions_of(row),
        view_name=view_name,
        chart=row.chart,
        subscriber_id=row.subscriber_id,
        next_due=format_local(due, row.timezone) if due else None,
        paused_reason=pause_reason_text(row.pause_reason) if row.paused_at and row.pause_reason else None,
        unsure_date=unsure_date,
    )


def subscribe(
    services: Services,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    request: SubscribeRequest,
    timezone: str,
    now: datetime,
) -> SubscriptionInfo:
    """Create or replace the channel's subscription (un-pausing it) and schedule the next digest.

    Raises:
        NotFound: the named saved view does not exist for this user.
    """
    with session_scope(services.engine) as session:
        view: SavedView | None = None
        if request.view_name:
            view = find_view(session, team_id=team_id, user_id=user_id, name=request.view_name)
        row = repo.save_subscription(
            session,
            team_id=team_id,
            channel_id=channel_id,
            subscriber_id=user_id,
            local_time=request.local_time,
            timezone=timezone,
            regions=",".join(request.regions),
            view_id=view.id if view else None,
            chart=request.chart,
            paused_at=None,
            pause_reason=None,
            next_due_at=next_slot(now, local_time=request.local_time, zone=timezone, inclusive=True),
        )
        return _info(row, view.name if view else None)


def list_subscriptions(services: Services, *, team_id: str) -> list[SubscriptionInfo]:
    """The team's subscriptions (active and paused; unsubscribed ones are left out)."""
    with session_scope(services.engine, readonly=True) as session:
        rows = repo.list_subscriptions(session, team_id=team_id)
        infos = []
        for row in rows:
            if row.pause_reason == UNSUBSCRIBED:
                continue
            view = session.get(SavedView, row.view_id) if row.view_id is not None else None
            infos.append(_info(row, view.name if view else None, unsure_date=_unsure_date(session, row)))
        return infos


def unsubscribe(services: Services, *, team_id: str, channel_id: str, now: datetime) -> None:
    """Stop the channel's digest.

    Raises:
        NotFound: the channel has no active or paused subscription.
    """
    with session_scope(services.engine) as session:
        row = repo.get_subscription(session, team_id=team_id, channel_id=channel_id)
        if row is None or row.id is None or row.pause_reason == UNSUBSCRIBED:
            raise NotFound(
                mrkdwn_format("{channel} has no digest subscription.", channel=channel_mention(channel_id)),
                hint="See all subscriptions with `/hilal digest list`.",
            )
        repo.pause_subscription(session, subscription_id=row.id, reason=UNSUBSCRIBED, now=now)
