"""Formatting for view-models: money (exact, Decimal only), percentages, counts, deltas, flags, and
mrkdwn escaping.

Services call these while building view-models; renderers receive the strings. Locale-neutral English
style (``€1,234.50``), because a team's channel mixes marketplaces and currencies.

Escaping: Slack reads ``&``, ``<`` and ``>`` in mrkdwn (and in a message's plain ``text``) as markup, so
``<!channel>`` in a campaign name or a search would ping a channel. Anything a user or Amazon wrote is
escaped where it enters mrkdwn: renderers escape view-model strings (``bot.blocks.common.safe``), and
replies built outside a renderer use ``mrkdwn_format``. Markup Hilal builds itself (a mention of an admin,
a channel link, a date token) is a ``Mrkdwn`` value, which escaping leaves alone; ``plain_text`` fields
are never escaped, since Slack shows them as typed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "NO_VALUE",
    "Mrkdwn",
    "channel_mention",
    "escape_mrkdwn",
    "flag",
    "format_acos",
    "format_delta",
    "format_int",
    "format_money",
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


# --- mrkdwn escaping ---------------------------------------------------------------------------------------

_ESCAPE_TABLE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ENTITIES = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}
_USER_ID = re.compile(r"^[UWB][A-Z0-9]{1,30}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,30}$")


class Mrkdwn(str):
    """Text that is already safe mrkdwn: Hilal's own markup, with everything users or Amazon wrote escaped.

    Made only by ``escape_mrkdwn``, ``mrkdwn_format``, ``join_mrkdwn``, ``user_mention`` and
    ``channel_mention``; never wrap text a user typed. Escaping passes it through unchanged, so the
    mentions and links in it stay live and nothing is escaped twice. Like any ``str`` subclass it decays
    to a plain ``str`` under ``+``, f-strings or ``str.join``; use ``mrkdwn_format`` / ``join_mrkdwn``.
    """

    __slots__ = ()


def escape_mrkdwn(text: str) -> Mrkdwn:
    """``text`` with ``&``, ``<`` and ``>`` escaped (a ``Mrkdwn`` value is returned as it is)."""
    if isinstance(text, Mrkdwn):
        return text
    return Mrkdwn(str(text).translate(_ESCAPE_TABLE))


def unescape_mrkdwn(text: str) -> str:
    """The plain text a reader sees for mrkdwn ``text`` (for ``plain_text`` surfaces such as modal errors).

    A ``Mrkdwn`` value has its ``&amp;``, ``&lt;`` and ``&gt;`` turned back; any other string is returned
    as it is (it was never escaped).
    """
    if not isinstance(text, Mrkdwn):
        return str(text)
    return _ENTITIES.sub(lambda m: _UNESCAPED[m.group(1)], str(text))


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        text = format(value, format_spec)
        return text if isinstance(value, Mrkdwn) else escape_mrkdwn(text)


_FORMATTER = _EscapingFormatter()


def mrkdwn_format(template: str, /, *args: object, **values: object) -> Mrkdwn:
    """``template.format(...)`` for mrkdwn: every value is escaped unless it is ``Mrkdwn`` already.

    Args:
        template: Hilal's own mrkdwn (trusted: never put user text in the template itself).
        *args: Positional values.
        **values: Named values; format specs apply before escaping (``{count:,}``).

    Returns:
        The formatted text, safe to send as mrkdwn.
    """
    return Mrkdwn(_FORMATTER.vformat(template, args, values))


def join_mrkdwn(separator: str, parts: Iterable[str]) -> Mrkdwn:
    """``separator.join(parts)`` with every part that is not ``Mrkdwn`` escaped."""
    return Mrkdwn(escape_mrkdwn(separator).join(escape_mrkdwn(part) for part in parts))


def user_mention(user_id: str) -> Mrkdwn:
    """``<@U123>`` for a Slack user id; anything that is not a user id is shown escaped instead."""
    if _USER_ID.fullmatch(user_id):
        return Mrkdwn(f"<@{user_id}>")
    return escape_mrkdwn(user_id[:80])


def channel_mention(channel_id: str) -> Mrkdwn:
    """``<#C123>`` for a Slack channel id; anything that is not a channel id is shown escaped instead."""
    if _CHANNEL_ID.fullmatch(channel_id):
        return Mrkdwn(f"<#{channel_id}>")
    return escape_mrkdwn(channel_id[:80])


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
