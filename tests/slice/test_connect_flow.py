"""Connect → pick → disconnect → reconnect through the real HTTP server and both stand-ins."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from sqlmodel import select

from bot.blocks.limits import check_message
from storage.db import session_scope
from storage.models import AuditEvent, Connection, OAuthState, Profile
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _connect_url(reply) -> str:
    for block in reply.blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("url", "").find("/amazon/oauth/start") > 0:
                return str(element["url"])
    raise AssertionError("no Connect button")


def test_connect_command_shows_the_region_card_with_a_connect_link(h):
    reply = h.command("connect FE")
    assert reply.status == 200
    message = h.last_reply()
    assert "Far East" in message.text
    assert check_message({"text": message.text, "blocks": message.blocks}) == []
    assert "/amazon/oauth/start?t=" in _connect_url(message)


def test_full_consent_stores_encrypted_tokens_and_sends_the_picker(h):
    page = h.connect_region("fe")
    assert page.status_code == 200 and "Connected" in page.text
    assert "Atz" not in page.text
    with session_scope(h.services.engine, readonly=True) as s:
        conn = s.exec(select(Connection)).one()
        profiles = s.exec(select(Profile)).all()
    assert conn.region == "fe" and conn.status == "connected"
    token = conn.refresh_token_enc
    assert token is not None and token.startswith("v1.test.") and "Atzr" not in token
    assert {p.country_code for p in profiles} >= {"JP", "AU"}
    dm = h.slack.messages("D0ADMIN")[-1]
    assert "marketplaces" in dm.text.lower()
    assert check_message({"text": dm.text, "blocks": dm.blocks}) == []


def test_denied_consent_stores_nothing(h):
    link_page = h.open_connect_link(_link(h, "eu"))
    page = h.finish_consent(link_page.headers["location"], allow=False)
    assert page.status_code == 200 and "cancelled" in page.text.lower()
    with session_scope(h.services.engine, readonly=True) as s:
        assert s.exec(select(Connection)).all() == []


def test_replayed_callback_fails_and_changes_nothing(h):
    start = h.open_connect_link(_link(h, "na"))
    location = h.sim.approve(start.headers["location"], user_id="demo")
    assert h.browser.get(location).status_code == 200
    replay = h.browser.get(location)
    assert replay.status_code == 400 and "already used" in replay.text
    with session_scope(h.services.engine, readonly=True) as s:
        assert len(s.exec(select(Connection)).all()) == 1


def test_forged_and_tampered_links_store_nothing(h):
    forged = h.browser.get(f"{h.base_url}/amazon/oauth/start?t=k.eyJ0IjoiVDEifQ.sig")
    assert forged.status_code == 400 and "not valid" in forged.text
    bogus_state = h.browser.get(f"{h.base_url}/amazon/oauth/callback?state=nope&code=x")
    assert bogus_state.status_code == 400
    with session_scope(h.services.engine, readonly=True) as s:
        assert s.exec(select(OAuthState)).all() == []
        assert s.exec(select(Connection)).all() == []


def test_callback_from_another_browser_is_refused(h):
    start = h.open_connect_link(_link(h, "eu"))
    location = h.sim.approve(start.headers["location"], user_id="demo")
    import httpx

    with httpx.Client() as other_browser:
        page = other_browser.get(location)
    assert page.status_code == 400
    with session_scope(h.services.engine, readonly=True) as s:
        assert s.exec(select(Connection)).all() == []


def test_member_cannot_connect_and_is_told_who_can(h):
    h.command("connect eu", user=h.member)
    text = h.last_reply().text
    assert "Not allowed" in text or "admins" in text.lower()


def test_unknown_command_answers_with_help(h):
    h.command("conect eu")
    text = h.last_reply().text
    assert "Unknown command" in text and "connect" in text


def test_malformed_region_answers_with_help_and_the_problem(h):
    h.command("connect mars")
    text = h.last_reply().text
    assert "mars" in text and "na, eu or fe" in text


def test_disconnect_then_reconnect_keeps_ids_and_preticks_selection(h):
    h.connect_region("fe")
    with session_scope(h.services.engine, readonly=True) as s:
        conn_id = s.exec(select(Connection.id)).one()
        profile_ids = sorted(_ids(s.exec(select(Profile.id)).all()))
    from bot.services.connections import disconnect_region, save_selection

    jp = _profile(h, "JP")
    save_selection(h.services, team_id=h.team, region="fe", profile_ids={jp}, user_id=h.admin)
    disconnect_region(h.services, team_id=h.team, region="fe", user_id=h.admin)
    with session_scope(h.services.engine, readonly=True) as s:
        conn = s.exec(select(Connection)).one()
        assert conn.status == "disconnected" and conn.refresh_token_enc is None
    assert any(r.path.endswith("/auth/o2/revoke") for r in h.sim.requests)
    h.connect_region("fe")
    with session_scope(h.services.engine, readonly=True) as s:
        conn = s.exec(select(Connection)).one()
        assert conn.id == conn_id and conn.status == "connected" and not conn.selection_confirmed
        assert sorted(_ids(s.exec(select(Profile.id)).all())) == profile_ids
        assert {p.profile_id for p in s.exec(select(Profile)).all() if p.selected} == {jp}
        actions = [a.action for a in s.exec(select(AuditEvent)).all()]
    assert actions.count("region.connected") == 2 and "region.disconnected" in actions
    dm = h.slack.messages("D0ADMIN")[-1]
    assert "You reconnected Far East" in json.dumps(dm.blocks, ensure_ascii=False)


def _link(h, region):
    from bot.services.connections import connect_url

    return connect_url(h.services, team_id=h.team, enterprise_id="", user_id=h.admin, region=region)


def _ids(found: Sequence[int | None]) -> list[int]:
    """Stored primary keys (never None once in the database)."""
    ids = [pk for pk in found if pk is not None]
    assert len(ids) == len(found)
    return ids


def _profile(h, country):
    with session_scope(h.services.engine, readonly=True) as s:
        return s.exec(select(Profile.profile_id).where(Profile.country_code == country)).first()


def test_expired_state_stores_nothing(sqlite_engine):
    from datetime import UTC, datetime, timedelta

    now = [datetime.now(UTC)]
    with Harness.start(sqlite_engine, clock=lambda: now[0]) as h:
        start = h.open_connect_link(_link(h, "eu"))
        location = h.sim.approve(start.headers["location"], user_id="demo")
        now[0] += timedelta(minutes=11)
        page = h.browser.get(location)
        assert page.status_code == 400 and "expired" in page.text.lower()
        with session_scope(h.services.engine, readonly=True) as s:
            assert s.exec(select(Connection)).all() == []


def test_connect_link_older_than_a_day_is_refused(sqlite_engine):
    from datetime import UTC, datetime, timedelta

    now = [datetime.now(UTC)]
    with Harness.start(sqlite_engine, clock=lambda: now[0]) as h:
        link = _link(h, "na")
        now[0] += timedelta(hours=25)
        page = h.open_connect_link(link)
        assert page.status_code == 400 and "expired" in page.text.lower()
        assert "/hilal connect" in page.text
