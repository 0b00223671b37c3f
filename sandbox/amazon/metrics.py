"""Daily metrics for generated entities, and the report rows built from them (reference §4.6).

Numbers are pure functions of (seed, entity, day), so any range can be produced lazily and a report
of hundreds of thousands of rows never sits in memory. Restatement: each ``restate()`` of the simulator
records a restatement; days within the 3 most recent days (profile time zone) at that moment get their
numbers bumped deterministically, and later reads see the bumped values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.amazon import entities as ent
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
_WINDOWS = (1, 7, 14, 30)
METRIC_COLUMNS: tuple[str, ...] = (
    "impressions",
    "clicks",
    "cost",
    "spend",
    "costPerClick",
    "clickThroughRate",
    *(f"purchases{w}d" for w in _WINDOWS),
    *(f"sales{w}d" for w in _WINDOWS),
    *(f"unitsSoldClicks{w}d" for w in _WINDOWS),
    *(f"purchasesSameSku{w}d" for w in _WINDOWS),
    *(f"attributedSalesSameSku{w}d" for w in _WINDOWS),
    *(f"unitsSoldSameSku{w}d" for w in _WINDOWS),
    "acosClicks14d",
    "roasClicks14d",
    "topOfSearchImpressionShare",
)
_CAMPAIGN_INFO = (
    "campaignId",
    "campaignName",
    "campaignStatus",
    "campaignBudgetAmount",
    "campaignBudgetType",
    "campaignBudgetCurrencyCode",
)
CAMPAIGN_COLUMNS: dict[str, tuple[str, ...]] = {
    "campaign": (*_CAMPAIGN_INFO, "campaignBiddingStrategy", *METRIC_COLUMNS),
    "adGroup": (*_CAMPAIGN_INFO, "adGroupId", "adGroupName", "adStatus", *METRIC_COLUMNS),
}
TARGETING_COLUMNS: tuple[str, ...] = (
    *_CAMPAIGN_INFO,
    "adGroupId",
    "adGroupName",
    "keywordId",
    "keyword",
    "matchType",
    "targeting",
    "keywordType",
    "keywordBid",
    "adKeywordStatus",
    *METRIC_COLUMNS,
)
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

    def factor(self, level: int, idx: int, ordinal: int) -> float:
        f = 1.0
        for gen, low, high in self.windows:
            if low <= ordinal <= high:
                f *= 1.02 + 0.06 * unit(self.spec.seed, 50, gen, self.spec.seq, level, idx, ordinal)
        return f

    def allowed(self, name: str, value: str) -> bool:
        wanted = self.filters.get(name)
        return wanted is None or value in wanted


Core = tuple[int, int, float, int, int, int, int, float, float, float]
"""impressions, clicks, cost, purchases 1d/7d/14d/30d, average order value, two noise values."""


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
    return (
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


def _same(c: Core, n: int) -> int:
    p = int(c[3 + n])
    return p - (1 if p and c[8] > 0.8 else 0)


def _window_fns(n: int, w: int) -> dict[str, Callable[[Core], Any]]:
    def same(c: Core) -> int:
        return _same(c, n)

    return {
        f"purchases{w}d": lambda c: c[3 + n],
        f"sales{w}d": lambda c: round(c[3 + n] * c[7], 2),
        f"unitsSoldClicks{w}d": lambda c: c[3 + n] + c[3 + n] // 4,
        f"purchasesSameSku{w}d": same,
        f"attributedSalesSameSku{w}d": lambda c: round(same(c) * c[7], 2),
        f"unitsSoldSameSku{w}d": lambda c: same(c) + same(c) // 4,
    }


def _metric_fns() -> dict[str, Callable[[Core], Any]]:
    fns: dict[str, Callable[[Core], Any]] = {
        "impressions": lambda c: c[0],
        "clicks": lambda c: c[1],
        "cost": lambda c: c[2],
        "spend": lambda c: c[2],
        "costPerClick": lambda c: round(c[2] / c[1], 2) if c[1] else 0.0,
        "clickThroughRate": lambda c: round(c[1] / c[0], 4),
        "topOfSearchImpressionShare": lambda c: round(0.05 + 0.4 * c[9], 4),
        "acosClicks14d": lambda c: round(c[2] / (c[5] * c[7]), 4) if c[5] else 0.0,
        "roasClicks14d": lambda c: round(c[5] * c[7] / c[2], 4) if c[2] else 0.0,
    }
    for n, w in enumerate(_WINDOWS):
        fns.update(_window_fns(n, w))
    return fns


_METRIC_FNS = _metric_fns()
_RATIOS = frozenset(
    {"costPerClick", "clickThroughRate", "topOfSearchImpressionShare", "acosClicks14d", "roasClicks14d"}
)


def _campaign_active(ctx: _Context, i: int) -> list[int]:
    spec = ctx.spec
    start = ent.campaign_start(spec, i).toordinal()
    chance = _ACTIVE.get(ent.campaign_state(spec, i), 0.97)
    return [o for o in ctx.ordinals if o >= start and unit(spec.seed, 40, spec.seq, i, o) < chance]


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
            if group == "adGroup":
                if ctx.allowed("adStatus", g["state"]):
                    yield 2, j, ginfo, active, 80 + 900 * unit(spec.seed, 37, spec.seq, j)
                continue
            yield from _keywords(ctx, j, ginfo, active, g["defaultBid"])


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
        days = [o for o in active if unit(spec.seed, 21, spec.seq, k, o) < 0.7]
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
    metric = [(c, _METRIC_FNS[c]) for c in columns if c in _METRIC_FNS]
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
    total: dict[str, Any] = dict.fromkeys(_METRIC_FNS, 0)
    for ordinal in active:
        core = _core(ctx, level, idx, ordinal, traits)
        for key, fn in _METRIC_FNS.items():
            if key not in _RATIOS:
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
