"""Two quick ticks handled out of order: the older one never undoes the newer, on screen or in the data."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.services.connections import open_picker, picker_action_is_latest, update_picker
from storage.db import session_scope
from storage.models import Profile
from tests.harness import Harness


@pytest.fixture
def h(engine):
    with Harness.start(engine) as harness:
        harness.connect_region("fe")
        yield harness


def _ids(h: Harness) -> dict[str, str]:
    with session_scope(h.services.engine, readonly=True) as s:
        return {p.country_code: p.profile_id for p in s.exec(select(Profile)).all()}


def test_an_older_tick_arriving_late_changes_nothing(h):
    ids = _ids(h)
    picker = open_picker(h.services, team_id=h.team, region="fe", user_id=h.admin)
    assert picker is not None
    both = {ids["JP"], ids["AU"]}
    newer = update_picker(
        h.services, team_id=h.team, picker_id=picker.picker_id, page=0, ticked=both, action_ts="1796.000200"
    )
    assert newer is not None and newer.selected == both
    older = update_picker(
        h.services,
        team_id=h.team,
        picker_id=picker.picker_id,
        page=0,
        ticked={ids["JP"]},
        action_ts="1796.000100",
    )
    assert older is None
    still = update_picker(h.services, team_id=h.team, picker_id=picker.picker_id, page=None)
    assert still is not None and still.selected == both
    assert not picker_action_is_latest(
        h.services, team_id=h.team, picker_id=picker.picker_id, action_ts="1796.000100"
    )
    assert picker_action_is_latest(
        h.services, team_id=h.team, picker_id=picker.picker_id, action_ts="1796.000200"
    )


def test_ticks_without_a_stamp_are_applied_in_arrival_order(h):
    ids = _ids(h)
    picker = open_picker(h.services, team_id=h.team, region="fe", user_id=h.admin)
    assert picker is not None
    update_picker(h.services, team_id=h.team, picker_id=picker.picker_id, page=0, ticked={ids["JP"]})
    last = update_picker(h.services, team_id=h.team, picker_id=picker.picker_id, page=0, ticked={ids["AU"]})
    assert last is not None and last.selected == {ids["AU"]}
