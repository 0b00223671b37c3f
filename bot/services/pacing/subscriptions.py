"""Alert subscriptions: `/hilal alerts subscribe [out-of-budget|at-risk N] [region …] [marketplace …]`,
`alerts list`, `alerts unsubscribe`, and "Mute for today".

One subscription per channel (subscribing again replaces it; unsubscribing keeps the row, inactive, with
its claims). `out-of-budget` is threshold 100; `at-risk N` alerts from N % (1 to 99) and, once a campaign
runs out, again as out of budget. Scopes are stored comma-separated; empty means all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.amazon.regions import ALL_REGIONS, normalize_country, region_of_country
from bot.errors import NotFound, UsageError
from bot.services.pacing.alerts import split_scope
from bot.services.pacing.days import local_day
from bot.services.pacing.ports import alert_pause_reason
from bot.viewmodels.pacing import AlertSubscriptionVM
from storage.db import session_scope
from storage.models import AlertSubscription, Campaign, Profile
from storage.repositories.pacing import (
    add_mute,
    get_alert_subscription,
    list_alert_subscriptions,
    save_alert_subscription,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = [
    "ALERTS_EXAMPLE",
    "AlertRequest",
    "list_alerts",
    "mute_for_today",
    "parse_alert_args",
    "subscribe_alerts",
    "unsubscribe_alerts",
]

ALERTS_EXAMPLE = "/hilal alerts subscribe at-risk 80 region eu marketplace de,fr"
_REGIONS = tuple(r.value for r in ALL_REGIONS)
_SCOPE_WORDS = ("region", "regions", "marketplace", "marketplaces", "mp")
_HINT = f"Example: `{ALERTS_EXAMPLE}` or `/hilal alerts subscribe out-of-budget`."


@dataclass(frozen=True)
class AlertRequest:
    """What `alerts subscribe` asked for: threshold (100: out of budget), regions, marketplaces."""

    threshold: int = 100
    regions: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()


def _threshold(words: list[str], at: int) -> int:
    if at + 1 >= len(words) or not words[at + 1].rstrip("%").isdigit():
        raise UsageError("`at-risk` needs a percentage.", hint=_HINT)
    value = int(words[at + 1].rstrip("%"))
    if not 1 <= value <= 99:
        raise UsageError(f"`at-risk {value}` is out of range: use 1 to 99.", hint=_HINT)
    return value


def _values(words: list[str], start: int) -> tuple[list[str], int]:
    values: list[str] = []
    index = start
    while index < len(words) and words[index].lower() not in _SCOPE_WORDS:
        values += [v for v in words[index].split(",") if v]
        index += 1
    return values, index


def _regions(values: list[str]) -> tuple[str, ...]:
    wanted = {v.strip().lower() for v in values}
    unknown = sorted(wanted - set(_REGIONS))
    if unknown:
        raise UsageError(f"`{unknown[0][:10]}` is not a region: use na, eu or fe.", hint=_HINT)
    return tuple(r for r in _REGIONS if r in wanted)


def _marketplaces(values: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        code = normalize_country(value)
        if region_of_country(code) is None:
            raise UsageError(
                f"`{value[:10]}` is not an Amazon marketplace.", hint="Example: `de`, `us`, `jp`."
            )
        found.append(code)
    return tuple(dict.fromkeys(found))


def parse_alert_args(args: list[str]) -> AlertRequest:
    """Read the words after `alerts subscribe`.

    Raises:
        UsageError: An unknown word, region or marketplace, or a bad threshold.
    """
    threshold, index = 100, 0
    regions: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    words = list(args)
    while index < len(words):
        word = words[index].lower()
        if word == "out-of-budget":
            threshold, index = 100, index + 1
        elif word == "at-risk":
            threshold, index = _threshold(words, index), index + 2
        elif word in ("region", "regions"):
            values, index = _values(words, index + 1)
            regions = _regions(values)
        elif word in ("marketplace", "marketplaces", "mp"):
            values, index = _values(words, index + 1)
            markets = _marketplaces(values)
        else:
            raise UsageError(f"I don't know `{words[index][:30]}` here.", hint=_HINT)
    return AlertRequest(threshold=threshold, regions=regions, marketplaces=markets)


def _vm(row: AlertSubscription) -> AlertSubscriptionVM:
    regions, markets = split_scope(row.regions), split_scope(row.marketplaces)
    reason = alert_pause_reason(row.pause_reason)
    return AlertSubscriptionVM(row.channel_id, row.threshold, regions, markets, reason)


def subscribe_alerts(
    services: Services, *, team_id: str, channel_id: str, user_id: str, request: AlertRequest
) -> AlertSubscriptionVM:
    """Subscribe the channel (replacing its subscription, resuming a paused one)."""
    with session_scope(services.engine) as session:
        row = save_alert_subscription(
            session,
            team_id=team_id,
            channel_id=channel_id,
            subscriber_id=user_id,
            threshold=request.threshold,
            regions=",".join(request.regions),
            marketplaces=",".join(request.marketplaces),
            active=True,
            paused_at=None,
            pause_reason=None,
        )
        return _vm(row)


def unsubscribe_alerts(services: Services, *, team_id: str, channel_id: str) -> bool:
    """Stop the channel's alerts; False when it had none."""
    with session_scope(services.engine) as session:
        row = get_alert_subscription(session, team_id=team_id, channel_id=channel_id)
        if row is None or not row.active:
            return False
        row.active = False
        session.add(row)
    return True


def list_alerts(services: Services, *, team_id: str) -> list[AlertSubscriptionVM]:
    """The team's alert subscriptions, by channel."""
    with session_scope(services.engine, readonly=True) as session:
        rows = list_alert_subscriptions(session, team_id=team_id)
        return [_vm(r) for r in rows]


def mute_for_today(
    services: Services, *, team_id: str, channel_id: str, campaign_pk: int, user_id: str
) -> str:
    """Mute one campaign's alerts in the channel for the rest of its marketplace's day; its name.

    Raises:
        NotFound: The campaign is not one of the team's.
    """
    with session_scope(services.engine) as session:
        campaign = session.get(Campaign, campaign_pk)
        profile = session.get(Profile, campaign.profile_pk) if campaign is not None else None
        if campaign is None or profile is None or campaign.team_id != team_id:
            raise NotFound("That campaign is not in Hilal any more.")
        day = local_day(profile.timezone, services.now())
        add_mute(
            session,
            team_id=team_id,
            channel_id=channel_id,
            campaign_pk=campaign_pk,
            local_date=day,
            user_id=user_id,
        )
        return campaign.name
