"""Budget alerts after a poll: exactly once per (subscription, campaign, marketplace day, kind).

For each active, unpaused subscription of the region's team whose scope takes the region:
1. The candidates are the region's enabled campaigns (SP, SB and SD) whose reading of their marketplace's
   current day is at or over the subscription's threshold (100: out of budget only). Kind: `out_of_budget`
   at 100 %, else `at_risk`; a campaign that is at risk and later runs out gets both, once each. Each
   carries its ad product: only SP campaigns can be edited, so only they may offer "Raise budget".
2. Campaigns muted in the channel for that marketplace day are left out.
3. Each is **claimed** (insert, unique; committed before anything is posted): only the process that
   wins a claim posts it, so two processes or a restart never post twice. Alerts follow the state, not
   a transition, so a poll whose alerts were lost to a crash is caught up by the next one.
4. What one run claimed for one marketplace and kind goes out as one message when there are
   `group_from` or more ("7 campaigns out of budget in DE"), else one message per campaign; posts are
   paced per channel. A post that fails is not retried (the claim says `failed`); a timeout leaves it
   `posting` (it may have landed). `channel_not_found` / `not_in_channel` / `is_archived` pause the
   subscription and DM the subscriber, as digests do. A dead token (`INSTALLATION_ERRORS`) pauses every
   subscription of the team and tells nobody, as digests do; the region's other subscriptions wait.
   Reinstalling Hilal resumes them (`bot.services.reinstall`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from bot.services.pacing.days import hours_left, local_clock
from bot.services.pacing.ports import (
    PAUSE_ERRORS,
    AlertRendering,
    AlertReport,
    AlertSlack,
    ChannelPacer,
)
from bot.services.pacing.present import estimated_spend
from bot.services.slack_ports import INSTALLATION_ERRORS, SlackCallError
from bot.viewmodels.pacing import AlertCampaignVM, AlertKind, AlertMessageVM
from storage.db import session_scope
from storage.models import AlertSubscription, Connection
from storage.repositories.pacing import (
    AlertCandidate,
    AlertStatus,
    claim_alert,
    list_active_alert_subscriptions,
    list_alert_candidates,
    mark_alerts,
    muted_campaigns,
    pause_alert_subscription,
    pause_team_alerts,
)

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["alert_pause_notice", "deliver_alerts", "kind_of", "split_scope"]

logger = logging.getLogger(__name__)
_HUNDRED = Decimal(100)


def split_scope(text: str) -> tuple[str, ...]:
    """A stored comma-separated scope as a tuple (empty: everything)."""
    return tuple(part for part in text.split(",") if part)


def kind_of(percent: Decimal) -> AlertKind:
    """`out_of_budget` at 100 % or more, else `at_risk`."""
    return "out_of_budget" if percent >= _HUNDRED else "at_risk"


def alert_pause_notice(channel_id: str, error: str) -> str:
    """The DM a subscriber gets when their alerts are paused."""
    why = PAUSE_ERRORS.get(error, error)
    return (
        f"I paused budget alerts for <#{channel_id}>: {why}. To resume, invite Hilal with `/invite @Hilal` "
        f"in the channel and run `/hilal alerts subscribe` there."
    )


def _takes(sub: AlertSubscription, candidate: AlertCandidate) -> bool:
    markets = split_scope(sub.marketplaces)
    return candidate.percent >= sub.threshold and (not markets or candidate.country in markets)


def _campaign_vm(candidate: AlertCandidate) -> AlertCampaignVM:
    at = candidate.amazon_updated_at or candidate.read_at
    return AlertCampaignVM(
        campaign_pk=candidate.campaign_pk,
        name=candidate.name,
        ad_product=candidate.ad_product,
        percent=candidate.percent,
        at=local_clock(candidate.timezone, at),
        hours_left=hours_left(candidate.timezone, at),
        budget=candidate.budget,
        currency=candidate.currency,
        estimate=estimated_spend(candidate.budget, candidate.percent),
    )


def _claim_all(
    services: Services,
    sub: AlertSubscription,
    candidates: Sequence[AlertCandidate],
    now: datetime,
    report: AlertReport,
) -> list[tuple[int, AlertCandidate]]:
    assert sub.id is not None
    won: list[tuple[int, AlertCandidate]] = []
    with session_scope(services.engine) as session:
        muted = muted_campaigns(
            session,
            team_id=sub.team_id,
            channel_id=sub.channel_id,
            pairs=[(c.campaign_pk, c.local_date) for c in candidates],
        )
        for c in candidates:
            if (c.campaign_pk, c.local_date) in muted:
                report.muted += 1
                continue
            found = claim_alert(
                session,
                subscription_id=sub.id,
                campaign_pk=c.campaign_pk,
                local_date=c.local_date,
                kind=kind_of(c.percent),
                claimed_by=services.instance_id,
                now=now,
            )
            if found is None:
                report.already_claimed += 1
            else:
                won.append((found, c))
    report.claimed += len(won)
    return won


def _messages(
    sub: AlertSubscription, won: Sequence[tuple[int, AlertCandidate]], group_from: int
) -> list[tuple[list[int], AlertMessageVM]]:
    groups: dict[tuple[str, str, AlertKind], list[tuple[int, AlertCandidate]]] = defaultdict(list)
    for claim_id, c in won:
        groups[(c.region, c.country, kind_of(c.percent))].append((claim_id, c))
    out: list[tuple[list[int], AlertMessageVM]] = []
    for (region, country, kind), items in groups.items():
        chunks = [items] if len(items) >= group_from else [[item] for item in items]
        for chunk in chunks:
            vm = AlertMessageVM(
                kind=kind,
                threshold=sub.threshold,
                country=country,
                region=region,
                campaigns=tuple(_campaign_vm(c) for _, c in chunk),
            )
            out.append(([claim_id for claim_id, _ in chunk], vm))
    return out


def _post(
    services: Services,
    slack: AlertSlack,
    sub: AlertSubscription,
    items: list[tuple[list[int], AlertMessageVM]],
    *,
    now: datetime,
    pacer: ChannelPacer,
    rendering: AlertRendering,
) -> bool:
    """Post the subscription's messages; False when the team's Slack token is dead (stop posting to it)."""
    report = pacer.report
    for position, (claim_ids, vm) in enumerate(items):
        msg = rendering.message(vm)
        with session_scope(services.engine) as session:
            mark_alerts(session, delivery_ids=claim_ids, status=AlertStatus.POSTING)
        try:
            ts = pacer.call(
                sub.team_id,
                sub.channel_id,
                partial(slack.post, channel=sub.channel_id, text=msg["text"], blocks=msg["blocks"]),
            )
        except SlackCallError as exc:
            rest = [i for ids, _ in items[position:] for i in ids]
            _post_failed(services, slack, sub, rest, exc, now=now, pacer=pacer)
            return exc.error not in INSTALLATION_ERRORS
        except Exception:  # timeout or connection loss: it may have landed, so it stays `posting`
            logger.exception("alerts.post_outcome_unknown", extra={"subscription_id": sub.id})
            report.failed += 1
            continue
        with session_scope(services.engine) as session:
            mark_alerts(
                session, delivery_ids=claim_ids, status=AlertStatus.POSTED, posted_at=now, message_ts=str(ts)
            )
        report.messages += 1
    return True


def _post_failed(
    services: Services,
    slack: AlertSlack,
    sub: AlertSubscription,
    claim_ids: list[int],
    exc: SlackCallError,
    *,
    now: datetime,
    pacer: ChannelPacer,
) -> None:
    assert sub.id is not None
    extra = {"subscription_id": sub.id, "channel": sub.channel_id, "error": exc.error}
    channels: list[str] = []
    with session_scope(services.engine) as session:
        mark_alerts(session, delivery_ids=claim_ids, status=AlertStatus.FAILED, error=exc.error)
        if exc.error in INSTALLATION_ERRORS:
            channels = pause_team_alerts(session, team_id=sub.team_id, reason=exc.error, now=now)
        if exc.error in PAUSE_ERRORS:
            pause_alert_subscription(session, subscription_id=sub.id, reason=exc.error, now=now)
    if exc.error in INSTALLATION_ERRORS:
        pacer.report.paused += len(channels)
        logger.warning("alerts.installation_lost", extra={**extra, "channels": channels})
        return
    if exc.error not in PAUSE_ERRORS:
        pacer.report.failed += 1
        logger.warning("alerts.post_failed", extra=extra)
        return
    pacer.report.paused += 1
    logger.info("alerts.paused", extra=extra)
    pacer.dm_quietly(
        sub.team_id,
        sub.subscriber_id,
        lambda: slack.dm(user_id=sub.subscriber_id, text=alert_pause_notice(sub.channel_id, exc.error)),
        event="alerts.pause_dm_failed",
        extra=extra,
    )


def deliver_alerts(
    services: Services,
    slack_for: Callable[[str], AlertSlack],
    *,
    connection_id: int,
    now: datetime,
    rendering: AlertRendering,
    pacer: ChannelPacer,
) -> AlertReport:
    """Claim and post the region's due alerts (see the module docstring).

    Returns:
        The pacer's report, with this run's counts added (a round shares one pacer across regions).
    """
    report = pacer.report
    with session_scope(services.engine, readonly=True) as session:
        conn = session.get(Connection, connection_id)
        if conn is None:
            return report
        subs = [
            s
            for s in list_active_alert_subscriptions(session, team_id=conn.team_id)
            if not split_scope(s.regions) or conn.region in split_scope(s.regions)
        ]
        lowest = min((s.threshold for s in subs), default=None)
        candidates = (
            list_alert_candidates(session, connection_id=connection_id, now=now, min_percent=Decimal(lowest))
            if lowest is not None
            else []
        )
    for sub in subs:
        mine = [c for c in candidates if _takes(sub, c)]
        won = _claim_all(services, sub, mine, now, report) if mine else []
        if won:
            items = _messages(sub, won, pacer.options.group_from)
            slack = slack_for(sub.team_id)
            if not _post(services, slack, sub, items, now=now, pacer=pacer, rendering=rendering):
                break  # the team's token is dead: its other subscriptions are paused too
    return report
