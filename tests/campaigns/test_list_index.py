"""The campaign list's two roads give the same pages: the rollup's ordered indexes (fresh) and the live
sums (stale), on SQLite and PostgreSQL, for every sort, many filters and every page, ties included."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.services.campaigns import (
    CampaignFilter,
    ensure_window,
    list_campaigns,
    metrics_window,
    page_query,
    refresh_window_quietly,
    window_state,
)
from storage.db import session_scope
from storage.models import Campaign, Profile, Tag
from storage.repositories.campaign_list import page_statement
from storage.repositories.campaign_window import list_state, window_rows, write_window
from storage.repositories.sync import upsert_entities

from .seed import NOW, TODAY, add_campaign, add_metric, seed_profiles

TEAM = "T1"
WORDS = ("Brand", "brand", "Generic", "Launch", "Shoes", "Ünïcode", "100%_off", "1000 off")
FILTERS = [
    CampaignFilter(),
    CampaignFilter(sort="name"),
    CampaignFilter(sort="acos"),
    CampaignFilter(regions=("eu",)),
    CampaignFilter(regions=("eu", "fe"), sort="acos"),
    CampaignFilter(marketplaces=("DE", "JP"), sort="name"),
    CampaignFilter(states=("paused", "archived")),
    CampaignFilter(tags=("launch",)),
    CampaignFilter(tags=("launch", "q4"), states=("enabled",), sort="name"),
    CampaignFilter(search="brand"),
    CampaignFilter(search="100%_"),
    CampaignFilter(regions=("na",), states=("paused",), search="shoes", sort="acos"),
]


@pytest.fixture
def many(engine: Engine) -> Engine:
    """120 campaigns over four marketplaces; spends and names repeat, so every tie-breaker matters."""
    rnd = random.Random(11)
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE", "FR", "US", "JP"))
        profiles = list(p.values())
        for i in range(120):
            profile = profiles[i % 4]
            name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i % 17}"
            state = rnd.choice(("enabled", "ENABLED", "paused", "archived"))
            campaign = add_campaign(s, profile, name=name, state=state)
            assert campaign.id is not None
            for day in range(rnd.randrange(0, 4)):
                cost = rnd.choice(("0", "5.00", "12.50", "12.50"))
                sales = rnd.choice(("0", "25.00", "50.00"))
                add_metric(s, campaign, profile, day=TODAY - timedelta(days=1 + day), cost=cost, sales=sales)
            for tag in ("launch", "q4"):
                if rnd.random() < 0.3:
                    s.add(Tag(team_id=TEAM, campaign_pk=campaign.id, tag=tag, created_by="U1"))
    return engine


def _all_pages(engine: Engine, flt: CampaignFilter) -> list[tuple[str, Decimal, Decimal, int]]:
    seen, offset = [], 0
    while True:
        with session_scope(engine, readonly=True) as s:
            page = list_campaigns(s, team_id=TEAM, filter=flt, offset=offset, limit=7, today=TODAY)
        seen += [(r.name, r.spend_7d, r.sales_7d, page.total) for r in page.rows]
        offset += 7
        if offset >= page.total:
            return seen


def test_indexed_pages_equal_live_pages_for_every_sort_filter_and_page(many: Engine) -> None:
    with session_scope(many, readonly=True) as s:
        assert not window_state(s, team_id=TEAM, today=TODAY).fresh
    live = [_all_pages(many, flt) for flt in FILTERS]
    assert ensure_window(many, team_id=TEAM, today=TODAY)
    with session_scope(many, readonly=True) as s:
        assert window_state(s, team_id=TEAM, today=TODAY).fresh
    indexed = [_all_pages(many, flt) for flt in FILTERS]
    assert indexed == live
    assert all(len({total for *_, total in pages}) <= 1 for pages in live)
    assert len(live[0]) == 120
    assert live[10] and all("100%_" in name for name, *_ in live[10])  # % and _ are literal in a search


def test_an_entity_change_makes_the_rollup_stale_until_it_is_rebuilt(many: Engine) -> None:
    ensure_window(many, team_id=TEAM, today=TODAY)
    with session_scope(many) as s:  # a sync renames a campaign, through the sync's own write path
        campaign = s.exec(select(Campaign).order_by(Campaign.id)).first()  # type: ignore[arg-type]
        assert campaign is not None
        row = campaign.model_dump(exclude={"id"}) | {"name": "Zeppelin renamed", "updated_at": NOW}
        upsert_entities(s, kind="campaigns", rows=[row], now=NOW)
    with session_scope(many, readonly=True) as s:
        assert not window_state(s, team_id=TEAM, today=TODAY).fresh
    assert [name for name, *_ in _all_pages(many, CampaignFilter(search="zeppelin"))] == ["Zeppelin renamed"]
    assert ensure_window(many, team_id=TEAM, today=TODAY)
    with session_scope(many, readonly=True) as s:
        assert window_state(s, team_id=TEAM, today=TODAY).fresh  # so the next search reads the index
    assert [name for name, *_ in _all_pages(many, CampaignFilter(search="zeppelin"))] == ["Zeppelin renamed"]


def test_deselected_and_removed_profiles_leave_the_indexed_list(many: Engine) -> None:
    ensure_window(many, team_id=TEAM, today=TODAY)
    with session_scope(many) as s:
        de = s.exec(select(Profile).where(Profile.country_code == "DE")).one()
        fr = s.exec(select(Profile).where(Profile.country_code == "FR")).one()
        de.selected, fr.removed_at = False, NOW  # unticked; gone from the Amazon account
        s.add_all([de, fr])
    with session_scope(many, readonly=True) as s:
        # profiles are read live, not from the rollup: it stays fresh and the list still changes
        assert window_state(s, team_id=TEAM, today=TODAY).fresh
        page = list_campaigns(s, team_id=TEAM, filter=CampaignFilter(), offset=0, limit=200, today=TODAY)
    assert page.total == 60 and {r.country_code for r in page.rows} == {"US", "JP"}


def test_the_default_page_walks_the_spend_index_without_sorting(many: Engine) -> None:
    if many.dialect.name != "sqlite":
        pytest.skip("the plan check reads SQLite's EXPLAIN QUERY PLAN")
    ensure_window(many, team_id=TEAM, today=TODAY)
    stmt, values = page_statement(
        page_query(CampaignFilter(), team_id=TEAM, today=TODAY, use_window=True), offset=0, limit=20
    )
    sql = str(stmt.params(values).compile(dialect=many.dialect, compile_kwargs={"literal_binds": True}))
    with session_scope(many, readonly=True) as s:
        plan = [row[3] for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    inner = plan[: plan.index("SCAN page")]  # finding the page, before its 20 rows are joined
    assert any("ix_campaign_window_metric_spend" in step for step in inner)
    assert not any("TEMP B-TREE" in step for step in inner)


def test_a_large_rebuild_on_postgresql_leaves_statistics_that_know_the_new_rows(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's planner walks the ordered indexes without statistics (checked above)")
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE",))
        s.connection().exec_driver_sql(
            "INSERT INTO campaign (profile_pk, team_id, campaign_id, ad_product, name, state, updated_at)"
            " SELECT %(pk)s, %(team)s, (10000000 + n)::text, 'SP', 'C ' || n, 'enabled', now()"
            " FROM generate_series(1, 6000) AS n",
            {"pk": p["DE"].id, "team": TEAM},
        )
    assert ensure_window(engine, team_id=TEAM, today=TODAY)
    with session_scope(engine, readonly=True) as s:
        estimate = s.connection().exec_driver_sql(
            "SELECT reltuples FROM pg_class WHERE relname = 'campaign_window_metric'"
        )
        assert estimate.scalar_one() >= 6000


def test_a_slow_refresh_with_older_data_does_not_overwrite_a_newer_one(many: Engine) -> None:
    start, end = metrics_window(TODAY)
    with session_scope(many, readonly=True) as s:  # a refresh reads, then stalls before writing
        stale_version = list_state(s, team_id=TEAM, window_end=end).version
        stale_rows = window_rows(s, team_id=TEAM, start=start, end=end)
    with session_scope(many) as s:  # meanwhile a sync renames a campaign and refreshes the list
        campaign = s.exec(select(Campaign).order_by(Campaign.id)).first()  # type: ignore[arg-type]
        assert campaign is not None
        row = campaign.model_dump(exclude={"id"}) | {"name": "Zeppelin renamed", "updated_at": NOW}
        upsert_entities(s, kind="campaigns", rows=[row], now=NOW)
    assert ensure_window(many, team_id=TEAM, today=TODAY)
    with session_scope(many) as s:  # the stalled refresh wakes up with its older rows
        wrote = write_window(s, team_id=TEAM, rows=stale_rows, window_end=end, version=stale_version)
    assert wrote is False
    with session_scope(many, readonly=True) as s:
        assert window_state(s, team_id=TEAM, today=TODAY).fresh
    assert [name for name, *_ in _all_pages(many, CampaignFilter(search="zeppelin"))] == ["Zeppelin renamed"]


def test_a_failed_refresh_is_logged_and_the_list_stays_on_its_live_road(
    sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with session_scope(sqlite_engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE",))
        add_campaign(s, p["DE"], name="Brand - Exact")
    with sqlite_engine.begin() as conn:  # the refresh's write will fail
        conn.exec_driver_sql("DROP TABLE campaign_window_metric")
    with caplog.at_level(logging.WARNING, logger="bot.services.campaigns.listing"):
        assert refresh_window_quietly(sqlite_engine, team_id=TEAM, today=TODAY) is False
    assert [r.getMessage() for r in caplog.records] == ["campaigns.rollup_refresh_failed"]
    with session_scope(sqlite_engine, readonly=True) as s:
        assert not window_state(s, team_id=TEAM, today=TODAY).fresh
        page = list_campaigns(s, team_id=TEAM, filter=CampaignFilter(), offset=0, limit=20, today=TODAY)
    assert [r.name for r in page.rows] == ["Brand - Exact"]
