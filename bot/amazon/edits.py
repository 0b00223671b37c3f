"""Sponsored Products live edits and intraday budget usage: what Hilal sends and what Amazon answers.

Writes (`PUT /sp/campaigns`, `/sp/adGroups`, `/sp/keywords`, reference §3.6):

- an update names one entity and the **target values** to set (absolute, never "plus 10 %"), and sends
  only the fields it sets. Setting a target value is idempotent, so the same PUT twice leaves the same
  state: that is what makes retrying a write safe, and it must stay so (no relative changes here);
- `ARCHIVED` is not a state these types accept: Amazon cannot undo it;
- an update that changes nothing is refused when it is built (it would be a silent no-op);
- Amazon answers 207 Multi-Status, one `success` or `error` entry per entity, matched by `index`
  (relative to the batch sent). `read_write_batch` turns that into one `WriteOutcome` per update, in
  request order; an update Amazon said nothing about is a failure with code `NO_ANSWER`.

Budget usage (`POST /sp|sb|sd/campaigns/budget/usage`, one shape for the three ad products):
`read_budget_usage` matches `success` and `error` entries the same way; ids Amazon could not answer become
`BudgetUsageFailure`s.

Amounts are `Decimal` end to end; the client writes them into the JSON body as exact numbers.
Messages taken from Amazon's answers are redacted and truncated like every error text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict

from bot.amazon.errors import MalformedResponse, redact
from bot.amazon.models import AmazonId, Money, canonical_id, to_decimal

__all__ = [
    "NO_ANSWER",
    "WRITABLE_STATES",
    "AdGroupUpdate",
    "BudgetUsage",
    "BudgetUsageFailure",
    "BudgetUsageList",
    "CampaignUpdate",
    "EntityUpdate",
    "KeywordUpdate",
    "WritableState",
    "WriteOutcome",
    "WriteResult",
    "read_budget_usage",
    "read_write_batch",
]

logger = logging.getLogger(__name__)

WritableState = Literal["ENABLED", "PAUSED"]
WRITABLE_STATES: tuple[WritableState, ...] = ("ENABLED", "PAUSED")
NO_ANSWER = "NO_ANSWER"
"""`error_code` of an entity Amazon's answer said nothing about (ours, not one of Amazon's codes)."""
_NO_ANSWER_TEXT = "Amazon did not say whether this change was applied; check the entity before retrying"


def _optional_time(value: object) -> object:
    return None if value in (None, "") else value


class EntityUpdate(Protocol):
    """What the client needs of an update: the entity's id and its v3 body entry."""

    @property
    def entity_id(self) -> str: ...

    def to_body(self) -> dict[str, Any]: ...


def _amount(value: object) -> Decimal:
    """A budget or bid: exact, finite, positive (ints and numeric strings exactly, floats through their
    shortest repr). Amazon checks the marketplace's bounds."""
    amount = to_decimal(value)
    if amount is None or not amount.is_finite() or amount <= 0:
        raise ValueError(f"an amount must be a finite number above 0, not {value!r}")
    return amount


def _check_update(update: Any, id_name: str, amount_name: str) -> None:
    """Validate an update in place (ids canonical, amounts `Decimal`): an update is built once and sent
    as it is, so what would be refused by Amazon as malformed is refused here."""
    object.__setattr__(update, id_name, canonical_id(getattr(update, id_name)))
    if update.state is not None and update.state not in WRITABLE_STATES:
        raise ValueError(f"state must be one of {', '.join(WRITABLE_STATES)}, not {update.state!r}")
    amount = getattr(update, amount_name)
    if amount is not None:
        object.__setattr__(update, amount_name, _amount(amount))
    elif update.state is None:
        raise ValueError("an update must set at least one field besides the id")


@dataclass(frozen=True, slots=True)
class CampaignUpdate:
    """Target values for one SP campaign; fields left None are not sent (Amazon keeps them).

    Raises:
        ValueError: Not an Amazon id, a state other than ENABLED or PAUSED, an amount that is not a
            positive number, or nothing to change.
    """

    campaign_id: str
    state: WritableState | None = None
    daily_budget: Decimal | None = None

    def __post_init__(self) -> None:
        _check_update(self, "campaign_id", "daily_budget")

    @property
    def entity_id(self) -> str:
        """The campaign's id."""
        return self.campaign_id

    def to_body(self) -> dict[str, Any]:
        """The entry of `PUT /sp/campaigns`' `campaigns` array (amounts stay `Decimal`)."""
        body: dict[str, Any] = {"campaignId": self.campaign_id}
        if self.state is not None:
            body["state"] = self.state
        if self.daily_budget is not None:
            body["budget"] = {"budget": self.daily_budget, "budgetType": "DAILY"}
        return body


