"""Live edits from the list and Details, through the running app and the stand-ins: "Pause all N shown…"
on a filtered list (the typed `PAUSE N` of a bulk edit), Details' Change daily budget… (the preview
arrives as a direct message, from a modal), a keyword's Change bid… and Pause…."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks.limits import check_message, check_view
from sandbox.slack.model import Message, View
from storage.db import session_scope
from storage.models import Campaign, Keyword
from tests.edits.helpers import amazon_campaign, local_campaign, puts
from tests.edits.slack_world import SlackWorld, slack_world, text_of
from tests.sync.world import World


@pytest.fixture
def sw(world: World) -> Iterator[SlackWorld]:
    with slack_world(world) as built:
        yield built


def _seen(surface: Message | View) -> str:
    """What a person reads on a message or a modal (its text and blocks)."""
    if isinstance(surface, View):
        return json.dumps(surface.to_api(), ensure_ascii=False)
    return (surface.text or "") + json.dumps(surface.blocks, ensure_ascii=False)


def _option(view: View, action_id: str, label: str, *, block_id: str | None = None) -> str:
    """The value of the menu option labelled ``label`` (in block ``block_id``, else the first one)."""
    for block in view.to_api()["blocks"]:
        element = block.get("accessory") or {}
        if element.get("action_id") != action_id or block_id not in (None, block.get("block_id")):
            continue
        for opt in element.get("options", []):
            if label in opt["text"]["text"]:
                return str(opt["value"])
    raise AssertionError(f"no option {label!r} of {action_id} in the modal")


def _dms(sw: SlackWorld) -> list[Message]:
    """Hilal's direct messages to the admin, oldest first, each checked against Slack's limits."""
    found = sw.h.slack.messages(f"D{sw.h.admin[1:]}")
    for msg in found:
        assert check_message({"text": msg.text, "blocks": msg.blocks}) == []
    return found


def _modals(slack: Any, user: str) -> list[str]:
    """The callback ids of the user's open modals, bottom first."""
    return [str(view.payload.get("callback_id")) for view in slack.open_views(user)]


def _open_details(sw: SlackWorld, campaign: Campaign) -> View:
    sw.h.command(f'campaigns "{campaign.name}"')  # the list found by name: its first row is the campaign
    sw.click("campaigns.overflow", value=f'{{"id":"{campaign.id}","op":"details"}}')
    [details] = sw.h.slack.open_views(sw.h.admin)
    assert check_view(details.to_api()) == []
    return details


def _submit(sw: SlackWorld, block: str, value: str) -> Any:
    return sw.h.slack.send_view_submission(
        team_id=sw.h.team, user_id=sw.h.admin, values={block: {block: value}}
    )


def test_pause_all_shown_needs_the_typed_word_and_pauses_every_one_at_amazon(world: World) -> None:
    with slack_world(world, campaigns_per_profile=24) as sw:
        enabled = sw.account.of_state("ENABLED")
        assert len(enabled) > 10
        sw.h.command("campaigns state enabled")
        listing = text_of(sw.reply())
        # The button counts what it would pause: the enabled Sponsored Products campaigns shown (the
        # list shows Sponsored Brands and Display too), the same number the preview asks to type.
        assert f"Pause all {len(enabled)} shown…" in listing

        sw.click("edits.bulk_pause")
        preview = text_of(sw.reply())
        word = f"PAUSE {len(enabled)}"
        assert f"type *{word}*" in preview and "enabled → *paused*" in preview
        assert puts(sw.world) == 0  # a preview sends nothing

        sw.click("edits.confirm")
        [modal] = sw.h.slack.open_views(sw.h.admin)
        assert word in _seen(modal) and check_view(modal.to_api()) == []
        _submit(sw, "edits.word", "PAUSE")
        [still_open] = sw.h.slack.open_views(sw.h.admin)
        assert f"type {word}" in str(still_open.errors) and puts(sw.world) == 0

        _submit(sw, "edits.word", word.lower())
        assert sw.h.slack.open_views(sw.h.admin) == []
        outcome = sw.reply()  # replaces the preview in place
        assert sw.h.slack.webhook_posts()[-1].body.get("replace_original") is True
        assert f"{len(enabled)} paused" in outcome.text
        states = {amazon_campaign(sw.world, sw.account.profile, c.campaign_id)["state"] for c in enabled}
        assert states == {"PAUSED"}
        assert {local_campaign(sw.world, c.id or 0).state for c in enabled} == {"PAUSED"}


