"""`/hilal sync REGION` on a region that needs a reconnect (issue 17): the card, with its Reconnect button,
saying why nothing started; through the real app and both stand-ins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.services.connections import mark_reconnect_needed, save_selection
from storage.db import session_scope
from storage.models import Connection, Profile, SyncRun
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine, seed=False) as harness:
        harness.sim.seed_account(user_id="demo", region="fe", marketplaces=["JP"], account_name="Acme FE")
        yield harness


def _buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        str(e["text"].get("text", ""))
        for b in blocks
        for e in b.get("elements", [])
        if e.get("type") == "button" and isinstance(e.get("text"), dict)
    ]


def _needs_reconnect(h: Harness) -> None:
    h.connect_region("fe")
    with session_scope(h.services.engine, readonly=True) as s:
        pid = s.exec(select(Profile.profile_id).where(Profile.country_code == "JP")).one()
        conn = s.exec(select(Connection).where(Connection.region == "fe")).one()
    save_selection(h.services, team_id=h.team, region="fe", profile_ids={pid}, user_id=h.admin)
    assert conn.id is not None
    mark_reconnect_needed(h.services, connection_id=conn.id, reason="invalid_grant")


def _runs(h: Harness) -> int:
    with session_scope(h.services.engine, readonly=True) as s:
        return len(s.exec(select(SyncRun)).all())


@pytest.mark.parametrize("user", ["admin", "member"])
def test_sync_on_a_region_needing_a_reconnect_shows_the_card_with_reconnect(h, user):
    _needs_reconnect(h)
    runs = _runs(h)
    response = h.command("sync fe", user=getattr(h, user))
    assert response.status == 200
    reply = h.last_reply()
    text = reply.text + "\n" + json.dumps(reply.blocks, ensure_ascii=False)
    assert "FE needs a reconnect before it can sync" in reply.text
    assert "not connected" not in text.lower()
    assert "No sync started: FE needs a reconnect first" in text
    assert any(b.get("block_id", "").startswith("region.card#") for b in reply.blocks)
    assert "Reconnect" in _buttons(reply.blocks)
    assert _runs(h) == runs  # nothing started
