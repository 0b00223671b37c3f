"""Formatting for renderers: money (exact, Decimal only), percentages, counts, changes, flags, dates.

View-models carry amounts (``Money``, ratios as ``Decimal``, counts as ``int``, None for a figure that
does not exist, country codes); renderers turn them into text with these functions, and services never
import them. Locale-neutral English style (``€1,234.50``), because a team's channel mixes marketplaces
and currencies. A missing figure is shown as ``NO_VALUE`` ("—"), never as a zero.

The mrkdwn escaping helpers (``Mrkdwn``, ``mrkdwn_format``, mentions) live in ``bot.viewmodels.text``,
which services share; they are re-exported here for renderers and features.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.viewmodels.common import Change, Money, minor_units
from bot.viewmodels.text import (
    Mrkdwn,
    channel_mention,
    escape_mrkdwn,
    join_mrkdwn,
    mrkdwn_format,
    unescape_mrkdwn,
    user_mention,
)

__all__ = [
    "NO_VALUE",
    "Mrkdwn",
    "channel_mention",
    "escape_mrkdwn",
    "flag",
    "format_acos",
    "format_amount",
    "format_budget",
    "format_change",
    "format_delta",
    "format_int",
    "format_money",
    "format_multiple",
    "format_pct",
    "join_mrkdwn",
    "mrkdwn_format",
    "slack_date",
    "unescape_mrkdwn",
    "user_mention",
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
    places = minor_units(code)
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
    return format_change(
        Change.relative(_decimal(current, "current"), _decimal(previous, "previous")), places
    )


def format_change(change: Change | None, places: int = 1) -> str:
    """A ``Change``: relative (``"▲ 12.3%"``, ``"0.0%"``) or in points (``"▼ 1.5 pp"``, ``"0.0 pp"``).

    None (nothing to compare with) gives ``"—"``.
    """
    if change is None:
        return NO_VALUE
    scaled = change.value if change.points else change.value * 100
    rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    unit = " pp" if change.points else "%"
    if rounded == 0:
        return f"{abs(rounded):.{places}f}{unit}"
    arrow = "▲" if rounded > 0 else "▼"
    return f"{arrow} {abs(rounded):,.{places}f}{unit}"


def format_amount(money: Money | None) -> str:
    """A ``Money`` in its own currency (``format_money``); None (no figure) → ``"—"``."""
    return NO_VALUE if money is None else format_money(money.amount, money.currency)


def format_budget(budget: Money | None, budget_type: str | None = "daily") -> str:
    """A campaign budget: ``€50.00 / day``, ``€500.00 lifetime``, or ``—`` when there is none."""
    if budget is None:
        return NO_VALUE
    money = format_amount(budget)
    kind = (budget_type or "daily").lower()
    return f"{money} / day" if kind.startswith("daily") else f"{money} {kind}"


def format_multiple(value: Decimal | int | None) -> str:
    """A multiple such as ROAS: ``Decimal("2.5")`` → ``"2.50x"``; None → ``"—"``."""
    if value is None:
        return NO_VALUE
    return f"{_decimal(value, 'value').quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}x"


def flag(country_code: str) -> str:
    """The flag emoji of a country code ("DE" → "🇩🇪"; Amazon's "UK" → "🇬🇧"; unknown → "🌐")."""
    code = _COUNTRY_ALIASES.get(country_code.upper(), country_code.upper())
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return _UNKNOWN_FLAG
    return "".join(chr(0x1F1E6 + ord(char) - ord("A")) for char in code)


def slack_date(when: datetime, pattern: str = "{date_short_pretty} {time}") -> Mrkdwn:
    """A Slack date token: Slack shows ``when`` in each reader's own time zone ("Today 09:12").

    Clients that do not render tokens show the UTC fallback ("2026-05-14 07:12 UTC"). A naive
    ``when`` is taken as UTC (how Hilal stores times).

    Args:
        when: The moment.
        pattern: Slack's date format, e.g. ``"{time}"`` or ``"{date_short_pretty} {time}"``.
    """
    utc = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return Mrkdwn(f"<!date^{int(utc.timestamp())}^{pattern}|{utc:%Y-%m-%d %H:%M} UTC>")