def test_a_short_filtered_list_pauses_all_without_a_word(sw: SlackWorld) -> None:
    enabled = sw.account.of_state("ENABLED")
    assert 0 < len(enabled) <= 10
    sw.h.command("campaigns state enabled")
    sw.click("edits.bulk_pause")
    assert "type *PAUSE" not in text_of(sw.reply())
    sw.click("edits.confirm")
    assert sw.h.slack.open_views(sw.h.admin) == []
    assert f"{len(enabled)} paused" in sw.reply().text
    states = {amazon_campaign(sw.world, sw.account.profile, c.campaign_id)["state"] for c in enabled}
    assert states == {"PAUSED"}


def test_details_budget_opens_the_amount_modal_and_the_preview_arrives_as_a_dm(sw: SlackWorld) -> None:
    campaign = sw.account.of_state("ENABLED")[0]
    details = _open_details(sw, campaign)
    assert "Change daily budget" in _seen(details)

    sw.click("edits.budget", view=details)
    stack = sw.h.slack.open_views(sw.h.admin)
    assert len(stack) == 2  # pushed over Details
    amount = stack[-1]
    assert "New daily budget" in _seen(amount) and check_view(amount.to_api()) == []

    _submit(sw, "edits.amount", "twelve")  # malformed: answered in the modal, nothing planned
    assert "edits.amount" in str(sw.h.slack.open_views(sw.h.admin)[-1].errors)
    assert _dms(sw) == []

    new_budget = (campaign.budget or Decimal(0)) + Decimal("7.25")
    _submit(sw, "edits.amount", f"{new_budget}")
    [preview] = _dms(sw)
    assert f"${new_budget:,.2f}" in _seen(preview) and "Nothing is sent to Amazon" in _seen(preview)
    assert puts(sw.world) == 0

    sw.click("edits.confirm", message=preview)
    assert "1 changed" in sw.reply().text
    [outcome] = _dms(sw)  # the DM preview was replaced by the outcome
    assert "1 changed" in (outcome.text or "") and "Undo" in _seen(outcome)
    budget = amazon_campaign(sw.world, sw.account.profile, campaign.campaign_id)["budget"]["budget"]
    assert Decimal(str(budget)) == new_budget


def test_the_amount_form_is_answered_before_a_slow_amazon_read(world: World) -> None:
    """Slack waits 3 s for a form's ack: Amazon's current value is read after it (as in production, Bolt
    answers at the ack), while a malformed amount is still answered in the form."""
    with slack_world(world, process_before_response=False) as sw:
        slack, admin = sw.h.slack, sw.h.admin
        campaign = sw.account.of_state("ENABLED")[0]
        sw.h.command(f'campaigns "{campaign.name}"')
        assert slack.wait_for(lambda: bool(slack.webhook_posts()))
        sw.click("campaigns.overflow", value=f'{{"id":"{campaign.id}","op":"details"}}')
        # Details opens as "Loading…" and is filled in place
        assert slack.wait_for(lambda: _modals(slack, admin) == ["campaigns.details"])
        sw.click("edits.budget", view=slack.open_views(admin)[0])
        assert slack.wait_for(lambda: len(slack.open_views(admin)) == 2)

        _submit(sw, "edits.amount", "twelve")  # local data only: still answered in the form
        assert "edits.amount" in str(slack.open_views(admin)[-1].errors)

        stall = 3.0  # Amazon's read takes all of Slack's 3 seconds
        sw.world.sim.faults.add("sp/campaigns/list", kind="timeout", delay=stall)
        new_budget = (campaign.budget or Decimal(0)) + Decimal("7.25")
        started = time.monotonic()
        _submit(sw, "edits.amount", f"{new_budget}")
        acked_after = time.monotonic() - started
        assert acked_after < stall, f"the form was answered after {acked_after:.2f} s"
        assert len(slack.open_views(admin)) == 1  # the amount form closed at once
        assert slack.wait_for(lambda: len(_dms(sw)) == 1, timeout=stall + 10)
        [preview] = _dms(sw)
        assert f"${new_budget:,.2f}" in _seen(preview) and "Nothing is sent to Amazon" in _seen(preview)
        assert not sw.world.sim.faults.pending  # the preview did wait for the stalled read
        assert puts(sw.world) == 0


def _keyword(sw: SlackWorld, details: View) -> tuple[Keyword, str]:
    """The first enabled keyword Details offers a menu for, and its section's block id."""
    for block in details.to_api()["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") != "edits.keyword":
            continue
        pk = int(json.loads(accessory["options"][0]["value"])["id"])
        with session_scope(sw.world.engine, readonly=True) as s:
            keyword = s.exec(select(Keyword).where(Keyword.id == pk)).one()
        if keyword.state == "ENABLED":
            return keyword, str(block["block_id"])
    raise AssertionError("Details offers no menu for an enabled keyword")


def _amazon_keyword(sw: SlackWorld, keyword_id: str) -> dict[str, Any]:
    keywords = sw.world.sim.truth.keywords(sw.account.profile.profile_id)
    return next(k for k in keywords if str(k["keywordId"]) == keyword_id)


