"""Small and edge view-models for the renderer tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.viewmodels import (
    CampaignFilterVM,
    CampaignPageVM,
    CampaignRowVM,
    MarketplaceOptionVM,
    Money,
)

COUNTRIES = ("DE", "FR", "IT", "ES", "UK", "NL", "SE", "PL", "TR", "BE")
EVIL = "<!channel> & <https://evil.example|click> *bold*"

SYNCED_AT = datetime(2026, 5, 14, 10, 42, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def row(index: int = 1, **overrides: object) -> CampaignRowVM:
    values: dict[str, object] = {
        "campaign_id": f"c{index:05d}",
        "name": f"Brand exact {index}",
        "region": "eu",
        "marketplace": "DE",
        "ad_type": "SP",
        "state": "enabled",
        "budget": eur("50.00"),
        "spend_7d": eur("123.40"),
        "sales_7d": eur("456.00"),
        "tags": ("brand",),
        "has_note": index % 2 == 0,
        "stale": False,
    }
    values.update(overrides)
    return CampaignRowVM(**values)  # type: ignore[arg-type]


def long_row(index: int) -> CampaignRowVM:
    """Every user-controlled string at its worst: long and full of characters that must be escaped; the
    amounts as long as Amazon's figures get (an ACOS in the billions of percent)."""
    return row(
        index,
        name="&<>" * 200,
        budget=eur("9" * 20),
        spend_7d=eur("9" * 20),
        sales_7d=eur("0.01"),
        budget_type="lifetime",
        tags=tuple("<&>" * 30 + str(i) for i in range(12)),
        has_note=True,
        stale=True,
    )


def page(
    rows: int = 3, *, total: int | None = None, offset: int = 0, size: int = 20, **filter_kw: object
) -> CampaignPageVM:
    return CampaignPageVM(
        filter=CampaignFilterVM(**filter_kw),  # type: ignore[arg-type]
        rows=tuple(row(offset + i + 1) for i in range(rows)),
        total=rows if total is None else total,
        offset=offset,
        page_size=size,
        marketplace_options=("DE", "FR", "US"),
        tag_options=("brand", "launch"),
        synced_at=SYNCED_AT,
        render_key="r1",
    )


def profiles(count: int, *, accounts: int = 3, blocked: int = 0) -> list[MarketplaceOptionVM]:
    out = [
        MarketplaceOptionVM(
            profile_id=str(1_000_000_000 + i),
            country_code=COUNTRIES[i % len(COUNTRIES)],
            account_name=f"Account {i % accounts}",
            account_type="seller" if i % 2 else "vendor",
        )
        for i in range(count)
    ]
    out += [
        MarketplaceOptionVM(
            profile_id=str(2_000_000_000 + i),
            country_code="US",
            account_name=f"Agency {i}",
            account_type="agency",
            selectable=False,
        )
        for i in range(blocked)
    ]
    return out
