"""Saved views (names, visibility, exact round trip), remembered filters, tags and notes across reconnects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.format import format_amount
from bot.errors import Conflict, NotAllowed, NotFound, UsageError
from bot.services.campaigns import (
    AmbiguousCampaign,
    CampaignFilter,
    add_note,
    build_detail_vm,
    delete_view,
    find_view,
    list_campaigns,
    list_views,
    load_user_filter,
    parse_campaign_filter,
    parse_tags,
    remember_filter,
    resolve_campaign,
    save_view,
    tag_campaign,
    untag_campaign,
    validate_view_name,
)
from storage.db import session_scope
from storage.models import Campaign, Connection, ConnectionStatus, Note, Tag

from .seed import NOW, TODAY, add_campaign, add_keyword, add_metric, seed_profiles

TEAM = "T1"
ALICE, BOB = "UALICE", "UBOB"


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE", "US"))
        c = add_campaign(s, p["DE"], name="Brand - Exact", campaign_id="555000111")
        add_campaign(s, p["DE"], name="Brand - Broad")
        add_campaign(s, p["US"], name="Brand - Broad")
        add_campaign(s, p["US"], name="Launch Q4")
        add_keyword(
            s, c, p["DE"], text="running shoes", day=TODAY - timedelta(days=1), cost="12.34", sales="40"
        )
        add_metric(s, c, p["DE"], day=TODAY - timedelta(days=1), cost="12.34", sales="40")
        other = seed_profiles(s, team_id="T2", countries=("DE",))
        add_campaign(s, other["DE"], name="Launch Q4")
    return engine


def test_remembered_filter_is_restored(seeded: Engine) -> None:
    flt = parse_campaign_filter('region eu,fe marketplace de state enabled tag launch "summer"')
    with session_scope(seeded) as s:
        assert load_user_filter(s, team_id=TEAM, user_id=ALICE) == CampaignFilter()
        remember_filter(s, team_id=TEAM, user_id=ALICE, filter=flt, now=NOW)
    with session_scope(seeded, readonly=True) as s:
        assert load_user_filter(s, team_id=TEAM, user_id=ALICE) == flt
        assert load_user_filter(s, team_id=TEAM, user_id=BOB) == CampaignFilter()


def test_views_round_trip_their_filters_exactly(seeded: Engine) -> None:
    flt = CampaignFilter.create(
        regions=["fe", "eu"], marketplaces=["jp", "de"], states=["paused"], search="x", sort="acos"
    )
    with session_scope(seeded) as s:
        _view, created = save_view(
            s, team_id=TEAM, user_id=ALICE, name="  EU  brand ", shared=False, filter=flt, now=NOW
        )
        assert created
    with session_scope(seeded, readonly=True) as s:
        view = find_view(s, team_id=TEAM, user_id=ALICE, name="eu BRAND")
        assert view.name == "EU brand"
        assert CampaignFilter.from_json(view.filter_json) == flt


def test_personal_views_are_private_and_shared_views_visible_to_all(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        save_view(s, team_id=TEAM, user_id=ALICE, name="Mine", shared=False, filter=CampaignFilter(), now=NOW)
        save_view(
            s,
            team_id=TEAM,
            user_id=ALICE,
            name="Team EU",
            shared=True,
            filter=CampaignFilter(regions=("eu",)),
            now=NOW,
        )
    with session_scope(seeded, readonly=True) as s:
        assert [v.name for v in list_views(s, team_id=TEAM, user_id=ALICE)] == ["Mine", "Team EU"]
        bobs = list_views(s, team_id=TEAM, user_id=BOB)
        assert [(v.name, v.shared, v.owner) for v in bobs] == [("Team EU", True, ALICE)]
        assert list_views(s, team_id="T2", user_id=ALICE) == []
        with pytest.raises(NotFound):
            find_view(s, team_id=TEAM, user_id=BOB, name="Mine")
    with session_scope(seeded) as s, pytest.raises(NotAllowed):
        delete_view(s, team_id=TEAM, user_id=BOB, name="Team EU")
    with session_scope(seeded) as s, pytest.raises(Conflict):
        save_view(s, team_id=TEAM, user_id=BOB, name="team eu", shared=True, filter=CampaignFilter(), now=NOW)
    with session_scope(seeded) as s:
        assert delete_view(s, team_id=TEAM, user_id=ALICE, name="team eu") == "Team EU"
        _view, created = save_view(
            s, team_id=TEAM, user_id=ALICE, name="MINE", shared=True, filter=CampaignFilter(), now=NOW
        )
        assert not created  # the same name replaces the owner's view


@pytest.mark.parametrize("name", ["", "list", "x" * 81, "-dash first", "emoji 🚀"])
def test_view_name_rules(name: str) -> None:
    with pytest.raises(UsageError):
        validate_view_name(name)


def test_campaign_resolution_by_ids_name_and_prefix(seeded: Engine) -> None:
    with session_scope(seeded, readonly=True) as s:
        exact = resolve_campaign(s, team_id=TEAM, text="brand - exact")
        assert resolve_campaign(s, team_id=TEAM, text="555000111").id == exact.id
        assert resolve_campaign(s, team_id=TEAM, text=str(exact.id)).id == exact.id
        assert resolve_campaign(s, team_id=TEAM, text="Brand - Ex").id == exact.id
        assert resolve_campaign(s, team_id=TEAM, text="launch").name == "Launch Q4"  # not T2's
        with pytest.raises(AmbiguousCampaign) as caught:
            resolve_campaign(s, team_id=TEAM, text="Brand - Broad")
        assert {m.marketplace for m in caught.value.matches} == {"DE", "US"}
        with pytest.raises(NotFound):
            resolve_campaign(s, team_id=TEAM, text="nothing like it")


def test_tags_and_notes_survive_disconnect_reconnect_and_a_sync_rewrite(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        pk = resolve_campaign(s, team_id=TEAM, text="Brand - Exact").id
        assert pk is not None
        assert tag_campaign(
            s, team_id=TEAM, user_id=ALICE, campaign_pk=pk, tags=["launch", "q4"], now=NOW
        ) == ["launch", "q4"]
        assert tag_campaign(s, team_id=TEAM, user_id=BOB, campaign_pk=pk, tags=["launch"], now=NOW) == []
        add_note(s, team_id=TEAM, user_id=BOB, campaign_pk=pk, text="Raised bids", now=NOW)
    for status in (ConnectionStatus.DISCONNECTED, ConnectionStatus.CONNECTED):
        with session_scope(seeded) as s:
            for conn in s.exec(select(Connection).where(Connection.team_id == TEAM)):
                conn.status = status
                s.add(conn)
            campaign = s.get(Campaign, pk)
            assert campaign is not None
            campaign.name, campaign.state = "Brand - Exact (renamed)", "paused"  # what a sync would do
            s.add(campaign)
    with session_scope(seeded, readonly=True) as s:
        page = list_campaigns(
            s, team_id=TEAM, filter=CampaignFilter(tags=("q4",)), offset=0, limit=10, today=TODAY
        )
        assert [(r.pk, r.tags, r.has_note) for r in page.rows] == [(pk, ("launch", "q4"), True)]
        detail = build_detail_vm(s, team_id=TEAM, campaign_pk=pk, now=NOW)
        assert detail is not None and detail.notes[0].author == BOB and detail.notes[0].text == "Raised bids"
        assert [k.text for k in detail.top_keywords] == ["running shoes"]
        assert format_amount(detail.top_keywords[0].spend_7d) == "€12.34" and detail.ad_groups_total == 1
        assert build_detail_vm(s, team_id="T2", campaign_pk=pk, now=NOW) is None
    with session_scope(seeded) as s:
        assert untag_campaign(s, team_id=TEAM, campaign_pk=pk, tags=["q4", "nope"]) == ["q4"]
    with session_scope(seeded, readonly=True) as s:
        assert [t.tag for t in s.exec(select(Tag))] == ["launch"]
        assert len(s.exec(select(Note)).all()) == 1


def test_bad_tags_and_notes_are_usage_errors(seeded: Engine) -> None:
    with pytest.raises(UsageError):
        parse_tags("bad tag!")
    assert parse_tags("Launch, #q4 launch") == ["launch", "q4"]
    with session_scope(seeded) as s:
        pk = resolve_campaign(s, team_id=TEAM, text="Launch Q4").id
        assert pk is not None
        with pytest.raises(UsageError):
            add_note(s, team_id=TEAM, user_id=ALICE, campaign_pk=pk, text="   ", now=NOW)
        with pytest.raises(UsageError):
            add_note(s, team_id=TEAM, user_id=ALICE, campaign_pk=pk, text="x" * 2901, now=NOW)
        with pytest.raises(NotFound):  # another team's campaign id
            tag_campaign(s, team_id="T2", user_id=ALICE, campaign_pk=pk, tags=["x"], now=NOW)
