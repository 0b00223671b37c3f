"""Multi-workspace install through Slack OAuth, uninstall, and Hilal admins."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bot.services.digest.subscriptions import SubscribeRequest, subscribe
from bot.services.pacing import AlertRequest, subscribe_alerts
from storage.db import session_scope
from storage.models import AlertSubscription, Connection, DigestSubscription, Workspace
from storage.repositories.digests import pause_subscription
from storage.repositories.pacing import pause_alert_subscription
from tests.harness import Harness


@pytest.fixture
def multi(sqlite_engine):
    with Harness.start(
        sqlite_engine,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="slack-client-secret",
        SLACK_BOT_TOKEN="",
    ) as h:
        h.slack.configure_oauth(client_id="111.222", client_secret="slack-client-secret")
        yield h


def _begin(h):
    """The install page; Slack's state cookie is `Secure`, so a plain-http client must send it by hand."""
    page = h.browser.get(f"{h.base_url}/slack/install")
    assert page.status_code == 200
    found = re.search(r"state=([A-Za-z0-9_\-]+)", page.text)
    assert found is not None
    state = found.group(1)
    cookie = page.headers["set-cookie"].split(";")[0]
    return state, cookie


def _finish(h, state, cookie, team, user):
    code = h.slack.issue_oauth_code(team_id=team, user_id=user)
    return h.browser.get(
        f"{h.base_url}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": cookie},
    )


def _install(h, team, user):
    state, cookie = _begin(h)
    return _finish(h, state, cookie, team, user)


def test_install_stores_an_encrypted_bot_token_and_commands_work(multi):
    done = _install(multi, multi.team, multi.admin)
    assert done.status_code == 200
    with session_scope(multi.services.engine, readonly=True) as s:
        ws = s.exec(select(Workspace)).one()
    token = ws.bot_token_enc
    assert ws.team_id == multi.team and token is not None
    assert token.startswith("v1.") and "xoxb" not in token
    multi.command("regions")
    assert "Far East" in multi.last_reply().text


def test_install_state_cannot_be_replayed(multi):
    state, cookie = _begin(multi)
    assert _finish(multi, state, cookie, multi.team, multi.admin).status_code == 200
    assert _finish(multi, state, cookie, multi.team, multi.admin).status_code >= 400


def test_uninstall_stops_syncs_and_keeps_data(multi):
    _install(multi, multi.team, multi.admin)
    multi.connect_region("fe")
    multi.slack.send_event(team_id=multi.team, event={"type": "app_uninstalled"})
    with session_scope(multi.services.engine, readonly=True) as s:
        ws = s.exec(select(Workspace)).one()
        conn = s.exec(select(Connection)).one()
    assert ws.uninstalled_at is not None and ws.bot_token_enc is None
    assert conn.next_active_sync_at is None and conn.refresh_token_enc is not None


def test_admins_add_lets_a_member_connect(sqlite_engine):
    with Harness.start(sqlite_engine) as h:
        h.command("connect eu", user=h.member)
        assert "Not allowed" in h.last_reply().text
        h.command(f"admins add <@{h.member}|member>")
        assert f"<@{h.member}> can now manage" in h.last_reply().text
        h.command("admins list")
        assert h.member in h.last_reply().text
        h.command("connect eu", user=h.member)
        assert "Europe" in h.last_reply().text and "Not allowed" not in h.last_reply().text
        h.command("admins add nobody")
        assert "not a Slack user mention" in h.last_reply().text


def test_reinstalling_resumes_what_the_dead_installation_paused_and_nothing_else(multi):
    """Digests and alerts paused because Slack refused the old token resume with the new one; a pause
    only a person can mend (Hilal left the channel) stays."""
    _install(multi, multi.team, multi.admin)
    services, now = multi.services, multi.services.now()
    request = SubscribeRequest(local_time="09:00", regions=("na",))
    for channel in ("C0DEAD", "C0LEFT"):
        multi.slack.add_channel(multi.team, {"id": channel, "name": channel.lower()})
        subscribe(
            services,
            team_id=multi.team,
            channel_id=channel,
            user_id=multi.admin,
            request=request,
            timezone="UTC",
            now=now,
        )
        subscribe_alerts(
            services, team_id=multi.team, channel_id=channel, user_id=multi.admin, request=AlertRequest()
        )
    with session_scope(services.engine) as s:
        for digest in s.exec(select(DigestSubscription)).all():
            assert digest.id is not None
            pause_subscription(s, subscription_id=digest.id, reason=_reason(digest.channel_id), now=now)
        for alert in s.exec(select(AlertSubscription)).all():
            assert alert.id is not None
            pause_alert_subscription(s, subscription_id=alert.id, reason=_reason(alert.channel_id), now=now)
    multi.command("alerts list")
    assert "reinstall Hilal and the alerts resume by themselves" in str(multi.last_reply().blocks)

    _install(multi, multi.team, multi.admin)

    with session_scope(services.engine, readonly=True) as s:
        rows: list[DigestSubscription | AlertSubscription] = [
            *s.exec(select(DigestSubscription)).all(),
            *s.exec(select(AlertSubscription)).all(),
        ]
    paused = sorted((type(r).__name__, r.channel_id, r.pause_reason) for r in rows if r.paused_at)
    assert paused == [
        ("AlertSubscription", "C0LEFT", "not_in_channel"),
        ("DigestSubscription", "C0LEFT", "not_in_channel"),
    ]


def _reason(channel: str) -> str:
    """Why the test pauses a channel's subscriptions: a dead token, or Hilal left the channel."""
    return "token_revoked" if channel == "C0DEAD" else "not_in_channel"
