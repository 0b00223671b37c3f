"""Benchmark: one page of the campaign list for a team with 50,000 campaigns and 5,000,000 daily metric rows.

For ten filter combinations it times, p50 and p99:
- **full**: the whole path a user waits for: `build_campaign_page_vm` (freshness check, page and count,
  tags, note markers, filter options, money formatting) and `render_campaign_message`;
- **bare**: the same SQL statements, with the same parameters, recorded from one full run and replayed
  straight through the driver, so the ratio full/bare is what Hilal's own layers add to the database work;
- **page**: the page statement alone (page and count), for reference.
Goal: full p99 under 200 ms on SQLite and PostgreSQL, within 2x of bare. The list walks the rollup's
ordered indexes (`campaign_window_metric`), refreshed after syncs that change something; the time to
build it from scratch is printed too.

Run: `scripts/with-postgres .venv/bin/python bench/bench_campaigns.py [--campaigns N] [--days D]`
(`--sqlite-path FILE` keeps the seeded SQLite database for the next run).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.blocks.campaigns import page_size, render_campaign_message
from bot.services.campaigns import CampaignFilter, build_campaign_page_vm, ensure_window, page_query
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Connection, Profile
from storage.repositories.campaign_list import page_statement

TEAM = "TBENCH"
NOW = datetime(2025, 5, 14, 9, 0, tzinfo=UTC)
MARKETS = {"na": ("US", "CA"), "eu": ("UK", "DE", "FR", "IT", "ES"), "fe": ("JP", "AU")}
CURRENCY = {"US": "USD", "CA": "CAD", "UK": "GBP", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR"}
CURRENCY |= {"JP": "JPY", "AU": "AUD"}
WORDS = ("Brand", "Generic", "Competitor", "Launch", "Auto", "Exact", "Broad", "Phrase", "Summer", "Shoes")
COMBOS: list[tuple[str, CampaignFilter, int]] = [
    ("default (spend)", CampaignFilter(), 0),
    ("region eu", CampaignFilter(regions=("eu",)), 0),
    ("region eu,fe page 6", CampaignFilter(regions=("eu", "fe")), 100),
    ("marketplace de", CampaignFilter(marketplaces=("DE",)), 0),
    ("state enabled", CampaignFilter(states=("enabled",)), 0),
    ("tag launch", CampaignFilter(tags=("launch",)), 0),
    ('search "brand"', CampaignFilter(search="brand"), 0),
    ("sort name", CampaignFilter(sort="name"), 0),
    ("sort acos, region na", CampaignFilter(regions=("na",), sort="acos"), 0),
    ('na paused "shoes"', CampaignFilter(regions=("na",), states=("paused",), search="shoes"), 0),
]


def _chunks(rows: Iterator[tuple[object, ...]], size: int = 50_000) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> None:
    """executemany in chunks (SQLite) or COPY (PostgreSQL)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-500000")
            marks = ", ".join("?" for _ in columns)
            for chunk in _chunks(rows):
                cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", chunk)
        raw.commit()
    finally:
        raw.close()


def seed(engine: Engine, *, campaigns: int, days: int) -> None:
    """One team: 3 regions, 9 marketplaces, ``campaigns`` campaigns, ``campaigns * days`` metric rows."""
    rnd = random.Random(7)
    now = NOW.isoformat(sep=" ") if engine.dialect.name == "sqlite" else NOW
    profiles: list[tuple[int, str]] = []
    with session_scope(engine) as session:
        for region, countries in MARKETS.items():
            status = "disconnected" if region == "fe" else "connected"
            connection = Connection(team_id=TEAM, region=region, status=status, last_success_at=NOW)
            session.add(connection)
            session.flush()
            assert connection.id is not None
            for country in countries:
                profile = Profile(
                    connection_id=connection.id,
                    team_id=TEAM,
                    region=region,
                    profile_id=str(rnd.randrange(10**12)),
                    country_code=country,
                    currency_code=CURRENCY[country],
                    timezone="UTC",
                    account_name=f"Acme {country}",
                    selected=True,
                )
                session.add(profile)
                session.flush()
                assert profile.id is not None
                profiles.append((profile.id, country))
    camp_rows = []
    for i in range(campaigns):
        pk, _country = profiles[i % len(profiles)]
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i:05d}"
        state = rnd.choices(("enabled", "paused", "archived"), (6, 2, 2))[0]
        camp_rows.append((pk, TEAM, str(10**11 + i), "SP", name, state, 50 * 10_000, "DAILY", now))
    _bulk(
        engine,
        "campaign",
        (
            "profile_pk",
            "team_id",
            "campaign_id",
            "ad_product",
            "name",
            "state",
            "budget",
            "budget_type",
            "updated_at",
        ),
        iter(camp_rows),
    )
    first = NOW.date() - timedelta(days=days)

    day_values: list[object] = [first + timedelta(days=d) for d in range(days)]
    if engine.dialect.name == "sqlite":
        day_values = [d.isoformat() for d in day_values]  # type: ignore[attr-defined]

    def metrics() -> Iterator[tuple[object, ...]]:
        for pk, _tm, cid, *_rest in sorted(camp_rows, key=lambda r: (r[0], r[2])):
            for day_value in day_values:
                cost = rnd.randrange(0, 500_000)
                yield (pk, cid, day_value, "EUR", 100, 5, cost, cost * 3, 1, 1, now)

    _bulk(
        engine,
        "campaign_daily_metric",
        (
            "profile_pk",
            "campaign_id",
            "date",
            "currency",
            "impressions",
            "clicks",
            "cost",
            "sales",
            "orders",
            "units",
            "updated_at",
        ),
        metrics(),
    )
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM campaign WHERE team_id = :t"), {"t": TEAM})]
    tags = [(TEAM, cid, "launch", "U1", now) for cid in ids[::10]] + [
        (TEAM, cid, "q4", "U1", now) for cid in ids[::7]
    ]
    _bulk(engine, "tag", ("team_id", "campaign_pk", "tag", "created_by", "created_at"), iter(tags))
    notes = [(TEAM, cid, "U1", "checked bids", now) for cid in ids[::50]]
    _bulk(engine, "note", ("team_id", "campaign_pk", "author_id", "text", "created_at"), iter(notes))
    # A database that has been in use a while has been vacuumed: without this, PostgreSQL's autovacuum
    # works through the 5 M fresh rows during the measurement.
    maintenance = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(maintenance))


