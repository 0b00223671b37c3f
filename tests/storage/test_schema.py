"""Migrations equal the models, on SQLite and PostgreSQL; the upsert helper on both."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import col

from storage.db import session_scope
from storage.migrate import current_revision, head_revision, pending_diff
from storage.models import Campaign, CampaignDailyMetric, Connection, Profile, table_of
from storage.upsert import bulk_upsert


def test_migrated_schema_equals_models(engine):
    assert current_revision(engine) == head_revision()
    assert pending_diff(engine) == []


def _profile(session) -> Profile:
    conn = Connection(team_id="T1", region="eu")
    session.add(conn)
    session.flush()
    assert conn.id is not None
    profile = Profile(
        connection_id=conn.id,
        team_id="T1",
        region="eu",
        profile_id="111",
        country_code="DE",
        currency_code="EUR",
        timezone="Europe/Berlin",
    )
    session.add(profile)
    session.flush()
    return profile


def _metric(profile_pk, campaign_id, day, cost):
    return {
        "profile_pk": profile_pk,
        "campaign_id": campaign_id,
        "date": day,
        "currency": "EUR",
        "impressions": 10,
        "clicks": 2,
        "cost": Decimal(cost),
        "sales": Decimal("0"),
        "orders": 0,
        "units": 0,
        "updated_at": datetime(2026, 3, 1, tzinfo=UTC),
    }


def test_upsert_dedupes_inside_a_batch_and_updates_on_conflict(engine):
    table = table_of(CampaignDailyMetric)
    key = ("profile_pk", "campaign_id", "date")
    update = ("impressions", "clicks", "cost", "sales", "orders", "units")
    with session_scope(engine) as s:
        pk = _profile(s).id
        rows = [_metric(pk, "9", date(2026, 3, 1), "1.10"), _metric(pk, "9", date(2026, 3, 1), "2.25")]
        assert bulk_upsert(s, table, rows, key=key, update=update) == 1
    with session_scope(engine) as s:
        bulk_upsert(s, table, [_metric(pk, "9", date(2026, 3, 1), "3.333")], key=key, update=update)
    with session_scope(engine, readonly=True) as s:
        got = s.execute(select(CampaignDailyMetric)).scalars().all()
        assert [(m.campaign_id, m.cost) for m in got] == [("9", Decimal("3.3330"))]


def test_only_changed_leaves_identical_rows_untouched(engine):
    table = table_of(Campaign)
    stamp1, stamp2 = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    with session_scope(engine) as s:
        pk = _profile(s).id

    def row(name, stamp):
        return {
            "profile_pk": pk,
            "team_id": "T1",
            "campaign_id": "5",
            "ad_product": "SP",
            "name": name,
            "state": "ENABLED",
            "budget": Decimal("10.00"),
            "updated_at": stamp,
        }

    upd = ("name", "state", "budget")
    with session_scope(engine) as s:
        bulk_upsert(
            s,
            table,
            [row("A", stamp1)],
            key=("profile_pk", "campaign_id"),
            update=upd,
            only_changed=True,
            touch={"updated_at": table.c.updated_at},
        )
    with session_scope(engine) as s:
        bulk_upsert(
            s,
            table,
            [row("A", stamp2)],
            key=("profile_pk", "campaign_id"),
            update=upd,
            only_changed=True,
            touch={"updated_at": stamp2},
        )
        assert s.execute(select(col(Campaign.updated_at))).scalar_one() == stamp1
        bulk_upsert(
            s,
            table,
            [row("B", stamp2)],
            key=("profile_pk", "campaign_id"),
            update=upd,
            only_changed=True,
            touch={"updated_at": stamp2},
        )
        assert s.execute(select(col(Campaign.name), col(Campaign.updated_at))).one() == ("B", stamp2)


def test_money_sums_exactly_in_sql(engine):
    table = table_of(CampaignDailyMetric)
    with session_scope(engine) as s:
        pk = _profile(s).id
        rows = [_metric(pk, str(i), date(2026, 3, 1), "0.10") for i in range(1000)]
        bulk_upsert(s, table, rows, key=("profile_pk", "campaign_id", "date"), update=("cost",))
    with session_scope(engine, readonly=True) as s:
        total = s.execute(select(func.sum(table.c.cost))).scalar_one()
    assert total == Decimal("100")  # Money-typed SUM: exact, back as Decimal


def test_datetimes_come_back_timezone_aware(engine):
    when = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with session_scope(engine) as s:
        s.add(Connection(team_id="T9", region="fe", connected_at=when))
    with session_scope(engine, readonly=True) as s:
        got = s.execute(select(col(Connection.connected_at))).scalar_one()
    assert got == when and got.tzinfo is not None


def test_bulk_upsert_writes_datetimes_in_the_same_text_form_as_the_orm(sqlite_engine):
    # SQLite compares stored times as text, so both write paths must produce the same format.
    stamp = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    with session_scope(sqlite_engine) as s:
        pk = _profile(s).id
        connection = s.get(Connection, 1)
        assert connection is not None
        connection.connected_at = stamp
    row = {
        "profile_pk": pk,
        "team_id": "T1",
        "campaign_id": "5",
        "ad_product": "SP",
        "name": "A",
        "state": "ENABLED",
        "budget": Decimal("1"),
        "updated_at": stamp,
    }
    with session_scope(sqlite_engine) as s:
        bulk_upsert(s, table_of(Campaign), [row], key=("profile_pk", "campaign_id"), update=("name",))
    with sqlite_engine.connect() as conn:
        orm = conn.exec_driver_sql("SELECT connected_at FROM connection").scalar_one()
        bulk = conn.exec_driver_sql("SELECT updated_at FROM campaign").scalar_one()
    assert orm == bulk
