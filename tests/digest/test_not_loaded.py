"""A day Amazon has not delivered is "not loaded yet", never a zero: before the reports land, while a
FAILED one is asked for again, after they land; a loaded empty day is a real zero; a 7-day figure with
missing days says how many it covers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from bot.blocks.digest import metric_texts, render_digest
from bot.blocks.format import format_money, slack_date
from bot.jobs.tick import poll_reports
from bot.services.digest import DigestBuild, DigestScope, build_digest
from bot.services.sync import run_sync
from bot.viewmodels import DigestVM, MarketplaceDigestVM
from bot.wiring import Services
from sandbox.slack import DEMO_TEAM
from tests.sync.world import START, World

from . import seed
from .oracle import change

NOW = datetime(2025, 5, 14, 6, 30, tzinfo=UTC)  # Berlin 08:30: yesterday is the 13th
D13 = date(2025, 5, 13)
REQUESTED = slack_date(START, "{time}")  # the initial sync asked at 12:00 UTC


@pytest.fixture
def world(sqlite_engine: Engine) -> Iterator[World]:
    w = World.start(sqlite_engine)
    yield w
    w.close()


def _digest(world: World) -> DigestBuild:
    scope = DigestScope(team_id=DEMO_TEAM, regions=("na",), timezone="Europe/Berlin")
    return build_digest(world.services, scope=scope, now=world.clock.now)


def _markets(vm: DigestVM) -> dict[str, MarketplaceDigestVM]:
    return {mp.country: mp for region in vm.regions for mp in region.marketplaces}


def _text(vm: DigestVM) -> str:
    return str([m["blocks"] for m in render_digest(vm)])


def _spend_truth(world: World, profile_id: str, day: date) -> Decimal:
    rows = world.sim.truth.campaign_metrics(profile_id, day, day)
    return sum((Decimal(str(r.get("cost") or 0)) for r in rows), Decimal(0))


def test_before_the_reports_land_each_marketplace_is_not_loaded_yet(world: World) -> None:
    world.seed(marketplaces=("US", "CA"))
    conn_id = world.connect()
    world.sim.set_report_delay(20 * 60)
    run_sync(world.services, connection_id=conn_id, kind="initial")
    world.clock.advance(minutes=2)

    build = _digest(world)

    markets = _markets(build.vm)
    assert {c: (mp.loaded, mp.pending_since, list(mp.metrics)) for c, mp in markets.items()} == {
        "US": (False, START, []),
        "CA": (False, START, []),
    }
    region = build.vm.regions[0]
    assert region.currency_totals == [] and region.not_loaded == 2
    text = _text(build.vm)
    assert text.count(f"not loaded yet (Amazon report pending since {REQUESTED})") == 2
    assert "$0.00" not in text and "CA$0.00" not in text
    assert "Totals leave out 2 marketplaces not loaded yet." in text

    world.clock.advance(minutes=25)  # they land
    poll_reports(world.services, now=world.clock.now)
    landed = _digest(world)

    profiles = {p.country_code: p for p in world.profiles(conn_id)}
    for country, mp in _markets(landed.vm).items():
        profile = profiles[country]
        assert mp.loaded and mp.pending_since is None
        spend = _spend_truth(world, profile.profile_id, landed.days[profile.profile_id])
        assert metric_texts(mp.metrics[0])[0] == format_money(spend, profile.currency_code)
    assert "not loaded yet" not in _text(landed.vm)


def test_a_failed_report_keeps_its_marketplace_not_loaded_until_the_second_request_lands(
    world: World,
) -> None:
    world.seed(marketplaces=("US", "CA"))
    conn_id = world.connect()
    us = next(p for p in world.profiles(conn_id) if p.country_code == "US")
    world.sim.fail_reports(us.profile_id, times=1)
    run_sync(world.services, connection_id=conn_id, kind="initial")

    markets = _markets(_digest(world).vm)

    assert not markets["US"].loaded and markets["US"].pending_since == START  # asked again, waiting since
    assert markets["CA"].loaded and markets["CA"].metrics[0].label == "Spend"
    assert f"not loaded yet (Amazon report pending since {REQUESTED})" in _text(_digest(world).vm)

    world.clock.advance(minutes=5)
    poll_reports(world.services, now=world.clock.now)
    build = _digest(world)

    us_vm = _markets(build.vm)["US"]
    assert us_vm.loaded
    day = build.days[us.profile_id]
    assert metric_texts(us_vm.metrics[0])[0] == format_money(_spend_truth(world, us.profile_id, day), "USD")


def test_a_loaded_day_without_traffic_is_a_real_zero(world: World) -> None:
    world.seed(marketplaces=("US",), days=0)  # campaigns, but no traffic before today
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")

    build = _digest(world)

    us = _markets(build.vm)["US"]
    assert us.loaded and us.days_loaded == 7
    assert {m.label: metric_texts(m)[0] for m in us.metrics}["Spend"] == "$0.00"
    assert "$0.00" in _text(build.vm) and "not loaded yet" not in _text(build.vm)


def _germany(services: Services) -> int:
    eu = seed.connection(services.engine, "eu", last_success_at=datetime(2025, 5, 14, 5, 0, tzinfo=UTC))
    de = seed.profile(
        services.engine,
        eu,
        region="eu",
        country="DE",
        currency="EUR",
        timezone="Europe/Berlin",
        profile_id="1",
    )
    seed.campaign(services.engine, de, "11", "Brand")
    return de


def test_a_seven_day_figure_with_missing_days_says_how_many_it_covers(services: Services) -> None:
    de = _germany(services)
    seed.metric(services.engine, de, "11", D13, currency="EUR", cost="70.00", clicks=70, impressions=700)
    for n in (3, 4, 5, 6):  # the 10th to the 7th, with spend; the 12th and the 6th are not loaded
        seed.metric(
            services.engine, de, "11", D13 - timedelta(days=n), currency="EUR", cost="50.00", clicks=50
        )
    seed.loaded(services.engine, de, D13 - timedelta(days=2))  # loaded, no spend: a real zero

    vm = build_digest(services, scope=DigestScope(team_id=seed.TEAM, timezone="Europe/Berlin"), now=NOW).vm

    mp = _markets(vm)["DE"]
    assert mp.loaded and mp.days_loaded == 5 and mp.window_days == 7
    spend = {m.label: m for m in mp.metrics}["Spend"]
    value, vs_prev, vs_avg = metric_texts(spend)
    assert value == "€70.00"
    assert spend.vs_prev is None and vs_prev == "—"  # the 12th is not loaded: nothing to compare with
    assert vs_avg == change(Decimal(70) * 5, Decimal(200))  # the average of the 5 loaded days
    assert mp.movers == []
    assert "vs avg: 5 of 7 days" in _text(vm)


def test_a_marketplace_without_a_pending_report_is_still_not_zero(services: Services) -> None:
    de = _germany(services)
    seed.metric(services.engine, de, "11", D13 - timedelta(days=1), currency="EUR", cost="50.00")

    vm = build_digest(services, scope=DigestScope(team_id=seed.TEAM, timezone="Europe/Berlin"), now=NOW).vm

    mp = _markets(vm)["DE"]
    assert not mp.loaded and mp.pending_since is None and list(mp.metrics) == []
    text = _text(vm)
    assert "not loaded yet (no Amazon report for this day has landed)" in text and "€0.00" not in text
    assert "Totals leave out 1 marketplace not loaded yet." in text


def test_the_chart_leaves_a_gap_for_days_not_loaded_and_draws_a_loaded_zero(services: Services) -> None:
    de = _germany(services)
    seed.metric(services.engine, de, "11", D13, currency="EUR", cost="70.00", clicks=70, impressions=700)
    seed.loaded(services.engine, de, D13 - timedelta(days=2))  # loaded, no spend: a real zero

    build = build_digest(services, scope=DigestScope(team_id=seed.TEAM, timezone="Europe/Berlin"), now=NOW)

    (eur,) = build.chart
    spend = dict(zip(eur.days, eur.spend, strict=True))
    assert spend[D13] == Decimal("70.00")
    assert spend[D13 - timedelta(days=2)] == Decimal(0)
    assert spend[D13 - timedelta(days=1)] is None  # not loaded: a gap, never 0
