"""Every figure of a digest, checked exactly against seeded campaign-day rows (USD, EUR, GBP, JPY)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine

from bot.blocks.digest import line_detail, metric_texts, render_digest
from bot.blocks.format import format_acos, format_money
from bot.blocks.limits import check_message
from bot.services.digest import DigestScope, build_digest
from bot.viewmodels import DigestVM, MarketplaceDigestVM, Region, RegionDigestVM
from bot.wiring import Services
from storage.models import ConnectionStatus

from . import seed
from .oracle import change, money, pct, points

NOW = datetime(2025, 5, 14, 6, 30, tzinfo=UTC)  # Berlin 08:30, Los Angeles 23:30 the day before, Tokyo 15:30
SYNCED = datetime(2025, 5, 14, 5, 0, tzinfo=UTC)
D13, D12 = date(2025, 5, 13), date(2025, 5, 12)


def seed_world(engine: Engine, *, na_status: str = ConnectionStatus.RECONNECT_NEEDED) -> None:
    eu = seed.connection(engine, "eu", last_success_at=SYNCED)
    na = seed.connection(engine, "na", status=na_status, last_success_at=SYNCED)
    fe = seed.connection(engine, "fe", last_success_at=SYNCED)
    de = seed.profile(
        engine, eu, region="eu", country="DE", currency="EUR", timezone="Europe/Paris", profile_id="1"
    )
    uk = seed.profile(
        engine, eu, region="eu", country="UK", currency="GBP", timezone="Europe/London", profile_id="2"
    )
    us = seed.profile(
        engine, na, region="na", country="US", currency="USD", timezone="America/Los_Angeles", profile_id="3"
    )
    jp = seed.profile(
        engine, fe, region="fe", country="JP", currency="JPY", timezone="Asia/Tokyo", profile_id="4"
    )
    seed.campaign(engine, de, "11", "Brand - Exact", budget="200.00")
    seed.campaign(engine, de, "12", "Generic")
    seed.metric(
        engine,
        de,
        "11",
        D13,
        currency="EUR",
        cost="120.50",
        sales="602.50",
        impressions=10000,
        clicks=250,
        orders=12,
        budget="120.00",
    )
    seed.metric(
        engine,
        de,
        "11",
        D12,
        currency="EUR",
        cost="100.00",
        sales="400.00",
        impressions=8000,
        clicks=200,
        orders=10,
    )
    for n in range(2, 8):
        seed.metric(
            engine,
            de,
            "11",
            D13 - timedelta(days=n),
            currency="EUR",
            cost="50.00",
            sales="100.00",
            impressions=1000,
            clicks=20,
            orders=2,
        )
    seed.metric(engine, de, "12", D13, currency="EUR", cost="30.00", impressions=3000, clicks=50)
    seed.campaign(engine, uk, "21", "UK Auto")
    seed.metric(
        engine, uk, "21", D13, currency="GBP", cost="10.00", impressions=500
    )  # zero-sales, zero-click day
    seed.campaign(engine, jp, "41", "JP Brand", budget="5000")
    seed.metric(
        engine,
        jp,
        "41",
        D12,
        currency="JPY",
        cost="1500",
        sales="4800",
        impressions=2000,
        clicks=30,
        orders=3,
    )  # and nothing on the 13th: a zero-spend day
    seed.campaign(engine, us, "31", "US Exact")
    seed.metric(
        engine,
        us,
        "31",
        D12,
        currency="USD",
        cost="33.33",
        sales="99.99",
        impressions=1234,
        clicks=17,
        orders=1,
    )
    seed.metric(
        engine, us, "31", D12 - timedelta(days=1), currency="USD", cost="11.11", impressions=100, clicks=3
    )
    for pk in (de, uk, us, jp):  # Amazon delivered every day: a day without rows is a real zero
        seed.loaded_range(engine, pk, D13 - timedelta(days=14), D13)


def build(services: Services) -> DigestVM:
    return build_digest(
        services,
        scope=DigestScope(team_id=seed.TEAM, timezone="Europe/Berlin", subscriber_id="U0ADMIN"),
        now=NOW,
    ).vm


def tiles(mp: MarketplaceDigestVM) -> dict[str, tuple[str, str, str]]:
    return {m.label: metric_texts(m) for m in mp.metrics}  # as the digest shows them


def marketplace(vm: DigestVM, country: str) -> MarketplaceDigestVM:
    return next(mp for region in vm.regions for mp in region.marketplaces if mp.country == country)


def test_germany_every_figure(services: Services) -> None:
    seed_world(services.engine)
    de = marketplace(build(services), "DE")
    # day 13 May: cost 150.50, sales 602.50, 13,000 impressions, 300 clicks, 12 orders
    # day before: 100.00, 400.00, 8,000, 200, 10 — 7 days before: 400.00, 1,000.00, 14,000, 320, 22
    assert tiles(de) == {
        "Spend": ("€150.50", change("150.50", "100"), change(Decimal("150.50") * 7, "400")),
        "Sales": ("€602.50", change("602.50", "400"), change(Decimal("602.50") * 7, "1000")),
        "ACOS": (
            pct("150.50", "602.50"),
            points("150.50", "602.50", 100, 400),
            points("150.50", "602.50", 400, 1000),
        ),
        "ROAS": (
            "4.00x",
            change(Decimal("602.50") * 100, Decimal(400) * Decimal("150.50")),
            change(Decimal("602.50") * 400, Decimal(1000) * Decimal("150.50")),
        ),
        "Orders": ("12", change(12, 10), change(84, 22)),
        "Clicks": ("300", change(300, 200), change(2100, 320)),
        "Impressions": ("13,000", change(13000, 8000), change(91000, 14000)),
        "CTR": (pct(300, 13000, 2), points(300, 13000, 200, 8000), points(300, 13000, 320, 14000)),
        "CPC": (
            money(Decimal("150.50") / 300, "EUR"),
            change(Decimal("150.50") * 200, 100 * 300),
            change(Decimal("150.50") * 320, 400 * 300),
        ),
    }
    assert tiles(de)["Spend"] == ("€150.50", "▲ 50.5%", "▲ 163.4%")  # spelled out once, by hand
    assert [(line.name, line_detail("top_campaigns", line)) for line in de.top_campaigns] == [
        ("Brand - Exact", "€120.50 spend · €602.50 sales · ACOS 20.0%"),
        ("Generic", "€30.00 spend · €0.00 sales · ACOS —"),
    ]
    assert [(line.name, line_detail("movers", line)) for line in de.movers] == [
        ("Generic", "spend €0.00 → €30.00 (new)"),
        ("Brand - Exact", "spend €100.00 → €120.50 (▲ 20.5%)"),
    ]
    # the day's budget from the report row (120.00) wins over the campaign's current budget (200.00)
    assert [(line.name, line_detail("out_of_budget", line)) for line in de.out_of_budget] == [
        ("Brand - Exact", "spent €120.50 of a €120.00 daily budget")
    ]
    assert de.local_date is None and de.currency == "EUR"


def test_zero_sales_and_zero_spend_days_show_dashes(services: Services) -> None:
    seed_world(services.engine)
    vm = build(services)
    assert tiles(marketplace(vm, "UK")) == {
        "Spend": ("£10.00", "—", "—"),
        "Sales": ("£0.00", "—", "—"),
        "ACOS": ("—", "—", "—"),
        "ROAS": ("0.00x", "—", "—"),
        "Orders": ("0", "—", "—"),
        "Clicks": ("0", "—", "—"),
        "Impressions": ("500", "—", "—"),
        "CTR": ("0.00%", "—", "—"),
        "CPC": ("—", "—", "—"),
    }
    jp = tiles(marketplace(vm, "JP"))
    assert jp["Spend"] == ("¥0", "▼ 100.0%", change(0, 1500))
    assert jp["Sales"] == ("¥0", "▼ 100.0%", "▼ 100.0%")
    assert jp["ACOS"] == ("—", "—", "—") and jp["ROAS"] == ("—", "—", "—") and jp["CPC"] == ("—", "—", "—")
    assert jp["CTR"] == ("—", "—", "—")
    assert marketplace(vm, "JP").out_of_budget == []


def test_yesterday_is_the_marketplace_own_day(services: Services) -> None:
    seed_world(services.engine)
    vm = build(services)
    assert vm.date_label == "Tue 13 May 2025"
    us = marketplace(vm, "US")  # 23:30 on the 13th in Los Angeles: yesterday there is the 12th
    assert us.local_date == "Mon 12 May 2025"
    assert tiles(us)["Spend"] == ("$33.33", change("33.33", "11.11"), change(Decimal("33.33") * 7, "11.11"))
    assert tiles(us)["CPC"][0] == money(Decimal("33.33") / 17, "USD") == "$1.96"
    assert marketplace(vm, "JP").local_date is None and marketplace(vm, "DE").local_date is None


def shown_totals(region: RegionDigestVM) -> list[tuple[str, str, str, str]]:
    """A region's currency totals as the digest shows them: currency, spend, sales, ACOS."""
    return [
        (
            t.currency,
            format_money(t.spend, t.currency),
            format_money(t.sales, t.currency),
            format_acos(t.spend, t.sales),
        )
        for t in region.currency_totals
    ]


