"""Slack failing while a sync talks to it: the progress message and the reconnect notice (issue 17, Slack).

A sync's Slack calls are a courtesy: a 429 is waited out (`Retry-After`, through the gateway's injected
sleep), a dead token or an unreachable Slack is logged, and the sync itself always ends as it would have,
with its result recorded and its lease handed back.
"""

from __future__ import annotations

import logging

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.services.sync import run_sync
from sandbox.slack import DEMO_BOT_TOKEN
from storage.db import session_scope
from storage.models import Connection, DigestSubscription, SyncRun
from tests.sync.world import World

CHANNEL = "C0PPC"
DEAD_TOKEN_METHODS = ("chat.update", "chat.postMessage", "conversations.open")


def _progress_message(world: World) -> tuple[str, str]:
    """The "Starting the first sync…" message a sync updates as it goes."""
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=world.slack.api_url, retry_handlers=[])
    return CHANNEL, str(client.chat_postMessage(channel=CHANNEL, text="Starting the first sync…")["ts"])


def _recorded(world: World, conn_id: int) -> tuple[list[tuple[str, str]], Connection]:
    with session_scope(world.engine, readonly=True) as s:
        runs = [(r.kind, r.status) for r in s.exec(select(SyncRun).order_by(col(SyncRun.id))).all()]
        conn = s.get(Connection, conn_id)
    assert conn is not None
    assert conn.lease_owner is None and conn.lease_expires_at is None  # the lease was handed back
    return runs, conn


def _assert_initial_sync_succeeded(world: World, conn_id: int) -> None:
    """The one initial run succeeded with no error, the lease was handed back, and the data is Amazon's."""
    runs, conn = _recorded(world, conn_id)
    assert runs == [("initial", "success")] and conn.last_error is None
    world.assert_matches_truth(conn_id)


def _ended_with_grant_revoked(world: World) -> int:
    """A connected, synced region with a digest in #ppc whose Amazon grant was just revoked."""
    world.seed()
    conn_id = world.connect()
    assert run_sync(world.services, connection_id=conn_id, kind="initial").status == "success"
    with session_scope(world.engine) as s:
        s.add(
            DigestSubscription(
                team_id="T0DEMO",
                channel_id=CHANNEL,
                subscriber_id="U0ADMIN",
                timezone="Europe/Berlin",
                regions="na",
            )
        )
    world.sim.revoke_grant(user_id="acme")
    world.clock.advance(hours=2)  # the access token expired: the next call refreshes and is refused
    return conn_id


def _never(seconds: float) -> None:
    raise AssertionError(f"waited {seconds} s for Slack")