@dataclass(frozen=True, slots=True)
class AdGroupUpdate:
    """Target values for one SP ad group; fields left None are not sent (checked as `CampaignUpdate`)."""

    ad_group_id: str
    state: WritableState | None = None
    default_bid: Decimal | None = None

    def __post_init__(self) -> None:
        _check_update(self, "ad_group_id", "default_bid")

    @property
    def entity_id(self) -> str:
        """The ad group's id."""
        return self.ad_group_id

    def to_body(self) -> dict[str, Any]:
        """The entry of `PUT /sp/adGroups`' `adGroups` array."""
        body: dict[str, Any] = {"adGroupId": self.ad_group_id}
        if self.state is not None:
            body["state"] = self.state
        if self.default_bid is not None:
            body["defaultBid"] = self.default_bid
        return body


@dataclass(frozen=True, slots=True)
class KeywordUpdate:
    """Target values for one SP keyword; fields left None are not sent (checked as `CampaignUpdate`)."""

    keyword_id: str
    state: WritableState | None = None
    bid: Decimal | None = None

    def __post_init__(self) -> None:
        _check_update(self, "keyword_id", "bid")

    @property
    def entity_id(self) -> str:
        """The keyword's id."""
        return self.keyword_id

    def to_body(self) -> dict[str, Any]:
        """The entry of `PUT /sp/keywords`' `keywords` array."""
        body: dict[str, Any] = {"keywordId": self.keyword_id}
        if self.state is not None:
            body["state"] = self.state
        if self.bid is not None:
            body["bid"] = self.bid
        return body


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What became of one update. `error_code` is Amazon's `errorType` (or `NO_ANSWER`)."""

    entity_id: str
    ok: bool
    error_code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The outcomes of a write call, one per update, in request order."""

    outcomes: tuple[WriteOutcome, ...] = ()

    @property
    def succeeded(self) -> tuple[WriteOutcome, ...]:
        """The updates Amazon applied."""
        return tuple(o for o in self.outcomes if o.ok)

    @property
    def failed(self) -> tuple[WriteOutcome, ...]:
        """The updates Amazon refused or said nothing about."""
        return tuple(o for o in self.outcomes if not o.ok)

    @property
    def all_ok(self) -> bool:
        """Every update was applied (True for an empty call)."""
        return not self.failed


class BudgetUsage(BaseModel):
    """Today's spend of one SP, SB or SD campaign as a percentage of its daily budget (100: out of budget)."""

    model_config = ConfigDict(frozen=True)

    campaign_id: AmazonId
    percent: Money
    updated_at: Annotated[datetime | None, BeforeValidator(_optional_time)] = None
    budget: Money | None = None


class BudgetUsageFailure(BaseModel):
    """A campaign id Amazon gave no usage for: its `code` (None when it said nothing) and message."""

    model_config = ConfigDict(frozen=True)

    campaign_id: str
    code: str | None = None
    message: str


class BudgetUsageList(list[BudgetUsage]):
    """The usages Amazon gave, in request order, plus `errors` for the ids it could not answer."""

    def __init__(self, usages: Iterable[BudgetUsage] = (), errors: Iterable[BudgetUsageFailure] = ()) -> None:
        super().__init__(usages)
        self.errors: tuple[BudgetUsageFailure, ...] = tuple(errors)

    def __repr__(self) -> str:
        return f"BudgetUsageList({list(self)!r}, errors={self.errors!r})"


# -- reading Amazon's answers ------------------------------------------------------------------------


def read_write_batch(
    data: Any, *, key: str, id_field: str, entity_ids: Sequence[str], where: str
) -> list[WriteOutcome]:
    """One outcome per sent entity, in the order sent, from a 207 body `{key: {"success", "error"}}`.

    Args:
        data: The decoded answer.
        key: `campaigns`, `adGroups` or `keywords`.
        id_field: `campaignId`, `adGroupId` or `keywordId` (used when an entry has no usable index).
        entity_ids: The ids of the batch, in the order sent.
        where: `METHOD /path`, for errors.

    Raises:
        MalformedResponse: The answer is not a multi-status object under `key`.
    """
    group = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(group, Mapping):
        raise MalformedResponse(f"{where} answered without a {key!r} object", endpoint=where)
    succeeded = _match(_entries(group, "success", where), entity_ids, id_field, where)
    refused = _match(_entries(group, "error", where), entity_ids, id_field, where)
    outcomes = []
    for position, entity_id in enumerate(entity_ids):
        if position in refused:
            code, message = _error_text(refused[position])
            outcomes.append(WriteOutcome(entity_id=entity_id, ok=False, error_code=code, message=message))
        elif position in succeeded:
            outcomes.append(WriteOutcome(entity_id=entity_id, ok=True))
        else:
            outcomes.append(
                WriteOutcome(entity_id=entity_id, ok=False, error_code=NO_ANSWER, message=_NO_ANSWER_TEXT)
            )
    return outcomes


