"""Daily metrics for generated entities, and the report rows built from them (reference §4.6).

Numbers are pure functions of (seed, entity, day), so any range can be produced lazily and a report
of hundreds of thousands of rows never sits in memory. Restatement: each ``restate()`` of the simulator
records a restatement; days within the 3 most recent days (profile time zone) at that moment get their
numbers bumped deterministically, and later reads see the bumped values. Live edits
(:mod:`sandbox.amazon.edits`) count from the day they were applied: a day on which an edit keeps an
entity (or every ad group of a campaign) from serving has no row, and an edited daily budget caps the
cost of every later day of its campaign.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon import entities as ent
from sandbox.amazon.columns import (
    CAMPAIGN_COLUMNS,
    METRIC_COLUMNS,
    METRIC_FNS,
    RATIOS,
    TARGETING_COLUMNS,
    Core,
)
from sandbox.amazon.edits import AD_GROUP, CAMPAIGN, KEYWORD, Timeline
from sandbox.amazon.entities import ProfileSpec, unit

__all__ = [
    "CAMPAIGN_COLUMNS",
    "METRIC_COLUMNS",
    "RESTATEMENT_DAYS",
    "TARGETING_COLUMNS",
    "ReportQuery",
    "Restatement",
    "iter_rows",
    "profile_today",
]

RESTATEMENT_DAYS = 3
_ACTIVE = {"PAUSED": 0.25, "ARCHIVED": 0.1}


@dataclass(frozen=True)
class Restatement:
    """One restatement: its generation number and the simulator time it happened."""

    generation: int
    at: datetime


@dataclass(frozen=True)
class ReportQuery:
    """What a report asks for, with the snapshot (time and restatements) it is generated at."""

    report_type: str
    group_by: str
    time_unit: str
    columns: tuple[str, ...]
    start: date
    end: date
    as_of: datetime
    restatements: tuple[Restatement, ...] = ()
    filters: tuple[tuple[str, frozenset[str]], ...] = ()


def profile_today(spec: ProfileSpec, now: datetime) -> date:
    """Today's date in the profile's time zone."""
    return now.astimezone(ZoneInfo(spec.market.timezone)).date()


class _Context:
    """Per-report precomputation: days, restatement windows, filters."""

    def __init__(self, spec: ProfileSpec, query: ReportQuery) -> None:
        self.spec = spec
        self.query = query
        first = max(query.start, spec.data_start)
        last = min(query.end, profile_today(spec, query.as_of))
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        self.ordinals = [d.toordinal() for d in self.days]
        self.windows: list[tuple[int, int, int]] = []
        for r in query.restatements:
            top = profile_today(spec, r.at).toordinal()
            self.windows.append((r.generation, top - RESTATEMENT_DAYS, top))
        self.filters = dict(query.filters)
        self.scale = ent.money_scale(spec.market.currency)
        self.timeline = Timeline(spec.edits, spec.market.timezone, query.as_of)

    def serving(self, kind: str, idx: int, days: list[int]) -> list[int]:
        """``days`` without those an edited state of this entity keeps it from serving."""
        if not self.timeline:
            return days
        return [o for o in days if self.timeline.serving(kind, idx, o) is not False]

    def budget(self, level: int, idx: int, ordinal: int) -> float | None:
        """The edited daily budget of the entity's campaign on that day (None when never edited)."""
        if not self.timeline:
            return None
        spec = self.spec
        per_ad_group = spec.keywords_per_ad_group if level == 3 else 1
        i = idx // per_ad_group // (spec.ad_groups_per_campaign if level > 1 else 1)
        value = self.timeline.value(CAMPAIGN, i, "budget", ordinal)
        return None if value is None else float(value)

    def factor(self, level: int, idx: int, ordinal: int) -> float:
        f = 1.0
        for gen, low, high in self.windows:
            if low <= ordinal <= high:
                f *= 1.02 + 0.06 * unit(self.spec.seed, 50, gen, self.spec.seq, level, idx, ordinal)
        return f

    def allowed(self, name: str, value: str) -> bool:
        wanted = self.filters.get(name)
        return wanted is None or value in wanted


Traits = tuple[float, float, float, float, float, float]
"""Per-entity constants: base impressions, click-through rate, CPC, conversion rate, order value, noise."""


