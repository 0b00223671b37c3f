"""Details shows the bid Amazon uses for each keyword: its own, or its ad group's default."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.campaign_details import render_campaign_details
from bot.services.campaigns import build_detail_vm
from bot.viewmodels import Money
from storage.db import session_scope
from storage.models import Keyword

from .seed import NOW, TODAY, add_campaign, add_keyword, seed_profiles


def test_a_keyword_without_its_own_bid_shows_its_ad_groups_default(engine: Engine) -> None:
    with session_scope(engine) as s:
        de = seed_profiles(s, team_id="T1", countries=("DE",))["DE"]
        campaign = add_campaign(s, de, name="Brand DE")
        yesterday = TODAY - timedelta(days=1)
        add_keyword(s, campaign, de, text="trail shoes", day=yesterday, cost="9.00")
        add_keyword(s, campaign, de, text="running shoes", day=yesterday, cost="5.00")
        own = s.exec(select(Keyword).where(Keyword.text == "running shoes")).one()
        own.bid = None  # this one bids its ad group's default (0.75 in the seed)
        s.add(own)
        pk = campaign.id
    assert pk is not None
    with session_scope(engine, readonly=True) as s:
        detail = build_detail_vm(s, team_id="T1", campaign_pk=pk, now=NOW)
    assert detail is not None
    bids = {k.text: (k.bid, k.default_bid) for k in detail.top_keywords}
    assert bids == {
        "trail shoes": (Money(Decimal("1.10"), "EUR"), False),
        "running shoes": (Money(Decimal("0.75"), "EUR"), True),
    }
    shown = json.dumps(render_campaign_details(detail), ensure_ascii=False)
    assert "bid €1.10 · " in shown and "bid €0.75 (ad group default)" in shown