def read_budget_usage(
    data: Any, *, campaign_ids: Sequence[str], where: str
) -> tuple[list[BudgetUsage], list[BudgetUsageFailure]]:
    """Usages and failures, each in request order, from `{"success": [...], "error": [...]}`.

    Raises:
        MalformedResponse: Not an object, or a success entry without a readable percentage.
    """
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"{where} did not answer a JSON object", endpoint=where)
    succeeded = _match(_entries(data, "success", where), campaign_ids, "campaignId", where)
    refused = _match(_entries(data, "error", where), campaign_ids, "campaignId", where)
    usages: list[BudgetUsage] = []
    failures: list[BudgetUsageFailure] = []
    for position, campaign_id in enumerate(campaign_ids):
        if position in succeeded:
            usages.append(_usage(succeeded[position], campaign_id, where))
        elif position in refused:
            entry = refused[position]
            code, message = _text(entry.get("code")), _text(entry.get("details"), entry.get("message"))
            failures.append(
                BudgetUsageFailure(
                    campaign_id=campaign_id, code=code, message=redact(message or code or "no reason given")
                )
            )
        else:
            failures.append(BudgetUsageFailure(campaign_id=campaign_id, message="Amazon did not say"))
    return usages, failures


def _usage(entry: Mapping[str, Any], campaign_id: str, where: str) -> BudgetUsage:
    try:
        return BudgetUsage(
            campaign_id=campaign_id,
            percent=entry["budgetUsagePercent"],
            updated_at=entry.get("usageUpdatedTimestamp"),
            budget=entry.get("budget"),
        )
    except (KeyError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise MalformedResponse(
            f"{where} returned a usage we cannot read for campaign {campaign_id}: {exc}", endpoint=where
        ) from None


def _entries(group: Mapping[str, Any], name: str, where: str) -> list[Mapping[str, Any]]:
    items = group.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        raise MalformedResponse(f"{where} answered a {name!r} that is not an array", endpoint=where)
    return [item for item in items if isinstance(item, Mapping)]


def _match(
    entries: list[Mapping[str, Any]], ids: Sequence[str], id_field: str, where: str
) -> dict[int, Mapping[str, Any]]:
    """Entries by batch position: `index` when it is one, else the first unmatched position of the id."""
    found: dict[int, Mapping[str, Any]] = {}
    for entry in entries:
        position = _index(entry.get("index"), len(ids))
        if position is None:
            wanted = _text(entry.get(id_field))
            position = next((i for i, e in enumerate(ids) if e == wanted and i not in found), None)
        if position is None:
            logger.warning("amazon.write.unmatched_entry", extra={"endpoint": where})
            continue
        found.setdefault(position, entry)
    return found


def _index(value: object, size: int) -> int | None:
    """A batch position from an `index` value (int, or digits as text), None when it is not one."""
    if type(value) is int:  # what Amazon sends
        return value if 0 <= value < size else None
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and int(text) < size else None


def _error_text(entry: Mapping[str, Any]) -> tuple[str | None, str]:
    """(first error type, a human message) of one `error` entry, whatever its exact shape."""
    codes: list[str] = []
    texts: list[str] = []
    errors = entry.get("errors")
    for item in errors if isinstance(errors, list) else [entry]:
        if not isinstance(item, Mapping):
            continue
        code = _text(item.get("errorType"), item.get("code"))
        value = item.get("errorValue")
        detail: Any = value
        if isinstance(value, Mapping):
            inner = value.get(code) if code else None
            if not isinstance(inner, Mapping) and len(value) == 1:
                inner = next(iter(value.values()))
            detail = inner if isinstance(inner, Mapping) else value
        if not isinstance(detail, Mapping):
            detail = {"message": detail}
        text = _text(detail.get("message"), detail.get("reason"), item.get("message"), item.get("details"))
        if code and code not in codes:
            codes.append(code)
        if text or code:
            texts.append(text or code or "")
    message = "; ".join(dict.fromkeys(t for t in texts if t)) or "Amazon refused this change without a reason"
    return (codes[0] if codes else None), redact(message)


def _text(*values: object) -> str | None:
    """The first value that is a non-empty scalar, as text."""
    for value in values:
        if value is None or isinstance(value, (Mapping, list, bool)):
            continue
        text = str(value).strip()
        if text:
            return text
    return None