def _amazon_bid(sw: SlackWorld, keyword_id: str) -> Decimal:
    """The bid Amazon bids for the keyword: its own, else its ad group's default bid."""
    keyword = _amazon_keyword(sw, keyword_id)
    if "bid" in keyword:
        return Decimal(str(keyword["bid"]))
    groups = sw.world.sim.truth.ad_groups(sw.account.profile.profile_id)
    group = next(g for g in groups if str(g["adGroupId"]) == str(keyword["adGroupId"]))
    return Decimal(str(group["defaultBid"]))


@pytest.mark.parametrize("own_bid", [True, False], ids=["own-bid", "ad-group-default"])
def test_a_keywords_menu_changes_its_bid_at_amazon(sw: SlackWorld, own_bid: bool) -> None:
    if own_bid:  # Details lists keywords by spend: give the top one a bid of its own first
        details = _open_details(sw, sw.account.of_state("ENABLED")[0])
        top, _ = _keyword(sw, details)
        sw.h.command(f'bid "{sw.account.of_state("ENABLED")[0].name}" "{top.text}" 1.23')
        sw.click("edits.confirm")
        sw.h.slack.send_view_closed(team_id=sw.h.team, user_id=sw.h.admin, is_cleared=True)
    details = _open_details(sw, sw.account.of_state("ENABLED")[0])
    keyword, block = _keyword(sw, details)
    before = _amazon_bid(sw, keyword.keyword_id)
    assert ("bid" in _amazon_keyword(sw, keyword.keyword_id)) is own_bid
    sent = puts(sw.world, "/sp/keywords")

    sw.click("edits.keyword", view=details, block_id=block, value=_option(details, "edits.keyword", "bid"))
    amount = sw.h.slack.open_views(sw.h.admin)[-1]
    assert "New bid" in _seen(amount) and keyword.text in _seen(amount)

    _submit(sw, "edits.amount", "+10%")  # relative to the bid Amazon bids, its own or the default
    new_bid = (before * Decimal("1.1")).quantize(Decimal("0.01"))
    [preview] = _dms(sw)
    assert f"${before:,.2f} → *${new_bid:,.2f}*" in _seen(preview)
    assert "raises the bid" in _seen(preview) and puts(sw.world, "/sp/keywords") == sent

    sw.click("edits.confirm", message=preview)
    assert "1 changed" in sw.reply().text
    assert puts(sw.world, "/sp/keywords") == sent + 1
    assert _amazon_bid(sw, keyword.keyword_id) == new_bid


def test_a_keywords_menu_pauses_it_at_amazon(sw: SlackWorld) -> None:
    campaign = sw.account.of_state("ENABLED")[0]
    details = _open_details(sw, campaign)
    keyword, block = _keyword(sw, details)
    assert _amazon_keyword(sw, keyword.keyword_id)["state"] == "ENABLED"

    sw.click("edits.keyword", view=details, block_id=block, value=_option(details, "edits.keyword", "Pause"))
    [preview] = _dms(sw)
    assert "enabled → *paused*" in _seen(preview) and "stops bids on this keyword" in _seen(preview)
    assert puts(sw.world, "/sp/keywords") == 0

    sw.click("edits.confirm", message=preview)
    assert "1 paused" in sw.reply().text
    assert _amazon_keyword(sw, keyword.keyword_id)["state"] == "PAUSED"


def test_app_home_offers_editors_the_same_row_entries_and_pauses_from_there(sw: SlackWorld) -> None:
    campaign = sw.account.of_state("ENABLED")[0]
    sw.h.slack.open_home(team_id=sw.h.team, user_id=sw.h.member)
    member_home = sw.h.slack.home(sw.h.member)
    assert member_home is not None and "Details" in _seen(member_home)
    assert "Pause…" not in _seen(member_home)  # no edit role: no edit entries

    sw.h.command(f'campaigns "{campaign.name}"')  # Home shows the user's remembered filter
    sw.h.slack.open_home(team_id=sw.h.team, user_id=sw.h.admin)
    home = sw.h.slack.home(sw.h.admin)
    assert home is not None and check_view(home.to_api()) == []
    assert (
        "Pause…" in _seen(home)
        and "Change daily budget…" in _seen(home)
        and "Pause all 1 shown…" in _seen(home)
    )

    sw.click("campaigns.overflow", view=home, value=f'{{"id":"{campaign.id}","op":"pause"}}')
    [preview] = _dms(sw)  # Home has no message to answer under: the preview is a direct message
    assert "enabled → *paused*" in _seen(preview) and puts(sw.world) == 0
    sw.click("edits.confirm", message=preview)
    assert "1 paused" in sw.reply().text
    assert amazon_campaign(sw.world, sw.account.profile, campaign.campaign_id)["state"] == "PAUSED"
