"""Every refusal happens before anything is sent to Amazon or written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.errors import UsageError, UserFacingError
from bot.services.edits import (
    AmountOutOfBounds,
    EditNotAllowed,
    EditPreview,
    EntityArchived,
    NothingToChange,
    ProfileNotEditable,
    RegionDisconnected,
    RegionNeedsReconnect,
    RegionReadOnly,
    add_editor,
    can_edit,
    confirm_edit,
    plan_edit,
    set_read_only,
)
from storage.db import session_scope
from storage.models import Campaign, Connection, ConnectionStatus, Profile
from tests.edits.helpers import ADMIN, TEAM, Account, batches, synced, writes
from tests.sync.world import World


def _plan(world: World, account: Account, **kw: object) -> EditPreview:
    campaign = kw.pop("campaign", None) or account.of_state("ENABLED")[0]
    value = kw.pop("value", None)
    assert isinstance(campaign, Campaign)
    return plan_edit(
        world.services,
        team_id=TEAM,
        user_id=str(kw.pop("user", ADMIN)),
        kind=str(kw.pop("kind", "pause")),
        targets=[account.target(campaign)],
        value=None if value is None else str(value),
        now=world.clock(),
        is_manager=bool(kw.pop("manager", True)),
    )


def _set_connection(world: World, account: Account, **values: object) -> dict[str, object]:
    with session_scope(world.engine) as s:
        conn = s.get(Connection, account.conn_id)
        assert conn is not None
        for name, value in values.items():
            setattr(conn, name, value)
        s.add(conn)
    return {}


def _set_profile(world: World, account: Account, **values: object) -> dict[str, object]:
    with session_scope(world.engine) as s:
        profile = s.get(Profile, account.profile.id)
        assert profile is not None
        for name, value in values.items():
            setattr(profile, name, value)
        s.add(profile)
    return {}


def _archive_locally(world: World, account: Account) -> Campaign:
    campaign = account.of_state("ENABLED")[0]
    with session_scope(world.engine) as s:
        row = s.get(Campaign, campaign.id)
        assert row is not None
        row.state = "ARCHIVED"
        s.add(row)
    return campaign


GUARDS: dict[str, tuple[Callable[[World, Account], dict[str, object]], type[UserFacingError], str]] = {
    "disconnected": (
        lambda w, a: _set_connection(w, a, status=ConnectionStatus.DISCONNECTED, refresh_token_enc=None),
        RegionDisconnected,
        "Live edits stop when a region is disconnected — reconnect to edit",
    ),
    "reconnect needed": (
        lambda w, a: _set_connection(w, a, status=ConnectionStatus.RECONNECT_NEEDED),
        RegionNeedsReconnect,
        "no longer accepts",
    ),
    "read-only": (lambda w, a: _set_connection(w, a, read_only=True), RegionReadOnly, "read-only"),
    "view-only profile": (
        lambda w, a: _set_profile(w, a, view_only=True),
        ProfileNotEditable,
        "only view",
    ),
    "agency": (lambda w, a: _set_profile(w, a, account_type="agency"), ProfileNotEditable, "agency"),
    "archived": (lambda w, a: {"campaign": _archive_locally(w, a)}, EntityArchived, "archived"),
    "malformed": (lambda _w, _a: {"kind": "budget", "value": "eighty"}, UsageError, "not an amount"),
    "percent without sign": (lambda _w, _a: {"kind": "budget", "value": "20%"}, UsageError, "needs a sign"),
    "budget too high": (
        lambda _w, _a: {"kind": "budget", "value": "2000000"},
        AmountOutOfBounds,
        "1 to 1000000",
    ),
    "budget too low": (lambda _w, _a: {"kind": "budget", "value": "0.50"}, AmountOutOfBounds, "outside"),
    "not an editor": (lambda _w, _a: {"manager": False, "user": "U0NOBODY"}, EditNotAllowed, "editors"),
}


@pytest.mark.parametrize("case", list(GUARDS))
def test_each_guard_refuses_with_a_clear_message_and_sends_nothing(world: World, case: str) -> None:
    account = synced(world)
    arrange, error, text = GUARDS[case]
    kwargs = arrange(world, account)
    world.sim.clear_requests()

    with pytest.raises(error) as refused:
        _plan(world, account, **kwargs)

    assert text in refused.value.detail
    assert world.sim.requests == []  # not even a read
    assert batches(world) == 0


def test_already_paused_is_refused_after_reading_amazon_without_writing(world: World) -> None:
    account = synced(world)
    world.sim.clear_requests()
    with pytest.raises(NothingToChange, match="already paused"):
        _plan(world, account, campaign=account.of_state("PAUSED")[0])
    assert writes(world) == [] and batches(world) == 0


def test_the_read_only_switch_refuses_writes_until_turned_off_and_also_stops_a_pending_confirm(
    world: World,
) -> None:
    account = synced(world)
    preview = _plan(world, account)
    with session_scope(world.engine) as s:
        assert set_read_only(s, team_id=TEAM, region="na", read_only=True)

    with pytest.raises(RegionReadOnly):
        confirm_edit(
            world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
        )
    with pytest.raises(RegionReadOnly):
        _plan(world, account)
    assert writes(world) == []

    with session_scope(world.engine) as s:
        set_read_only(s, team_id=TEAM, region="na", read_only=False)
    outcome = confirm_edit(
        world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
    )
    assert outcome.status == "applied"


def test_a_region_disconnected_after_the_preview_refuses_the_confirm(world: World) -> None:
    account = synced(world)
    preview = _plan(world, account)
    _set_connection(world, account, status=ConnectionStatus.DISCONNECTED, refresh_token_enc=None)
    with pytest.raises(RegionDisconnected):
        confirm_edit(
            world.services, batch_id=preview.batch_id, user_id=ADMIN, now=world.clock(), is_manager=True
        )
    assert writes(world) == []


def test_named_editors_may_edit_and_others_may_not_confirm(world: World) -> None:
    account = synced(world)
    preview = _plan(world, account)
    with pytest.raises(EditNotAllowed):
        confirm_edit(world.services, batch_id=preview.batch_id, user_id="U0ADA", now=world.clock())
    assert writes(world) == []
    with session_scope(world.engine) as s:
        assert not can_edit(s, team_id=TEAM, user_id="U0ADA", is_manager=False)
        assert add_editor(s, team_id=TEAM, user_id="U0ADA", added_by=ADMIN, now=world.clock())
    with session_scope(world.engine) as s:
        assert can_edit(s, team_id=TEAM, user_id="U0ADA", is_manager=False)
    outcome = confirm_edit(world.services, batch_id=preview.batch_id, user_id="U0ADA", now=world.clock())
    assert (outcome.status, outcome.applied_by) == ("applied", "U0ADA")
    with session_scope(world.engine, readonly=True) as s:
        assert (
            s.exec(select(Campaign.edited_by).where(Campaign.id == preview.items[0].campaign_pk)).one()
            == "U0ADA"
        )
