"""Typed models of what Amazon returns: tokens, profiles, entities, report status and metric rows.

Conventions:

- Amazon ids are always strings in one canonical form, decimal digits (`"158410630682987"`): reports send
  integers, the entity APIs strings, and both must join. Low-volume models run `canonical_id`; the
  high-volume ones (ad groups, keywords, metric rows; hundreds of thousands per sync) let pydantic-core
  turn integers into strings natively (`coerce_numbers_to_str`), which is the same form for every id
  Amazon sends and keeps parsing as fast as `json.loads` itself.
- Enum-like values (`state`, `match_type` …) stay plain strings so an unknown value (`"OTHER"`) is kept,
  not rejected. The known values are listed as constants for callers.
- Money is `Decimal`. The client parses JSON with `parse_float=Decimal`, so no float ever sits in between.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

from bot.amazon.errors import ReportFailed

__all__ = [
    "ENTITY_STATES",
    "AdGroup",
    "AdProduct",
    "AmazonId",
    "Campaign",
    "CampaignMetricRow",
    "Keyword",
    "KeywordMetricRow",
    "Money",
    "Profile",
    "ReportStatus",
    "TokenSet",
    "canonical_id",
    "to_decimal",
]

AdProduct = Literal["SP", "SB", "SD"]
ENTITY_STATES = ("ENABLED", "PAUSED", "ARCHIVED")


def canonical_id(value: object) -> str:
    """The canonical string form of an Amazon id (`158410630682987` → `"158410630682987"`).

    Digit strings lose leading zeros and whitespace; other non-empty strings are kept as they are
    (ids are opaque). Booleans, empty strings and non-integral numbers are refused.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return str(int(text))
        if text:
            return text
    elif isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    elif isinstance(value, (Decimal, float)) and math.isfinite(value) and value == int(value):
        return str(int(value))
    raise ValueError(f"not an Amazon id: {value!r}")


def to_decimal(value: object) -> Decimal | None:
    """Money as `Decimal`: ints and numeric strings exactly, floats through their shortest repr."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, (int, str, float)):
        try:
            return Decimal(repr(value) if isinstance(value, float) else value)
        except InvalidOperation:
            raise ValueError(f"not an amount: {value!r}") from None
    raise ValueError(f"not an amount: {value!r}")


def _to_date(value: object) -> object:
    """Accept `YYYY-MM-DD` and the SD API's `YYYYMMDD`; empty means no date."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value) == 8 and value.isdigit():
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    return value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


AmazonId = Annotated[str, BeforeValidator(canonical_id)]
Money = Annotated[Decimal, BeforeValidator(to_decimal)]
Day = Annotated[date, BeforeValidator(_to_date)]
State = Annotated[str, BeforeValidator(_upper)]


class TokenSet(BaseModel):
    """An LWA token pair. Secrets are `SecretStr`, so they never show in `repr` or logs."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    access_token: SecretStr
    refresh_token: SecretStr
    expires_at: datetime
    token_type: str = "bearer"  # noqa: S105 (a token kind, not a secret)

    @classmethod
    def from_response(
        cls, data: Mapping[str, Any], *, now: datetime, refresh_token: str | None = None
    ) -> TokenSet:
        """Build from LWA's JSON. A missing `refresh_token` keeps `refresh_token` (refreshes may omit it)."""
        expires_in = float(data.get("expires_in") or 3600)
        return cls(
            access_token=SecretStr(str(data["access_token"])),
            refresh_token=SecretStr(str(data.get("refresh_token") or refresh_token or "")),
            expires_at=now + timedelta(seconds=expires_in),
            token_type=str(data.get("token_type") or "bearer"),
        )

    def expires_within(self, seconds: float, *, now: datetime) -> bool:
        """True when the access token expires in less than `seconds` from `now`."""
        return self.expires_at - now < timedelta(seconds=seconds)


