"""Seeding helpers: connections, profiles, campaigns and campaign-day metric rows; a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from storage.db import session_scope
from storage.models import Campaign, CampaignDailyMetric, Connection, ConnectionStatus, Profile
from storage.repositories.loaded_days import mark_days_loaded

TEAM = "T0DEMO"


@dataclass
class FakeTime:
    """`now()` for services, `sleep()`/`monotonic()` for delivery pacing: sleeping only moves the clock."""

    current: datetime
    mono: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds


def connection(
    engine: Engine,
    region: str,
    *,
    team_id: str = TEAM,
    status: str = ConnectionStatus.CONNECTED,
    last_success_at: datetime | None = None,
) -> int:
    with session_scope(engine) as session:
        row = Connection(team_id=team_id, region=region, status=status, last_success_at=last_success_at)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def profile(
    engine: Engine,
    connection_id: int,
    *,
    region: str,
    country: str,
    currency: str,
    timezone: str,
    profile_id: str,
    account: str = "Acme",
    team_id: str = TEAM,
) -> int:
    with session_scope(engine) as session:
        row = Profile(
            connection_id=connection_id,
            team_id=team_id,
            region=region,
            profile_id=profile_id,
            country_code=country,
            currency_code=currency,
            timezone=timezone,
            account_name=account,
            selected=True,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def campaign(
    engine: Engine,
    profile_pk: int,
    campaign_id: str,
    name: str,
    *,
    budget: str | None = None,
    state: str = "enabled",
    team_id: str = TEAM,
) -> int:
    with session_scope(engine) as session:
        row = Campaign(
            profile_pk=profile_pk,
            team_id=team_id,
            campaign_id=campaign_id,
            name=name,
            state=state,
            budget=Decimal(budget) if budget else None,
            budget_type="daily",
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def metric(
    engine: Engine,
    profile_pk: int,
    campaign_id: str,
    day: date,
    *,
    currency: str,
    cost: str = "0",
    sales: str = "0",
    impressions: int = 0,
    clicks: int = 0,
    orders: int = 0,
    budget: str | None = None,
    team_id: str = TEAM,
) -> None:
    """A campaign-day row; its day counts as loaded (a report covering it was stored)."""
    loaded(engine, profile_pk, day, team_id=team_id)
    with session_scope(engine) as session:
        session.add(
            CampaignDailyMetric(
                profile_pk=profile_pk,
                campaign_id=campaign_id,
                date=day,
                currency=currency,
                cost=Decimal(cost),
                sales=Decimal(sales),
                impressions=impressions,
                clicks=clicks,
                orders=orders,
                budget=Decimal(budget) if budget else None,
            )
        )


def loaded(engine: Engine, profile_pk: int, *days: date, team_id: str = TEAM) -> None:
    """Mark days of a profile as loaded (Amazon's campaign report covering them was stored)."""
    with session_scope(engine) as session:
        for day in days:
            mark_days_loaded(
                session,
                team_id=team_id,
                profile_pk=profile_pk,
                report_kind="campaign",
                start=day,
                end=day,
                now=datetime(2025, 5, 14, 6, 0, tzinfo=UTC),
            )


def loaded_range(engine: Engine, profile_pk: int, first: date, last: date, *, team_id: str = TEAM) -> None:
    """Mark every day from `first` to `last` loaded."""
    loaded(
        engine,
        profile_pk,
        *(first + timedelta(days=n) for n in range((last - first).days + 1)),
        team_id=team_id,
    )


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)
