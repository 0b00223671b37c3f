"""The campaign list service against SQLite and PostgreSQL: filters, sorting, money, paging, isolation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.format import format_amount, format_budget, format_pct
from bot.services.campaigns import CampaignFilter, build_campaign_page_vm, ensure_window, list_campaigns
from bot.viewmodels import Money
from storage.db import session_scope
from storage.models import Campaign, Connection, ConnectionStatus, Tag
from storage.repositories.sync import upsert_campaign_metrics

from .seed import NOW, TODAY, add_campaign, add_metric, seed_profiles

TEAM, OTHER = "T1", "T2"


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """T1: DE (EUR), FR (EUR), US (USD), JP (JPY); T2 has a look-alike campaign that must never show."""
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE", "FR", "US", "JP"))
        brand = add_campaign(s, p["DE"], name="Brand - Exact")
        add_metric(s, brand, p["DE"], day=TODAY - timedelta(days=1), cost="100.10", sales="400.00")
        add_metric(s, brand, p["DE"], day=TODAY - timedelta(days=7), cost="20.00", sales="0")
        add_metric(s, brand, p["DE"], day=TODAY - timedelta(days=8), cost="999.00")  # outside the window
        add_metric(s, brand, p["DE"], day=TODAY, cost="999.00")  # today is not counted yet
        generic = add_campaign(s, p["FR"], name="Generic broad", state="paused")
        add_metric(s, generic, p["FR"], day=TODAY - timedelta(days=2), cost="50.00", sales="50.00")
        us = add_campaign(s, p["US"], name="Summer launch", ad_product="SB")
        add_metric(s, us, p["US"], day=TODAY - timedelta(days=3), cost="75.5", sales="1000")
        add_campaign(s, p["JP"], name="Brand JP", state="archived", budget=Decimal("3000"))
        assert us.id is not None
        s.add(Tag(team_id=TEAM, campaign_pk=us.id, tag="launch", created_by="U1"))
        q = seed_profiles(s, team_id=OTHER, countries=("DE",))
        add_campaign(s, q["DE"], name="Brand - Exact (other team)")
    return engine


def _names(
    engine: Engine, flt: CampaignFilter, *, team: str = TEAM, offset: int = 0, limit: int = 20
) -> list[str]:
    with session_scope(engine, readonly=True) as s:
        page = list_campaigns(s, team_id=team, filter=flt, offset=offset, limit=limit, today=TODAY)
    return [row.name for row in page.rows]


def test_default_sort_is_seven_day_spend_in_each_campaigns_own_currency(seeded: Engine) -> None:
    with session_scope(seeded, readonly=True) as s:
        page = list_campaigns(s, team_id=TEAM, filter=CampaignFilter(), offset=0, limit=20, today=TODAY)
    # grouped by currency (EUR has the most campaigns; JPY and USD one each, by code), spend within each
    assert [r.name for r in page.rows] == ["Brand - Exact", "Generic broad", "Brand JP", "Summer launch"]
    brand = page.rows[0]
    assert (brand.spend_7d, brand.sales_7d, brand.currency) == (Decimal("120.10"), Decimal("400.00"), "EUR")
    assert page.rows[3].currency == "USD" and page.total == 4


def test_other_sorts(seeded: Engine) -> None:
    assert _names(seeded, CampaignFilter(sort="name")) == [
        "Brand - Exact",
        "Brand JP",
        "Generic broad",
        "Summer launch",
    ]
    # ACOS, highest first; campaigns without sales last
    assert _names(seeded, CampaignFilter(sort="acos")) == [
        "Generic broad",
        "Brand - Exact",
        "Summer launch",
        "Brand JP",
    ]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (CampaignFilter(regions=("eu",)), {"Brand - Exact", "Generic broad"}),
        (CampaignFilter(regions=("eu", "fe")), {"Brand - Exact", "Generic broad", "Brand JP"}),
        (CampaignFilter(regions=("eu",), marketplaces=("FR",)), {"Generic broad"}),
        (CampaignFilter(marketplaces=("US", "JP")), {"Summer launch", "Brand JP"}),
        (CampaignFilter(states=("paused", "archived")), {"Generic broad", "Brand JP"}),
        (CampaignFilter(tags=("launch",)), {"Summer launch"}),
        (CampaignFilter(search="brand"), {"Brand - Exact", "Brand JP"}),
        (CampaignFilter(search="BRAND", regions=("fe",)), {"Brand JP"}),
        (CampaignFilter(search="100%_"), set()),
        (CampaignFilter(regions=("na",), states=("paused",)), set()),
    ],
)
def test_filter_combinations(seeded: Engine, flt: CampaignFilter, expected: set[str]) -> None:
    assert set(_names(seeded, flt)) == expected


def test_two_workspaces_never_see_each_others_campaigns(seeded: Engine) -> None:
    assert _names(seeded, CampaignFilter(), team=OTHER) == ["Brand - Exact (other team)"]
    assert "Brand - Exact (other team)" not in _names(seeded, CampaignFilter(search="other"))
    assert _names(seeded, CampaignFilter(), team="T-nobody") == []


def test_disconnected_region_stays_listed_and_is_marked_stale(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        eu = s.exec(select(Connection).where(Connection.team_id == TEAM, Connection.region == "eu")).one()
        eu.status, eu.refresh_token_enc = ConnectionStatus.DISCONNECTED, None
        s.add(eu)
    with session_scope(seeded, readonly=True) as s:
        page = list_campaigns(s, team_id=TEAM, filter=CampaignFilter(), offset=0, limit=20, today=TODAY)
    stale = {r.name: r.stale for r in page.rows}
    assert stale == {"Brand - Exact": True, "Generic broad": True, "Summer launch": False, "Brand JP": False}


@pytest.mark.parametrize(
    ("count", "offset", "expected_rows", "expected_offset"),
    [
        (0, 0, 0, 0),
        (1, 0, 1, 0),
        (5, 0, 5, 0),  # exactly one page
        (12, 5, 5, 5),
        (12, 10, 2, 10),  # last, partial page
        (12, 40, 2, 10),  # past the end: the last page instead
    ],
)
def test_paging_boundaries(
    engine: Engine, count: int, offset: int, expected_rows: int, expected_offset: int
) -> None:
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("UK",))
        for i in range(count):
            add_campaign(s, p["UK"], name=f"C{i:02d}")
    with session_scope(engine, readonly=True) as s:
        page = list_campaigns(
            s, team_id=TEAM, filter=CampaignFilter(sort="name"), offset=offset, limit=5, today=TODAY
        )
    assert (len(page.rows), page.total, page.offset) == (expected_rows, count, expected_offset)
    if page.rows:
        assert page.rows[0].name == f"C{expected_offset:02d}"


def test_page_view_model_formats_money_exactly_and_offers_marketplaces_of_chosen_regions(
    seeded: Engine,
) -> None:
    with session_scope(seeded, readonly=True) as s:
        vm = build_campaign_page_vm(
            s, team_id=TEAM, filter=CampaignFilter(regions=("eu", "fe")), offset=0, limit=20, now=NOW
        )
    rows = {r.name: r for r in vm.rows}
    brand, jp = rows["Brand - Exact"], rows["Brand JP"]
    assert brand.spend_7d == Money(Decimal("120.10"), "EUR")  # amounts; the renderer formats them
    assert (format_amount(brand.spend_7d), format_amount(brand.sales_7d)) == ("€120.10", "€400.00")
    assert format_pct(brand.acos_7d) == "30.0%"
    assert format_budget(brand.budget, brand.budget_type) == "€50.00 / day"
    assert format_budget(jp.budget, jp.budget_type) == "¥3,000 / day" and format_pct(jp.acos_7d) == "—"
    assert list(vm.marketplace_options) == ["DE", "FR", "JP"]
    assert vm.tag_options == ["launch"]
    assert vm.synced_at == NOW


ALL_FILTERS = [
    CampaignFilter(),
    CampaignFilter(sort="acos"),
    CampaignFilter(sort="name", regions=("eu", "na")),
    CampaignFilter(tags=("launch",)),
    CampaignFilter(states=("paused",), search="generic"),
]


def _page(engine: Engine, flt: CampaignFilter) -> list[tuple[str, Decimal, Decimal]]:
    with session_scope(engine, readonly=True) as s:
        page = list_campaigns(s, team_id=TEAM, filter=flt, offset=0, limit=20, today=TODAY)
    return [(r.name, r.spend_7d, r.sales_7d) for r in page.rows]


def test_rollup_gives_the_same_pages_and_goes_stale_after_a_sync(seeded: Engine) -> None:
    live = [_page(seeded, flt) for flt in ALL_FILTERS]
    assert ensure_window(seeded, team_id=TEAM, today=TODAY) is True
    assert ensure_window(seeded, team_id=TEAM, today=TODAY) is False  # fresh: nothing to do
    assert ensure_window(seeded, team_id=OTHER, today=TODAY) is True
    assert [_page(seeded, flt) for flt in ALL_FILTERS] == live
    # a report brings new spend, written the way the sync writes it: the list must not show the old rollup
    with session_scope(seeded) as s:
        generic = s.exec(select(Campaign).where(Campaign.name == "Generic broad")).one()
        row = {"profile_pk": generic.profile_pk, "campaign_id": generic.campaign_id, "currency": "EUR"}
        row |= {"date": TODAY - timedelta(days=1), "cost": Decimal("500.00"), "sales": Decimal("0")}
        row |= {"impressions": 0, "clicks": 0, "orders": 0, "units": 0, "budget": None, "updated_at": NOW}
        upsert_campaign_metrics(s, rows=[row], now=NOW)
    assert _page(seeded, CampaignFilter())[0] == ("Generic broad", Decimal("550.00"), Decimal("50.00"))
    assert ensure_window(seeded, team_id=TEAM, today=TODAY) is True
    assert _page(seeded, CampaignFilter())[0] == ("Generic broad", Decimal("550.00"), Decimal("50.00"))
    # the next day the window moves
    assert ensure_window(seeded, team_id=TEAM, today=TODAY + timedelta(days=1)) is True
