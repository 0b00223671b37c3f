"""Digest subscriptions, delivery claims and the rows a digest reads (keyword-only; add/flush, never commit).

Delivery claims are what make a digest go out once: `claim_delivery` inserts the
(subscription, local date) row with `ON CONFLICT DO NOTHING`, so of two schedulers racing on the same
database exactly one gets the row back; `retake_delivery` takes over a claim that failed or was
abandoned (a conditional `UPDATE`, so again only one caller wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import and_, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import (
    Campaign,
    CampaignDailyMetric,
    Connection,
    DigestDelivery,
    DigestSubscription,
    Profile,
    SavedView,
    table_of,
)
from storage.upsert import rowcount

__all__ = [
    "DeliveryStatus",
    "MetricRow",
    "claim_delivery",
    "get_delivery",
    "get_latest_delivery",
    "get_saved_view",
    "get_subscription",
    "list_campaigns",
    "list_connections_for_teams",
    "list_due_subscriptions",
    "list_metrics",
    "list_selected_profiles",
    "list_subscriptions",
    "list_subscriptions_due_between",
    "mark_delivery",
    "mark_posting_unknown",
    "pause_subscription",
    "pause_team_digests",
    "resume_team_digests",
    "retake_delivery",
    "save_subscription",
    "set_next_due",
]


class DeliveryStatus:
    """Values of `DigestDelivery.status`."""

    CLAIMED = "claimed"  # taken, nothing sent yet
    POSTING = "posting"  # the post is under way: never retried (it may have reached Slack)
    POSTED = "posted"
    UNKNOWN = "unknown"  # the post may or may not have reached Slack (timeout, or the process died posting)
    FAILED = "failed"  # nothing reached Slack; a later tick may retake it
    SKIPPED = "skipped"  # paused or nothing to do


def get_subscription(session: Session, *, team_id: str, channel_id: str) -> DigestSubscription | None:
    return session.exec(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.channel_id == channel_id
        )
    ).first()


def list_subscriptions(session: Session, *, team_id: str) -> list[DigestSubscription]:
    """Every subscription row of the team (active, paused and unsubscribed), by channel."""
    stmt = select(DigestSubscription).where(DigestSubscription.team_id == team_id)
    return list(session.exec(stmt.order_by(col(DigestSubscription.channel_id))).all())


def save_subscription(
    session: Session, *, team_id: str, channel_id: str, **values: Any
) -> DigestSubscription:
    """Create or overwrite the channel's subscription (its delivery history stays attached)."""
    row = get_subscription(session, team_id=team_id, channel_id=channel_id)
    if row is None:
        row = DigestSubscription(team_id=team_id, channel_id=channel_id, **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def pause_subscription(session: Session, *, subscription_id: int, reason: str, now: datetime) -> None:
    session.execute(
        update(table_of(DigestSubscription))
        .where(table_of(DigestSubscription).c.id == subscription_id)
        .values(paused_at=now, pause_reason=reason[:64])
    )


def pause_team_digests(session: Session, *, team_id: str, reason: str, now: datetime) -> list[str]:
    """Pause every unpaused subscription of the team (its Slack token is dead); the channels paused."""
    t = table_of(DigestSubscription)
    result = session.execute(
        update(t)
        .where(t.c.team_id == team_id, t.c.paused_at.is_(None))
        .values(paused_at=now, pause_reason=reason[:64])
        .returning(t.c.channel_id)
    )
    return sorted(str(channel) for channel in result.scalars())


def resume_team_digests(session: Session, *, team_id: str, reasons: Iterable[str]) -> int:
    """Resume the team's subscriptions paused for one of `reasons` (a slot missed meanwhile is skipped by
    delivery, which never posts a stale digest); how many."""
    t = table_of(DigestSubscription)
    result = session.execute(
        update(t)
        .where(t.c.team_id == team_id, t.c.paused_at.is_not(None), t.c.pause_reason.in_(list(reasons)))
        .values(paused_at=None, pause_reason=None)
    )
    return rowcount(result)


def set_next_due(session: Session, *, subscription_id: int, next_due_at: datetime | None) -> None:
    session.execute(
        update(table_of(DigestSubscription))
        .where(table_of(DigestSubscription).c.id == subscription_id)
        .values(next_due_at=next_due_at)
    )


def list_due_subscriptions(session: Session, *, now: datetime, limit: int = 5000) -> list[DigestSubscription]:
    """Active subscriptions whose `next_due_at` has come, oldest first."""
    stmt = (
        select(DigestSubscription)
        .where(col(DigestSubscription.paused_at).is_(None))
        .where(col(DigestSubscription.next_due_at).is_not(None))
        .where(col(DigestSubscription.next_due_at) <= now)
        .order_by(col(DigestSubscription.next_due_at), col(DigestSubscription.id))
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def list_subscriptions_due_between(
    session: Session, *, start: datetime, end: datetime
) -> list[DigestSubscription]:
    """Active subscriptions due in [start, end)."""
    stmt = (
        select(DigestSubscription)
        .where(col(DigestSubscription.paused_at).is_(None))
        .where(col(DigestSubscription.next_due_at) >= start)
        .where(col(DigestSubscription.next_due_at) < end)
    )
    return list(session.exec(stmt).all())


def claim_delivery(
    session: Session, *, subscription_id: int, local_date: date, claimed_by: str, now: datetime
) -> int | None:
    """Insert the claim; its id, or None when another process already holds this (subscription, date)."""
    table = table_of(DigestDelivery)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(
            subscription_id=subscription_id,
            local_date=local_date,
            claimed_by=claimed_by[:64],
            claimed_at=now,
            status=DeliveryStatus.CLAIMED,
        )
        .on_conflict_do_nothing(index_elements=["subscription_id", "local_date"])
        .returning(table.c.id)
    )
    found = session.execute(stmt).scalar()
    return int(found) if found is not None else None


def retake_delivery(
    session: Session,
    *,
    subscription_id: int,
    local_date: date,
    claimed_by: str,
    now: datetime,
    abandoned_before: datetime,
) -> int | None:
    """Take over a failed claim, or one left `claimed` before `abandoned_before`; its id or None."""
    table = table_of(DigestDelivery)
    retakeable = or_(
        table.c.status == DeliveryStatus.FAILED,
        and_(table.c.status == DeliveryStatus.CLAIMED, table.c.claimed_at < abandoned_before),
    )
    stmt = (
        update(table)
        .where(table.c.subscription_id == subscription_id, table.c.local_date == local_date, retakeable)
        .values(claimed_by=claimed_by[:64], claimed_at=now, status=DeliveryStatus.CLAIMED, error=None)
        .returning(table.c.id)
    )
    found = session.execute(stmt).scalar()
    return int(found) if found is not None else None


def get_delivery(session: Session, *, subscription_id: int, local_date: date) -> DigestDelivery | None:
    return session.exec(
        select(DigestDelivery).where(
            DigestDelivery.subscription_id == subscription_id, DigestDelivery.local_date == local_date
        )
    ).first()


def get_latest_delivery(session: Session, *, subscription_id: int) -> DigestDelivery | None:
    """The subscription's delivery row of its latest local date, or None."""
    return session.exec(
        select(DigestDelivery)
        .where(DigestDelivery.subscription_id == subscription_id)
        .order_by(col(DigestDelivery.local_date).desc())
        .limit(1)
    ).first()


def mark_posting_unknown(session: Session, *, delivery_id: int, claimed_before: datetime, error: str) -> bool:
    """Mark a claim left `posting` since before `claimed_before` as `unknown`; False if it is not one.

    Conditional, so a holder that is still alive and marks the row `posted` is never overwritten.
    """
    table = table_of(DigestDelivery)
    stmt = (
        update(table)
        .where(
            table.c.id == delivery_id,
            table.c.status == DeliveryStatus.POSTING,
            table.c.claimed_at < claimed_before,
        )
        .values(status=DeliveryStatus.UNKNOWN, error=error[:200])
        .returning(table.c.id)
    )
    return session.execute(stmt).scalar() is not None


def mark_delivery(session: Session, *, delivery_id: int, status: str, **values: Any) -> None:
    """Set the claim's status (and `posted_at`, `message_ts`, `error` when given)."""
    if "error" in values and values["error"] is not None:
        values["error"] = str(values["error"])[:200]
    session.execute(
        update(table_of(DigestDelivery))
        .where(table_of(DigestDelivery).c.id == delivery_id)
        .values(status=status, **values)
    )


def list_connections_for_teams(session: Session, *, team_ids: Sequence[str]) -> list[Connection]:
    return list(session.exec(select(Connection).where(col(Connection.team_id).in_(list(team_ids)))).all())


def list_selected_profiles(session: Session, *, connection_ids: Sequence[int]) -> list[Profile]:
    """Selected, not removed profiles of the connections, by region, country and account."""
    stmt = (
        select(Profile)
        .where(col(Profile.connection_id).in_(list(connection_ids)))
        .where(col(Profile.selected).is_(True), col(Profile.removed_at).is_(None))
        .order_by(col(Profile.region), col(Profile.country_code), col(Profile.account_name), col(Profile.id))
    )
    return list(session.exec(stmt).all())


class MetricRow(NamedTuple):
    """The columns of `CampaignDailyMetric` a digest reads (plain tuples: 5x cheaper than ORM objects)."""

    profile_pk: int
    campaign_id: str
    date: date
    impressions: int
    clicks: int
    cost: Decimal
    sales: Decimal
    orders: int
    budget: Decimal | None


def list_metrics(session: Session, *, profile_pks: Sequence[int], start: date, end: date) -> list[MetricRow]:
    """Campaign metric rows of the profiles for dates in [start, end]."""
    if not profile_pks:
        return []
    table = table_of(CampaignDailyMetric)
    stmt = sa_select(*(table.c[name] for name in MetricRow._fields)).where(
        table.c.profile_pk.in_(list(profile_pks)), table.c.date >= start, table.c.date <= end
    )
    return [MetricRow(*row) for row in session.execute(stmt)]


def list_campaigns(session: Session, *, profile_pks: Sequence[int]) -> list[Campaign]:
    if not profile_pks:
        return []
    return list(session.exec(select(Campaign).where(col(Campaign.profile_pk).in_(list(profile_pks)))).all())


def get_saved_view(session: Session, *, team_id: str, name: str, user_id: str) -> SavedView | None:
    """The user's own view called `name`, else a shared one (names compare case-insensitively)."""
    rows = session.exec(select(SavedView).where(SavedView.team_id == team_id)).all()
    matches = [v for v in rows if v.name.lower() == name.lower() and (v.owner_id == user_id or v.shared)]
    matches.sort(key=lambda v: (v.owner_id != user_id, v.id or 0))
    return matches[0] if matches else None
