"""Validation of a ``POST /reporting/reports`` body (reference §4.2, §4.7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sandbox.amazon.metrics import CAMPAIGN_COLUMNS, TARGETING_COLUMNS, ReportQuery

__all__ = ["MAX_RANGE_DAYS", "RETENTION_DAYS", "ConfigError", "validate"]

MAX_RANGE_DAYS = 31
RETENTION_DAYS = {
    "SPONSORED_PRODUCTS": 95,
    "SPONSORED_BRANDS": 60,
    "SPONSORED_DISPLAY": 65,
    "SPONSORED_TELEVISION": 95,
    "DEMAND_SIDE_PLATFORM": 95,
    "ALL": 95,
}
_REQUIRED = ("adProduct", "columns", "format", "groupBy", "reportTypeId", "timeUnit")
_KNOWN_TYPES = frozenset(
    {
        "spCampaigns",
        "spTargeting",
        "spSearchTerm",
        "spAdvertisedProduct",
        "spPurchasedProduct",
        "spGrossAndInvalids",
        "sbCampaigns",
        "sbAdGroup",
        "sbTargeting",
        "sbSearchTerm",
        "sbPurchasedProduct",
        "sdCampaigns",
        "sdAdGroup",
        "sdTargeting",
        "sdAdvertisedProduct",
        "sdPurchasedProduct",
    }
)
_SUPPORTED: dict[tuple[str, str], tuple[tuple[str, ...], frozenset[str]]] = {
    ("spCampaigns", "campaign"): (CAMPAIGN_COLUMNS["campaign"], frozenset({"campaignStatus"})),
    ("spCampaigns", "adGroup"): (CAMPAIGN_COLUMNS["adGroup"], frozenset({"adStatus"})),
    ("spTargeting", "targeting"): (TARGETING_COLUMNS, frozenset({"keywordType", "adKeywordStatus"})),
}


class ConfigError(Exception):
    """An invalid report request; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _date(body: dict[str, Any], name: str) -> date:
    value = body.get(name)
    if not isinstance(value, str):
        raise ConfigError(f"{name} is required")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} ({value}) must be a date in the format YYYY-MM-DD") from None


def _dates(body: dict[str, Any], product: str, today: date) -> tuple[date, date]:
    start, end = _date(body, "startDate"), _date(body, "endDate")
    if start > end:
        raise ConfigError(f"startDate ({start}) must be equal to or before endDate ({end})")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ConfigError(
            f"Date range between startDate ({start}) and endDate ({end}) exceeds "
            f"the maximum of {MAX_RANGE_DAYS} days"
        )
    retention = today - timedelta(days=RETENTION_DAYS.get(product, 95))
    if start < retention:
        raise ConfigError(
            f"startDate ({start}) must be equal to or after report type data retention start date "
            f"({retention})"
        )
    return start, end


def _filters(config: dict[str, Any], allowed: frozenset[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    raw = config.get("filters") or []
    if not isinstance(raw, list):
        raise ConfigError("configuration.filters must be an array")
    result = []
    for item in raw:
        name = item.get("field") if isinstance(item, dict) else None
        values = item.get("values") if isinstance(item, dict) else None
        if name not in allowed or not isinstance(values, list):
            raise ConfigError(f"configuration.filters contains an unsupported filter: {name}")
        result.append((str(name), frozenset(str(v) for v in values)))
    return tuple(result)


def validate(body: Any, *, today: date, as_of: datetime) -> ReportQuery:
    """Check a create-report body and turn it into a :class:`ReportQuery`.

    Args:
        body: the parsed JSON body.
        today: today's date in the profile's time zone (retention is measured from it).
        as_of: simulator time of the request.

    Raises:
        ConfigError: with Amazon-like messages.
    """
    if not isinstance(body, dict):
        raise ConfigError("Request body must be a JSON object")
    config = body.get("configuration")
    if not isinstance(config, dict):
        raise ConfigError("configuration is required")
    for name in _REQUIRED:
        if name not in config:
            raise ConfigError(f"configuration.{name} is required")
    product = config["adProduct"]
    if product not in RETENTION_DAYS:
        raise ConfigError(f"configuration.adProduct ({product}) is invalid")
    start, end = _dates(body, product, today)
    if config["format"] != "GZIP_JSON":
        raise ConfigError(f"configuration.format ({config['format']}) is not supported for this report type")
    if config["timeUnit"] not in ("DAILY", "SUMMARY"):
        raise ConfigError(f"configuration.timeUnit ({config['timeUnit']}) must be DAILY or SUMMARY")
    report_type, group_by = config["reportTypeId"], config["groupBy"]
    if report_type not in _KNOWN_TYPES:
        raise ConfigError(f"configuration.reportTypeId ({report_type}) is invalid")
    if not isinstance(group_by, list) or len(group_by) != 1:
        raise ConfigError("configuration.groupBy must name exactly one grouping in this simulator")
    supported = _SUPPORTED.get((report_type, group_by[0]))
    if supported is None or product != "SPONSORED_PRODUCTS":
        raise ConfigError(f"configuration ({report_type}, groupBy {group_by}, {product}) is not supported")
    columns = _columns(config, supported[0])
    return ReportQuery(
        report_type,
        group_by[0],
        config["timeUnit"],
        columns,
        start,
        end,
        as_of,
        filters=_filters(config, supported[1]),
    )


def _columns(config: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, ...]:
    columns = config["columns"]
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise ConfigError("configuration.columns must be a non-empty array of column names")
    extra = ("date",) if config["timeUnit"] == "DAILY" else ("startDate", "endDate")
    bad = [c for c in columns if c not in allowed and c not in extra]
    if bad:
        raise ConfigError(f"configuration.columns contains invalid values for {config['timeUnit']}: {bad}")
    return tuple(columns)
