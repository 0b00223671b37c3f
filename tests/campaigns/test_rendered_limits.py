"""Every surface this feature renders stays inside Slack's limits, at the page sizes the service uses."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.blocks.campaigns import page_size, render_campaign_details, render_campaign_message
from bot.blocks.home import render_home
from bot.blocks.limits import MAX_BLOCKS_MESSAGE, MAX_BLOCKS_VIEW, check_message, check_view
from bot.blocks.modals import render_choose_campaign, render_note_modal, render_tag_modal
from bot.blocks.views import render_view_list
from bot.services.campaigns import (
    AmbiguousCampaign,
    CampaignFilter,
    add_note,
    build_campaign_page_vm,
    build_detail_vm,
    list_views,
    resolve_campaign,
    save_view,
)
from bot.viewmodels import HomeVM
from storage.db import make_engine, session_scope
from storage.models import Note, Tag

from .seed import NOW, TODAY, add_campaign, add_keyword, add_metric, seed_profiles

TEAM = "T1"
LONG = "Sponsored Products · <Brand> & *Exact* " * 12


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Engine]:
    """60 campaigns with long hostile names, many tags and notes, in four currencies; 30 saved views."""
    path = tmp_path_factory.mktemp("limits") / "hilal.db"
    shutil.copy(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("DE", "UK", "US", "JP"))
        for i in range(60):
            country = ("DE", "UK", "US", "JP")[i % 4]
            c = add_campaign(s, p[country], name=f"{i:02d} {LONG}")
            add_metric(
                s, c, p[country], day=TODAY - timedelta(days=1), cost=f"{i * 1000}.55", sales="99999.99"
            )
            assert c.id is not None
            s.add_all(
                Tag(team_id=TEAM, campaign_pk=c.id, tag=f"t{j}-{'x' * 40}", created_by="U1") for j in range(8)
            )
            s.add(Note(team_id=TEAM, campaign_pk=c.id, author_id="U1", text="n " * 1400, created_at=NOW))
            if i == 0:
                for k in range(20):
                    add_keyword(
                        s, c, p[country], text=f"kw {k} {LONG}", day=TODAY - timedelta(days=1), cost="3"
                    )
        for i in range(12):
            add_note(s, team_id=TEAM, user_id="U2", campaign_pk=1, text=f"note {i} " * 300, now=NOW)
        for i in range(30):
            save_view(
                s,
                team_id=TEAM,
                user_id="U1",
                name=f"View {i}",
                shared=bool(i % 2),
                filter=CampaignFilter(regions=("eu",)),
                now=NOW,
            )
    yield engine
    engine.dispose()


@pytest.mark.parametrize("offset", [0, 20, 40, 59])
@pytest.mark.parametrize(
    "flt",
    [
        CampaignFilter(),
        CampaignFilter(regions=("eu", "fe"), states=("enabled",), search="brand", sort="acos"),
    ],
)
def test_message_pages_respect_message_limits(big: Engine, offset: int, flt: CampaignFilter) -> None:
    with session_scope(big, readonly=True) as s:
        vm = build_campaign_page_vm(
            s, team_id=TEAM, filter=flt, offset=offset, limit=page_size("message"), now=NOW, render_key="k1"
        )
    msg = render_campaign_message(vm)
    assert check_message(msg) == []
    assert len(msg["blocks"]) <= MAX_BLOCKS_MESSAGE
    assert vm.rows, "the page is not empty"


def test_home_with_the_list_and_many_views_respects_view_limits(big: Engine) -> None:
    with session_scope(big, readonly=True) as s:
        vm = build_campaign_page_vm(
            s, team_id=TEAM, filter=CampaignFilter(), offset=25, limit=page_size("home"), now=NOW
        )
        views = list_views(s, team_id=TEAM, user_id="U1")
    home = render_home(HomeVM(cards=[], campaigns=vm, views=views))
    assert check_view(home) == []
    assert len(home["blocks"]) <= MAX_BLOCKS_VIEW
    view_list = render_view_list(views)
    assert check_message(view_list) == []


def test_details_tag_note_and_choose_modals_respect_limits(big: Engine) -> None:
    with session_scope(big, readonly=True) as s:
        detail = build_detail_vm(s, team_id=TEAM, campaign_pk=1, now=NOW)
        assert detail is not None
        with pytest.raises(AmbiguousCampaign) as caught:
            resolve_campaign(s, team_id=TEAM, text="0")
    assert check_view(render_campaign_details(detail)) == []
    assert check_view(render_tag_modal(detail.campaign.name, "1", detail.campaign.tags)) == []
    assert check_view(render_note_modal(detail.campaign.name, "1")) == []
    choose = render_choose_campaign(
        caught.value.matches, query="0", pending={"op": "note", "value": "x" * 2000}
    )
    assert check_view(choose) == []


def test_empty_list_renders_a_hint(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, readonly=True) as s:
        vm = build_campaign_page_vm(
            s, team_id=TEAM, filter=CampaignFilter(tags=("x",)), offset=0, limit=20, now=NOW
        )
    msg = render_campaign_message(vm)
    assert check_message(msg) == [] and msg["text"] == "No campaigns match these filters."
