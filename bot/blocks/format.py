"""Formatting for view-models: money (exact, Decimal only), percentages, counts, deltas, flags.

Services call these while building view-models; renderers receive the strings. Locale-neutral English
style (``€1,234.50``), because a team's channel mixes marketplaces and currencies.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "NO_VALUE",
    "flag",
    "format_acos",
    "format_delta",
    "format_int",
    "format_money",
    "format_pct",
]

NO_VALUE = "—"
_SYMBOLS = {
    "USD": "$",
    "CAD": "CA$",
    "MXN": "MX$",
    "BRL": "R$",
    "GBP": "£",
    "EUR": "€",
    "JPY": "¥",
    "INR": "₹",
    "AUD": "A$",
    "SGD": "S$",
    "TRY": "₺",
}
_MINOR_UNITS = {"JPY": 0, "KWD": 3, "BHD": 3}
_COUNTRY_ALIASES = {"UK": "GB"}
_UNKNOWN_FLAG = "🌐"


def _decimal(value: Decimal | int, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal or int, not {type(value).__name__} (no floats for money)")
    return Decimal(value)


def format_money(amount: Decimal | int, currency: str) -> str:
    """Format an amount in its own currency: ``€1,234.50``, ``¥12,000``, ``1,234.50 SEK``.

    Args:
        amount: Exact amount (Decimal or int; floats are refused).
        currency: ISO 4217 code.

    Returns:
        Symbol-prefixed for common currencies, code-suffixed otherwise; rounded half-up to minor units.

    Raises:
        TypeError: ``amount`` is a float (or another non-exact type).
    """
    value = _decimal(amount, "amount")
    code = currency.upper()
    places = _MINOR_UNITS.get(code, 2)
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    number = f"{abs(rounded):,.{places}f}"
    symbol = _SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{number} {code}"


def format_pct(ratio: Decimal | int | None, *, places: int = 1) -> str:
    """A ratio as a percentage (``Decimal("0.123")`` → ``"12.3%"``); None → ``"—"``."""
    if ratio is None:
        return NO_VALUE
    value = (_decimal(ratio, "ratio") * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{value:,.{places}f}%"


def format_acos(spend: Decimal | int, sales: Decimal | int) -> str:
    """ACOS = spend / sales as a percentage; ``"—"`` when there were no sales."""
    sales_value = _decimal(sales, "sales")
    if sales_value == 0:
        return NO_VALUE
    return format_pct(_decimal(spend, "spend") / sales_value)


def format_int(value: int) -> str:
    """An integer with thousands separators: ``28400`` → ``"28,400"``."""
    return f"{value:,}"


def format_delta(current: Decimal | int, previous: Decimal | int | None, *, places: int = 1) -> str:
    """Relative change: ``"▲ 12.3%"``, ``"▼ 4.0%"``, ``"0.0%"``; ``"—"`` when there is nothing to compare.

    Args:
        current: This period's value.
        previous: The comparison value; None or zero gives ``"—"`` (no division by zero).
        places: Decimal places.

    Returns:
        The formatted change.
    """
    if previous is None:
        return NO_VALUE
    base = _decimal(previous, "previous")
    if base == 0:
        return NO_VALUE
    change = (_decimal(current, "current") - base) / abs(base) * 100
    rounded = change.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return f"{abs(rounded):.{places}f}%"
    arrow = "▲" if rounded > 0 else "▼"
    return f"{arrow} {abs(rounded):,.{places}f}%"


def flag(country_code: str) -> str:
    """The flag emoji of a country code ("DE" → "🇩🇪"; Amazon's "UK" → "🇬🇧"; unknown → "🌐")."""
    code = _COUNTRY_ALIASES.get(country_code.upper(), country_code.upper())
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return _UNKNOWN_FLAG
    return "".join(chr(0x1F1E6 + ord(char) - ord("A")) for char in code)