def _time(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm caches
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _recorded(engine: Engine, fn: Callable[[], object]) -> list[tuple[str, Any]]:
    """Every statement (and its driver parameters) that one call of ``fn`` sends to the database."""
    calls: list[tuple[str, Any]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object) -> None:
        calls.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return calls


def _replay(engine: Engine, calls: list[tuple[str, Any]]) -> Callable[[], object]:
    """The recorded statements, straight through the driver: no SQLAlchemy, no view-model, no Block Kit."""

    def go() -> object:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in calls:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
        finally:
            raw.close()
        return None

    return go


def run(engine: Engine, label: str, runs: int) -> float:
    """Print the table for one database; returns the worst full p99 in ms."""
    limit = page_size("message")
    with engine.begin() as conn:  # built from scratch, as for a new team
        conn.execute(text("DELETE FROM campaign_window_metric"))
        conn.execute(text("DELETE FROM campaign_window_state"))
    started = time.perf_counter()
    ensure_window(engine, team_id=TEAM, today=NOW.date())
    built = (time.perf_counter() - started) * 1000
    print(f"\n{label}: list index (7-day rollup) built from scratch in {built:.0f} ms, by a sync or a worker")

    def full(flt: CampaignFilter, offset: int) -> Callable[[], object]:
        def go() -> object:
            with session_scope(engine, readonly=True) as s:
                vm = build_campaign_page_vm(s, team_id=TEAM, filter=flt, offset=offset, limit=limit, now=NOW)
            return render_campaign_message(vm)

        return go

    def page_only(flt: CampaignFilter, offset: int) -> tuple[Callable[[], object], int]:
        query = page_query(flt, team_id=TEAM, today=NOW.date(), use_window=True)
        stmt, values = page_statement(query, offset=offset, limit=limit)
        rows = len(_execute(engine, stmt, values))
        return _replay(engine, _recorded(engine, lambda: _execute(engine, stmt, values))), rows

    print(f"{label}: {runs} runs per combination, page size {limit}; times in ms")
    print("  full = build the page's view-model and render its blocks (what a user waits for)")
    print("  bare = the same SQL statements replayed through the driver; page = the page statement alone")
    print("  added = full p50 - bare p50: what Hilal's layers (SQLAlchemy, view-model, Block Kit) cost")
    heads: tuple[str, ...] = ("rows", "full p50", "full p99", "bare p50", "bare p99", "page p50", "added")
    heads += ("ratio50", "ratio99")
    print(f"{'filter':<24}" + "".join(f"{h:>9}" for h in heads))
    worst = 0.0
    for name, flt, offset in COMBOS:
        go = full(flt, offset)
        page, rows = page_only(flt, offset)
        f = _time(go, runs)
        b = _time(_replay(engine, _recorded(engine, go)), runs)
        p = _time(page, runs)
        worst = max(worst, _p(f, 0.99))
        cells = [_p(f, 0.5), _p(f, 0.99), _p(b, 0.5), _p(b, 0.99), _p(p, 0.5), _p(f, 0.5) - _p(b, 0.5)]
        cells += [cells[0] / max(cells[2], 1e-6), cells[1] / max(cells[3], 1e-6)]
        shown = "".join(f"{c:>9.1f}" if i < 6 else f"{c:>9.2f}" for i, c in enumerate(cells))
        print(f"{name:<24}{rows:>9}{shown}")
    print(f"{label}: worst full p99 {worst:.1f} ms (goal < 200 ms); ratio = full / bare (goal <= 2)")
    return worst


def _execute(engine: Engine, stmt: Any, values: dict[str, Any]) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(stmt, values).fetchall())


def _pg_engine(base: str) -> tuple[Engine, Callable[[], None]]:
    name = f"bench_campaigns_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))

    def drop() -> None:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return engine, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sqlite-path", help="keep (or reuse) the seeded SQLite database at this path")
    args = parser.parse_args()
    print(f"{args.campaigns:,} campaigns, {args.campaigns * args.days:,} daily metric rows")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.sqlite_path or f"{tmp}/bench.db")
        fresh = not path.exists()
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        if fresh:
            started = time.perf_counter()
            seed(engine, campaigns=args.campaigns, days=args.days)
            print(f"SQLite seeded in {time.perf_counter() - started:.0f} s")
        run(engine, "SQLite", args.runs)
        engine.dispose()
    base = os.environ.get("HILAL_TEST_POSTGRES_URL")
    if not base:
        print("\nPostgreSQL skipped: set HILAL_TEST_POSTGRES_URL (scripts/with-postgres)")
        return
    engine, drop = _pg_engine(base)
    try:
        upgrade(engine)
        started = time.perf_counter()
        seed(engine, campaigns=args.campaigns, days=args.days)
        print(f"PostgreSQL seeded in {time.perf_counter() - started:.0f} s")
        run(engine, "PostgreSQL", args.runs)
    finally:
        drop()


if __name__ == "__main__":
    main()
