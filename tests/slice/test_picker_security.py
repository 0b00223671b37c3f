"""The marketplace picker changes what is synced only on Save, only for people who manage Hilal.

Each rendered picker keeps its own pending selection (a day at most); ticks and pages change only that.
Sync now is open to anyone in the workspace, from the card and from `/hilal sync`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from storage.db import session_scope
from storage.models import AuditEvent, Campaign, Connection, PendingSelection, Profile, SyncRun
from storage.repositories.pending_selections import create_pending, delete_expired, get_pending, pending_ids
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine, seed=False) as harness:
        harness.sim.seed_account(
            user_id="demo", region="fe", marketplaces=["JP", "AU"], account_name="Acme FE", days=3
        )
        yield harness


def _pid(h, country: str) -> str:
    with session_scope(h.services.engine, readonly=True) as s:
        found = s.exec(select(Profile.profile_id).where(Profile.country_code == country)).first()
    assert found is not None
    return found


def _saved(h) -> set[str]:
    with session_scope(h.services.engine, readonly=True) as s:
        return {p.profile_id for p in s.exec(select(Profile)).all() if p.selected}


def _pending(h) -> list[list[str]]:
    """The unsaved ticks of every open picker (each sorted; pickers in a stable order)."""
    with session_scope(h.services.engine, readonly=True) as s:
        rows = s.exec(select(PendingSelection)).all()
    return sorted(sorted(json.loads(r.selected_json)) for r in rows)


def _pickers(*ticks: set[str]) -> list[list[str]]:
    return sorted(sorted(t) for t in ticks)


def _synced_countries(h) -> set[str]:
    """The marketplaces whose campaigns have reached Hilal (what a sync covered)."""
    with session_scope(h.services.engine, readonly=True) as s:
        rows = s.exec(
            select(Profile.country_code).join(Campaign, col(Campaign.profile_pk) == col(Profile.id))
        ).all()
    return set(rows)


def _tick(h, picker, *ids: str, user: str | None = None):
    return h.slack.send_block_action(
        team_id=h.team,
        user_id=user or h.admin,
        action_id="marketplaces.select",
        selected_options=list(ids),
        message=picker,
    )


def _press(h, picker, action_id: str, *, user: str | None = None):
    return h.slack.send_block_action(
        team_id=h.team, user_id=user or h.admin, action_id=action_id, message=picker
    )


def _dm_picker(h):
    return h.slack.messages("D0ADMIN")[-1]


def _connect_and_save_jp(h):
    h.connect_region("fe")
    picker = _dm_picker(h)
    _tick(h, picker, _pid(h, "JP"))
    _press(h, picker, "marketplaces.save")
    assert _saved(h) == {_pid(h, "JP")}


def test_a_tick_without_save_changes_neither_the_selection_nor_the_next_sync(h):
    _connect_and_save_jp(h)
    jp, au = _pid(h, "JP"), _pid(h, "AU")
    h.slack.open_home(team_id=h.team, user_id=h.admin)
    home = h.slack.home(h.admin)
    h.slack.send_block_action(
        team_id=h.team, user_id=h.admin, action_id="region.edit_marketplaces", view=home
    )
    in_dm = _dm_picker(h)
    h.command("marketplaces fe")
    in_channel = h.slack.ephemerals(h.admin)[-1]
    _tick(h, in_dm, jp, au)  # ticks AU in both pickers, then walks away without Save
    _tick(h, in_channel, jp, au)

    assert _saved(h) == {jp}
    assert _pending(h) == _pickers({jp, au}, {jp, au})
    h.command("sync fe")
    assert "Syncing FE now" in h.last_reply().text
    assert _synced_countries(h) == {"JP"}
    h.command("regions")
    card = json.dumps(h.last_reply().blocks, ensure_ascii=False)
    assert "JP · Acme FE" in card and "AU · Acme FE" not in card


def test_save_applies_the_ticks_of_both_pages(sqlite_engine):
    with Harness.start(sqlite_engine, seed=False) as h:
        h.sim.seed_account(
            user_id="demo", region="na", marketplaces=["US"], accounts=101, campaigns_per_profile=0, days=1
        )
        h.connect_region("na")
        picker = _dm_picker(h)
        first = _options(picker)[0]
        _tick(h, picker, first)
        _press(h, picker, "marketplaces.page_next")
        page_two = _dm_picker(h)
        assert "Page 2 of 2" in json.dumps(page_two.blocks)
        last = _options(page_two)[-1]
        _tick(h, page_two, last)
        assert _saved(h) == set()  # nothing is synced before Save

        _press(h, page_two, "marketplaces.save")

        assert _saved(h) == {first, last}
        assert _pending(h) == []
        with session_scope(h.services.engine, readonly=True) as s:
            assert s.exec(select(Connection)).one().selection_confirmed


def _options(picker) -> list[str]:
    for block in picker.blocks:
        element = block.get("accessory") or {}
        if element.get("action_id") == "marketplaces.select":
            return [o["value"] for g in element["option_groups"] for o in g["options"]]
    raise AssertionError("no multi-select on the picker")


def test_a_member_cannot_tick_save_or_open_the_picker_and_nothing_changes(h):
    h.connect_region("fe")
    picker = _dm_picker(h)  # the admin's picker, its payloads forged by a member
    jp = _pid(h, "JP")

    _tick(h, picker, jp, user=h.member)
    refused = h.last_reply().text
    assert "Not allowed" in refused and "admins" in refused.lower()
    _press(h, picker, "marketplaces.save", user=h.member)
    assert "Not allowed" in h.last_reply().text
    h.command("marketplaces fe", user=h.member)
    assert "Not allowed" in h.last_reply().text

    assert _pending(h) == _pickers(set())  # only the admin's picker, untouched
    assert _saved(h) == set()
    with session_scope(h.services.engine, readonly=True) as s:
        assert not s.exec(select(Connection)).one().selection_confirmed
        assert s.exec(select(SyncRun)).all() == []


def test_an_expired_picker_is_not_applied_and_is_cleaned_up(sqlite_engine):
    now = [datetime.now(UTC)]
    with Harness.start(sqlite_engine, seed=False, clock=lambda: now[0]) as h:
        h.sim.seed_account(user_id="demo", region="fe", marketplaces=["JP", "AU"], days=1)
        h.connect_region("fe")
        picker = _dm_picker(h)
        jp = _pid(h, "JP")
        _tick(h, picker, jp)
        assert _pending(h) == _pickers({jp})
        now[0] += timedelta(hours=25)

        _press(h, picker, "marketplaces.save")
        assert "expired" in h.last_reply().text.lower()
        _tick(h, picker, jp)
        assert "expired" in h.last_reply().text.lower()
        assert _saved(h) == set()
        with session_scope(h.services.engine, readonly=True) as s:
            assert not s.exec(select(Connection)).one().selection_confirmed
            assert s.exec(select(SyncRun)).all() == []

        h.command("marketplaces fe")  # a fresh picker starts from the saved selection
        assert _pending(h) == _pickers(set())


def test_two_open_pickers_keep_their_ticks_apart(h):
    h.connect_region("fe")
    jp, au = _pid(h, "JP"), _pid(h, "AU")
    in_dm = _dm_picker(h)
    h.command("marketplaces fe")
    in_channel = h.slack.ephemerals(h.admin)[-1]

    _tick(h, in_dm, jp)
    _tick(h, in_channel, au)
    assert _pending(h) == _pickers({au}, {jp})

    _press(h, in_channel, "marketplaces.save")
    assert _saved(h) == {au}
    assert _pending(h) == _pickers({jp})
    _press(h, in_dm, "marketplaces.save")
    assert _saved(h) == {jp}
    assert _pending(h) == []


def test_anyone_in_the_workspace_may_sync_from_the_card_or_the_command(h):
    _connect_and_save_jp(h)
    runs_before = _manual_runs(h)

    h.command("sync fe", user=h.member)
    assert "Syncing FE now" in h.last_reply().text
    h.command("regions", user=h.member)
    cards = h.slack.ephemerals(h.member)[-1]
    h.slack.send_block_action(team_id=h.team, user_id=h.member, action_id="region.sync_now", message=cards)
    assert "Syncing FE now" in h.last_reply().text

    assert _manual_runs(h) == runs_before + 2
    with session_scope(h.services.engine, readonly=True) as s:
        actors = [a.actor for a in s.exec(select(AuditEvent)).all() if a.action == "region.sync_started"]
    assert actors == [h.member, h.member]
    h.command("help", user=h.member)
    help_text = json.dumps(h.last_reply().blocks)
    assert "anyone in the workspace" in help_text


def _manual_runs(h) -> int:
    with session_scope(h.services.engine, readonly=True) as s:
        return len([r for r in s.exec(select(SyncRun)).all() if r.kind == "manual"])


def test_pending_selections_expire_and_stay_within_their_team(engine):
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with session_scope(engine) as s:
        live = create_pending(
            s,
            team_id="T1",
            region="eu",
            opened_by="U1",
            selected=["2", "1"],
            now=now,
            expires_at=now + timedelta(days=1),
        )
        stale = create_pending(
            s,
            team_id="T1",
            region="eu",
            opened_by="U1",
            selected=["3"],
            now=now - timedelta(days=2),
            expires_at=now,
        )
    assert live.picker_id != stale.picker_id
    with session_scope(engine) as s:
        found = get_pending(s, picker_id=live.picker_id, team_id="T1", now=now)
        assert found is not None and pending_ids(found) == {"1", "2"}
        assert get_pending(s, picker_id=live.picker_id, team_id="T2", now=now) is None
        assert get_pending(s, picker_id=stale.picker_id, team_id="T1", now=now) is None
        assert get_pending(s, picker_id=live.picker_id, team_id="T1", now=now + timedelta(days=1)) is None
        assert delete_expired(s, now=now) == 1
    with session_scope(engine, readonly=True) as s:
        assert [r.picker_id for r in s.exec(select(PendingSelection)).all()] == [live.picker_id]
