"""Money is never compared across currencies: a list sorted by spend is grouped by currency (issue 13).

On SQLite and PostgreSQL, on both roads (live sums and the rollup's index): groups ordered by number of
campaigns (then currency code), spend sorted within each group, one list paged across group boundaries,
a header per group ("continued" on a page that starts mid-group), the rule under the filters; sorts by
name and ACOS stay global. The message list, a saved view and App Home show the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.blocks.campaigns import CURRENCY_RULE, render_campaign_message
from bot.blocks.format import format_amount, slack_date
from bot.blocks.limits import check_message, check_view
from bot.features import load_features
from bot.services.campaigns import (
    CampaignFilter,
    build_campaign_page_vm,
    ensure_window,
    list_campaigns,
    page_query,
)
from bot.viewmodels import CurrencyGroupVM
from storage.db import session_scope
from storage.repositories.campaign_list import _groups_statement, _shape, _values, page_statement
from tests.harness import Harness

from .seed import NOW, TODAY, add_campaign, add_metric, seed_profiles

TEAM = "T1"
YESTERDAY = TODAY - timedelta(days=1)
# (country, name, 7-day spend, state). Raw amounts would interleave: ¥456 > €300 > A$259.55 > £80 > €5.
MIXED = [
    ("JP", "JP Brand", "12000", "enabled"),
    ("JP", "JP Generic", "2000", "enabled"),
    ("JP", "JP Old", "456", "archived"),
    ("AU", "AU Brand", "259.55", "enabled"),
    ("DE", "DE Brand", "300.00", "enabled"),
    ("DE", "DE Generic", "5.00", "paused"),
    ("UK", "UK Brand", "80.00", "enabled"),
]
# JPY has 3 campaigns, EUR 2, AUD and GBP 1 each (equal counts: by currency code)
GROUPED = ["JP Brand", "JP Generic", "JP Old", "DE Brand", "DE Generic", "AU Brand", "UK Brand"]


def _seed_mixed(engine: Engine, *, team_id: str = TEAM, more_yen: int = 0) -> None:
    """MIXED, plus ``more_yen`` yen campaigns spending ¥100, ¥101, … (below every MIXED yen campaign)."""
    more = [("JP", f"JP More {i:02d}", f"{100 + i}", "enabled") for i in range(more_yen)]
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=team_id, countries=("JP", "AU", "DE", "UK"))
        for country, name, spend, state in MIXED + more:
            campaign = add_campaign(s, p[country], name=name, state=state)
            add_metric(s, campaign, p[country], day=YESTERDAY, cost=spend, sales="1000")


@pytest.fixture(params=["live", "indexed"])
def mixed(engine: Engine, request: pytest.FixtureRequest) -> Engine:
    """The mixed account, read on the live road or through the freshly built rollup."""
    _seed_mixed(engine)
    if request.param == "indexed":
        assert ensure_window(engine, team_id=TEAM, today=TODAY)
    return engine


def _vm(engine: Engine, flt: CampaignFilter, *, offset: int = 0, limit: int = 20) -> Any:
    with session_scope(engine, readonly=True) as s:
        return build_campaign_page_vm(s, team_id=TEAM, filter=flt, offset=offset, limit=limit, now=NOW)


def _names(engine: Engine, flt: CampaignFilter, *, offset: int = 0, limit: int = 20) -> list[str]:
    with session_scope(engine, readonly=True) as s:
        page = list_campaigns(s, team_id=TEAM, filter=flt, offset=offset, limit=limit, today=TODAY)
    return [row.name for row in page.rows]


def _lines(blocks: list[dict[str, Any]]) -> list[str]:
    """Each block's visible text: group headers as they read, rows by their campaign name."""
    out = []
    for block in blocks:
        if block["type"] == "context":
            out.append(" ".join(e["text"] for e in block["elements"]))
        elif str(block.get("block_id", "")).startswith("campaigns.row"):
            out.append(block["text"]["text"].split("\n")[0].strip("*"))
    return out


def test_the_default_list_groups_by_currency_and_sorts_spend_within_each(mixed: Engine) -> None:
    assert _names(mixed, CampaignFilter()) == GROUPED
    vm = _vm(mixed, CampaignFilter())
    assert list(vm.groups) == [
        CurrencyGroupVM("JPY", 3, first_row=0),
        CurrencyGroupVM("EUR", 2, first_row=3),
        CurrencyGroupVM("AUD", 1, first_row=5),
        CurrencyGroupVM("GBP", 1, first_row=6),
    ]
    assert [format_amount(r.spend_7d) for r in vm.rows] == [
        "¥12,000",
        "¥2,000",
        "¥456",
        "€300.00",
        "€5.00",
        "A$259.55",
        "£80.00",
    ]
    msg = render_campaign_message(vm)
    assert check_message(msg) == []
    lines = _lines(msg["blocks"])
    assert lines[0].endswith(f"synced {slack_date(NOW)}\n{CURRENCY_RULE}")  # the rule, under the filters
    assert lines[1:] == [
        "*JPY · 3 campaigns*",
        *GROUPED[:3],
        "*EUR · 2 campaigns*",
        *GROUPED[3:5],
        "*AUD · 1 campaign*",
        "AU Brand",
        "*GBP · 1 campaign*",
        "UK Brand",
    ]