def _logged(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


# 429 ----------------------------------------------------------------------------------------------


def test_a_429_on_the_progress_message_is_waited_out_and_the_sync_is_unaffected(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    progress = _progress_message(world)
    waits: list[float] = []
    world.services.slack.sleep = waits.append
    world.slack.rate_limit("chat.update", retry_after=7, times=2)

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial", progress=progress)

    assert outcome.status == "success"
    assert len(waits) == 2 and all(7 <= w < 8 for w in waits)  # Retry-After + at most 1 s of jitter
    updates = world.slack.calls("chat.update")
    assert [c.status for c in updates[:3]] == [429, 429, 200]  # the first update, retried twice
    assert all(c.ok for c in updates[2:])
    final = world.slack.messages(CHANNEL)[-1]
    assert final.ts == progress[1] and "2 marketplaces" in final.text
    _assert_initial_sync_succeeded(world, conn_id)


def test_a_429_that_does_not_clear_drops_progress_updates_not_the_sync(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.seed()
    conn_id = world.connect()
    progress = _progress_message(world)
    waits: list[float] = []
    world.services.slack.sleep = waits.append
    world.slack.rate_limit("chat.update", retry_after=1, times=1000)

    with caplog.at_level(logging.WARNING):
        outcome = run_sync(world.services, connection_id=conn_id, kind="initial", progress=progress)

    assert outcome.status == "success"
    given_up = _logged(caplog, "sync.progress_update_failed")
    assert given_up and all(r.__dict__["error"] == "ratelimited" for r in given_up)
    assert len(waits) == 3 * len(given_up)  # three retries per update, then it is dropped
    assert len(world.slack.calls("chat.update")) == 4 * len(given_up)
    assert world.slack.messages(CHANNEL)[-1].text == "Starting the first sync…"
    runs, _ = _recorded(world, conn_id)
    assert runs == [("initial", "success")]
    world.assert_matches_truth(conn_id)


def test_a_429_on_the_reconnect_notice_is_waited_out_and_the_notice_lands(world: World) -> None:
    conn_id = _ended_with_grant_revoked(world)
    waits: list[float] = []
    world.services.slack.sleep = waits.append
    world.slack.rate_limit("chat.postMessage", retry_after=3, times=2)

    outcome = run_sync(world.services, connection_id=conn_id, kind="active")

    assert outcome.status == "reconnect_needed"
    assert len(waits) == 2 and all(3 <= w < 4 for w in waits)
    assert len(world.slack.messages("D0ADMIN")) == 1 and len(world.slack.messages(CHANNEL)) == 1
    assert "Reconnect" in str(world.slack.messages(CHANNEL)[0].blocks)
    runs, conn = _recorded(world, conn_id)
    assert runs == [("initial", "success"), ("active", "reconnect_needed")]
    assert conn.status == "reconnect_needed" and conn.reconnect_notified_at is not None


# a dead Slack token -------------------------------------------------------------------------------


def _kill_token(world: World, error: str) -> None:
    if error == "token_revoked":
        world.slack.revoke_token(DEMO_BOT_TOKEN)  # every call answers token_revoked from now on
    else:
        for method in DEAD_TOKEN_METHODS:
            world.slack.fail(method, error=error, times=1000)


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth"])
def test_a_dead_slack_token_during_a_sync_is_logged_and_the_sync_completes(
    world: World, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    world.seed()
    conn_id = world.connect()
    progress = _progress_message(world)
    world.services.slack.sleep = _never  # a dead token is not retried
    _kill_token(world, error)

    with caplog.at_level(logging.WARNING):
        outcome = run_sync(world.services, connection_id=conn_id, kind="initial", progress=progress)

    assert outcome.status == "success"
    assert _logged(caplog, "sync.crashed") == []
    dead = _logged(caplog, "sync.progress_update_failed")
    assert dead and all(r.__dict__["error"] == error for r in dead)
    assert world.slack.messages(CHANNEL)[-1].text == "Starting the first sync…"
    runs, conn = _recorded(world, conn_id)
    assert runs == [("initial", "success")]
    assert conn.last_success_at == world.clock.now and conn.last_error is None
    world.assert_matches_truth(conn_id)


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth"])
def test_a_dead_slack_token_at_the_reconnect_notice_is_logged_and_the_region_still_needs_a_reconnect(
    world: World, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    conn_id = _ended_with_grant_revoked(world)
    world.services.slack.sleep = _never
    _kill_token(world, error)

    with caplog.at_level(logging.WARNING):
        outcome = run_sync(world.services, connection_id=conn_id, kind="active")

    assert outcome.status == "reconnect_needed"
    assert _logged(caplog, "sync.crashed") == []
    assert [r.__dict__["error"] for r in _logged(caplog, "sync.reconnect_dm_failed")] == [error]
    posts = _logged(caplog, "sync.reconnect_post_failed")
    assert [(r.__dict__["channel"], r.__dict__["error"]) for r in posts] == [(CHANNEL, error)]
    assert world.slack.messages("D0ADMIN") == [] and world.slack.messages(CHANNEL) == []
    runs, conn = _recorded(world, conn_id)
    assert runs == [("initial", "success"), ("active", "reconnect_needed")]
    assert conn.status == "reconnect_needed" and conn.reconnect_notified_at is not None


# Slack unreachable --------------------------------------------------------------------------------


def test_slack_unreachable_during_a_sync_is_logged_and_the_sync_completes(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.seed()
    conn_id = world.connect()
    progress = _progress_message(world)
    waits: list[float] = []
    world.services.slack.sleep = waits.append
    world.slack.stop()  # connection refused from now on

    with caplog.at_level(logging.WARNING):
        outcome = run_sync(world.services, connection_id=conn_id, kind="initial", progress=progress)

    assert outcome.status == "success"
    assert _logged(caplog, "sync.crashed") == []
    failed = _logged(caplog, "sync.progress_update_failed")
    assert failed and all(r.__dict__["error"] == "URLError" for r in failed)
    assert len(waits) == 2 * len(failed)  # the gateway's two retries of a refused connection
    _assert_initial_sync_succeeded(world, conn_id)


def test_slack_unreachable_at_the_reconnect_notice_still_records_the_reconnect(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    conn_id = _ended_with_grant_revoked(world)
    world.services.slack.sleep = lambda _seconds: None
    world.slack.stop()

    with caplog.at_level(logging.WARNING):
        outcome = run_sync(world.services, connection_id=conn_id, kind="active")

    assert outcome.status == "reconnect_needed"
    assert _logged(caplog, "sync.crashed") == []
    assert len(_logged(caplog, "sync.reconnect_dm_failed")) == 1
    assert len(_logged(caplog, "sync.reconnect_post_failed")) == 1
    runs, conn = _recorded(world, conn_id)
    assert runs == [("initial", "success"), ("active", "reconnect_needed")]
    assert conn.status == "reconnect_needed"
