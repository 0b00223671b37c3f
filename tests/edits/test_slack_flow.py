"""Live edits through Slack: command → preview (nothing sent) → Confirm → outcome in place → Undo; the
typed word of a big change; refusals; the audit channel and history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.blocks.limits import check_view
from bot.services.edits import list_editors
from sandbox.slack.model import Message
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, EditBatch, EditBatchStatus, Workspace
from tests.edits.helpers import amazon_budget, amazon_campaign, puts, writes
from tests.edits.slack_world import SlackWorld, slack_world, text_of
from tests.sync.world import World


@pytest.fixture
def sw(world: World) -> Iterator[SlackWorld]:
    with slack_world(world) as built:
        yield built


def _first_enabled(sw: SlackWorld) -> tuple[str, str]:
    campaign = sw.account.of_state("ENABLED")[0]
    return campaign.name, campaign.campaign_id


def test_pause_previews_then_confirm_replaces_it_and_undo_restores(sw: SlackWorld) -> None:
    name, campaign_id = _first_enabled(sw)
    sw.h.command(f'pause "{name}"')
    preview = sw.reply()
    assert "enabled → *paused*" in text_of(preview) and "stops spend" in text_of(preview)
    assert puts(sw.world) == 0  # a preview sends nothing

    sw.click("edits.confirm")
    outcome = sw.reply()
    assert sw.h.slack.webhook_posts()[-1].body.get("replace_original") is True
    assert "1 paused" in outcome.text and "Changed from Slack by" in text_of(outcome)
    assert amazon_campaign(sw.world, sw.account.profile, campaign_id)["state"] == "PAUSED"
    assert puts(sw.world) == 1

    sw.world.clock.advance(minutes=5)
    sw.click("edits.undo")  # within 15 minutes: a new preview of the way back
    undo = sw.reply()
    assert "paused → *enabled*" in text_of(undo) and puts(sw.world) == 1
    sw.click("edits.confirm")
    assert "1 enabled" in sw.reply().text
    assert amazon_campaign(sw.world, sw.account.profile, campaign_id)["state"] == "ENABLED"

    sw.h.command(f'history "{name}"')
    history = text_of(sw.reply())
    assert "enabled → paused" in history and "paused → enabled" in history and "(undo)" in history


def test_a_double_click_on_confirm_sends_one_put_and_shows_the_same_outcome(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command(f'pause "{name}"')
    lost = sw.h.slack.issue_response_url(team_id=sw.h.team, user_id=sw.h.admin, channel_id=sw.h.channel)
    sw.click("edits.confirm", response_url=lost)  # the first click's answer went elsewhere …
    first = sw.reply()
    sw.click("edits.confirm")  # … so the preview still shows Confirm: a second click
    second = sw.reply()
    assert puts(sw.world) == 1
    assert "1 paused" in first.text and first.text == second.text


def _latest_batch(sw: SlackWorld) -> EditBatch:
    with session_scope(sw.world.engine, readonly=True) as s:
        found = s.exec(select(EditBatch).order_by(EditBatch.id.desc())).first()  # type: ignore[union-attr]
        assert found is not None
        return found


def test_cancel_says_nothing_was_sent(sw: SlackWorld) -> None:
    name, campaign_id = _first_enabled(sw)
    sw.h.command(f'pause "{name}"')
    sw.click("edits.cancel")
    assert "Cancelled — nothing was sent to Amazon" in sw.reply().text
    assert _latest_batch(sw).status == EditBatchStatus.CANCELLED
    cancelled = _latest_batch(sw).id
    sw.h.command(f'pause "{name}"')  # a new preview; its Confirm clicked with the cancelled batch's value
    sw.click("edits.confirm", value=f'{{"b":"{cancelled}"}}')  # a stale or forged Confirm sends nothing
    assert writes(sw.world) == []
    assert amazon_campaign(sw.world, sw.account.profile, campaign_id)["state"] == "ENABLED"


def test_another_members_cancel_is_refused_and_the_preview_stays(sw: SlackWorld) -> None:
    name, campaign_id = _first_enabled(sw)
    sw.h.command(f'pause "{name}"')
    preview = _latest_batch(sw)
    assert preview.created_by == sw.h.admin
    sw.click("edits.cancel", user=sw.h.member, message=_preview_of(sw))
    assert "Only the person who asked for this preview, or an editor" in text_of(sw.reply())
    assert _latest_batch(sw).status == EditBatchStatus.PREVIEWED  # nothing changed

    sw.click("edits.confirm", message=_preview_of(sw))  # the creator still confirms it
    assert "1 paused" in sw.reply().text
    assert amazon_campaign(sw.world, sw.account.profile, campaign_id)["state"] == "PAUSED"


def test_an_editor_may_cancel_someone_elses_preview(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command(f"admins editor add <@{sw.h.member}>")
    sw.h.command(f'pause "{name}"')
    assert _latest_batch(sw).created_by == sw.h.admin
    sw.click("edits.cancel", user=sw.h.member, message=_preview_of(sw))
    assert "Cancelled — nothing was sent to Amazon" in sw.reply().text
    assert _latest_batch(sw).status == EditBatchStatus.CANCELLED and writes(sw.world) == []


def _preview_of(sw: SlackWorld) -> Message:
    """The admin's latest ephemeral preview (with its Cancel button), to click as someone else."""
    found = [m for m in sw.h.slack.ephemerals(sw.h.admin) if "edits.cancel" in json.dumps(m.blocks)]
    return found[-1]


