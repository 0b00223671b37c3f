"""Small helpers for pacing tests: a run of the pacing job with a fake pacer clock, subscriptions, what a
channel received, and a region's stored readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from bot.jobs.tick import poll_pacing
from bot.services.pacing import AlertOptions, AlertRequest, PacingRoundReport, subscribe_alerts
from bot.wiring import Services
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import session_scope
from storage.models import AlertDelivery, BudgetReading, CampaignPacing
from tests.sync.world import World

__all__ = ["FakePacerClock", "alerts_in", "claims", "latest", "readings", "run_pacing", "subscribe"]

CHANNEL = "C0PPC"


@dataclass
class FakePacerClock:
    """Monotonic time that only moves when the pacer sleeps (nothing really waits)."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def run_pacing(services: Services, world: World, pacer: FakePacerClock | None = None) -> PacingRoundReport:
    """One run of the pacing job at the world's time."""
    fake = pacer or FakePacerClock()
    options = AlertOptions(sleep=fake.sleep, monotonic=fake.monotonic)
    return poll_pacing(services, now=world.clock.now, options=options)


def subscribe(world: World, channel: str = CHANNEL, *, threshold: int = 100, **scope: Any) -> None:
    subscribe_alerts(
        world.services,
        team_id=DEMO_TEAM,
        channel_id=channel,
        user_id=DEMO_ADMIN,
        request=AlertRequest(threshold=threshold, **scope),
    )


def alerts_in(world: World, channel: str = CHANNEL) -> list[Any]:
    """Messages Hilal posted in the channel, oldest first."""
    return [m for m in world.slack.messages(channel) if m.bot_id]


def readings(world: World, campaign_pk: int) -> list[BudgetReading]:
    with session_scope(world.engine, readonly=True) as s:
        stmt = select(BudgetReading).where(BudgetReading.campaign_pk == campaign_pk)
        return list(s.exec(stmt.order_by(col(BudgetReading.read_at))).all())


def latest(world: World, campaign_pk: int) -> CampaignPacing | None:
    with session_scope(world.engine, readonly=True) as s:
        return s.get(CampaignPacing, campaign_pk)


def claims(world: World) -> list[AlertDelivery]:
    with session_scope(world.engine, readonly=True) as s:
        return list(s.exec(select(AlertDelivery).order_by(col(AlertDelivery.id))).all())
