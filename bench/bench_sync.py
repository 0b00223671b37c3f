"""Benchmark: the initial sync of a large account against the Amazon simulator, its floor, and steady state.

1. Initial sync end to end (`run_sync(kind="initial")`): 2 profiles, 2,000 campaigns, 20,000 ad groups,
   200,000 keywords, 30 days of campaign and keyword metrics. Records/s and peak memory.
2. The floor: the same pages fetched with plain httpx, `json.loads`, and written with a raw `executemany`
   into an empty copy of the schema (no models, no upsert, no lease, no bookkeeping).
3. A steady-state sync with nothing changed upstream, its time split into fetching (HTTP + parsing) and
   writing (time inside database transactions).

Goals: end to end within 2x of the floor; steady-state writing at most a tenth of the initial sync's.
The per-region rate gate (20 requests/s in production) is lifted here: this measures Hilal's own cost.
Run: `.venv/bin/python bench/bench_sync.py` (SQLite in a temporary directory; about 2-4 minutes).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select

import bot.services.connections.amazon_access as amazon_access
import bot.services.sync.context as sync_context
import bot.services.sync.entities as sync_entities
import bot.services.sync.reports as sync_reports
from bot.services.sync import run_sync
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Connection, Profile, ReportJob
from storage.types import to_money_units
from tests.sync.world import World

MARKETPLACES = ("US", "CA")
SIZES: dict[str, Any] = {
    "campaigns_per_profile": 1000,
    "ad_groups_per_campaign": 10,
    "keywords_per_ad_group": 10,
}
KEYWORD_SHARE = 0.1  # keywords with traffic on a given day (they are the keyword report's rows)


class Timer:
    """Accumulates the time spent inside database transactions: write transactions ("writing") and
    read-only ones ("reading": the comparisons that decide what to write), separately."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.read_seconds = 0.0
        self._real = session_scope

    @contextlib.contextmanager
    def scope(self, engine: Any, *, readonly: bool = False) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            with self._real(engine, readonly=readonly) as session:
                yield session
        finally:
            if readonly:
                self.read_seconds += time.perf_counter() - started
            else:
                self.seconds += time.perf_counter() - started

    def install(self) -> None:
        for module in (sync_entities, sync_reports, sync_context):
            module.session_scope = self.scope  # type: ignore[attr-defined]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _records(world: World) -> int:
    database = world.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as db:
        return sum(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("campaign", "ad_group", "keyword", "campaign_daily_metric", "keyword_daily_metric")
        )


def _token(world: World, conn_id: int) -> str:
    with session_scope(world.engine, readonly=True) as s:
        conn = s.get(Connection, conn_id)
    assert conn is not None and conn.access_token_enc
    return world.services.cipher.decrypt(conn.access_token_enc, amazon_access.access_token_context(conn))


def _floor(world: World, conn_id: int, path: str) -> tuple[float, int]:
    """The same pages and report files, parsed with json and written with executemany; (seconds, rows)."""
    api = world.sim.region_urls("na")["api_url"]
    headers = {
        "Amazon-Advertising-API-ClientId": world.env["AMAZON_ADS_CLIENT_ID"],
        "Authorization": f"Bearer {_token(world, conn_id)}",
    }
    with session_scope(world.engine, readonly=True) as s:
        profiles = list(
            s.exec(select(Profile).where(Profile.connection_id == conn_id, Profile.selected)).all()
        )
        reports = list(s.exec(select(ReportJob).where(ReportJob.status == "done")).all())
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    rows = 0
    started = time.perf_counter()
    with httpx.Client(timeout=120) as http:
        for p in profiles:
            scope = {**headers, "Amazon-Advertising-API-Scope": p.profile_id}
            rows += _floor_lists(http, db, api, scope, p, now)
        for job in reports:
            p = next(x for x in profiles if x.id == job.profile_pk)
            scope = {**headers, "Amazon-Advertising-API-Scope": p.profile_id}
            status = http.get(f"{api}/reporting/reports/{job.report_id}", headers=scope).json()
            data = json.loads(gzip.decompress(http.get(status["url"]).content), parse_float=Decimal)
            rows += _floor_metrics(db, job.report_kind, p, data, now)
    db.close()
    return time.perf_counter() - started, rows


def _pages(
    http: httpx.Client, url: str, headers: dict[str, str], media: str, key: str
) -> Iterator[list[Any]]:
    token = None
    while True:
        body: dict[str, str] = {"nextToken": token} if token else {}
        page = json.loads(
            http.post(url, headers={**headers, "Content-Type": media, "Accept": media}, json=body).content,
            parse_float=Decimal,
        )
        yield page[key]
        token = page.get("nextToken")
        if not token:
            return


