"""The marketplace picker for small and large accounts, through the real app and stand-ins."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.blocks.limits import check_message
from storage.db import session_scope
from storage.models import Connection, Profile
from tests.harness import Harness

EU_16 = ["UK", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "BE", "TR", "AE", "SA", "EG", "IN", "ZA", "IE"]


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine, seed=False) as harness:
        yield harness


def _picker(h):
    dm = h.slack.messages("D0ADMIN")[-1]
    assert check_message({"text": dm.text, "blocks": dm.blocks}) == []
    return dm


def test_sixteen_eu_marketplaces_use_a_grouped_multi_select(h):
    h.sim.seed_account(
        user_id="demo", region="eu", marketplaces=[m for m in EU_16 if m != "IE"], account_name="Acme EU"
    )
    h.connect_region("eu")
    dm = _picker(h)
    text = json.dumps(dm.blocks)
    assert "multi_static_select" in text and "checkboxes" not in text
    assert text.count('"value"') >= 15


def test_three_hundred_agency_profiles_are_listed_and_explained(h):
    h.sim.seed_account(
        user_id="demo",
        region="na",
        marketplaces=["US"],
        accounts=300,
        profile_type="agency",
        account_name="Agency client",
    )
    h.sim.seed_account(user_id="demo", region="na", marketplaces=["US", "CA"], account_name="Own brand")
    page = h.connect_region("na")
    assert page.status_code == 200
    dm = _picker(h)
    text = json.dumps(dm.blocks).lower()
    assert "agency" in text
    with session_scope(h.services.engine, readonly=True) as s:
        assert len(s.exec(select(Profile)).all()) == 302


def test_region_with_no_profiles_says_so(h):
    h.sim.seed_account(user_id="demo", region="eu", marketplaces=["DE"])
    page = h.connect_region("fe")
    assert page.status_code == 200
    dm = _picker(h)
    assert "no amazon ads profile" in (dm.text + json.dumps(dm.blocks)).lower()


def test_picking_and_saving_persists_the_selection(h):
    h.sim.seed_account(user_id="demo", region="fe", marketplaces=["JP", "AU"], account_name="Acme FE")
    h.connect_region("fe")
    dm = _picker(h)
    with session_scope(h.services.engine, readonly=True) as s:
        jp = s.exec(select(Profile.profile_id).where(Profile.country_code == "JP")).one()
    h.slack.send_block_action(
        team_id=h.team, user_id=h.admin, action_id="marketplaces.select", selected_options=[jp], message=dm
    )
    with session_scope(h.services.engine, readonly=True) as s:
        assert not any(p.selected for p in s.exec(select(Profile)).all())  # a tick alone saves nothing
    h.slack.send_block_action(team_id=h.team, user_id=h.admin, action_id="marketplaces.save", message=dm)
    with session_scope(h.services.engine, readonly=True) as s:
        selected = {p.country_code for p in s.exec(select(Profile)).all() if p.selected}
        conn = s.exec(select(Connection)).one()
    assert selected == {"JP"} and conn.selection_confirmed
