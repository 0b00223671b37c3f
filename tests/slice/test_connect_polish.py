"""First-day rough edges of the connect flow (issue 13), through the real app and both stand-ins.

- the "connected" page links back to Hilal in Slack, and the card whose Connect link was used is
  replaced in place with the connected card;
- after a (re)connect and before Save the card says "Choose marketplaces", and Sync now pressed there is
  answered in place;
- the picker's count follows the ticks, and Select all / Clear change only the pending selection.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks.limits import check_message
from bot.services.connections import disconnect_region, save_selection
from storage.db import session_scope
from storage.models import Profile
from tests.harness import Harness


@pytest.fixture
def h(sqlite_engine):
    with Harness.start(sqlite_engine, seed=False) as harness:
        harness.sim.seed_account(
            user_id="demo", region="fe", marketplaces=["JP", "AU"], account_name="Acme FE"
        )
        yield harness


def _text(message: Any) -> str:
    return str(message.text) + "\n" + json.dumps(message.blocks, ensure_ascii=False)


def _connect_link(blocks: list[dict[str, Any]], region: str) -> str:
    for block in blocks:
        for element in block.get("elements", []):
            url = element.get("url", "")
            meta = json.loads(element.get("value") or "{}")
            if "/amazon/oauth/start" in url and meta.get("region") == region:
                return str(url)
    raise AssertionError(f"no Connect button for {region}")


def _cards(h):
    """The ephemeral messages shown to the admin that hold region cards, oldest first."""
    return [
        m
        for m in h.slack.ephemerals(h.admin)
        if any(str(b.get("block_id", "")).startswith("region.card#") for b in m.blocks)
    ]


def _consent(h, link: str):
    start = h.open_connect_link(link)
    assert start.status_code == 302, start.text
    return h.finish_consent(start.headers["location"])


def _saved(h) -> set[str]:
    with session_scope(h.services.engine, readonly=True) as s:
        return {p.country_code for p in s.exec(select(Profile)).all() if p.selected}


def _pid(h, country: str) -> str:
    with session_scope(h.services.engine, readonly=True) as s:
        return s.exec(select(Profile.profile_id).where(Profile.country_code == country)).one()


# --- 1. After consent: where to go, and the card that was clicked ----------------------------------------


def test_connected_page_links_to_hilal_in_slack(h):
    page = h.connect_region("fe")
    assert page.status_code == 200
    assert "Open Hilal in Slack" in page.text and "Messages tab" in page.text
    assert f'href="{h.slack.base_url}/"' in page.text  # the stand-in's web client (local mode)


def test_connect_card_is_replaced_in_place_after_consent(h):
    h.command("connect fe")
    [card] = _cards(h)
    assert "Not connected" in _text(card)
    page = _consent(h, _connect_link(card.blocks, "fe"))
    assert page.status_code == 200
    [card] = _cards(h)  # the same message, replaced: no second card
    text = _text(card)
    assert "Not connected" not in text and "Choose marketplaces" in text
    assert "/amazon/oauth/start" not in text  # no Connect button left
    assert check_message({"text": card.text, "blocks": card.blocks}) == []


def test_regions_reply_keeps_all_three_cards_when_replaced(h):
    h.command("regions")
    [cards] = _cards(h)
    _consent(h, _connect_link(cards.blocks, "fe"))
    [cards] = _cards(h)
    text = _text(cards)
    assert "North America" in text and "Europe" in text and "Choose marketplaces" in text


def test_a_link_without_a_card_replaces_nothing(h):
    h.command("connect fe")
    h.connect_region("fe")  # a link made outside any reply (like App Home's)
    [card] = _cards(h)
    assert "Not connected" in _text(card)


def test_a_card_cookie_from_another_click_is_not_used(h):
    h.command("connect fe")
    [card] = _cards(h)
    first = h.open_connect_link(_connect_link(card.blocks, "fe"))
    assert first.status_code == 302
    h.connect_region("fe")  # a newer Connect link without a card, in the same browser
    [card] = _cards(h)
    assert "Not connected" in _text(card)


# --- 2. The one true state before Save ---------------------------------------------------------------------


def _reconnected_with_old_card(h):
    """Connected, saved and shown (with Sync now) in `/hilal regions`; then disconnected and reconnected."""
    h.connect_region("fe")
    save_selection(h.services, team_id=h.team, region="fe", profile_ids={_pid(h, "JP")}, user_id=h.admin)
    h.command("connect fe")
    old = _cards(h)[-1]
    assert "Sync now" in _text(old)
    disconnect_region(h.services, team_id=h.team, region="fe", user_id=h.admin)
    h.connect_region("fe")
    return old


def test_card_after_reconnect_asks_for_marketplaces_instead_of_saying_connected(h):
    _reconnected_with_old_card(h)
    h.command("connect fe")
    text = _text(_cards(h)[-1])
    assert "Choose marketplaces" in text and "🟢 Connected" not in text
    assert "Sync now" not in text
    assert "Previous selection" in text  # JP is still ticked for the picker, not yet saved


def test_sync_now_before_save_is_answered_in_place(h):
    old = _reconnected_with_old_card(h)
    dms = len(h.slack.messages("D0ADMIN"))
    before = len(_cards(h))
    h.slack.send_block_action(team_id=h.team, user_id=h.admin, action_id="region.sync_now", message=old)
    assert len(_cards(h)) == before  # replaced, not a new message
    text = _text(next(m for m in _cards(h) if m.id == old.id))
    assert "Sync now needs the marketplaces first" in text and "Choose marketplaces" in text
    assert len(h.slack.messages("D0ADMIN")) == dms  # nothing sent to another place


# --- 3. The picker follows the ticks ---------------------------------------------------------------------


def _picker(h):
    return h.slack.messages("D0ADMIN")[-1]


def test_ticks_update_the_count_in_place(h):
    h.connect_region("fe")
    picker = _picker(h)
    assert "Selected: 0 of 2" in _text(picker)
    h.slack.send_block_action(
        team_id=h.team,
        user_id=h.admin,
        action_id="marketplaces.select",
        selected_options=[_pid(h, "JP")],
        message=picker,
    )
    updated = _picker(h)
    assert updated.id == picker.id and "Selected: 1 of 2" in _text(updated)
    assert check_message({"text": updated.text, "blocks": updated.blocks}) == []
    assert _saved(h) == set()  # a tick saves nothing


def test_select_all_and_clear_change_only_the_pending_selection(h):
    h.connect_region("fe")
    press = {"team_id": h.team, "user_id": h.admin}
    h.slack.send_block_action(**press, action_id="marketplaces.select_all", message=_picker(h))
    assert "Selected: 2 of 2" in _text(_picker(h)) and _saved(h) == set()
    h.slack.send_block_action(**press, action_id="marketplaces.clear", message=_picker(h))
    assert "Selected: 0 of 2" in _text(_picker(h)) and _saved(h) == set()
    h.slack.send_block_action(**press, action_id="marketplaces.select_all", message=_picker(h))
    h.slack.send_block_action(**press, action_id="marketplaces.save", message=_picker(h))
    assert _saved(h) == {"JP", "AU"}


def test_members_cannot_select_all(h):
    h.connect_region("fe")
    picker = _picker(h)
    h.slack.send_block_action(
        team_id=h.team, user_id=h.member, action_id="marketplaces.select_all", message=picker
    )
    assert "Selected: 0 of 2" in _text(_picker(h))
    h.slack.send_block_action(team_id=h.team, user_id=h.admin, action_id="marketplaces.save", message=picker)
    assert _saved(h) == set()  # the pending selection was not filled: Save refuses an empty one


def test_options_name_account_and_profile_id(h):
    h.connect_region("fe")
    jp = _pid(h, "JP")
    assert f"🇯🇵 JP · Acme FE ({jp})" in _text(_picker(h))


def test_first_connect_card_asks_for_marketplaces_once(h):
    h.connect_region("fe")
    h.command("connect fe")
    text = _text(_cards(h)[-1])
    assert text.count("not chosen yet") == 2  # the card's line and the text fallback, nothing else
    assert "No marketplaces selected yet" not in text


# --- Pure parts: the way back to Slack, the sealed card reply, the page -----------------------------------


def test_slack_links_open_the_apps_messages_tab():
    from bot.services.connections import slack_links

    links = slack_links("https://slack.com/api/", team_id="T0DEMO", app_id="A0HILAL")
    assert links is not None
    assert links.app_url == "slack://app?team=T0DEMO&id=A0HILAL&tab=messages"
    assert links.web_url == "https://slack.com/app_redirect?app=A0HILAL&team=T0DEMO"
    assert slack_links("https://slack.com/api/", team_id="T0DEMO", app_id="") is None
    assert slack_links("https://slack.com/api/", team_id="T0DEMO", app_id="A0&x=<y>") is None
    local = slack_links("http://127.0.0.1:3001/api/", team_id="T0DEMO", app_id="A0HILAL")
    assert local is not None and local.app_url is None and local.web_url == "http://127.0.0.1:3001/"


def test_connected_page_says_where_to_go_with_or_without_links():
    from bot.web.pages import render_page

    html, status = render_page("connected", region="fe")
    assert status == 200 and "open Hilal (under Apps in the sidebar), then its Messages tab" in html
    assert "<a " not in html
    html, _ = render_page(
        "connected",
        region="fe",
        slack_url="slack://app?team=T0DEMO&id=A0HILAL&tab=messages",
        slack_web_url="https://slack.com/app_redirect?app=A0HILAL&team=T0DEMO",
    )
    assert 'href="slack://app?team=T0DEMO&amp;id=A0HILAL&amp;tab=messages">Open Hilal in Slack' in html
    assert 'href="https://slack.com/app_redirect?app=A0HILAL&amp;team=T0DEMO"' in html
    html, _ = render_page("cancelled", region="fe", slack_url="slack://app?team=T&id=A")
    assert "slack://" not in html  # only the connected page leads back to Slack


def test_a_sealed_card_reply_opens_only_for_its_team_region_and_user(h):
    from bot.services.connections import CardReply, open_card_reply, seal_card_reply

    reply = CardReply("https://hooks.slack.com/commands/T0DEMO/1/abc", all_regions=False)
    who = {"team_id": h.team, "enterprise_id": "", "region": "fe"}
    sealed = seal_card_reply(h.services, user_id=h.admin, reply=reply, **who)
    assert "hooks.slack.com" not in sealed
    assert open_card_reply(h.services, sealed, user_id=h.admin, **who) == reply
    assert open_card_reply(h.services, sealed, user_id=h.member, **who) is None
    assert open_card_reply(h.services, sealed, user_id=h.admin, **{**who, "region": "eu"}) is None
    assert open_card_reply(h.services, sealed[:-4] + "AAAA", user_id=h.admin, **who) is None
    assert open_card_reply(h.services, "", user_id=h.admin, **who) is None


def test_ticks_in_an_ephemeral_picker_update_it_in_place(h):
    h.connect_region("fe")
    h.command("marketplaces fe")
    [picker] = [m for m in h.slack.ephemerals(h.admin) if "Selected:" in _text(m)]
    h.slack.send_block_action(
        team_id=h.team,
        user_id=h.admin,
        action_id="marketplaces.select",
        selected_options=[_pid(h, "AU")],
        message=picker,
    )
    [updated] = [m for m in h.slack.ephemerals(h.admin) if "Selected:" in _text(m)]
    assert updated.id == picker.id and "Selected: 1 of 2" in _text(updated)
    assert _saved(h) == set()