def _floor_lists(
    http: httpx.Client, db: sqlite3.Connection, api: str, headers: dict[str, str], p: Profile, now: str
) -> int:
    rows = 0
    for c in (
        c
        for page in _pages(
            http, f"{api}/sp/campaigns/list", headers, "application/vnd.spCampaign.v3+json", "campaigns"
        )
        for c in page
    ):
        db.execute(
            "INSERT INTO campaign (profile_pk, team_id, campaign_id, ad_product, name, state, budget,"
            " updated_at)"
            " VALUES (?, ?, ?, 'SP', ?, ?, ?, ?)",
            (
                p.id,
                p.team_id,
                str(c["campaignId"]),
                c["name"],
                c["state"],
                to_money_units(c["budget"]["budget"]),
                now,
            ),
        )
        rows += 1
    db.commit()
    for page in _pages(
        http, f"{api}/sp/adGroups/list", headers, "application/vnd.spAdGroup.v3+json", "adGroups"
    ):
        db.executemany(
            "INSERT INTO ad_group (profile_pk, campaign_id, ad_group_id, name, state, default_bid,"
            " updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.id,
                    g["campaignId"],
                    g["adGroupId"],
                    g["name"],
                    g["state"],
                    to_money_units(g["defaultBid"]),
                    now,
                )
                for g in page
            ],
        )
        db.commit()
        rows += len(page)
    for page in _pages(
        http, f"{api}/sp/keywords/list", headers, "application/vnd.spKeyword.v3+json", "keywords"
    ):
        db.executemany(
            "INSERT INTO keyword (profile_pk, campaign_id, ad_group_id, keyword_id, text, match_type,"
            " state, bid,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.id,
                    k["campaignId"],
                    k["adGroupId"],
                    k["keywordId"],
                    k["keywordText"],
                    k["matchType"],
                    k["state"],
                    to_money_units(k["bid"]) if k.get("bid") is not None else None,
                    now,
                )
                for k in page
            ],
        )
        db.commit()
        rows += len(page)
    return rows


def _floor_metrics(
    db: sqlite3.Connection, kind: str, p: Profile, data: list[dict[str, Any]], now: str
) -> int:
    for start in range(0, len(data), 5000):
        chunk = data[start : start + 5000]
        if kind == "campaign":
            db.executemany(
                "INSERT INTO campaign_daily_metric (profile_pk, campaign_id, date, currency,"
                " impressions, clicks,"
                " cost, sales, orders, units, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.id,
                        str(r["campaignId"]),
                        r["date"],
                        p.currency_code,
                        r["impressions"],
                        r["clicks"],
                        to_money_units(r["cost"]),
                        to_money_units(r.get("sales7d") or 0),
                        r.get("purchases7d") or 0,
                        r.get("unitsSoldClicks7d") or 0,
                        now,
                    )
                    for r in chunk
                ],
            )
        else:
            db.executemany(
                "INSERT INTO keyword_daily_metric (profile_pk, keyword_id, campaign_id, ad_group_id,"
                " date, currency,"
                " impressions, clicks, cost, sales, orders, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.id,
                        str(r["keywordId"]),
                        str(r["campaignId"]),
                        str(r["adGroupId"]),
                        r["date"],
                        p.currency_code,
                        r["impressions"],
                        r["clicks"],
                        to_money_units(r["cost"]),
                        to_money_units(r.get("sales7d") or 0),
                        r.get("purchases7d") or 0,
                        now,
                    )
                    for r in chunk
                ],
            )
        db.commit()
    return len(data)


def main() -> None:
    amazon_access.DEFAULT_RATE, amazon_access.DEFAULT_BURST = 1e9, 10**9
    tmp = Path(tempfile.mkdtemp(prefix="hilal-bench-sync-"))
    engine = make_engine(f"sqlite:///{tmp / 'sync.db'}")
    upgrade(engine)
    floor_engine = make_engine(f"sqlite:///{tmp / 'floor.db'}")
    upgrade(floor_engine)
    floor_engine.dispose()
    world = World.start(engine, max_page_size=1000)
    world.clock.now = datetime.now(UTC)
    world.seed("big", marketplaces=MARKETPLACES, days=40, active_keyword_share=KEYWORD_SHARE, **SIZES)
    conn_id = world.connect(sim_user="big")
    timer = Timer()
    timer.install()
    rss_before = _peak_rss_mb()

    started = time.perf_counter()
    initial = run_sync(world.services, connection_id=conn_id, kind="initial")
    e2e = time.perf_counter() - started
    assert initial.status == "success", initial.error
    initial_write, records = timer.seconds, _records(world)
    rss_after = _peak_rss_mb()

    floor_seconds, floor_rows = _floor(world, conn_id, str(tmp / "floor.db"))

    initial_read = timer.read_seconds
    timer.seconds = timer.read_seconds = 0.0
    started = time.perf_counter()
    steady = run_sync(world.services, connection_id=conn_id, kind="manual")
    steady_total = time.perf_counter() - started
    assert steady.status == "success", steady.error
    steady_write = timer.seconds
    steady_read = timer.read_seconds
    world.close()

    print(
        f"initial sync: {records:,} records in {e2e:.1f} s = {records / e2e:,.0f} records/s "
        f"(counts {dict(initial.counts)})"
    )
    print(
        f"  peak RSS {rss_after:,.0f} MB (before the sync {rss_before:,.0f} MB;"
        " the simulator runs in the same process)"
    )
    print(
        f"  of which writing (write transactions) {initial_write:.1f} s, reading (read-only transactions) "
        f"{initial_read:.1f} s, fetching and parsing {e2e - initial_write - initial_read:.1f} s"
    )
    print(
        f"floor: {floor_rows:,} rows in {floor_seconds:.1f} s = {floor_rows / floor_seconds:,.0f} rows/s "
        f"(httpx + json + executemany)"
    )
    print(f"  end to end / floor = {e2e / floor_seconds:.2f}x (goal <= 2x)")
    print(
        f"steady state, nothing changed: {steady_total:.1f} s: "
        f"fetching {steady_total - steady_write - steady_read:.1f} s, "
        f"reading what is stored {steady_read:.2f} s, writing {steady_write:.2f} s"
    )
    print(f"  steady writing / initial writing = {steady_write / initial_write:.3f} (goal <= 0.1)")


if __name__ == "__main__":
    main()
