"""Benchmark: 200,000 keyword rows through `bulk_upsert` versus a raw `executemany`, same database.

Prints rows/s for both and the ratio, on SQLite and (when HILAL_TEST_POSTGRES_URL is set, e.g. under
`scripts/with-postgres`) on PostgreSQL. Goal: the helper keeps at least half the raw rate.
Run: `scripts/with-postgres .venv/bin/python bench/bench_upsert.py`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Connection, Keyword, Profile, table_of
from storage.types import to_money_units
from storage.upsert import bulk_upsert

ROWS = 200_000
COLUMNS = (
    "profile_pk",
    "campaign_id",
    "ad_group_id",
    "keyword_id",
    "text",
    "match_type",
    "state",
    "bid",
    "updated_at",
)


def _rows(pk: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "profile_pk": pk,
            "campaign_id": str(i // 100),
            "ad_group_id": str(i // 10),
            "keyword_id": str(10**9 + i),
            "text": f"keyword {i}",
            "match_type": "EXACT",
            "state": "ENABLED",
            "bid": Decimal("0.75"),
            "updated_at": now,
        }
        for i in range(ROWS)
    ]


def _prepare(url: str) -> tuple[Engine, int]:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        existing = s.exec(select(Profile).where(Profile.team_id == "TB")).one_or_none()
        if existing is not None:
            return engine, int(existing.id or 0)
        conn = Connection(team_id="TB", region="na")
        s.add(conn)
        s.flush()
        assert conn.id is not None
        profile = Profile(
            connection_id=conn.id,
            team_id="TB",
            region="na",
            profile_id="1",
            country_code="US",
            currency_code="USD",
            timezone="America/Los_Angeles",
        )
        s.add(profile)
        s.flush()
        return engine, int(profile.id or 0)


def _helper(engine: Engine, rows: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    with session_scope(engine) as s:
        bulk_upsert(
            s,
            table_of(Keyword),
            rows,
            key=("profile_pk", "keyword_id"),
            update=("campaign_id", "ad_group_id", "text", "match_type", "state", "bid", "updated_at"),
        )
    return time.perf_counter() - start


def _raw(engine: Engine, rows: list[dict[str, Any]]) -> float:
    placeholders = ", ".join(f":{c}" for c in COLUMNS)
    sql = text(
        f"INSERT INTO keyword ({', '.join(COLUMNS)}) VALUES ({placeholders}) "
        "ON CONFLICT (profile_pk, keyword_id) DO UPDATE SET text = excluded.text, state = excluded.state, "
        "bid = excluded.bid, updated_at = excluded.updated_at"
    )
    dialect = engine.dialect.name
    raw_rows = [
        {
            **r,
            "bid": to_money_units(r["bid"]),
            "updated_at": r["updated_at"].replace(tzinfo=None) if dialect == "sqlite" else r["updated_at"],
        }
        for r in rows
    ]
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sql, raw_rows)
    return time.perf_counter() - start


def _measure(label: str, url: str) -> None:
    results = {}
    for name, fn in (("raw executemany", _raw), ("bulk_upsert", _helper)):
        engine, pk = _prepare(url)
        rows = _rows(pk)
        insert = fn(engine, rows)
        update = fn(engine, rows)
        results[name] = (ROWS / insert, ROWS / update)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM keyword"))
        engine.dispose()
    (raw_i, raw_u), (help_i, help_u) = results["raw executemany"], results["bulk_upsert"]
    for phase, helper, raw in (("insert", help_i, raw_i), ("update", help_u, raw_u)):
        print(
            f"{label:<11} {phase}: helper {helper:>9,.0f} rows/s  raw {raw:>9,.0f} rows/s"
            f"  ratio {helper / raw:.2f}"
        )


def main() -> None:
    print(f"bulk upsert of {ROWS:,} keyword rows (goal: ratio >= 0.50)")
    with tempfile.TemporaryDirectory() as tmp:
        _measure("SQLite", f"sqlite:///{tmp}/bench.db")
    pg = os.environ.get("HILAL_TEST_POSTGRES_URL")
    if pg:
        _measure("PostgreSQL", pg)
    else:
        print("PostgreSQL  skipped (run under scripts/with-postgres)")


if __name__ == "__main__":
    main()
