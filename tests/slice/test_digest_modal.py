"""Subscribing a channel from the digest form, `/invite @Hilal`, replacing a digest, quoted view names:
through the real app, the Slack stand-in and its console, all on loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from sqlmodel import select

from bot.blocks.limits import check_message
from bot.blocks.modals import render_save_view_modal
from sandbox.slack import DEMO_BOT_TOKEN
from storage.db import session_scope
from storage.models import DigestSubscription
from tests.harness import DEMO_ADMIN, DEMO_MEMBER, DEMO_TEAM, Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine) as harness:
        yield harness


def _rows(h: Harness) -> list[DigestSubscription]:
    with session_scope(h.services.engine, readonly=True) as session:
        return list(session.exec(select(DigestSubscription)).all())


def _open_form(h: Harness, channel: str = "C0PPC") -> Any:
    h.command("digest subscribe", channel=channel)
    (modal,) = h.slack.open_views(DEMO_ADMIN)
    return modal


def _submit(h: Harness, **values: Any) -> Any:
    fields = {
        "channel": ("digest.channel", "digest.channel"),
        "time": ("digest.time", "digest.time"),
        "zone": ("digest.zone", "digest.zone"),
        "regions": ("digest.regions", "digest.regions"),
        "view": ("digest.view", "digest.view"),
        "chart": ("digest.chart", "digest.chart"),
    }
    given = {fields[k][0]: {fields[k][1]: v} for k, v in values.items()}
    h.slack.send_view_submission(team_id=DEMO_TEAM, user_id=DEMO_ADMIN, values=given)
    views = h.slack.open_views(DEMO_ADMIN)
    return views[0] if views else None


def _console(h: Harness, channel: str, text: str) -> None:
    body = {"team": DEMO_TEAM, "user": DEMO_ADMIN, "channel": channel, "text": text}
    assert httpx.post(f"{h.slack.base_url}/console/command", json=body).json()["ok"] is True


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["text"]["text"]: e for b in blocks if b["type"] == "actions" for e in b["elements"]}


def test_the_form_starts_on_this_channel_with_my_time_zone(h):
    modal = _open_form(h)

    assert modal.state["digest.channel"]["digest.channel"]["selected_conversation"] == "C0PPC"
    assert modal.state["digest.zone"]["digest.zone"]["value"] == "Europe/Berlin"  # Ada's Slack profile
    assert modal.state["digest.time"]["digest.time"]["selected_time"] == "09:00"
    ticked = modal.state["digest.regions"]["digest.regions"]["selected_options"]
    assert [o["value"] for o in ticked] == ["na", "eu", "fe"]
    assert h.slack.notices() == []


def test_another_channel_from_the_form_after_inviting_hilal_in_the_console(h):
    _open_form(h)

    refused = _submit(h, channel="C0RANDOM", time="17:30", zone="Asia/Tokyo", regions=["eu", "fe"])

    assert refused.errors == {
        "digest.channel": "Hilal is not a member of #random. "
        "Invite it with /invite @Hilal in #random, then submit again."
    }
    assert _rows(h) == []
    _console(h, "C0RANDOM", "/invite @Hilal")
    assert [m.text for m in h.slack.messages("C0RANDOM")] == ["<@U0BOTT0DEMO> has joined the channel"]

    assert _submit(h) is None  # the modal closed; the values stayed as typed

    (row,) = _rows(h)
    assert (row.channel_id, row.local_time, row.timezone, row.regions) == (
        "C0RANDOM",
        "17:30",
        "Asia/Tokyo",
        "eu,fe",
    )
    (answer,) = h.slack.ephemerals(DEMO_ADMIN, channel="C0RANDOM")
    assert answer.text.startswith("✅ Daily digest set up: <#C0RANDOM> · 17:30 Asia/Tokyo · EU, FE")


@pytest.mark.parametrize(
    ("values", "block", "error"),
    [
        (
            {"zone": "Mars/Base"},
            "digest.zone",
            "Mars/Base is not a time zone: use an IANA name such as Europe/Berlin.",
        ),
        ({"time": "25:00"}, "digest.time", "25:00 is not a time: use 24-hour HH:MM, e.g. 09:00 or 17:30."),
        ({"regions": []}, "digest.regions", "Tick at least one region, or choose a saved view."),
        ({"channel": None}, "digest.channel", "Choose the channel for the digest."),
    ],
)
def test_problems_are_shown_in_the_form_as_plain_text(h, values, block, error):
    _open_form(h)

    modal = _submit(h, **values)

    assert modal.errors == {block: error}
    assert _rows(h) == []


def test_the_permission_is_checked_again_on_submit(h):
    _open_form(h)
    ada = h.slack.workspace(DEMO_TEAM).user(DEMO_ADMIN)
    ada.is_admin = ada.is_owner = ada.is_primary_owner = False  # demoted while the form was open

    modal = _submit(h)

    assert modal.errors["digest.channel"].startswith(
        "Only people who manage Hilal can change digest subscriptions. Ask a workspace admin"
    )
    assert "`" not in modal.errors["digest.channel"] and _rows(h) == []


def test_members_get_no_form(h):
    h.command("digest subscribe", user=DEMO_MEMBER)

    assert h.slack.open_views(DEMO_MEMBER) == []
    assert "Only people who manage Hilal" in h.last_reply().text


def test_a_channel_with_a_digest_asks_before_replacing_it(h):
    h.command("digest subscribe at 10:15 Asia/Tokyo")
    _open_form(h)

    assert _submit(h, time="08:00") is None
    (question,) = [m for m in h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC") if "Replace it" in m.text]
    assert check_message({"text": question.text, "blocks": question.blocks}) == []
    assert _rows(h)[0].local_time == "10:15"  # not yet

    h.slack.send_block_action(
        team_id=DEMO_TEAM, user_id=DEMO_ADMIN, action_id="digest.replace", message=question.id
    )

    assert (_rows(h)[0].local_time, _rows(h)[0].timezone) == ("08:00", "Europe/Berlin")
    replaced = next(m for m in h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC") if m.id == question.id)
    assert replaced.text.startswith("✅ Daily digest set up: <#C0PPC> · 08:00 Europe/Berlin")


def test_keep_leaves_the_digest_alone(h):
    h.command("digest subscribe at 10:15")
    h.command("digest subscribe at 08:00")
    question = h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC")[-1]

    h.slack.send_block_action(
        team_id=DEMO_TEAM, user_id=DEMO_ADMIN, action_id="digest.keep", message=question.id
    )

    assert _rows(h)[0].local_time == "10:15"
    kept = next(m for m in h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC") if m.id == question.id)
    assert kept.text == "Kept the current digest of <#C0PPC>; nothing changed."
    assert _buttons(kept.blocks) == {}


def test_the_button_opens_the_form_when_the_command_could_not(h):
    h.slack.fail("views.open", error="expired_trigger_id")
    h.command("digest subscribe", channel="C0PPC")
    assert h.slack.open_views(DEMO_ADMIN) == []
    offer = h.slack.ephemerals(DEMO_ADMIN, channel="C0PPC")[-1]
    assert "Set up a digest…" in _buttons(offer.blocks)

    h.slack.send_block_action(
        team_id=DEMO_TEAM, user_id=DEMO_ADMIN, action_id="digest.open", message=offer.id
    )

    (modal,) = h.slack.open_views(DEMO_ADMIN)
    assert modal.state["digest.channel"]["digest.channel"]["selected_conversation"] == "C0PPC"


def test_quoted_view_names_work_end_to_end(h):
    h.command('view save "EU + FE top" shared')
    assert 'Open it with `/hilal view "EU + FE top"`' in h.last_reply().text

    h.command('view "EU + FE top"')
    opened = h.last_reply()
    assert opened.blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "View: EU + FE top"}}
    h.command("view list")
    assert "EU + FE top" in h.last_reply().text

    h.command('digest subscribe view "EU + FE top"')
    assert "view *EU + FE top*" in h.last_reply().text
    _open_form(h)
    offered = h.slack.open_views(DEMO_ADMIN)[0].blocks
    (picker,) = [b for b in offered if b.get("block_id") == "digest.view"]
    assert [o["value"] for o in picker["element"]["options"]] == ["EU + FE top"]

    h.command("digest unsubscribe")
    h.command('view delete "EU + FE top"')
    assert h.last_reply().text == "Deleted view “EU + FE top”."


def test_the_save_view_form_shows_its_problems_without_backticks(h):
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=h.slack.api_url)
    trigger = h.slack.issue_trigger(team_id=DEMO_TEAM, user_id=DEMO_ADMIN)
    client.views_open(trigger_id=trigger, view=render_save_view_modal("All regions · by spend"))

    h.slack.send_view_submission(
        team_id=DEMO_TEAM, user_id=DEMO_ADMIN, values={"save_view.name": {"save_view.name": "save"}}
    )

    (modal,) = h.slack.open_views(DEMO_ADMIN)
    assert modal.errors == {
        "save_view.name": "save is a command word; choose another name. "
        "Example: /hilal view save EU brand shared"
    }


def test_a_channel_typed_by_hand_in_the_console_is_understood(h):
    _console(h, "C0RANDOM", "/invite @Hilal")

    _console(h, "C0PPC", "/hilal digest subscribe #random at 07:00")

    (row,) = _rows(h)
    assert (row.channel_id, row.local_time) == ("C0RANDOM", "07:00")
