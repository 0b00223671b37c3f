"""Tokens: shared between processes, refreshed on expiry and on 401, and invalid_grant told once."""

from __future__ import annotations

from sqlmodel import col, select

from bot.jobs.tick import run_sync_tick
from bot.services.connections import access_token_context
from bot.services.sync import run_sync
from storage.db import session_scope
from storage.models import Campaign, DigestSubscription, SyncRun
from tests.sync.world import World


def _refreshes(world: World) -> int:
    return sum(
        1
        for r in world.sim.requests
        if r.path.endswith("/auth/o2/token") and b"grant_type=refresh_token" in r.body
    )


def test_processes_share_one_access_token_stored_encrypted(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    assert _refreshes(world) == 1
    conn = world.connection(conn_id)
    assert conn.access_token_enc is not None and "Atza" not in conn.access_token_enc
    token = world.services.cipher.decrypt(conn.access_token_enc, access_token_context(conn))
    assert token.startswith("Atza|")

    other = world.new_process()
    world.clock.advance(minutes=30)
    assert run_sync(other, connection_id=conn_id, kind="active").status == "success"

    assert _refreshes(world) == 1  # the second process reused the stored token


def test_an_expired_access_token_is_refreshed_before_use(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    world.clock.advance(hours=2)

    assert run_sync(world.new_process(), connection_id=conn_id, kind="active").status == "success"

    assert _refreshes(world) == 2
    expires = world.connection(conn_id).access_token_expires_at
    assert expires is not None and expires > world.clock.now


def test_a_401_refreshes_once_and_the_sync_carries_on(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    world.sim.faults.add("sp/campaigns/list", kind="401", times=1)
    world.clock.advance(minutes=10)

    outcome = run_sync(world.new_process(), connection_id=conn_id, kind="active")

    assert outcome.status == "success"
    assert _refreshes(world) == 2
    world.assert_matches_truth(conn_id)


def test_invalid_grant_stops_syncs_keeps_data_and_tells_the_team_once(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    run_sync(world.services, connection_id=conn_id, kind="initial")
    with session_scope(world.engine) as s:
        s.add(
            DigestSubscription(
                team_id="T0DEMO",
                channel_id="C0PPC",
                subscriber_id="U0ADMIN",
                timezone="Europe/Berlin",
                regions="na,eu",
            )
        )
        s.add(
            DigestSubscription(
                team_id="T0DEMO",
                channel_id="C0GENERAL",
                subscriber_id="U0ADMIN",
                timezone="Europe/Berlin",
                regions="fe",
            )
        )
        campaigns = len(s.exec(select(Campaign)).all())
    world.sim.revoke_grant(user_id="acme")
    world.clock.advance(hours=2)  # the access token expired: the next call must refresh

    outcome = run_sync(world.services, connection_id=conn_id, kind="active")
    again = run_sync(world.new_process(), connection_id=conn_id, kind="manual")
    world.clock.advance(hours=3)
    picked = run_sync_tick(world.services, now=world.clock.now)

    assert outcome.status == "reconnect_needed"
    assert again.status == "not_connected" and picked == []
    conn = world.connection(conn_id)
    assert conn.status == "reconnect_needed" and conn.access_token_enc is None
    dm, post = world.slack.messages("D0ADMIN"), world.slack.messages("C0PPC")
    assert len(dm) == 1 and len(post) == 1 and world.slack.messages("C0GENERAL") == []
    assert "reconnected" in dm[0].text and "kept" in dm[0].text
    button = dm[0].blocks[-1]["elements"][0]
    assert button["text"]["text"] == "Reconnect" and "/amazon/oauth/start?t=" in button["url"]
    with session_scope(world.engine, readonly=True) as s:
        assert len(s.exec(select(Campaign)).all()) == campaigns
        runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
    assert runs == [("initial", "success"), ("active", "reconnect_needed")]