class Profile(BaseModel):
    """One Ads profile: one (region, marketplace, account). `account_type`: seller, vendor or agency."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    profile_id: AmazonId
    country_code: str
    currency_code: str
    timezone: str
    marketplace_id: str | None = None
    account_id: str | None = None
    account_name: str = ""
    account_type: str = ""
    account_sub_type: str | None = None
    view_only: bool = False
    daily_budget: Money | None = None

    @classmethod
    def from_api(cls, raw: Mapping[str, Any], *, view_only: bool = False) -> Profile:
        """Flatten a `GET /v2/profiles` item (`accountInfo` nested)."""
        info = raw.get("accountInfo") or {}
        return cls(
            profile_id=raw["profileId"],
            country_code=str(raw.get("countryCode") or ""),
            currency_code=str(raw.get("currencyCode") or ""),
            timezone=str(raw.get("timezone") or "UTC"),
            marketplace_id=info.get("marketplaceStringId"),
            account_id=info.get("id"),
            account_name=str(info.get("name") or ""),
            account_type=str(info.get("type") or "").lower(),
            account_sub_type=info.get("subType"),
            view_only=view_only,
            daily_budget=raw.get("dailyBudget"),
        )


class Campaign(BaseModel):
    """A campaign of any ad product, flattened. `state` is upper case; unknown values are kept."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    campaign_id: AmazonId
    name: str
    state: State
    ad_product: AdProduct
    targeting_type: str | None = None
    budget: Money | None = None
    budget_type: State | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    portfolio_id: AmazonId | None = None

    @classmethod
    def from_sp(cls, raw: Mapping[str, Any]) -> Campaign:
        """From an SP v3 campaign (`budget` is `{"budget", "budgetType"}`)."""
        raw_budget = raw.get("budget")
        budget: Mapping[str, Any] = raw_budget if isinstance(raw_budget, Mapping) else {}
        return cls(
            campaign_id=raw["campaignId"],
            name=raw.get("name") or "",
            state=raw.get("state") or "",
            ad_product="SP",
            targeting_type=raw.get("targetingType"),
            budget=budget.get("budget"),
            budget_type=budget.get("budgetType"),
            start_date=raw.get("startDate"),
            end_date=raw.get("endDate"),
            portfolio_id=raw.get("portfolioId"),
        )

    @classmethod
    def from_sb(cls, raw: Mapping[str, Any]) -> Campaign:
        """From an SB v4 campaign (`budget` is a number beside `budgetType`)."""
        return cls(
            campaign_id=raw["campaignId"],
            name=raw.get("name") or "",
            state=raw.get("state") or "",
            ad_product="SB",
            targeting_type=raw.get("targetingType"),
            budget=raw.get("budget"),
            budget_type=raw.get("budgetType"),
            start_date=raw.get("startDate"),
            end_date=raw.get("endDate"),
            portfolio_id=raw.get("portfolioId"),
        )

    @classmethod
    def from_sd(cls, raw: Mapping[str, Any]) -> Campaign:
        """From an SD campaign (lower-case states, `YYYYMMDD` dates, `tactic` as targeting type)."""
        return cls(
            campaign_id=raw["campaignId"],
            name=raw.get("name") or "",
            state=raw.get("state") or "",
            ad_product="SD",
            targeting_type=raw.get("tactic") or raw.get("targetingType"),
            budget=raw.get("budget"),
            budget_type=raw.get("budgetType"),
            start_date=raw.get("startDate"),
            end_date=raw.get("endDate"),
            portfolio_id=raw.get("portfolioId"),
        )


class AdGroup(BaseModel):
    """An SP ad group (validates straight from the v3 JSON or from field names)."""

    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, coerce_numbers_to_str=True
    )

    ad_group_id: str = Field(validation_alias="adGroupId")
    campaign_id: str = Field(validation_alias="campaignId")
    name: str = ""
    state: str
    default_bid: Decimal | None = Field(default=None, validation_alias="defaultBid")


class Keyword(BaseModel):
    """An SP keyword. `bid` None means the ad group's default bid applies."""

    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, coerce_numbers_to_str=True
    )

    keyword_id: str = Field(validation_alias="keywordId")
    ad_group_id: str = Field(validation_alias="adGroupId")
    campaign_id: str = Field(validation_alias="campaignId")
    text: str = Field(validation_alias="keywordText")
    match_type: str = Field(validation_alias="matchType")
    state: str
    bid: Decimal | None = None


class ReportStatus(BaseModel):
    """A reporting v3 report: `PENDING`, `PROCESSING`, `COMPLETED` or `FAILED` (unknown kept).

    `url` is a pre-signed download link, a short-lived credential: it is left out of `repr`.
    """

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    report_id: str = Field(validation_alias="reportId")
    status: State
    url: str | None = Field(default=None, repr=False)
    url_expires_at: datetime | None = Field(default=None, validation_alias="urlExpiresAt")
    failure_reason: str | None = Field(default=None, validation_alias="failureReason")
    file_size: int | None = Field(default=None, validation_alias="fileSize")
    generated_at: datetime | None = Field(default=None, validation_alias="generatedAt")

    @property
    def is_completed(self) -> bool:
        """The report is ready to download."""
        return self.status == "COMPLETED"

    @property
    def is_failed(self) -> bool:
        """Amazon gave up on the report; create a new request."""
        return self.status == "FAILED"

    @property
    def is_running(self) -> bool:
        """Still `PENDING` or `PROCESSING` (or a status we do not know yet): poll again later."""
        return not (self.is_completed or self.is_failed)

    def raise_for_failure(self) -> None:
        """Raise `ReportFailed` if Amazon gave up on this report.

        Raises:
            ReportFailed: The status is `FAILED`; `failure_reason` is Amazon's text.
        """
        if self.is_failed:
            raise ReportFailed(
                f"report {self.report_id} failed: {self.failure_reason or 'no reason given'}",
                report_id=self.report_id,
                failure_reason=self.failure_reason,
            )


class CampaignMetricRow(BaseModel):
    """One campaign-day of an SP campaign report. `sales`/`orders` are 7-day attributed."""

    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, coerce_numbers_to_str=True
    )

    date: date
    campaign_id: str
    impressions: int = 0
    clicks: int = 0
    cost: Decimal = Decimal(0)
    sales: Decimal = Decimal(0)
    orders: int = 0
    units: int | None = None
    budget_amount: Decimal | None = None
    currency_code: str | None = None
    campaign_status: str | None = None


class KeywordMetricRow(BaseModel):
    """One keyword-day of an SP targeting report. `sales`/`orders` are 7-day attributed."""

    model_config = ConfigDict(
        frozen=True, validate_by_name=True, validate_by_alias=True, coerce_numbers_to_str=True
    )

    date: date
    keyword_id: str
    campaign_id: str
    ad_group_id: str
    impressions: int = 0
    clicks: int = 0
    cost: Decimal = Decimal(0)
    sales: Decimal = Decimal(0)
    orders: int = 0
    keyword_text: str | None = None
    match_type: str | None = None