def test_region_fe_lists_yen_and_australian_dollars_as_two_groups(mixed: Engine) -> None:
    msg = render_campaign_message(_vm(mixed, CampaignFilter(regions=("fe",))))
    assert _lines(msg["blocks"])[1:] == [
        "*JPY · 3 campaigns*",
        "JP Brand",
        "JP Generic",
        "JP Old",
        "*AUD · 1 campaign*",
        "AU Brand",
    ]


def test_euros_and_pounds_do_not_mix(mixed: Engine) -> None:
    # by raw amount £80 would sit between €300 and €5
    assert _names(mixed, CampaignFilter(regions=("eu",))) == ["DE Brand", "DE Generic", "UK Brand"]
    assert [(g.currency, g.count) for g in _vm(mixed, CampaignFilter(regions=("eu",))).groups] == [
        ("EUR", 2),
        ("GBP", 1),
    ]


@pytest.mark.parametrize(
    ("offset", "names", "groups"),
    [
        (0, ["JP Brand", "JP Generic"], [CurrencyGroupVM("JPY", 3, 0)]),
        (2, ["JP Old", "DE Brand"], [CurrencyGroupVM("JPY", 3, 0, True), CurrencyGroupVM("EUR", 2, 1)]),
        (4, ["DE Generic", "AU Brand"], [CurrencyGroupVM("EUR", 2, 0, True), CurrencyGroupVM("AUD", 1, 1)]),
        (6, ["UK Brand"], [CurrencyGroupVM("GBP", 1, 0)]),
        (40, ["UK Brand"], [CurrencyGroupVM("GBP", 1, 0)]),  # past the end: the last page
    ],
)
def test_paging_continues_across_group_boundaries(
    mixed: Engine, offset: int, names: list[str], groups: list[CurrencyGroupVM]
) -> None:
    vm = _vm(mixed, CampaignFilter(), offset=offset, limit=2)
    assert [r.name for r in vm.rows] == names
    assert list(vm.groups) == groups
    assert vm.total == 7 and vm.offset == min(offset, 6)


def test_a_page_that_starts_mid_group_repeats_the_header_marked_continued(mixed: Engine) -> None:
    msg = render_campaign_message(_vm(mixed, CampaignFilter(), offset=2, limit=2))
    assert check_message(msg) == []
    assert _lines(msg["blocks"])[1:4] == ["*JPY · 3 campaigns* · continued", "JP Old", "*EUR · 2 campaigns*"]
    assert "3–4 of 7" in msg["text"]  # noqa: RUF001


def test_pages_put_together_are_the_whole_grouped_list(mixed: Engine) -> None:
    for limit in (1, 2, 3, 5):
        pages = [_names(mixed, CampaignFilter(), offset=o, limit=limit) for o in range(0, 7, limit)]
        assert [name for page in pages for name in page] == GROUPED


def test_one_currency_shows_no_groups_and_no_rule(mixed: Engine) -> None:
    vm = _vm(mixed, CampaignFilter(marketplaces=("JP",)))
    assert [r.name for r in vm.rows] == GROUPED[:3] and list(vm.groups) == []
    text = json.dumps(render_campaign_message(vm)["blocks"], ensure_ascii=False)
    assert CURRENCY_RULE not in text and "3 campaigns" not in text


@pytest.mark.parametrize("sort", ["name", "acos"])
def test_currency_free_sorts_stay_global(mixed: Engine, sort: str) -> None:
    vm = _vm(mixed, CampaignFilter(sort=sort))  # type: ignore[arg-type]
    assert list(vm.groups) == [] and len({r.marketplace for r in vm.rows[:4]}) > 1
    assert CURRENCY_RULE not in json.dumps(render_campaign_message(vm)["blocks"], ensure_ascii=False)


def test_acos_ties_are_broken_by_name_not_by_spend_across_currencies(engine: Engine) -> None:
    with session_scope(engine) as s:
        p = seed_profiles(s, team_id=TEAM, countries=("JP", "AU"))
        for country, name, spend in (
            ("JP", "b yen", "90000"),
            ("AU", "a dollars", "10.00"),
            ("JP", "c", "0"),
        ):
            campaign = add_campaign(s, p[country], name=name)
            add_metric(s, campaign, p[country], day=YESTERDAY, cost=spend)  # no sales: no ACOS
    live = _names(engine, CampaignFilter(sort="acos"))
    ensure_window(engine, team_id=TEAM, today=TODAY)
    assert live == _names(engine, CampaignFilter(sort="acos")) == ["a dollars", "b yen", "c"]


