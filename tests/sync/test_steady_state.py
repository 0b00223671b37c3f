"""Steady state: only changes are written, archived is not deleted, vanished is marked, ids survive."""

from __future__ import annotations

from sqlmodel import col, select

from bot.services.campaigns import CampaignFilter, list_campaigns, metrics_window
from bot.services.sync import run_sync
from sandbox.slack import DEMO_TEAM
from storage.db import session_scope
from storage.models import AdGroup, Campaign, Keyword, Note, Tag
from storage.repositories.campaign_window import ListState, list_state
from tests.sync.world import World, change_campaign, shrink_account


def _snapshot(world: World) -> dict[tuple[str, int], object]:
    seen: dict[tuple[str, int], object] = {}
    with session_scope(world.engine, readonly=True) as s:
        for model in (Campaign, AdGroup, Keyword):
            for pk, stamp in s.exec(select(col(model.id), col(model.updated_at))).all():
                assert pk is not None
                seen[(model.__name__, pk)] = stamp
    return seen


def _list(world: World, team_id: str) -> tuple[ListState, list[str]]:
    """The campaign list's rollup state and every name it lists, as a user would see them."""
    today = world.services.now().date()
    with session_scope(world.engine, readonly=True) as s:
        state = list_state(s, team_id=team_id, window_end=metrics_window(today)[1])
        page = list_campaigns(s, team_id=team_id, filter=CampaignFilter(), offset=0, limit=500, today=today)
    assert len(page.rows) == page.total  # the whole list, so "not listed" means not listed at all
    return state, [row.name for row in page.rows]


def test_a_steady_state_sync_with_nothing_changed_rewrites_nothing(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
    before = _snapshot(world)
    built, _names = _list(world, DEMO_TEAM)
    assert built.fresh  # the sync rebuilt the campaign list's rollup as it finished
    world.clock.advance(hours=1)

    active = run_sync(world.services, connection_id=conn_id, kind="active")
    archived = run_sync(world.services, connection_id=conn_id, kind="archived")

    assert active.status == archived.status == "success"
    assert active.counts["campaigns"] > 0
    assert _snapshot(world) == before
    world.assert_matches_truth(conn_id)
    state, _names = _list(world, DEMO_TEAM)
    assert state.fresh and state.version == built.version


def test_changes_upstream_reach_the_database_and_archived_entities_are_not_removed(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    profile = world.profiles(conn_id)[0]
    renamed = change_campaign(
        world.sim, profile.profile_id, 0, name="Garlic Press - Exact (new)", state="ENABLED"
    )
    archived = change_campaign(world.sim, profile.profile_id, 1, state="ARCHIVED")
    world.clock.advance(hours=1)

    outcome = run_sync(world.services, connection_id=conn_id, kind="active")

    assert outcome.status == "success"
    campaigns = world.campaigns(profile.id or 0)
    assert campaigns[renamed].name == "Garlic Press - Exact (new)"
    assert campaigns[archived].state == "ARCHIVED" and campaigns[archived].removed_at is None
    world.assert_matches_truth(conn_id, metrics=False)  # Amazon's history moved with the state change
    state, names = _list(world, DEMO_TEAM)
    assert state.fresh and "Garlic Press - Exact (new)" in names


def test_entities_that_vanish_upstream_are_marked_not_deleted(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    profile = world.profiles(conn_id)[0]
    before = world.campaigns(profile.id or 0, live=False)
    shrink_account(world.sim, profile.profile_id, campaigns=4)
    world.clock.advance(hours=2)

    outcome = run_sync(world.services, connection_id=conn_id, kind="manual")

    assert outcome.status == "success"
    after = world.campaigns(profile.id or 0, live=False)
    assert set(after) == set(before)  # nothing deleted
    gone = {cid for cid, c in after.items() if c.removed_at is not None}
    assert len(gone) == 2 and gone.isdisjoint(world.campaigns(profile.id or 0))
    assert outcome.counts["removed"] > 2  # the campaigns and their ad groups and keywords
    world.assert_matches_truth(conn_id, metrics=False)
    state, names = _list(world, DEMO_TEAM)
    assert state.fresh and not {after[cid].name for cid in gone} & set(names)


def test_a_reconnect_keeps_every_internal_id_and_the_teams_tags_and_notes(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    profile = world.profiles(conn_id)[0]
    campaign = next(iter(world.campaigns(profile.id or 0).values()))
    with session_scope(world.engine) as s:
        s.add(Tag(team_id="T0DEMO", campaign_pk=campaign.id or 0, tag="hero", created_by="U0ADMIN"))
        s.add(
            Note(
                team_id="T0DEMO", campaign_pk=campaign.id or 0, author_id="U0ADMIN", text="Raise bids in May"
            )
        )
    ids_before = _snapshot(world).keys()
    world.sim.revoke_grant(user_id="acme")

    assert run_sync(world.services, connection_id=conn_id, kind="active").status == "reconnect_needed"
    assert world.connect() == conn_id  # the same connection row, reused
    outcome = run_sync(world.services, connection_id=conn_id, kind="manual")

    assert outcome.status == "success"
    assert _snapshot(world).keys() == ids_before
    assert world.profiles(conn_id)[0].id == profile.id
    with session_scope(world.engine, readonly=True) as s:
        assert [t.tag for t in s.exec(select(Tag)).all()] == ["hero"]
        assert [n.text for n in s.exec(select(Note)).all()] == ["Raise bids in May"]
        stored = s.get(Campaign, campaign.id)
        assert stored is not None and stored.campaign_id == campaign.campaign_id
    world.assert_matches_truth(conn_id)
