from __future__ import annotations

from decimal import Decimal

import pytest

from bot.blocks.format import flag, format_acos, format_delta, format_int, format_money, format_pct


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("1234.5"), "EUR", "€1,234.50"),
        (Decimal("1234567.891"), "USD", "$1,234,567.89"),
        (Decimal("0.005"), "GBP", "£0.01"),
        (Decimal("-12"), "EUR", "-€12.00"),
        (Decimal("12000.4"), "JPY", "¥12,000"),
        (Decimal("99.999"), "SEK", "100.00 SEK"),
        (Decimal("5"), "aed", "5.00 AED"),
        (0, "CAD", "CA$0.00"),
        (Decimal("0.1") + Decimal("0.2"), "USD", "$0.30"),
        (Decimal("1234.5"), "KRW", "1,235 KRW"),  # the won has no minor unit, as in the digest's chart
        (Decimal("1.2345"), "KWD", "1.235 KWD"),
    ],
)
def test_format_money(amount: Decimal, currency: str, expected: str) -> None:
    assert format_money(amount, currency) == expected


def test_format_money_refuses_floats() -> None:
    with pytest.raises(TypeError, match="no floats"):
        format_money(0.1, "USD")  # type: ignore[arg-type]


def test_percentages_and_counts() -> None:
    assert format_pct(Decimal("0.1234")) == "12.3%"
    assert format_pct(None) == "—"
    assert format_pct(Decimal("12.5"), places=0) == "1,250%"
    assert format_acos(Decimal("27.10"), Decimal("100")) == "27.1%"
    assert format_acos(Decimal("5"), 0) == "—"
    assert format_int(28400) == "28,400"


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (Decimal("112.3"), Decimal("100"), "▲ 12.3%"),
        (Decimal("96"), Decimal("100"), "▼ 4.0%"),
        (Decimal("100"), Decimal("100"), "0.0%"),
        (Decimal("5"), Decimal("0"), "—"),
        (Decimal("5"), None, "—"),
        (Decimal("-50"), Decimal("-100"), "▲ 50.0%"),
        (3, 2, "▲ 50.0%"),
    ],
)
def test_format_delta(current: Decimal, previous: Decimal | None, expected: str) -> None:
    assert format_delta(current, previous) == expected


def test_flags() -> None:
    assert flag("de") == "🇩🇪"
    assert flag("UK") == "🇬🇧"
    assert flag("") == flag("D1") == flag("ÄÖ") == "🌐"
