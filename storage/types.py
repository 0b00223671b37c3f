"""Column types that behave the same on SQLite and PostgreSQL.

- `Money`: an exact decimal stored as a BIGINT count of ten-thousandths (4 decimal places), so sums in SQL
  stay exact on both dialects (SQLite has no decimal type and would go through floats). Read back as
  `Decimal`. Amazon's money values carry at most 2 decimals; 4 leave room for rates and bids.
- `UtcDateTime`: timezone-aware UTC datetimes in, timezone-aware UTC datetimes out (SQLite drops the
  zone; we put it back).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = [
    "MONEY_SCALE",
    "Money",
    "UtcDateTime",
    "from_money_units",
    "money_total",
    "to_money_units",
    "utcnow",
]

MONEY_SCALE = 10_000
_MONEY_PLACES = 4  # MONEY_SCALE == 10 ** _MONEY_PLACES


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_money_units(value: Decimal | int | str) -> int:
    """Exact conversion of a decimal amount to stored ten-thousandths (half-up beyond 4 places)."""
    scaled = (Decimal(value) * MONEY_SCALE).quantize(Decimal(1), rounding="ROUND_HALF_UP")
    return int(scaled)


def from_money_units(units: int | None) -> Decimal | None:
    """Stored ten-thousandths back to a `Decimal` with 4 places (None stays None)."""
    if units is None:
        return None
    return Decimal(int(units)).scaleb(-_MONEY_PLACES)  # exact: the same digits with exponent -4


def money_total(value: object) -> Decimal:
    """A SQL sum of a `Money` column as a `Decimal` (raw units when the driver loses the type; 0 for NULL)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value or 0)).scaleb(-_MONEY_PLACES)  # type: ignore[call-overload]


class Money(TypeDecorator[Decimal]):
    """Exact decimal amount stored as BIGINT ten-thousandths."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else to_money_units(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return from_money_units(value)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetime on every dialect."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        converted: datetime = value.astimezone(UTC)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        result: datetime = value
        return result.replace(tzinfo=UTC) if result.tzinfo is None else result.astimezone(UTC)
