"""`hilal purge`: counts what it will delete, deletes only that team's region, audits it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from storage.db import session_scope
from storage.models import (
    AuditEvent,
    Campaign,
    CampaignDailyMetric,
    CampaignWindowMetric,
    Connection,
    Note,
    Profile,
    Tag,
)
from storage.purge import execute_purge, plan_purge
from storage.repositories.campaign_window import list_state, window_rows, write_window


def _seed(engine, team, region):
    with session_scope(engine) as s:
        conn = Connection(team_id=team, region=region)
        s.add(conn)
        s.flush()
        assert conn.id is not None
        p = Profile(
            connection_id=conn.id,
            team_id=team,
            region=region,
            profile_id="1",
            country_code="DE",
            currency_code="EUR",
            timezone="Europe/Berlin",
        )
        s.add(p)
        s.flush()
        assert p.id is not None
        c = Campaign(profile_pk=p.id, team_id=team, campaign_id="7", name="Summer", state="ENABLED")
        s.add(c)
        s.flush()
        assert c.id is not None
        s.add(Tag(team_id=team, campaign_pk=c.id, tag="launch", created_by="U1"))
        s.add(Note(team_id=team, campaign_pk=c.id, author_id="U1", text="watch bids"))
        s.add(
            CampaignDailyMetric(
                profile_pk=p.id,
                campaign_id="7",
                date=date(2026, 3, 1),
                currency="EUR",
                cost=Decimal("1.00"),
                sales=Decimal("2.00"),
            )
        )


def test_purge_counts_then_deletes_only_that_region(engine):
    _seed(engine, "T1", "eu")
    _seed(engine, "T1", "fe")
    _seed(engine, "T2", "eu")
    plan = plan_purge(engine, team_id="T1", region="eu")
    assert plan.counts["campaign"] == 1 and plan.counts["tag"] == 1
    assert plan.counts["campaign_daily_metric"] == 1
    execute_purge(engine, plan, actor="cli:test")
    with session_scope(engine, readonly=True) as s:
        left = sorted((c.team_id, c.region) for c in s.exec(select(Connection)).all())
        assert left == [("T1", "fe"), ("T2", "eu")]
        assert len(s.exec(select(Campaign)).all()) == 2 and len(s.exec(select(Tag)).all()) == 2
        (audit,) = s.exec(select(AuditEvent).where(AuditEvent.action == "region.purged")).all()
    assert audit.team_id == "T1" and '"campaign": 1' in audit.detail_json


def test_purge_drops_the_teams_campaign_list_rollup_and_leaves_other_teams(engine):
    for team, region in (("T1", "eu"), ("T1", "fe"), ("T2", "eu")):
        _seed(engine, team, region)
    week = {"start": date(2026, 3, 1), "end": date(2026, 3, 7)}
    with session_scope(engine) as s:
        for team in ("T1", "T2"):
            rows = window_rows(s, team_id=team, **week)
            assert write_window(s, team_id=team, rows=rows, window_end=week["end"], version=0)
    execute_purge(engine, plan_purge(engine, team_id="T1", region="eu"), actor="cli:test")
    with session_scope(engine, readonly=True) as s:
        teams = [row.team_id for row in s.exec(select(CampaignWindowMetric)).all()]
        state = list_state(s, team_id="T1", window_end=date(2026, 3, 7))
    assert teams == ["T2"]  # T1's fe campaign is listed again once the next view or sync rebuilds
    assert not state.fresh


def test_nothing_to_purge_is_an_empty_plan(engine):
    assert plan_purge(engine, team_id="T9", region="na").empty