def test_totals_per_currency_never_across(services: Services) -> None:
    seed_world(services.engine)
    vm = build(services)
    eu = next(r for r in vm.regions if r.region == "eu")
    assert eu.currency_totals[0] == ("EUR", Decimal("150.50"), Decimal("602.50"))  # amounts, formatted below
    assert shown_totals(eu) == [
        ("EUR", "€150.50", "€602.50", pct("150.50", "602.50")),
        ("GBP", "£10.00", "£0.00", "—"),
    ]
    fe = next(r for r in vm.regions if r.region == "fe")
    assert shown_totals(fe) == [("JPY", "¥0", "¥0", "—")]


def test_health_footer(services: Services) -> None:
    seed_world(services.engine)
    health = {h.region: h for h in build(services).health}
    assert health[Region.EU].state == "connected" and health[Region.EU].last_sync == datetime(
        2025, 5, 14, 5, 0, tzinfo=UTC
    )
    assert not health[Region.EU].stale
    assert health[Region.NA].state == "reconnect_needed"
    assert (health[Region.NA].reconnect_url or "").startswith("https://hilal.test/amazon/oauth/start?t=")
    assert health[Region.EU].reconnect_url is None


def test_disconnected_region_is_history_only(services: Services) -> None:
    seed_world(services.engine, na_status=ConnectionStatus.DISCONNECTED)
    vm = build(services)
    assert [r.region for r in vm.regions] == ["eu", "fe"]
    assert {h.region: h.state for h in vm.health}[Region.NA] == "disconnected"
    text = str(render_digest(vm))
    assert "history only" in text


