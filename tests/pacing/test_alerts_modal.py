"""`/hilal alerts subscribe` alone opens a form with a channel picker: through the real app and the Slack
stand-in, the form subscribes like the command, shows its problems inside itself, replaces a channel's
alerts saying so, and is for managers only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from sandbox.slack import DEMO_ADMIN, DEMO_MEMBER, DEMO_TEAM
from storage.db import session_scope
from storage.models import AlertSubscription
from tests.edits.slack_world import SlackWorld, slack_world, text_of
from tests.sync.world import World

FIELDS = ("channel", "kind", "threshold", "regions", "marketplaces")


@pytest.fixture
def sw(world: World) -> Iterator[SlackWorld]:
    with slack_world(world, campaigns_per_profile=2) as built:
        yield built


def _rows(sw: SlackWorld) -> list[tuple[str, int, str, str, bool]]:
    with session_scope(sw.world.engine, readonly=True) as s:
        rows = s.exec(select(AlertSubscription).order_by(AlertSubscription.channel_id)).all()
        return [(r.channel_id, r.threshold, r.regions, r.marketplaces, r.active) for r in rows]


def _open_form(sw: SlackWorld, channel: str = "C0PPC") -> Any:
    sw.h.command("alerts subscribe", channel=channel)
    (modal,) = sw.h.slack.open_views(DEMO_ADMIN)
    return modal


def _submit(sw: SlackWorld, **values: Any) -> Any:
    """Press Subscribe with ``values`` typed over the form; the modal still open (with errors), or None."""
    given = {f"alerts.{k}": {f"alerts.{k}": v} for k, v in values.items() if k in FIELDS}
    sw.h.slack.send_view_submission(team_id=DEMO_TEAM, user_id=DEMO_ADMIN, values=given)
    views = sw.h.slack.open_views(DEMO_ADMIN)
    return views[0] if views else None


def test_the_form_starts_on_this_channel_and_subscribes_it_like_the_command(sw: SlackWorld) -> None:
    modal = _open_form(sw)

    assert modal.state["alerts.channel"]["alerts.channel"]["selected_conversation"] == "C0PPC"
    assert modal.state["alerts.kind"]["alerts.kind"]["selected_option"]["value"] == "out_of_budget"
    assert modal.state["alerts.threshold"]["alerts.threshold"]["value"] == "80"
    (markets,) = [b for b in modal.blocks if b.get("block_id") == "alerts.marketplaces"]
    assert [o["value"] for o in markets["element"]["options"]] == ["US"]  # the team's selected ones

    assert _submit(sw, kind="at_risk", threshold="70", regions=["na"], marketplaces=["US"]) is None

    assert _rows(sw) == [("C0PPC", 70, "na", "US", True)]
    (answer,) = sw.h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC")
    assert answer.text.startswith("Budget alerts on in <#C0PPC>: a message when an enabled campaign")
    assert "reaches 70 % or runs out of budget (NA, US)" in answer.text
    sw.h.command("alerts list")
    assert "<#C0PPC>: at risk from 70 % and out of budget · NA · US" in text_of(sw.reply())


def test_out_of_budget_needs_no_threshold_and_covers_everything_by_default(sw: SlackWorld) -> None:
    _open_form(sw)

    assert _submit(sw, threshold="") is None

    assert _rows(sw) == [("C0PPC", 100, "", "", True)]
    sw.h.command("alerts list")
    assert "out of budget · all regions · all marketplaces" in text_of(sw.reply())


@pytest.mark.parametrize(
    ("values", "block", "error"),
    [
        (
            {"kind": "at_risk", "threshold": "120"},
            "alerts.threshold",
            "at-risk 120 is out of range: use 1 to 99.",
        ),
        (
            {"kind": "at_risk", "threshold": ""},
            "alerts.threshold",
            "Give the percentage to alert from: 1 to 99.",
        ),
        ({"kind": None}, "alerts.kind", "Choose when to alert."),
        ({"channel": None}, "alerts.channel", "Choose the channel for the alerts."),
        (  # a forged option: only the team's marketplaces are offered
            {"marketplaces": ["US", {"text": {"type": "plain_text", "text": "XX"}, "value": "XX"}]},
            "alerts.marketplaces",
            "XX is not an Amazon marketplace.",
        ),
        (
            {"channel": "C0RANDOM"},
            "alerts.channel",
            "Hilal is not a member of #random. Invite it with /invite @Hilal in #random, then submit again.",
        ),
    ],
)
def test_problems_are_shown_in_the_form_as_plain_text(
    sw: SlackWorld, values: dict[str, Any], block: str, error: str
) -> None:
    _open_form(sw)

    modal = _submit(sw, **values)

    assert modal is not None and modal.errors == {block: error}
    assert _rows(sw) == []


def test_a_channel_with_alerts_gets_the_new_ones_and_is_told_what_they_replaced(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe out-of-budget region na")
    assert "replace" not in sw.reply().text
    _open_form(sw)

    assert _submit(sw, kind="at_risk", threshold="90") is None

    assert _rows(sw) == [("C0PPC", 90, "", "", True)]
    answer = sw.h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC")[-1]
    assert "reaches 90 % or runs out of budget (every connected region)" in answer.text
    assert answer.text.endswith(
        "They replace the alerts this channel had: out of budget · NA · all marketplaces."
    )


def test_members_get_no_form_and_a_demoted_manager_is_refused_in_it(sw: SlackWorld) -> None:
    sw.h.command("alerts subscribe", user=DEMO_MEMBER)

    assert sw.h.slack.open_views(DEMO_MEMBER) == []
    assert "Only people who manage Hilal can change budget alerts." in text_of(sw.reply())

    _open_form(sw)
    ada = sw.h.slack.workspace(DEMO_TEAM).user(DEMO_ADMIN)
    assert ada is not None
    ada.is_admin = ada.is_owner = ada.is_primary_owner = False  # demoted while the form was open

    modal = _submit(sw)

    assert modal is not None and modal.errors == {
        "alerts.channel": "Only people who manage Hilal can change budget alerts. "
        "Ask a workspace admin or owner, or a Hilal admin."
    }
    assert _rows(sw) == []


def test_the_button_opens_the_form_when_the_command_could_not(sw: SlackWorld) -> None:
    sw.h.slack.fail("views.open", error="expired_trigger_id")
    sw.h.command("alerts subscribe")
    assert sw.h.slack.open_views(DEMO_ADMIN) == []
    offer = sw.h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC")[-1]
    assert "Set up alerts…" in text_of(sw.reply())

    sw.click("alerts.open", message=offer.id)

    (modal,) = sw.h.slack.open_views(DEMO_ADMIN)
    assert modal.state["alerts.channel"]["alerts.channel"]["selected_conversation"] == "C0PPC"
    assert _submit(sw) is None and _rows(sw) == [("C0PPC", 100, "", "", True)]
