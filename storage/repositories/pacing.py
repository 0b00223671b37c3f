"""Intraday budget pacing and budget alerts (keyword-only; add/flush, never commit).

Readings: `store_readings` inserts each reading into `budget_reading` (a repeat of the same
(campaign, day, read time) does nothing) and upserts the campaign's latest into `campaign_pacing`.
Alerts are claimed like digest deliveries: `claim_alert` inserts the (subscription, campaign, day, kind)
row with `ON CONFLICT DO NOTHING`, so of two processes racing exactly one gets the row back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from storage.models import (
    AlertDelivery,
    AlertMute,
    AlertSubscription,
    BudgetReading,
    Campaign,
    CampaignPacing,
    Connection,
    ConnectionStatus,
    Profile,
    table_of,
)
from storage.upsert import bulk_upsert, rowcount

__all__ = [
    "PACED_PRODUCTS",
    "AlertCandidate",
    "AlertStatus",
    "PacingTarget",
    "add_mute",
    "claim_alert",
    "get_alert_subscription",
    "latest_pacing",
    "list_active_alert_subscriptions",
    "list_alert_candidates",
    "list_alert_subscriptions",
    "list_due_pacing_connections",
    "list_pacing_targets",
    "list_readings",
    "mark_alerts",
    "muted_campaigns",
    "pause_alert_subscription",
    "pause_team_alerts",
    "resume_team_alerts",
    "save_alert_subscription",
    "set_next_pacing",
    "store_readings",
]


class AlertStatus:
    """Values of `AlertDelivery.status` (as `DigestDelivery`'s)."""

    CLAIMED = "claimed"
    POSTING = "posting"  # never retried: the post may have reached Slack
    POSTED = "posted"
    FAILED = "failed"
    MUTED = "muted"  # claimed while muted: nothing sent


PACED_PRODUCTS = ("SP", "SB", "SD")
"""Ad products whose budget usage is polled (each has its own route, one answer shape)."""


@dataclass(frozen=True)
class PacingTarget:
    """An enabled SP, SB or SD campaign to poll, with its profile's id, time zone and currency."""

    campaign_pk: int
    campaign_id: str
    profile_id: str
    timezone: str
    currency: str
    ad_product: str = "SP"


@dataclass(frozen=True)
class AlertCandidate:
    """A campaign whose latest reading of its marketplace's current day may call for an alert."""

    campaign_pk: int
    name: str
    ad_product: str
    region: str
    country: str
    timezone: str
    local_date: date
    percent: Decimal
    budget: Decimal | None
    currency: str
    amazon_updated_at: datetime | None
    read_at: datetime


def _insert_new(session: Session, model: type[SQLModel], *, key: Sequence[str], **values: Any) -> int | None:
    """Insert one row unless one with the same ``key`` exists (ON CONFLICT DO NOTHING); its id, or None."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = table_of(model)
    stmt = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=list(key)).returning(table.c.id)
    )
    found = session.execute(stmt).scalar()
    return int(found) if found is not None else None


# -- polling ---------------------------------------------------------------------------------------------


def list_due_pacing_connections(session: Session, *, now: datetime, limit: int = 500) -> list[Connection]:
    """Connected regions whose next pacing poll is due (never polled first), oldest first."""
    stmt = (
        select(Connection)
        .where(Connection.status == ConnectionStatus.CONNECTED)
        .where(col(Connection.refresh_token_enc).is_not(None))
        .where(or_(col(Connection.next_pacing_at).is_(None), col(Connection.next_pacing_at) <= now))
        .order_by(
            col(Connection.next_pacing_at).is_not(None), col(Connection.next_pacing_at), col(Connection.id)
        )
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def set_next_pacing(session: Session, *, connection_id: int, next_at: datetime, last_at: datetime) -> None:
    """Record a finished poll and when the next one is due."""
    t = table_of(Connection)
    session.execute(
        update(t).where(t.c.id == connection_id).values(next_pacing_at=next_at, last_pacing_at=last_at)
    )


def list_pacing_targets(session: Session, *, connection_id: int) -> list[PacingTarget]:
    """The enabled SP, SB and SD campaigns of the connection's selected, present profiles, by profile."""
    stmt = (
        sa_select(
            col(Campaign.id),
            col(Campaign.campaign_id),
            col(Profile.profile_id),
            col(Profile.timezone),
            col(Profile.currency_code),
            col(Campaign.ad_product),
        )
        .join(Profile, col(Profile.id) == col(Campaign.profile_pk))
        .where(
            col(Profile.connection_id) == connection_id,
            col(Profile.selected),
            col(Profile.removed_at).is_(None),
            col(Campaign.removed_at).is_(None),
            col(Campaign.ad_product).in_(PACED_PRODUCTS),
            col(Campaign.state) == "ENABLED",
        )
        .order_by(col(Profile.id), col(Campaign.id))
    )
    return [PacingTarget(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in session.execute(stmt).all()]


def store_readings(session: Session, *, readings: Sequence[Mapping[str, Any]]) -> int:
    """Keep readings (`budget_reading` columns plus `day_ends_at`); the campaign's latest is upserted.

    Returns:
        Readings sent (a repeat of the same campaign, day and read time is ignored).
    """
    if not readings:
        return 0
    history = [{k: v for k, v in r.items() if k != "day_ends_at"} for r in readings]
    key = ["campaign_pk", "local_date", "read_at"]  # a repeat rewrites the same values
    bulk_upsert(session, table_of(BudgetReading), history, key=key, update=["percent"], only_changed=True)
    columns = ["local_date", "day_ends_at", "percent", "budget", "currency", "amazon_updated_at", "read_at"]
    bulk_upsert(session, table_of(CampaignPacing), readings, key=["campaign_pk"], update=columns)
    return len(readings)


def latest_pacing(session: Session, *, campaign_pks: Iterable[int]) -> dict[int, CampaignPacing]:
    """The latest reading of each campaign that has one."""
    pks = sorted(set(campaign_pks))
    if not pks:
        return {}
    rows = session.exec(select(CampaignPacing).where(col(CampaignPacing.campaign_pk).in_(pks))).all()
    return {r.campaign_pk: r for r in rows}


def list_readings(session: Session, *, campaign_pk: int, local_date: date) -> list[BudgetReading]:
    """One campaign's readings of one marketplace day, oldest first."""
    stmt = (
        select(BudgetReading)
        .where(BudgetReading.campaign_pk == campaign_pk, BudgetReading.local_date == local_date)
        .order_by(col(BudgetReading.read_at))
    )
    return list(session.exec(stmt).all())


# -- alert subscriptions ---------------------------------------------------------------------------------


def get_alert_subscription(session: Session, *, team_id: str, channel_id: str) -> AlertSubscription | None:
    return session.exec(
        select(AlertSubscription).where(
            AlertSubscription.team_id == team_id, AlertSubscription.channel_id == channel_id
        )
    ).first()


def save_alert_subscription(
    session: Session, *, team_id: str, channel_id: str, **values: Any
) -> AlertSubscription:
    """Create or overwrite the channel's alert subscription (its claims stay attached)."""
    row = get_alert_subscription(session, team_id=team_id, channel_id=channel_id)
    if row is None:
        row = AlertSubscription(team_id=team_id, channel_id=channel_id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def list_alert_subscriptions(session: Session, *, team_id: str) -> list[AlertSubscription]:
    """The team's active subscriptions (paused ones included), by channel."""
    stmt = select(AlertSubscription).where(
        AlertSubscription.team_id == team_id, col(AlertSubscription.active)
    )
    return list(session.exec(stmt.order_by(col(AlertSubscription.channel_id))).all())


def list_active_alert_subscriptions(session: Session, *, team_id: str) -> list[AlertSubscription]:
    """The team's subscriptions that alert now (active, not paused), by id."""
    stmt = select(AlertSubscription).where(
        AlertSubscription.team_id == team_id,
        col(AlertSubscription.active),
        col(AlertSubscription.paused_at).is_(None),
    )
    return list(session.exec(stmt.order_by(col(AlertSubscription.id))).all())


def pause_alert_subscription(session: Session, *, subscription_id: int, reason: str, now: datetime) -> None:
    t = table_of(AlertSubscription)
    session.execute(
        update(t).where(t.c.id == subscription_id).values(paused_at=now, pause_reason=reason[:64])
    )


def pause_team_alerts(session: Session, *, team_id: str, reason: str, now: datetime) -> list[str]:
    """Pause every alerting subscription of the team; the channels paused."""
    paused = list_active_alert_subscriptions(session, team_id=team_id)
    t = table_of(AlertSubscription)
    session.execute(
        update(t).where(t.c.id.in_([s.id for s in paused])).values(paused_at=now, pause_reason=reason[:64])
    )
    return [s.channel_id for s in paused]


def resume_team_alerts(session: Session, *, team_id: str, reasons: Iterable[str]) -> int:
    """Resume the team's subscriptions paused for one of `reasons`; how many."""
    t = table_of(AlertSubscription)
    result = session.execute(
        update(t)
        .where(t.c.team_id == team_id, t.c.paused_at.is_not(None), t.c.pause_reason.in_(list(reasons)))
        .values(paused_at=None, pause_reason=None)
    )
    return rowcount(result)


# -- alert candidates, claims and mutes ------------------------------------------------------------------


def list_alert_candidates(
    session: Session, *, connection_id: int, now: datetime, min_percent: Decimal
) -> list[AlertCandidate]:
    """Enabled campaigns (SP, SB, SD) of the connection whose reading of their current day is ≥ `min_percent`.

    `ad_product` comes with each: only SP campaigns can be edited from an alert.
    """
    stmt = (
        sa_select(
            CampaignPacing,
            col(Campaign.name),
            col(Campaign.ad_product),
            col(Profile.region),
            col(Profile.country_code),
            col(Profile.timezone),
        )
        .join(Campaign, col(Campaign.id) == col(CampaignPacing.campaign_pk))
        .join(Profile, col(Profile.id) == col(Campaign.profile_pk))
        .where(
            col(Profile.connection_id) == connection_id,
            col(Profile.selected),
            col(Campaign.removed_at).is_(None),
            col(Campaign.state) == "ENABLED",
            col(CampaignPacing.day_ends_at) > now,
            col(CampaignPacing.percent) >= min_percent,
        )
        .order_by(col(Profile.country_code), col(CampaignPacing.percent).desc(), col(Campaign.name))
    )
    found = []
    for pacing, name, product, region, country, zone in session.execute(stmt).all():
        found.append(
            AlertCandidate(
                pacing.campaign_pk,
                name,
                product,
                region,
                country,
                zone,
                pacing.local_date,
                pacing.percent,
                pacing.budget,
                pacing.currency,
                pacing.amazon_updated_at,
                pacing.read_at,
            )
        )
    return found


def claim_alert(
    session: Session,
    *,
    subscription_id: int,
    campaign_pk: int,
    local_date: date,
    kind: str,
    claimed_by: str,
    now: datetime,
) -> int | None:
    """Insert the claim; its id, or None when it is already held (posted, posting, muted or claimed)."""
    return _insert_new(
        session,
        AlertDelivery,
        key=("subscription_id", "campaign_pk", "local_date", "kind"),
        subscription_id=subscription_id,
        campaign_pk=campaign_pk,
        local_date=local_date,
        kind=kind,
        claimed_by=claimed_by[:64],
        claimed_at=now,
        status=AlertStatus.CLAIMED,
    )


def mark_alerts(session: Session, *, delivery_ids: Sequence[int], status: str, **values: Any) -> None:
    """Set the claims' status (and `posted_at`, `message_ts`, `error` when given)."""
    if not delivery_ids:
        return
    if values.get("error") is not None:
        values["error"] = str(values["error"])[:200]
    t = table_of(AlertDelivery)
    session.execute(update(t).where(t.c.id.in_(list(delivery_ids))).values(status=status, **values))


def add_mute(
    session: Session, *, team_id: str, channel_id: str, campaign_pk: int, local_date: date, user_id: str
) -> bool:
    """Mute a campaign in a channel for one marketplace day; False when it already was."""
    found = _insert_new(
        session,
        AlertMute,
        key=("team_id", "channel_id", "campaign_pk", "local_date"),
        team_id=team_id,
        channel_id=channel_id,
        campaign_pk=campaign_pk,
        local_date=local_date,
        muted_by=user_id[:32],
    )
    return found is not None


def muted_campaigns(
    session: Session, *, team_id: str, channel_id: str, pairs: Iterable[tuple[int, date]]
) -> set[tuple[int, date]]:
    """Which of the (campaign, marketplace day) pairs are muted in the channel."""
    wanted = set(pairs)
    if not wanted:
        return set()
    t = table_of(AlertMute)
    stmt = sa_select(t.c.campaign_pk, t.c.local_date).where(
        and_(
            t.c.team_id == team_id, t.c.channel_id == channel_id, t.c.campaign_pk.in_({p for p, _ in wanted})
        )
    )
    return {(int(pk), day) for pk, day in session.execute(stmt).all()} & wanted