def test_a_big_budget_raise_needs_the_typed_word_in_a_modal(sw: SlackWorld) -> None:
    name, campaign_id = _first_enabled(sw)
    before = amazon_budget(sw.world, sw.account.profile, campaign_id)
    sw.h.command(f'budget "{name}" +500%')
    assert "RAISE" in text_of(sw.reply())
    sw.click("edits.confirm")
    [modal] = sw.h.slack.open_views(sw.h.admin)
    assert check_view(modal.to_api()) == []

    sw.h.slack.send_view_submission(
        team_id=sw.h.team, user_id=sw.h.admin, values={"edits.word": {"edits.word": "raise it"}}
    )
    [still_open] = sw.h.slack.open_views(sw.h.admin)
    assert "type RAISE" in str(still_open.errors) and puts(sw.world) == 0

    sw.h.slack.send_view_submission(
        team_id=sw.h.team, user_id=sw.h.admin, values={"edits.word": {"edits.word": "raise"}}
    )
    assert sw.h.slack.open_views(sw.h.admin) == []
    assert "1 changed" in sw.reply().text and puts(sw.world) == 1
    assert amazon_budget(sw.world, sw.account.profile, campaign_id) == (before * 6).quantize(Decimal("0.01"))


def test_a_member_without_the_role_is_refused_and_sees_no_edit_entries(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command(f'pause "{name}"', user=sw.h.member)
    refusal = text_of(sw.reply())
    assert "Only managers and the people an admin named as editors" in refusal
    sw.h.command("campaigns", user=sw.h.member)
    assert "Pause…" not in text_of(sw.reply())
    sw.h.command("campaigns")
    assert "Pause…" in text_of(sw.reply())  # the admin sees them

    sw.h.command(f"admins editor add <@{sw.h.member}>")
    sw.h.command(f'pause "{name}"', user=sw.h.member)
    assert "enabled → *paused*" in text_of(sw.reply())
    assert puts(sw.world) == 0


def _read_only(sw: SlackWorld) -> list[bool]:
    with session_scope(sw.world.engine, readonly=True) as s:
        return [c.read_only for c in s.exec(select(Connection)).all()]


def _audit_channel(sw: SlackWorld) -> str | None:
    with session_scope(sw.world.engine, readonly=True) as s:
        team = s.exec(select(Workspace).where(Workspace.team_id == sw.h.team)).one()
        return team.audit_channel


def test_a_read_only_region_refuses_with_the_reason(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command("readonly na on", user=sw.h.member)
    assert "Only people who manage Hilal" in text_of(sw.reply())
    assert _read_only(sw) == [False]  # the member's switch changed nothing
    sw.h.command("readonly na on")
    sw.h.command(f'pause "{name}"')
    assert "read-only" in text_of(sw.reply()) and sw.world.sim.requests
    assert writes(sw.world) == []
    sw.h.command("regions")
    assert "🔒 Read-only: live edits are refused" in text_of(sw.reply())


def test_a_disconnected_region_refuses(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    with session_scope(sw.world.engine) as s:
        for conn in s.exec(select(Connection)).all():
            conn.status = ConnectionStatus.DISCONNECTED
            s.add(conn)
    sw.h.command(f'pause "{name}"')
    assert "live edits stop when a region is disconnected — reconnect to edit" in text_of(sw.reply()).lower()
    assert writes(sw.world) == []


def test_the_audit_channel_gets_one_line_per_change(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command("audit-channel <#C0PPC|ppc>")
    assert "one line per change to <#C0PPC>" in sw.reply().text
    sw.h.command(f'pause "{name}"')
    sw.click("edits.confirm")
    lines = [m for m in sw.h.slack.messages("C0PPC") if "paused" in (m.text or "")]
    assert len(lines) == 1
    assert f"<@{sw.h.admin}> paused" in lines[0].text and "enabled → paused" in lines[0].text


def test_only_managers_choose_the_audit_channel(sw: SlackWorld) -> None:
    sw.h.command("audit-channel <#C0PPC|ppc>")
    assert _audit_channel(sw) == "C0PPC"
    for words in ("audit-channel <#C0OTHER|other>", "audit-channel off"):
        sw.h.command(words, user=sw.h.member)
        assert "Only people who manage Hilal" in text_of(sw.reply())
        assert _audit_channel(sw) == "C0PPC"  # unchanged


def _editors(sw: SlackWorld) -> list[str]:
    with session_scope(sw.world.engine, readonly=True) as s:
        return list(list_editors(s, team_id=sw.h.team))


def test_only_managers_add_or_remove_editors(sw: SlackWorld) -> None:
    name, _ = _first_enabled(sw)
    sw.h.command(f"admins editor add <@{sw.h.member}>", user=sw.h.member)  # naming oneself
    assert "Only people who manage Hilal" in text_of(sw.reply())
    assert _editors(sw) == []
    sw.h.command(f'pause "{name}"', user=sw.h.member)
    assert "Only managers and the people an admin named as editors" in text_of(sw.reply())

    sw.h.command("admins editor add <@U0LEE>")
    assert _editors(sw) == ["U0LEE"]
    sw.h.command("admins editor remove <@U0LEE>", user=sw.h.member)
    assert "Only people who manage Hilal" in text_of(sw.reply())
    assert _editors(sw) == ["U0LEE"]  # still an editor
    sw.h.command("admins editor remove <@U0LEE>")
    assert _editors(sw) == []


def test_the_list_menu_pauses_a_campaign(sw: SlackWorld) -> None:
    name, campaign_id = _first_enabled(sw)
    sw.h.command(f'campaigns "{name}"')
    campaign = next(c for c in sw.account.campaigns if c.campaign_id == campaign_id)
    value = f'{{"id":"{campaign.id}","op":"pause"}}'
    sw.click("campaigns.overflow", value=value)
    assert "enabled → *paused*" in text_of(sw.reply())
    sw.click("edits.confirm")
    assert amazon_campaign(sw.world, sw.account.profile, campaign_id)["state"] == "PAUSED"


def test_eu_budget_with_a_comma_decimal(world: World) -> None:
    with slack_world(world, region="eu", marketplaces=("DE",)) as sw:
        name, campaign_id = _first_enabled(sw)
        sw.h.command(f'budget "{name}" 80,50')
        preview = text_of(sw.reply())
        assert "€80.50" in preview
        sw.click("edits.confirm")
        if "edits.word" in str(sw.h.slack.open_views(sw.h.admin)):
            word = "RAISE"
            sw.h.slack.send_view_submission(
                team_id=sw.h.team, user_id=sw.h.admin, values={"edits.word": {"edits.word": word}}
            )
        assert amazon_budget(sw.world, sw.account.profile, campaign_id) == Decimal("80.50")
        assert puts(sw.world) == 1
