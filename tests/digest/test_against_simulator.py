"""Every figure of a digest equals the Amazon simulator's truth after a real sync (no seeded rows)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.blocks.digest import metric_texts
from bot.blocks.format import format_int, format_money
from bot.services.digest import DigestScope, build_digest
from bot.services.sync import run_sync
from sandbox.slack import DEMO_TEAM
from tests.sync.world import World


@pytest.fixture
def world(sqlite_engine):
    w = World.start(sqlite_engine)
    yield w
    w.close()


def _truth(world, profile_id, day):
    rows = world.sim.truth.campaign_metrics(profile_id, day, day)
    cost = sum(
        (Decimal(str(r.get("cost") if r.get("cost") is not None else r.get("spend") or 0)) for r in rows),
        Decimal(0),
    )
    sales = sum((Decimal(str(r.get("sales7d") or 0)) for r in rows), Decimal(0))
    return {
        "Spend": cost,
        "Sales": sales,
        "Orders": sum(int(r.get("purchases7d") or 0) for r in rows),
        "Clicks": sum(int(r.get("clicks") or 0) for r in rows),
        "Impressions": sum(int(r.get("impressions") or 0) for r in rows),
    }


def test_yesterdays_figures_match_the_simulator_in_each_marketplace(world):
    world.seed(marketplaces=("US", "CA"), days=40)
    conn_id = world.connect("na")
    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")
    assert outcome.status == "success", outcome.error
    world.clock.advance(hours=1)
    build = build_digest(
        world.services, scope=DigestScope(team_id=DEMO_TEAM, regions=("na",)), now=world.clock.now
    )
    profiles = {p.country_code: p for p in world.profiles(conn_id)}
    checked, total_clicks = 0, 0
    for region in build.vm.regions:
        for market in region.marketplaces:
            profile = profiles[market.country]
            day = build.days[profile.profile_id]
            assert day < world.clock.now.date() + timedelta(days=1)
            truth = _truth(world, profile.profile_id, day)
            shown = {m.label: metric_texts(m)[0] for m in market.metrics}  # as the digest shows them
            assert shown["Spend"] == format_money(truth["Spend"], profile.currency_code)
            assert shown["Sales"] == format_money(truth["Sales"], profile.currency_code)
            for label in ("Orders", "Clicks", "Impressions"):
                assert shown[label] == format_int(truth[label]), label
            checked += 1
            total_clicks += truth["Clicks"]
    assert checked == 2 and total_clicks > 0  # real traffic, not two empty days