def _traits(ctx: _Context, level: int, idx: int, base_imp: float) -> Traits:
    s, q = ctx.spec.seed, ctx.spec.seq
    u3 = unit(s, 32, q, idx)
    cpc = max(round((0.4 + 1.6 * unit(s, 33, q, level, idx)) * ctx.scale, 2), 0.01)
    aov = round((15 + 45 * unit(s, 35, q, idx)) * ctx.scale, 2)
    return (base_imp, 0.002 + 0.012 * u3, cpc, 0.05 + 0.12 * unit(s, 34, q, idx), aov, u3)


def _core(ctx: _Context, level: int, idx: int, ordinal: int, t: Traits) -> Core:
    s, q = ctx.spec.seed, ctx.spec.seq
    u1, u2 = unit(s, 30, q, level, idx, ordinal), unit(s, 31, q, level, idx, ordinal)
    weekend = 1.15 if (ordinal - 1) % 7 >= 5 else 1.0
    f = ctx.factor(level, idx, ordinal) if ctx.windows else 1.0
    impressions = int(t[0] * (0.6 + 0.8 * u1) * weekend * f) + 1
    clicks = int(impressions * t[1] * (0.7 + 0.6 * u2) * f)
    p14 = int((clicks * t[3] + u1) * f)
    p7 = p14 - (1 if p14 and u2 < 0.2 else 0)
    core: Core = (
        impressions,
        clicks,
        round(clicks * t[2], 2),
        int(p7 * 0.7),
        p7,
        p14,
        p14 + (u1 < 0.1),
        t[4],
        u2,
        t[5],
    )
    budget = ctx.budget(level, idx, ordinal)
    return core if budget is None or core[2] <= budget else _capped(core, budget)


def _capped(c: Core, budget: float) -> Core:
    """The day cut short when the daily budget ran out: fewer impressions, clicks and purchases."""
    ratio = budget / c[2]
    clicks = int(c[1] * ratio)
    cost = min(round(clicks * c[2] / c[1], 2), budget) if c[1] else 0.0
    p = [int(n * ratio) for n in c[3:7]]
    return (max(int(c[0] * ratio), clicks), clicks, cost, p[0], p[1], p[2], p[3], c[7], c[8], c[9])


def _campaign_active(ctx: _Context, i: int) -> list[int]:
    spec = ctx.spec
    start = ent.campaign_start(spec, i).toordinal()
    seeded = _ACTIVE.get(ent.seeded_state(spec, CAMPAIGN, i), 0.97)
    days = []
    for o in ctx.ordinals:
        serving = ctx.timeline.serving(CAMPAIGN, i, o) if ctx.timeline else None
        chance = seeded if serving is None else 0.97 if serving else 0.0
        if o >= start and unit(spec.seed, 40, spec.seq, i, o) < chance:
            days.append(o)
    return days


def _any_ad_group_serving(ctx: _Context, i: int, days: list[int]) -> list[int]:
    """A campaign whose ad groups are all paused by edits spends nothing on those days."""
    per = ctx.spec.ad_groups_per_campaign
    serving: set[int] = set()
    for j in range(i * per, (i + 1) * per):
        serving.update(ctx.serving(AD_GROUP, j, days))
    return [o for o in days if o in serving]


def _campaign_info(spec: ProfileSpec, i: int) -> dict[str, Any]:
    c = ent.campaign(spec, i)
    return {
        "campaignId": int(c["campaignId"]),
        "campaignName": c["name"],
        "campaignStatus": c["state"],
        "campaignBudgetAmount": c["budget"]["budget"],
        "campaignBudgetType": c["budget"]["budgetType"],
        "campaignBudgetCurrencyCode": spec.market.currency,
        "campaignBiddingStrategy": c["dynamicBidding"]["strategy"],
    }


