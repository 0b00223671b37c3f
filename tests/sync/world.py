"""A world for sync tests: the Amazon simulator and the Slack stand-in on loopback, a database, a clock.

    world.seed()                       # an Amazon account "acme" with two NA marketplaces
    conn_id = world.connect("na")      # consent → code exchange → profiles stored and selected
    run_sync(world.services, connection_id=conn_id, kind="initial")

Time is a `ManualClock` shared by the simulator and Hilal; nothing sleeps (retry sleeps are recorded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select

from bot.amazon.lwa import consent_url, make_pkce
from bot.amazon.retry import RetryPolicy
from bot.services.connections import fetch_profiles, store_connection
from bot.settings import load_settings
from bot.wiring import Services, build_services
from sandbox.amazon import AmazonSimulator, SimConfig
from sandbox.slack import DEMO_ADMIN, DEMO_BOT_TOKEN, DEMO_TEAM, SlackStandIn
from storage.crypto import generate_key_line
from storage.db import session_scope
from storage.models import (
    AdGroup,
    Campaign,
    CampaignDailyMetric,
    Connection,
    Keyword,
    KeywordDailyMetric,
    Profile,
    ReportJob,
)
from tests.harness import InlineExecutor

__all__ = ["CLIENT_ID", "START", "InlineExecutor", "ManualClock", "World"]

CLIENT_ID = "amzn1.application-oa2-client.synctest"
CLIENT_SECRET = "sim-secret-sync"
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class ManualClock:
    """A clock tests move by hand; the simulator and Hilal both read it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class World:
    sim: AmazonSimulator
    slack: SlackStandIn
    clock: ManualClock
    engine: Engine
    env: dict[str, str]
    services: Services = field(init=False)
    sleeps: list[float] = field(default_factory=list)
    processes: list[Services] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.services = self.new_process()

    @classmethod
    def start(cls, engine: Engine, *, max_page_size: int = 25, **env: str) -> World:
        clock = ManualClock()
        sim = AmazonSimulator(
            SimConfig(
                client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=clock, max_page_size=max_page_size
            )
        ).start()
        slack = SlackStandIn.with_demo_workspace().start()
        settings_env = {
            "SLACK_BOT_TOKEN": DEMO_BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "sync-test-signing",
            "SLACK_API_URL": slack.api_url,
            "AMAZON_ADS_CLIENT_ID": CLIENT_ID,
            "AMAZON_ADS_CLIENT_SECRET": CLIENT_SECRET,
            "HILAL_ENCRYPTION_KEYS": generate_key_line("test"),
            "HILAL_PUBLIC_URL": "http://127.0.0.1:3000",
        }
        for region in ("na", "eu", "fe"):
            for key, url in sim.region_urls(region).items():
                settings_env[f"HILAL_AMAZON_{region.upper()}_{key.upper()}"] = url
        settings_env.update(env)
        sim.allow_redirect_uri("http://127.0.0.1:3000/amazon/oauth/callback")
        return cls(sim=sim, slack=slack, clock=clock, engine=engine, env=settings_env)

    def new_process(self, **transport: Any) -> Services:
        """Services as another `hilal run` process would build them (same database, new instance id)."""
        services = build_services(
            load_settings(self.env),
            engine=self.engine,
            clock=self.clock,
            background=InlineExecutor(),
            **transport,
        )
        services.amazon.retry = RetryPolicy(sleep=self.sleeps.append)
        self.processes.append(services)
        return services

    def close(self) -> None:
        for services in self.processes:
            services.amazon.http.close()
        self.slack.stop()
        self.sim.stop()

    # -- Amazon side --------------------------------------------------------------------------------

    def seed(
        self,
        user: str = "acme",
        *,
        region: str = "na",
        marketplaces: tuple[str, ...] = ("US", "CA"),
        **sizes: Any,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "campaigns_per_profile": 6,
            "ad_groups_per_campaign": 2,
            "keywords_per_ad_group": 3,
        }
        params.update(sizes)
        return self.sim.seed_account(user_id=user, region=region, marketplaces=list(marketplaces), **params)

    def grant(self, region: str = "na", *, sim_user: str = "acme") -> tuple[str, list[Any]]:
        """Consent and code exchange; returns (refresh token, profiles)."""
        endpoints = self.services.amazon.endpoints(region)
        verifier, challenge = make_pkce()
        url = consent_url(
            endpoints,
            client_id=CLIENT_ID,
            redirect_uri=self.services.amazon.redirect_uri,
            state="st",
            code_challenge=challenge,
        )
        code = parse_qs(urlsplit(self.sim.approve(url, user_id=sim_user)).query)["code"][0]
        tokens = self.services.amazon.lwa.exchange_code(
            endpoints, code=code, redirect_uri=self.services.amazon.redirect_uri, code_verifier=verifier
        )
        return tokens.refresh_token.get_secret_value(), fetch_profiles(
            self.services, region=region, tokens=tokens
        )

    def connect(
        self, region: str = "na", *, sim_user: str = "acme", team: str = DEMO_TEAM, user: str = DEMO_ADMIN
    ) -> int:
        """A connected region with every syncable profile selected."""
        refresh_token, profiles = self.grant(region, sim_user=sim_user)
        conn_id, _ = store_connection(
            self.services,
            team_id=team,
            enterprise_id="",
            region=region,
            user_id=user,
            refresh_token=refresh_token,
            profiles=profiles,
        )
        with session_scope(self.engine) as session:
            for p in session.exec(select(Profile).where(Profile.connection_id == conn_id)).all():
                p.selected = not p.view_only and p.account_type != "agency"
                session.add(p)
            from storage.models import Connection

            conn = session.get(Connection, conn_id)
            assert conn is not None
            conn.selection_confirmed = True
            session.add(conn)
        return conn_id

    # -- database side ------------------------------------------------------------------------------

    def connection(self, conn_id: int) -> Connection:
        with session_scope(self.engine, readonly=True) as s:
            conn = s.get(Connection, conn_id)
        assert conn is not None
        return conn

    def report_jobs(self) -> list[ReportJob]:
        with session_scope(self.engine, readonly=True) as s:
            return list(s.exec(select(ReportJob).order_by(col(ReportJob.id))).all())

    def report_creations(self) -> int:
        """How many reports were asked of the simulator."""
        return sum(
            1 for r in self.sim.requests if r.method == "POST" and r.path.endswith("/reporting/reports")
        )

    def profiles(self, conn_id: int) -> list[Profile]:
        with session_scope(self.engine, readonly=True) as s:
            return list(
                s.exec(select(Profile).where(Profile.connection_id == conn_id, col(Profile.selected))).all()
            )

    def campaigns(self, profile_pk: int, *, live: bool = True) -> dict[str, Campaign]:
        with session_scope(self.engine, readonly=True) as s:
            stmt = select(Campaign).where(Campaign.profile_pk == profile_pk)
            if live:
                stmt = stmt.where(col(Campaign.removed_at).is_(None))
            return {c.campaign_id: c for c in s.exec(stmt).all()}

    def children(self, model: type[AdGroup] | type[Keyword], profile_pk: int) -> dict[str, Any]:
        with session_scope(self.engine, readonly=True) as s:
            rows = s.exec(
                select(model).where(model.profile_pk == profile_pk, col(model.removed_at).is_(None))
            ).all()
        return {_amazon_id(r): r for r in rows}

    def campaign_metrics(self, profile_pk: int) -> dict[tuple[str, date], CampaignDailyMetric]:
        with session_scope(self.engine, readonly=True) as s:
            rows = s.exec(
                select(CampaignDailyMetric).where(CampaignDailyMetric.profile_pk == profile_pk)
            ).all()
        return {(r.campaign_id, r.date): r for r in rows}

    def keyword_metrics(self, profile_pk: int) -> dict[tuple[str, date], KeywordDailyMetric]:
        with session_scope(self.engine, readonly=True) as s:
            rows = s.exec(select(KeywordDailyMetric).where(KeywordDailyMetric.profile_pk == profile_pk)).all()
        return {(r.keyword_id, r.date): r for r in rows}

    def assert_matches_truth(self, conn_id: int, *, metrics: bool = True) -> None:
        """The database holds exactly what the simulator serves: entities and the metrics loaded."""
        truth = self.sim.truth
        for p in self.profiles(conn_id):
            assert p.id is not None
            want = {str(c["campaignId"]): c for c in truth.campaigns(p.profile_id)}
            want.update({str(c["campaignId"]): c for c in truth.sb_campaigns(p.profile_id)})
            want.update({str(c["campaignId"]): c for c in truth.sd_campaigns(p.profile_id)})
            have = self.campaigns(p.id)
            assert set(have) == set(want)
            for cid, raw in want.items():
                assert have[cid].name == raw["name"]
                assert have[cid].state == str(raw["state"]).upper()
            ad_groups = {str(g["adGroupId"]): g for g in truth.ad_groups(p.profile_id)}
            assert {k: v.state for k, v in self.children(AdGroup, p.id).items()} == {
                k: g["state"] for k, g in ad_groups.items()
            }
            keywords = {str(k["keywordId"]): k for k in truth.keywords(p.profile_id)}
            have_kw = self.children(Keyword, p.id)
            assert set(have_kw) == set(keywords)
            for kid, raw in keywords.items():
                assert have_kw[kid].state == raw["state"] and have_kw[kid].text == raw["keywordText"]
            if metrics:
                self._assert_metrics_match(p)

    def _assert_metrics_match(self, p: Profile) -> None:
        assert p.id is not None
        stored = self.campaign_metrics(p.id)
        assert stored, "no campaign metrics loaded"
        first, last = min(d for _, d in stored), max(d for _, d in stored)
        rows = self.sim.truth.campaign_metrics(p.profile_id, first, last)
        want = {(str(r["campaignId"]), date.fromisoformat(r["date"])): r for r in rows}
        assert set(stored) == set(want)
        for key, raw in want.items():
            got = stored[key]
            assert (got.impressions, got.clicks) == (raw["impressions"], raw["clicks"])
            assert got.cost == Decimal(str(raw["cost"])).quantize(Decimal("0.0001"))
            assert got.currency == p.currency_code
        kw_stored = self.keyword_metrics(p.id)
        kw_rows = self.sim.truth.keyword_metrics(p.profile_id, first, last)
        kw_want = {
            (str(r["keywordId"]), date.fromisoformat(r["date"])) for r in kw_rows if r.get("keywordId")
        }
        assert set(kw_stored) == kw_want


def change_campaign(sim: AmazonSimulator, profile_id: str, index: int, **fields: Any) -> str:
    """Change campaign `index` at Amazon (name, state); returns its id."""
    return sim.change_campaign(profile_id, index, **fields)


def shrink_account(sim: AmazonSimulator, profile_id: str, *, campaigns: int) -> None:
    """Delete the last campaigns (with their ad groups and keywords) at Amazon."""
    sim.shrink_account(profile_id, campaigns=campaigns)


def _amazon_id(row: SQLModel) -> str:
    """An ad group's or a keyword's Amazon id."""
    if isinstance(row, AdGroup):
        return row.ad_group_id
    assert isinstance(row, Keyword)
    return row.keyword_id
