"""`/hilal campaigns`, views, tags and the list's buttons through the real app and the Slack stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.limits import check_message, check_view
from bot.features import load_features
from bot.services.campaigns import window_state
from storage.db import session_scope
from storage.models import Tag
from tests.harness import Harness

from .seed import add_campaign, add_metric, seed_profiles

pytestmark = pytest.mark.skipif(
    all(feature.name != "campaigns" for feature in load_features()),
    reason="bot.features.campaigns is not in FEATURE_MODULES yet (the lead registers it)",
)
NOW = datetime(2025, 5, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def h(sqlite_engine: Engine) -> Iterator[Harness]:
    with Harness.start(sqlite_engine, seed=False, clock=lambda: NOW) as harness:
        with session_scope(sqlite_engine) as s:
            p = seed_profiles(s, team_id=harness.team, countries=("DE", "FR", "US"))
            for i in range(23):
                c = add_campaign(s, p["DE"], name=f"Brand DE {i:02d}")
                add_metric(
                    s, c, p["DE"], day=NOW.date() - timedelta(days=1), cost=f"{100 - i}.00", sales="200"
                )
            add_campaign(s, p["FR"], name="Generic FR", state="paused")
            add_campaign(s, p["US"], name="Summer launch US")
            add_campaign(s, p["US"], name="Summer launch US - broad")
        yield harness


def _text(blocks: list[dict[str, object]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _rollup_fresh(h: Harness) -> bool:
    with session_scope(h.services.engine, readonly=True) as s:
        return window_state(s, team_id=h.team, today=NOW.date()).fresh


def test_campaigns_command_filters_remembers_and_pages(h: Harness) -> None:
    assert not _rollup_fresh(h)  # seeded rows, no sync yet: the first view takes the live road ...
    h.command('campaigns region eu marketplace de state enabled "brand"')
    assert _rollup_fresh(h)  # ... and has the list's index built behind it
    reply = h.last_reply()
    assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
    assert "1–20 of 23" in reply.text  # noqa: RUF001
    assert "Brand DE 00" in _text(reply.blocks) and "Generic FR" not in _text(reply.blocks)
    assert "€100.00" in _text(reply.blocks)

    h.slack.send_block_action(team_id=h.team, user_id=h.admin, action_id="campaigns.page_next")
    page2 = h.last_reply()
    assert "21–23 of 23" in page2.text  # noqa: RUF001
    assert check_message({"text": page2.text, "blocks": page2.blocks}) == []

    h.command("campaigns")  # no filters: the remembered one
    assert "of 23" in h.last_reply().text


def test_region_filter_click_replaces_the_list(h: Harness) -> None:
    h.command("campaigns region eu")
    h.slack.send_block_action(
        team_id=h.team, user_id=h.admin, action_id="campaigns.filter.region", selected_options=["na"]
    )
    reply = h.last_reply()
    assert "Summer launch US" in _text(reply.blocks) and "Brand DE" not in _text(reply.blocks)
    assert h.slack.webhook_posts()[-1].body.get("replace_original") is True


def test_malformed_filter_answers_with_what_was_wrong(h: Harness) -> None:
    h.command("campaigns regoin eu")
    reply = h.last_reply()
    assert "regoin" in reply.text + _text(reply.blocks)
    assert "/hilal campaigns region eu,fe" in reply.text + _text(reply.blocks)


def test_views_save_open_list_across_users(h: Harness) -> None:
    h.command("campaigns region na")
    h.command("view save NA only shared")
    assert "Saved view “NA only”" in h.last_reply().text
    h.command("view NA only", user=h.member)
    reply = h.last_reply()
    assert "Summer launch US" in _text(reply.blocks) and "Brand DE" not in _text(reply.blocks)
    h.command("view list", user=h.member)
    assert "NA only" in h.last_reply().text


def _header(blocks: list[dict[str, object]]) -> str:
    head = blocks[0]
    assert head["type"] == "header"
    return str(head["text"]["text"])  # type: ignore[index]


def test_an_opened_view_says_its_name_until_a_filter_changes(h: Harness) -> None:
    h.command("campaigns region na")
    h.command('view save "NA launch" shared')
    h.command("campaigns region eu")
    assert _header(h.last_reply().blocks) == "Campaigns"

    h.command("view list", user=h.member)
    h.slack.send_block_action(team_id=h.team, user_id=h.member, action_id="views.open")  # its Open button
    opened = h.last_reply()
    assert _header(opened.blocks) == "View: NA launch" and "Summer launch US" in _text(opened.blocks)

    h.slack.open_home(team_id=h.team, user_id=h.member)
    home = h.slack.home(h.member)
    assert home is not None and "View: NA launch" in _text(home.to_api()["blocks"])

    h.slack.send_block_action(
        team_id=h.team, user_id=h.member, action_id="campaigns.filter.region", selected_options=["eu"]
    )
    assert _header(h.last_reply().blocks) == "Campaigns"  # no longer the view


def test_tag_with_several_matches_asks_which_one(h: Harness) -> None:
    h.command("tag Summer launch")
    stack = h.slack.open_views(h.admin)
    assert stack, "a 'which campaign?' modal opened"
    assert check_view(stack[-1].to_api()) == []
    with session_scope(h.services.engine, readonly=True) as s:
        from storage.models import Campaign

        broad = s.exec(select(Campaign).where(Campaign.name == "Summer launch US - broad")).one()
    h.slack.send_view_submission(
        team_id=h.team,
        user_id=h.admin,
        values={"choose_campaign.select": {"choose_campaign.select": str(broad.id)}},
    )
    with session_scope(h.services.engine, readonly=True) as s:
        assert [(t.campaign_pk, t.tag) for t in s.exec(select(Tag))] == [(broad.id, "launch")]
    assert any("Tagged" in m.text for m in h.slack.ephemerals(h.admin))


def test_home_lists_campaigns_and_pages(h: Harness) -> None:
    h.slack.open_home(team_id=h.team, user_id=h.admin)
    home = h.slack.home(h.admin)
    assert home is not None
    api = home.to_api()
    assert check_view(api) == [] and "1–25 of 26" in _text(api["blocks"])  # noqa: RUF001
    h.slack.send_block_action(team_id=h.team, user_id=h.admin, action_id="campaigns.page_next", view=home)
    home2 = h.slack.home(h.admin)
    assert home2 is not None and "26–26 of 26" in _text(home2.to_api()["blocks"])  # noqa: RUF001
