"""Which marketplace-days are loaded: a day counts once a report covering it landed, rows or not; the
sync's summary says performance is still loading until then, and is edited in place when it lands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks.campaign_details import render_campaign_details
from bot.blocks.campaigns import render_campaign_list
from bot.blocks.format import format_money
from bot.blocks.region_card import render_region_card
from bot.jobs.tick import poll_reports
from bot.services.campaigns import CampaignFilter, build_campaign_page_vm, build_detail_vm
from bot.services.connections import build_region_cards
from bot.services.sync import run_sync, start_sync
from bot.services.sync.reports import profile_today
from sandbox.slack import DEMO_BOT_TOKEN, DEMO_TEAM
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import (
    AdGroup,
    Connection,
    KeywordDailyMetric,
    Profile,
    ProfileDayLoaded,
    ReportJob,
    table_of,
)
from storage.purge import execute_purge, plan_purge
from storage.repositories.loaded_days import loaded_days, mark_days_loaded
from tests.sync.world import World

CHANNEL = "D0ADMIN"


def _loaded(world: World, profile: Profile, kind: str = "campaign") -> set[date]:
    assert profile.id is not None
    with session_scope(world.engine, readonly=True) as s:
        found = loaded_days(
            s, profile_pks=[profile.id], report_kind=kind, start=date(2000, 1, 1), end=date(2100, 1, 1)
        )
    return found.get(profile.id, set())


def _last_30_days(profile: Profile, world: World) -> set[date]:
    today = profile_today(profile, world.clock.now)
    return {today - timedelta(days=n) for n in range(30)}


def _start_with_message(world: World, conn_id: int) -> str:
    client = WebClient(token=DEMO_BOT_TOKEN, base_url=world.slack.api_url)
    ts = client.chat_postMessage(channel=CHANNEL, text="Starting the first sync…")["ts"]
    assert (
        start_sync(world.services, connection_id=conn_id, kind="initial", progress=(CHANNEL, ts)) == "started"
    )
    return str(ts)


def test_every_day_a_landed_report_covers_is_loaded_even_days_without_rows(world: World) -> None:
    world.seed(marketplaces=("US",), days=0)  # the account has campaigns but no traffic yet
    conn_id = world.connect()

    outcome = run_sync(world.services, connection_id=conn_id, kind="initial")

    profile = world.profiles(conn_id)[0]
    assert outcome.status == "success" and outcome.days == 30
    assert _loaded(world, profile) == _loaded(world, profile, "keyword") == _last_30_days(profile, world)
    assert profile.id is not None
    with_rows = {day for _, day in world.campaign_metrics(profile.id)}
    assert with_rows == {profile_today(profile, world.clock.now)}  # the 29 days before: loaded, and empty


def test_pending_reports_leave_days_not_loaded_and_the_summary_says_still_loading(world: World) -> None:
    world.seed()
    conn_id = world.connect()
    world.sim.set_report_delay(20 * 60)

    ts = _start_with_message(world, conn_id)

    final = world.slack.messages(CHANNEL)[-1]
    assert final.ts == ts and "2 marketplaces" in final.text
    assert "performance still loading — Amazon is preparing 4 reports" in final.text
    assert "days of performance" not in final.text
    assert all(_loaded(world, p) == set() for p in world.profiles(conn_id))

    world.clock.advance(minutes=25)
    poll_reports(world.services, now=world.clock.now)

    messages = world.slack.messages(CHANNEL)
    assert len(messages) == 1 and messages[0].ts == ts  # edited in place, nothing new posted
    assert "30 days of performance" in messages[0].text and "still loading" not in messages[0].text
    assert "campaigns" in messages[0].text and "keywords" in messages[0].text
    assert all(_loaded(world, p) == _last_30_days(p, world) for p in world.profiles(conn_id))
    assert world.connection(conn_id).summary_ts is None


def test_a_failed_report_is_not_loaded_until_its_second_request_lands(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    profile = world.profiles(conn_id)[0]
    world.sim.fail_reports(profile.profile_id, times=1)  # the campaign report, requested first

    run_sync(world.services, connection_id=conn_id, kind="initial")

    assert _loaded(world, profile) == set()  # FAILED, asked again: still not loaded
    assert _loaded(world, profile, "keyword") == _last_30_days(profile, world)
    world.clock.advance(minutes=5)
    poll_reports(world.services, now=world.clock.now)
    assert _loaded(world, profile) == _last_30_days(profile, world)


def test_a_report_amazon_never_delivers_ends_the_summary_with_the_warning(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.set_report_delay(6 * 3600)

    ts = _start_with_message(world, conn_id)
    assert "Amazon is preparing 2 reports" in world.slack.messages(CHANNEL)[-1].text
    for _ in range(93):  # the poll job, every 2 minutes, past the 3 hours a report is waited for
        world.clock.advance(minutes=2)
        poll_reports(world.services, now=world.clock.now)

    final = world.slack.messages(CHANNEL)[-1]
    assert final.ts == ts and "still loading" not in final.text
    assert "Performance numbers may be behind" in str(final.blocks)
    assert _loaded(world, world.profiles(conn_id)[0]) == set()


def test_the_migration_marks_the_days_of_reports_already_done_loaded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0005")
    finished = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as db:
        db.execute(
            insert(table_of(Connection)).values(
                id=1,
                team_id="T1",
                region="eu",
                status="connected",
                selection_confirmed=True,
                data_version=0,
                updated_at=finished,
            )
        )
        db.execute(
            insert(table_of(Profile)).values(
                id=7,
                connection_id=1,
                team_id="T1",
                region="eu",
                profile_id="42",
                country_code="DE",
                currency_code="EUR",
                timezone="Europe/Berlin",
                marketplace_id="",
                account_id="",
                account_name="",
                account_type="seller",
                view_only=False,
                selected=True,
                updated_at=finished,
            )
        )
        job = {
            "connection_id": 1,
            "profile_pk": 7,
            "report_kind": "campaign",
            "attempts": 1,
            "polls": 1,
            "created_at": finished,
        }
        db.execute(
            insert(table_of(ReportJob)).values(
                start_date=date(2026, 2, 27),
                end_date=date(2026, 2, 28),
                status="done",
                finished_at=finished,
                **job,
            )
        )
        db.execute(
            insert(table_of(ReportJob)).values(
                start_date=date(2026, 2, 20),
                end_date=date(2026, 2, 26),
                status="failed",
                finished_at=finished,
                **job,
            )
        )

    upgrade(engine)

    with session_scope(engine, readonly=True) as s:
        found = loaded_days(
            s, profile_pks=[7], report_kind="campaign", start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
    assert found == {7: {date(2026, 2, 27), date(2026, 2, 28)}}
    engine.dispose()


def test_loading_a_day_again_keeps_one_row_and_a_purge_removes_them(engine: Engine) -> None:
    first, later = datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        conn = Connection(team_id="T1", region="eu")
        s.add(conn)
        s.flush()
        profile = Profile(
            connection_id=conn.id or 0,
            team_id="T1",
            region="eu",
            profile_id="42",
            country_code="DE",
            currency_code="EUR",
            timezone="Europe/Berlin",
        )
        s.add(profile)
        s.flush()
        pk = profile.id or 0
        mark_days_loaded(
            s,
            team_id="T1",
            profile_pk=pk,
            report_kind="campaign",
            start=date(2026, 2, 1),
            end=date(2026, 2, 28),
            now=first,
        )
    with session_scope(engine) as s:  # the look-back window is asked for again: same days, newer time
        mark_days_loaded(
            s,
            team_id="T1",
            profile_pk=pk,
            report_kind="campaign",
            start=date(2026, 2, 20),
            end=date(2026, 3, 1),
            now=later,
        )
    with session_scope(engine, readonly=True) as s:
        rows = s.exec(select(ProfileDayLoaded).where(ProfileDayLoaded.profile_pk == pk)).all()
    assert len(rows) == 29 and {r.loaded_at for r in rows if r.date >= date(2026, 2, 20)} == {later}

    plan = plan_purge(engine, team_id="T1", region="eu")
    assert plan.counts["profile_day_loaded"] == 29
    execute_purge(engine, plan, actor="cli:test")
    with session_scope(engine, readonly=True) as s:
        assert s.exec(select(ProfileDayLoaded)).all() == []


def _list_text(world: World, *, home: bool = False) -> str:
    with session_scope(world.engine, readonly=True) as s:
        vm = build_campaign_page_vm(
            s, team_id=DEMO_TEAM, filter=CampaignFilter(), offset=0, limit=5, now=world.clock.now
        )
    blocks = render_campaign_list(vm, surface="home" if home else "message")
    return json.dumps(blocks, ensure_ascii=False)


def _details_text(world: World, conn_id: int) -> str:
    profile = world.profiles(conn_id)[0]
    campaign = next(iter(world.campaigns(profile.id or 0).values()))
    with session_scope(world.engine, readonly=True) as s:
        vm = build_detail_vm(s, team_id=DEMO_TEAM, campaign_pk=campaign.id or 0, now=world.clock.now)
    assert vm is not None
    return json.dumps(render_campaign_details(vm), ensure_ascii=False)


def test_the_campaign_list_says_how_many_of_its_7_days_are_loaded(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.set_report_delay(20 * 60)
    run_sync(world.services, connection_id=conn_id, kind="initial")

    assert "0 of 7 days: spend" in _list_text(world) and "0 of 7 days: spend" in _list_text(world, home=True)
    assert "Spend, 0 of 7 days" in _details_text(world, conn_id)

    world.clock.advance(minutes=25)
    poll_reports(world.services, now=world.clock.now)
    assert "7 days: spend" in _list_text(world) and "of 7 days" not in _list_text(world)
    assert "Spend, 7 days" in _details_text(world, conn_id)

    profile = world.profiles(conn_id)[0]  # two days of the window lose their report
    window_end = world.clock.now.date() - timedelta(days=1)
    with session_scope(world.engine) as s:
        s.execute(
            delete(table_of(ProfileDayLoaded)).where(
                table_of(ProfileDayLoaded).c.profile_pk == profile.id,
                table_of(ProfileDayLoaded).c.date.in_([window_end, window_end - timedelta(days=3)]),
            )
        )
    assert "5 of 7 days: spend" in _list_text(world)
    assert "Spend, 5 of 7 days" in _details_text(world, conn_id)


def _region_card_text(world: World) -> str:
    cards = build_region_cards(world.services, team_id=DEMO_TEAM, enterprise_id="", user_id="U1", only="na")
    return json.dumps(render_region_card(cards[0]), ensure_ascii=False)


def _keyword_spend_by_group(world: World, profile: Profile) -> dict[str, Decimal]:
    start = world.clock.now.date() - timedelta(days=7)
    end = world.clock.now.date() - timedelta(days=1)
    with session_scope(world.engine, readonly=True) as s:
        rows = s.exec(select(KeywordDailyMetric).where(KeywordDailyMetric.profile_pk == profile.id)).all()
    spend: dict[str, Decimal] = {}
    for r in rows:
        if start <= r.date <= end:
            spend[r.ad_group_id] = spend.get(r.ad_group_id, Decimal(0)) + r.cost
    return spend


def test_ad_groups_and_the_region_card_say_what_amazon_has_not_delivered_yet(world: World) -> None:
    world.seed(marketplaces=("US",))
    conn_id = world.connect()
    world.sim.set_report_delay(20 * 60)
    run_sync(world.services, connection_id=conn_id, kind="initial")

    details = _details_text(world, conn_id)
    assert "keyword spend not loaded yet" in details and "keyword spend $0.00" not in details
    assert "Performance still loading: Amazon is preparing" in _region_card_text(world)

    world.clock.advance(minutes=25)
    poll_reports(world.services, now=world.clock.now)

    assert "still loading" not in _region_card_text(world)
    details = _details_text(world, conn_id)
    assert "not loaded yet" not in details
    profile = world.profiles(conn_id)[0]
    with session_scope(world.engine, readonly=True) as s:
        campaign = next(iter(world.campaigns(profile.id or 0).values()))
        groups = s.exec(
            select(AdGroup).where(
                AdGroup.profile_pk == profile.id, AdGroup.campaign_id == campaign.campaign_id
            )
        ).all()
    spend = _keyword_spend_by_group(world, profile)
    shown = [g for g in groups if g.name in details]
    assert shown, "the details list the campaign's ad groups"
    for group in shown:  # each ad group's figure is its keywords' spend over the window, as Amazon reported
        figure = format_money(spend.get(group.ad_group_id, Decimal(0)), profile.currency_code)
        assert f"{group.name}: " in details and f"keyword spend {figure} (7 days)" in details
