"""Benchmark: 1,000 digest subscriptions across 100 teams, all due in the same minute, posted to the Slack
stand-in (which answers 429 when one channel gets two posts less than a second apart).

Prints the time to build all digests, the wall time of the run, the Slack calls per method, and the
smallest gap between two posts to the same channel (proof of at most one message per second per channel).
Run: `.venv/bin/python bench/bench_digest.py` (not part of the test suite).
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from slack_sdk import WebClient

from bot.blocks.digest import BLOCK_KIT_DIGEST
from bot.services.digest import DeliveryOptions, DigestSlack, deliver_due_digests, next_slot
from bot.settings import load_settings
from bot.slack import WebClientDigestSlack
from bot.wiring import build_services
from sandbox.slack import SlackStandIn
from storage.crypto import generate_key_line
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import CampaignDailyMetric, Connection, DigestSubscription, Profile, table_of
from storage.types import to_money_units

TEAMS, CHANNELS_PER_TEAM, CAMPAIGNS, DAYS = 100, 10, 8, 14
NOW = datetime(2025, 5, 14, 7, 0, tzinfo=UTC)  # 09:00 Berlin, 08:00 London and Lagos, 07:00 UTC
ZONES = (("Europe/Berlin", "09:00"), ("Europe/London", "08:00"), ("Africa/Lagos", "08:00"), ("UTC", "07:00"))
MARKETPLACES = (
    ("eu", "DE", "EUR", "Europe/Paris"),
    ("eu", "UK", "GBP", "Europe/London"),
    ("eu", "FR", "EUR", "Europe/Paris"),
    ("na", "US", "USD", "America/Los_Angeles"),
    ("fe", "JP", "JPY", "Asia/Tokyo"),
)


def team_id(i: int) -> str:
    return f"T{i:04d}"


def seed_slack(slack: SlackStandIn) -> None:
    for i in range(TEAMS):
        channels = [{"id": f"C{i:04d}{c:02d}X", "name": f"ppc-{c}"} for c in range(CHANNELS_PER_TEAM)]
        slack.add_workspace(
            team_id=team_id(i),
            name=f"Team {i}",
            bot_token=f"xoxb-bench-{team_id(i)}",
            users=[{"id": f"U{i:04d}", "name": f"owner{i}", "tz": "Europe/Berlin", "is_admin": True}],
            channels=channels,
        )


def seed_db(engine: object) -> None:
    metric_rows = []
    with session_scope(engine) as session:  # type: ignore[arg-type]
        for i in range(TEAMS):
            conns: dict[str, int] = {}
            for region in ("eu", "na", "fe"):
                conn = Connection(team_id=team_id(i), region=region, last_success_at=NOW - timedelta(hours=1))
                session.add(conn)
                session.flush()
                assert conn.id is not None
                conns[region] = conn.id
            for m, (region, country, currency, zone) in enumerate(MARKETPLACES):
                prof = Profile(
                    connection_id=conns[region],
                    team_id=team_id(i),
                    region=region,
                    profile_id=f"{i}{m}",
                    country_code=country,
                    currency_code=currency,
                    timezone=zone,
                    account_name=f"Account {i}-{m}",
                    selected=True,
                )
                session.add(prof)
                session.flush()
                assert prof.id is not None
                for c in range(CAMPAIGNS):
                    for d in range(DAYS + 1):
                        day = date(2025, 5, 14) - timedelta(days=d)
                        metric_rows.append(
                            {
                                "profile_pk": prof.id,
                                "campaign_id": str(c),
                                "date": day,
                                "currency": currency,
                                "impressions": 1000 + 37 * c + d,
                                "clicks": 20 + c,
                                "orders": c % 4,
                                "units": c % 4,
                                "cost": to_money_units(f"{10 + c}.{d:02d}"),
                                "sales": to_money_units(f"{30 + 3 * c}.{(d * 7) % 100:02d}"),
                                "budget": to_money_units("15.00"),
                                "updated_at": NOW,
                            }
                        )
            for c in range(CHANNELS_PER_TEAM):
                zone, at = ZONES[(i + c) % len(ZONES)]
                session.add(
                    DigestSubscription(
                        team_id=team_id(i),
                        channel_id=f"C{i:04d}{c:02d}X",
                        subscriber_id=f"U{i:04d}",
                        local_time=at,
                        timezone=zone,
                        chart=(c == 0),
                        next_due_at=next_slot(NOW, local_time=at, zone=zone, inclusive=True),
                    )
                )
        session.connection().execute(table_of(CampaignDailyMetric).insert(), metric_rows)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn(channel_pacing=1.0, console=False) as slack:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        seed_slack(slack)
        seed_db(engine)
        settings = load_settings(
            {"HILAL_ENCRYPTION_KEYS": generate_key_line("k1"), "SLACK_API_URL": slack.api_url}
        )
        services = build_services(settings, engine=engine)
        ports: dict[str, DigestSlack] = {}

        def slack_for(team: str) -> DigestSlack:
            if team not in ports:
                ports[team] = WebClientDigestSlack(
                    WebClient(token=f"xoxb-bench-{team}", base_url=slack.api_url)
                )
            return ports[team]

        started = time.perf_counter()
        report = deliver_due_digests(
            services, slack_for, now=NOW, rendering=BLOCK_KIT_DIGEST, options=DeliveryOptions()
        )
        wall = time.perf_counter() - started
        calls = slack.calls()
        posts: dict[str, list[float]] = defaultdict(list)
        for call in calls:  # charts are uploaded privately (no channel) and shown in the digest's blocks
            channel = call.args.get("channel") or call.args.get("channel_id")
            if call.ok and channel and call.method in ("chat.postMessage", "files.completeUploadExternal"):
                posts[f"{call.team_id}/{channel}"].append(call.ts)
        gaps = [b - a for times in posts.values() for a, b in itertools.pairwise(times)]
        per_second = max(
            (sum(1 for t in times if s <= t < s + 1.0) for times in posts.values() for s in times), default=0
        )
        print(f"subscriptions due: {report.due}  sent: {report.sent}  failed: {report.failed}")
        print(
            f"time to build all digests: {report.build_seconds:.2f} s "
            f"({report.build_seconds / max(report.sent, 1) * 1000:.1f} ms each); run wall time {wall:.2f} s"
        )
        print(
            f"Slack calls: {len(calls)}  "
            + ", ".join(f"{m} {n}" for m, n in sorted(Counter(c.method for c in calls).items()))
        )
        print(
            f"thread replies: {report.thread_replies}  charts uploaded: {report.uploads}  "
            f"429 answers: {sum(1 for c in calls if c.status == 429)}  retries: {report.rate_limited_retries}"
        )
        print(
            f"channels posted to: {len(posts)}  smallest gap between two posts to one channel: "
            f"{min(gaps, default=float('inf')):.3f} s  most posts to one channel within 1 s: {per_second}"
        )
        if per_second > 1 or report.sent != TEAMS * CHANNELS_PER_TEAM:
            raise SystemExit("FAILED: a channel got more than one message per second, or digests are missing")


if __name__ == "__main__":
    main()