def test_data_older_than_expected_is_flagged(services: Services) -> None:
    eu = seed.connection(services.engine, "eu", last_success_at=datetime(2025, 5, 13, 20, 0, tzinfo=UTC))
    seed.profile(
        services.engine,
        eu,
        region="eu",
        country="DE",
        currency="EUR",
        timezone="Europe/Paris",
        profile_id="1",
    )
    health = build(services).health
    assert [(h.region, h.stale) for h in health] == [("eu", True)]  # synced before the Paris day ended


def test_region_scope_and_chart_series(services: Services) -> None:
    seed_world(services.engine)
    built = build_digest(
        services, scope=DigestScope(team_id=seed.TEAM, regions=("eu",), timezone="Europe/Berlin"), now=NOW
    )
    assert [r.region for r in built.vm.regions] == ["eu"]
    eur = next(s for s in built.chart if s.currency == "EUR")
    assert len(eur.days) == 14 and eur.days[-1] == D13
    assert eur.spend[-1] == Decimal("150.50") and eur.spend[-2] == Decimal("100.00")
    loaded = [day for day in eur.spend if day is not None]
    assert len(loaded) == 14 and sum(loaded, Decimal(0)) == Decimal("550.50")
    assert [s.currency for s in built.chart] == ["EUR", "GBP"]


@pytest.mark.parametrize(("count", "folded"), [(1, False), (12, True), (40, True)])
def test_limits_hold_for_large_workspaces(services: Services, count: int, folded: bool) -> None:
    eu = seed.connection(services.engine, "eu", last_success_at=SYNCED)
    for i in range(count):
        pk = seed.profile(
            services.engine,
            eu,
            region="eu",
            country="DE",
            currency="EUR",
            timezone="Europe/Paris",
            profile_id=str(100 + i),
            account=f"Account {i} " + "x" * 60,
        )
        for c in range(7):
            seed.campaign(services.engine, pk, str(c), f"Campaign {c} " + "&<>" * 20)
            seed.metric(
                services.engine,
                pk,
                str(c),
                D13,
                currency="EUR",
                cost=f"{c + 1}.00",
                sales="9.00",
                budget="1.00",
            )
    messages = render_digest(build(services))
    for msg in messages:
        assert check_message(msg) == []
    assert (len(messages) > 1) == folded  # the rest goes to the thread, each part within the limits
    assert len([b for m in messages for b in m["blocks"] if "Account" in str(b)]) >= count
