"""Benchmark: one pacing round over 10,000 enabled SP campaigns in 50 profiles, its floor, and the alert
fan-out to 100 channels.

1. Hilal: `bot.jobs.tick.poll_pacing` (the scheduler's job body) finds the due region, takes its pacing
   lease, reads the enabled SP campaigns of the selected profiles, asks Amazon's budget usage 100 ids a
   call (`AdsClient.get_sp_budget_usage`), and stores 10,000 readings (history and latest). No channel
   is subscribed during the timed rounds.
2. The floor: the same budget-usage calls (same profiles, same 100-id bodies) with plain httpx and a
   valid access token, in the same run against the same simulator.
3. Alert fan-out: 100 subscribed channels; 3 campaigns (in 3 marketplaces) forced out of budget, plus
   those the simulator's own spend runs out, each posted to every channel through the Slack stand-in.
   Pacing uses an injected clock: the alert pacer's `sleep` advances a fake monotonic clock instead of
   waiting, so the bench is quick; the printed "Slack time" is that fake clock, and the gap check proves
   no channel got two posts less than 1 s apart.

Campaign rows are inserted directly (a sync of 10,000 campaigns is not what is measured); the region's
rate gate is shared as in production but its waits are recorded, not slept (the world's retry sleep).
Goal: Hilal within 1.5x of the floor. Run: `.venv/bin/python bench/bench_pacing.py` (SQLite in a temp dir).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import httpx
from sqlalchemy import update
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.jobs.tick import poll_pacing
from bot.services.pacing import AlertOptions, AlertRequest, subscribe_alerts
from sandbox.slack import DEMO_ADMIN, DEMO_TEAM
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Campaign, Connection, Profile, table_of
from tests.sync.world import World

MARKETPLACES = ("US", "CA", "MX", "BR")
PROFILES = 50
PER_PROFILE = 200
BATCH = 100
CHANNELS = 100
MEDIA = "application/vnd.spcampaignbudgetusage.v1+json"
RUNS = 3


def _world(folder: Path) -> tuple[World, int, dict[str, list[str]]]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    world = World.start(engine, max_page_size=1000)
    world.sim.seed_account(
        user_id="acme",
        region="na",
        marketplaces=list(MARKETPLACES),
        campaigns_per_profile=PER_PROFILE,
        ad_groups_per_campaign=1,
        keywords_per_ad_group=1,
        accounts=(PROFILES + len(MARKETPLACES) - 1) // len(MARKETPLACES),
    )
    conn_id = world.connect("na")
    return world, conn_id, _campaigns(world, conn_id)


def _campaigns(world: World, conn_id: int) -> dict[str, list[str]]:
    """Keep 50 profiles selected and store 200 enabled SP campaigns each; their ids per profile id."""
    ids: dict[str, list[str]] = {}
    with session_scope(world.engine) as session:
        stmt = select(Profile).where(Profile.connection_id == conn_id).order_by(col(Profile.id))
        profiles = list(session.exec(stmt).all())
        for position, profile in enumerate(profiles):
            profile.selected = position < PROFILES
            session.add(profile)
            if not profile.selected or profile.id is None:
                continue
            raw = world.sim.truth.campaigns(profile.profile_id)[:PER_PROFILE]
            ids[profile.profile_id] = [str(c["campaignId"]) for c in raw]
            session.add_all(
                Campaign(
                    profile_pk=profile.id,
                    team_id=DEMO_TEAM,
                    campaign_id=str(c["campaignId"]),
                    name=str(c["name"]),
                    state="ENABLED",
                    budget=c["budget"]["budget"],
                    budget_type="DAILY",
                )
                for c in raw
            )
    assert sum(len(v) for v in ids.values()) == PROFILES * PER_PROFILE
    return ids


def _due_again(world: World, conn_id: int) -> None:
    world.clock.advance(minutes=15)
    with session_scope(world.engine) as session:
        t = table_of(Connection)
        session.execute(update(t).where(t.c.id == conn_id).values(next_pacing_at=None))


def _access_token(world: World) -> str:
    refresh_token, _profiles = world.grant("na")
    tokens = world.services.amazon.lwa.refresh(
        world.services.amazon.endpoints("na"), refresh_token=refresh_token
    )
    return tokens.access_token.get_secret_value()


def _floor(world: World, token: str, ids: dict[str, list[str]]) -> int:
    api = world.services.amazon.endpoints("na").api_url
    headers = {
        "Authorization": f"Bearer {token}",
        "Amazon-Advertising-API-ClientId": world.services.amazon.client_id,
        "Content-Type": MEDIA,
        "Accept": MEDIA,
    }
    got = 0
    with httpx.Client(timeout=60) as http:
        for profile_id, campaign_ids in ids.items():
            for start in range(0, len(campaign_ids), BATCH):
                body = {"campaignIds": campaign_ids[start : start + BATCH]}
                answer = http.post(
                    f"{api}/sp/campaigns/budget/usage",
                    headers={**headers, "Amazon-Advertising-API-Scope": profile_id},
                    content=json.dumps(body),
                )
                assert answer.status_code == 200, answer.text[:200]
                got += len(answer.json()["success"])
    return got


class _FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)

    def monotonic(self) -> float:
        return self.now


def _fan_out(world: World, conn_id: int, ids: dict[str, list[str]]) -> tuple[float, float, int, int, float]:
    channels = [f"C0ALR{i:03d}" for i in range(CHANNELS)]
    for channel in channels:
        world.slack.add_channel(DEMO_TEAM, {"id": channel, "name": channel.lower()})
        subscribe_alerts(
            world.services, team_id=DEMO_TEAM, channel_id=channel, user_id=DEMO_ADMIN, request=AlertRequest()
        )
    for profile_id in list(ids)[:3]:  # profiles 0-2: US, CA, MX
        world.sim.set_budget_usage(profile_id, ids[profile_id][0], 100)
    _due_again(world, conn_id)
    fake = _FakeClock()
    started = time.perf_counter()
    report = poll_pacing(
        world.services, now=world.clock.now, options=AlertOptions(sleep=fake.sleep, monotonic=fake.monotonic)
    )
    elapsed = time.perf_counter() - started
    by_channel: dict[str, list[float]] = defaultdict(list)
    for _team, channel, at in report.alerts.posts:
        by_channel[channel].append(at)
    gaps = [b - a for times in by_channel.values() for a, b in pairwise(times)]
    smallest = min(gaps) if gaps else float("inf")
    return elapsed, fake.now, report.alerts.messages, report.alerts.claimed // CHANNELS, smallest


def _ms(runs: list[float]) -> str:
    return ", ".join(f"{x * 1000:,.0f}" for x in runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        world, conn_id, ids = _world(Path(folder))
        try:
            token = _access_token(world)
            hilal, floor = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                assert _floor(world, token, ids) == PROFILES * PER_PROFILE
                floor.append(time.perf_counter() - started)
                _due_again(world, conn_id)
                started = time.perf_counter()
                report = poll_pacing(world.services, now=world.clock.now)
                hilal.append(time.perf_counter() - started)
                assert report.polled[conn_id].stored == PROFILES * PER_PROFILE, report.polled
            fan = _fan_out(world, conn_id, ids)
        finally:
            world.close()
    h, f = statistics.median(hilal), statistics.median(floor)
    calls = PROFILES * PER_PROFILE // BATCH
    print(
        f"pacing round: {PROFILES * PER_PROFILE:,} enabled SP campaigns in {PROFILES} profiles, {calls} calls"
    )
    print(f"  Hilal, poll_pacing (read, ask, store): {h * 1000:,.0f} ms (runs: {_ms(hilal)})")
    print(f"  floor, raw httpx budget-usage calls:   {f * 1000:,.0f} ms (runs: {_ms(floor)})")
    print(f"  ratio: {h / f:.2f}x (goal <= 1.5x); the rate gate's waits are recorded, not slept")
    elapsed, slack_time, messages, campaigns, min_gap = fan
    print(f"alert fan-out: {messages} messages to {CHANNELS} channels ({campaigns} campaigns out of budget)")
    print(
        f"  wall time (round incl. poll): {elapsed * 1000:,.0f} ms; Slack time on the injected clock: "
        f"{slack_time:.1f} s; smallest gap between two posts in one channel: {min_gap:.2f} s (>= 1 s)"
    )


if __name__ == "__main__":
    main()