def _plan(engine: Engine, stmt: Any, values: dict[str, Any]) -> list[str]:
    sql = str(stmt.params(values).compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    with session_scope(engine, readonly=True) as s:
        return [row[3] for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def test_a_groups_part_of_a_page_walks_the_spend_index_and_groups_are_counted_without_sorting(
    sqlite_engine: Engine,
) -> None:
    _seed_mixed(sqlite_engine)
    ensure_window(sqlite_engine, team_id=TEAM, today=TODAY)
    query = replace(
        page_query(CampaignFilter(regions=("eu", "fe")), team_id=TEAM, today=TODAY, use_window=True),
        currency="JPY",
    )
    stmt, values = page_statement(query, offset=1, limit=20)
    plan = _plan(sqlite_engine, stmt, values)
    inner = plan[: plan.index("SCAN page")]  # finding the page, before its rows are joined
    assert any("ix_campaign_window_metric_spend (team_id=? AND currency=?)" in step for step in inner)
    assert not any("TEMP B-TREE" in step for step in inner)
    whole = replace(query, currency=None)
    counts = _plan(sqlite_engine, _groups_statement(_shape(whole), per_currency=True), _values(whole))
    assert any("COVERING INDEX ix_campaign_window_metric_scope" in step for step in counts)
    assert not any("GROUP BY" in step for step in counts)


# -- through the app: the command, a saved view and App Home -------------------------------------------

pytestmark_app = pytest.mark.skipif(
    all(feature.name != "campaigns" for feature in load_features()),
    reason="bot.features.campaigns is not in FEATURE_MODULES yet (the lead registers it)",
)


@pytest.fixture
def app(engine: Engine) -> Iterator[Harness]:
    with Harness.start(engine, seed=False, clock=lambda: NOW) as harness:
        # 27 yen campaigns: both a message page (20 rows) and App Home's (25) end inside the yen group
        _seed_mixed(engine, team_id=harness.team, more_yen=24)
        yield harness


def _reply_lines(h: Harness) -> list[str]:
    reply = h.last_reply()
    assert check_message({"text": reply.text, "blocks": reply.blocks}) == []
    return _lines(reply.blocks)


@pytestmark_app
def test_a_saved_eu_and_fe_view_opens_grouped(app: Harness) -> None:
    app.command("campaigns region eu,fe")
    app.command("view save eu-fe")
    app.command("campaigns region na")  # the remembered filter moves on
    app.command("view eu-fe")
    lines = _reply_lines(app)
    assert lines[0].endswith(CURRENCY_RULE)
    headers = [line for line in lines[1:] if line.startswith("*")]
    assert headers == ["*JPY · 27 campaigns*"]  # the page holds 20 of the 27 yen campaigns
    app.slack.send_block_action(team_id=app.team, user_id=app.admin, action_id="campaigns.page_next")
    lines = _reply_lines(app)
    assert lines[1:4] == ["*JPY · 27 campaigns* · continued", "JP More 06", "JP More 05"]
    headers = [line for line in lines[1:] if line.startswith("*")]
    assert headers == [
        "*JPY · 27 campaigns* · continued",
        "*EUR · 2 campaigns*",
        "*AUD · 1 campaign*",
        "*GBP · 1 campaign*",
    ]


@pytestmark_app
def test_app_home_groups_by_currency_and_pages_across_groups(app: Harness) -> None:
    app.slack.open_home(team_id=app.team, user_id=app.admin)
    home = app.slack.home(app.admin)
    assert home is not None
    api = home.to_api()
    assert check_view(api) == []
    lines = _lines(api["blocks"])
    start = lines.index("*JPY · 27 campaigns*")
    assert lines[start - 1].endswith(CURRENCY_RULE)  # the summary under the filters, then the first group
    assert lines[start + 1 : start + 4] == ["JP Brand", "JP Generic", "JP Old"]
    app.slack.send_block_action(
        team_id=app.team, user_id=app.admin, action_id="campaigns.page_next", view=home
    )
    home2 = app.slack.home(app.admin)
    assert home2 is not None
    assert check_view(home2.to_api()) == []
    lines = _lines(home2.to_api()["blocks"])
    start = lines.index("*JPY · 27 campaigns* · continued")
    assert lines[start : start + 11] == [
        "*JPY · 27 campaigns* · continued",
        "JP More 01",
        "JP More 00",
        "*EUR · 2 campaigns*",
        "DE Brand",
        "DE Generic",
        "*AUD · 1 campaign*",
        "AU Brand",
        "*GBP · 1 campaign*",
        "UK Brand",
        "26–31 of 31",  # noqa: RUF001
    ]
