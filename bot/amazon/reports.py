"""Reporting v3 requests Hilal makes, the date windows they cover, and parsing their rows.

Hilal stores, per day: impressions, clicks, cost, 7-day attributed sales and orders (purchases), plus the
campaign budget and its currency when the report type offers them. Reports cover at most 31 days and
cannot start before the ad product's retention (reference §4.7); `report_windows` cuts a wanted range
accordingly. Dates are in the profile's time zone, so callers pass "today" in that zone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.amazon.models import CampaignMetricRow, KeywordMetricRow

__all__ = [
    "CAMPAIGN_COLUMNS",
    "KEYWORD_COLUMNS",
    "MAX_REPORT_DAYS",
    "RETENTION_DAYS",
    "ReportFilter",
    "ReportRequest",
    "campaign_row_fields",
    "daily_campaign_report",
    "daily_keyword_report",
    "keyword_row_fields",
    "parse_campaign_row",
    "parse_keyword_row",
    "report_windows",
]

MAX_REPORT_DAYS = 31
RETENTION_DAYS: Mapping[str, int] = {
    "SPONSORED_PRODUCTS": 95,
    "SPONSORED_BRANDS": 60,
    "SPONSORED_DISPLAY": 65,
    "SPONSORED_TELEVISION": 95,
    "DEMAND_SIDE_PLATFORM": 95,
}
CAMPAIGN_COLUMNS = (
    "date",
    "campaignId",
    "campaignStatus",
    "impressions",
    "clicks",
    "cost",
    "sales7d",
    "purchases7d",
    "unitsSoldClicks7d",
    "campaignBudgetAmount",
    "campaignBudgetCurrencyCode",
    "campaignBudgetType",
)
KEYWORD_COLUMNS = (
    "date",
    "campaignId",
    "adGroupId",
    "keywordId",
    "keyword",
    "matchType",
    "impressions",
    "clicks",
    "cost",
    "sales7d",
    "purchases7d",
)
KEYWORD_TYPES = ("BROAD", "PHRASE", "EXACT")


class ReportFilter(BaseModel):
    """One `configuration.filters` entry."""

    model_config = ConfigDict(frozen=True)

    field: str
    values: tuple[str, ...]


class ReportRequest(BaseModel):
    """A `POST /reporting/reports` request. Serialisable (`model_dump_json`) so it can be persisted."""

    model_config = ConfigDict(frozen=True)

    start_date: date
    end_date: date
    report_type_id: str
    ad_product: str = "SPONSORED_PRODUCTS"
    group_by: tuple[str, ...]
    columns: tuple[str, ...]
    time_unit: str = "DAILY"
    format: str = "GZIP_JSON"
    filters: tuple[ReportFilter, ...] = ()
    name: str | None = None

    def to_body(self) -> dict[str, Any]:
        """The JSON body Amazon expects."""
        configuration: dict[str, Any] = {
            "adProduct": self.ad_product,
            "groupBy": list(self.group_by),
            "columns": list(self.columns),
            "reportTypeId": self.report_type_id,
            "timeUnit": self.time_unit,
            "format": self.format,
        }
        if self.filters:
            configuration["filters"] = [{"field": f.field, "values": list(f.values)} for f in self.filters]
        name = self.name or f"hilal {self.report_type_id} {self.start_date}..{self.end_date}"
        return {
            "name": name,
            "startDate": self.start_date.isoformat(),
            "endDate": self.end_date.isoformat(),
            "configuration": configuration,
        }

    def identity(self) -> str:
        """A stable key for "the same request" (dates and configuration, not the name)."""
        body = self.model_dump_json(exclude={"name"})
        return hashlib.sha256(body.encode()).hexdigest()[:32]


def daily_campaign_report(
    start: date, end: date, *, name: str | None = None, states: Sequence[str] = ()
) -> ReportRequest:
    """Daily SP campaign metrics (`spCampaigns`, grouped by campaign).

    Args:
        start: First day (profile time zone), inclusive.
        end: Last day, inclusive; at most 31 days after `start` counting both ends.
        name: Optional report name (Amazon shows it; it is not part of the identity).
        states: Optional `campaignStatus` filter (e.g. `("ENABLED", "PAUSED")`).
    """
    filters = (
        (ReportFilter(field="campaignStatus", values=tuple(s.upper() for s in states)),) if states else ()
    )
    return ReportRequest(
        start_date=start,
        end_date=end,
        report_type_id="spCampaigns",
        group_by=("campaign",),
        columns=CAMPAIGN_COLUMNS,
        filters=filters,
        name=name,
    )


def daily_keyword_report(start: date, end: date, *, name: str | None = None) -> ReportRequest:
    """Daily SP keyword metrics (`spTargeting` grouped by targeting, keyword match types only)."""
    return ReportRequest(
        start_date=start,
        end_date=end,
        report_type_id="spTargeting",
        group_by=("targeting",),
        columns=KEYWORD_COLUMNS,
        filters=(ReportFilter(field="keywordType", values=KEYWORD_TYPES),),
        name=name,
    )


def report_windows(
    start: date, end: date, *, today: date, retention_days: int, max_days: int = MAX_REPORT_DAYS
) -> list[tuple[date, date]]:
    """Cut `[start, end]` into report windows Amazon accepts.

    The range is clamped to the retention (the earliest day kept is `today - (retention_days - 1)`: the
    exact boundary is unpublished, so one day of margin avoids the "retention start date" 400) and to
    `today`, then cut into consecutive windows of at most `max_days` days, both ends inclusive.

    Args:
        start: First wanted day, inclusive.
        end: Last wanted day, inclusive.
        today: Today in the profile's time zone.
        retention_days: The ad product's retention (see `RETENTION_DAYS`).
        max_days: Longest window in days.

    Returns:
        The windows, oldest first; empty when nothing of the range is still available.
    """
    if max_days < 1 or retention_days < 1:
        raise ValueError("max_days and retention_days must be at least 1")
    first = max(start, today - timedelta(days=retention_days - 1))
    last = min(end, today)
    windows: list[tuple[date, date]] = []
    while first <= last:
        stop = min(last, first + timedelta(days=max_days - 1))
        windows.append((first, stop))
        first = stop + timedelta(days=1)
    return windows


def _upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) else value


def _count(value: Any) -> int:
    return 0 if value is None else int(value)


def parse_campaign_row(row: Mapping[str, Any]) -> CampaignMetricRow:
    """One `spCampaigns` row → `CampaignMetricRow` (integer ids become strings; nulls become 0).

    Raises:
        ValueError: A required field (`date`, `campaignId`) is missing or malformed.
    """
    return CampaignMetricRow(
        date=row.get("date") or row.get("startDate"),
        campaign_id=row.get("campaignId"),
        impressions=_count(row.get("impressions")),
        clicks=_count(row.get("clicks")),
        cost=row.get("cost") or row.get("spend") or 0,
        sales=row.get("sales7d") or 0,
        orders=_count(row.get("purchases7d")),
        units=row.get("unitsSoldClicks7d"),
        budget_amount=row.get("campaignBudgetAmount"),
        currency_code=row.get("campaignBudgetCurrencyCode"),
        campaign_status=_upper(row.get("campaignStatus")),
    )


def parse_keyword_row(row: Mapping[str, Any]) -> KeywordMetricRow:
    """One `spTargeting` keyword row → `KeywordMetricRow`.

    Raises:
        ValueError: A required field (`date`, `keywordId`, `campaignId`, `adGroupId`) is missing.
    """
    return KeywordMetricRow(
        date=row.get("date") or row.get("startDate"),
        keyword_id=row.get("keywordId"),
        campaign_id=row.get("campaignId"),
        ad_group_id=row.get("adGroupId"),
        impressions=_count(row.get("impressions")),
        clicks=_count(row.get("clicks")),
        cost=row.get("cost") or row.get("spend") or 0,
        sales=row.get("sales7d") or 0,
        orders=_count(row.get("purchases7d")),
        keyword_text=row.get("keyword") or row.get("keywordText"),
        match_type=_upper(row.get("matchType")),
    )


# -- bulk ingestion: the same values as the models, without building one per row ----------------------

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unusual(Exception):
    """A value the fast path does not handle: the model decides (and raises what it raises)."""


def _day(value: Any) -> date:
    if type(value) is str and _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value)
    if type(value) is date:
        return value
    raise _Unusual


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    raise _Unusual


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _amount(value: Any) -> Decimal:
    kind = type(value)
    if kind is Decimal and value.is_finite():
        return value  # type: ignore[no-any-return]
    if kind is int:
        return Decimal(value)
    raise _Unusual


def _optional_amount(value: Any) -> Decimal | None:
    return None if value is None else _amount(value)


def _optional_count(value: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    raise _Unusual


def campaign_row_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `parse_campaign_row(row)` as a dict (`dict(parse_campaign_row(row))`), faster.

    For bulk ingestion: well-formed rows skip building the model; anything unusual goes through it.

    Raises:
        ValueError: As `parse_campaign_row`.
    """
    get = row.get
    try:
        return {
            "date": _day(get("date") or get("startDate")),
            "campaign_id": _text(get("campaignId")),
            "impressions": _count(get("impressions")),
            "clicks": _count(get("clicks")),
            "cost": _amount(get("cost") or get("spend") or 0),
            "sales": _amount(get("sales7d") or 0),
            "orders": _count(get("purchases7d")),
            "units": _optional_count(get("unitsSoldClicks7d")),
            "budget_amount": _optional_amount(get("campaignBudgetAmount")),
            "currency_code": _optional_text(get("campaignBudgetCurrencyCode")),
            "campaign_status": _optional_text(_upper(get("campaignStatus"))),
        }
    except Exception:  # the model path raises the documented error, if any
        return dict(parse_campaign_row(row))


def keyword_row_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `parse_keyword_row(row)` as a dict (`dict(parse_keyword_row(row))`), faster.

    Raises:
        ValueError: As `parse_keyword_row`.
    """
    get = row.get
    try:
        return {
            "date": _day(get("date") or get("startDate")),
            "keyword_id": _text(get("keywordId")),
            "campaign_id": _text(get("campaignId")),
            "ad_group_id": _text(get("adGroupId")),
            "impressions": _count(get("impressions")),
            "clicks": _count(get("clicks")),
            "cost": _amount(get("cost") or get("spend") or 0),
            "sales": _amount(get("sales7d") or 0),
            "orders": _count(get("purchases7d")),
            "keyword_text": _optional_text(get("keyword") or get("keywordText")),
            "match_type": _optional_text(_upper(get("matchType"))),
        }
    except Exception:  # the model path raises the documented error, if any
        return dict(parse_keyword_row(row))