def _entities(ctx: _Context) -> Iterator[tuple[int, int, dict[str, Any], list[int], float]]:
    """Yield (level, index, static columns, active day ordinals, base impressions) per entity."""
    spec, group = ctx.spec, ctx.query.group_by
    for i in range(spec.campaigns):
        info = _campaign_info(spec, i)
        if not ctx.allowed("campaignStatus", info["campaignStatus"]):
            continue
        active = _campaign_active(ctx, i)
        if not active:
            continue
        if group == "campaign":
            active = _any_ad_group_serving(ctx, i, active)
            if not active:
                continue
            yield 1, i, info, active, 200 + 3000 * unit(spec.seed, 36, spec.seq, i)
            continue
        for j in range(i * spec.ad_groups_per_campaign, (i + 1) * spec.ad_groups_per_campaign):
            g = ent.ad_group(spec, j)
            ginfo = {
                **info,
                "adGroupId": int(g["adGroupId"]),
                "adGroupName": g["name"],
                "adStatus": g["state"],
            }
            days = ctx.serving(AD_GROUP, j, active)
            if group == "adGroup":
                if days and ctx.allowed("adStatus", g["state"]):
                    yield 2, j, ginfo, days, 80 + 900 * unit(spec.seed, 37, spec.seq, j)
                continue
            if days:
                yield from _keywords(ctx, j, ginfo, days, g["defaultBid"])


def _keywords(
    ctx: _Context, j: int, ginfo: dict[str, Any], active: list[int], default_bid: float
) -> Iterator[tuple[int, int, dict[str, Any], list[int], float]]:
    spec = ctx.spec
    per = spec.keywords_per_ad_group
    for k in range(j * per, (j + 1) * per):
        if unit(spec.seed, 20, spec.seq, k) >= spec.active_keyword_share:
            continue
        kw = ent.keyword(spec, k)
        if not (ctx.allowed("keywordType", kw["matchType"]) and ctx.allowed("adKeywordStatus", kw["state"])):
            continue
        days = ctx.serving(KEYWORD, k, [o for o in active if unit(spec.seed, 21, spec.seq, k, o) < 0.7])
        if not days:
            continue
        info = {
            **ginfo,
            "keywordId": int(kw["keywordId"]),
            "keyword": kw["keywordText"],
            "matchType": kw["matchType"],
            "targeting": kw["keywordText"],
            "keywordType": kw["matchType"],
            "keywordBid": kw.get("bid", default_bid),
            "adKeywordStatus": kw["state"],
        }
        yield 3, k, info, days, 20 + 400 * unit(spec.seed, 38, spec.seq, k)


def iter_rows(spec: ProfileSpec, query: ReportQuery) -> Iterator[dict[str, Any]]:
    """Yield the report rows for ``query``, projected onto its columns, without holding them all."""
    ctx = _Context(spec, query)
    columns = query.columns
    metric = [(c, METRIC_FNS[c]) for c in columns if c in METRIC_FNS]
    iso = {o: date.fromordinal(o).isoformat() for o in ctx.ordinals}
    for level, idx, info, active, base in _entities(ctx):
        traits = _traits(ctx, level, idx, base)
        if query.time_unit == "SUMMARY":
            yield _summary(ctx, level, idx, info, active, traits)
            continue
        static = [(c, info[c]) for c in columns if c in info]
        for ordinal in active:
            core = _core(ctx, level, idx, ordinal, traits)
            row = dict(static)
            for name, fn in metric:
                row[name] = fn(core)
            if "date" in columns:
                row["date"] = iso[ordinal]
            yield row


def _summary(
    ctx: _Context, level: int, idx: int, info: dict[str, Any], active: list[int], traits: Traits
) -> dict[str, Any]:
    total: dict[str, Any] = dict.fromkeys(METRIC_FNS, 0)
    for ordinal in active:
        core = _core(ctx, level, idx, ordinal, traits)
        for key, fn in METRIC_FNS.items():
            if key not in RATIOS:
                total[key] += fn(core)
    for key, value in total.items():
        if isinstance(value, float):
            total[key] = round(value, 2)
    clicks, impressions, cost = total["clicks"], total["impressions"], total["cost"]
    sales14 = total["sales14d"]
    total["costPerClick"] = round(cost / clicks, 2) if clicks else 0.0
    total["clickThroughRate"] = round(clicks / impressions, 4) if impressions else 0.0
    total["acosClicks14d"] = round(cost / sales14, 4) if sales14 else 0.0
    total["roasClicks14d"] = round(sales14 / cost, 4) if cost else 0.0
    total["topOfSearchImpressionShare"] = round(0.05 + 0.4 * traits[5], 4)
    row = {**info, **total, "startDate": ctx.query.start.isoformat(), "endDate": ctx.query.end.isoformat()}
    return {c: row[c] for c in ctx.query.columns if c in row}
