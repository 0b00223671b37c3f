"""Amounts as users type them, in the marketplace's usual form, to exact target values.

Accepted: `80`, `80.50`, `1,234.50` (US, UK, JP …), `80,50` and `1.234,50` (DE, FR, IT, ES, NL, SE, PL,
BE …), spaces or apostrophes between thousands, a currency symbol or code before or after (`€80,50`,
`80 EUR`), and changes relative to the current value: `+20%`, `-10%`, `+5`, `-0.10`. A lone separator
followed by exactly three digits groups thousands (`1.000` in DE, `1,000` in the US); otherwise it is
the decimal mark. Results are `Decimal`s quantised to the currency's minor unit (JPY: whole yen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from bot.errors import UsageError
from bot.services.edits.bounds import MarketplaceBounds

__all__ = ["AmountChange", "format_amount", "parse_amount", "quantize"]

_SHAPE = re.compile(r"^(?P<sign>[+-])?(?P<number>[0-9][0-9.,' \u00a0\u202f]*)(?P<percent>%)?$")
_SPACES = (" ", "\u00a0", "\u202f", "'")


@dataclass(frozen=True)
class AmountChange:
    """What the user asked for: an absolute amount, or a change relative to the current value."""

    mode: Literal["absolute", "delta", "percent"]
    number: Decimal
    text: str

    def target(self, current: Decimal | None, *, decimals: int) -> Decimal:
        """The absolute amount this change means for an entity whose value is now `current`.

        Raises:
            UsageError: A relative change of an entity without a current value, or a result of 0 or less.
        """
        if self.mode == "absolute":
            value = self.number
        elif current is None:
            raise UsageError(
                f"`{self.text}` changes the current amount, but there is none to change.",
                hint="Give the new amount itself, for example `80`.",
            )
        elif self.mode == "delta":
            value = current + self.number
        else:
            value = current * (Decimal(100) + self.number) / Decimal(100)
        result = quantize(value, decimals)
        if result <= 0:
            raise UsageError(
                f"`{self.text}` would leave an amount of {result} or less.",
                hint="Amounts must stay above zero; give the new amount, for example `80`.",
            )
        return result


def quantize(value: Decimal, decimals: int) -> Decimal:
    """`value` rounded half-up to `decimals` places."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_amount(value: Decimal, decimals: int) -> str:
    """An amount as stored in an edit item and sent to Amazon: `80.50`, `1500` (JPY)."""
    return format(quantize(value, decimals), "f")


def parse_amount(text: str, *, market: MarketplaceBounds) -> AmountChange:
    """Read an amount typed for `market` (see the module docstring).

    Raises:
        UsageError: The text is not an amount; the message says what is wrong and gives an example.
    """
    cleaned = _strip_currency(text.strip(), market)
    shape = _SHAPE.match(cleaned)
    if shape is None:
        raise _malformed(text, market, "it is not a number")
    sign, percent = shape["sign"], shape["percent"] is not None
    if percent and not sign:
        raise _malformed(text, market, "a percentage needs a sign: `+20%` raises, `-20%` lowers")
    number = _number(shape["number"].strip(), market, text)
    if sign == "-":
        number = -number
    if percent:
        return AmountChange("percent", number, text.strip())
    if _places(number) > market.decimals:
        unit = "are whole numbers" if market.decimals == 0 else f"have at most {market.decimals} decimals"
        raise _malformed(text, market, f"{market.currency} amounts {unit}")
    return AmountChange("delta" if sign else "absolute", number, text.strip())


def _strip_currency(text: str, market: MarketplaceBounds) -> str:
    """The text without one currency symbol or code at either end (a code must be the market's)."""
    for _ in range(2):
        for end in ("start", "end"):
            text = _strip_end(text, market, end=end)
    return re.sub(r"^([+-])\s+", r"\1", text)


def _strip_end(text: str, market: MarketplaceBounds, *, end: str) -> str:
    signless = text.lstrip("+-").strip() if end == "start" else text
    sign = text[: len(text) - len(text.lstrip("+-"))] if end == "start" else ""
    token = (
        re.match(r"^(\D+?)\s*(?=[0-9])", signless)
        if end == "start"
        else re.search(r"(?<=[0-9%])\s*(\D+)$", text)
    )
    if token is None:
        return text
    word = token.group(1).strip()
    if word in ("%",) or not word:
        return text
    if word.isalpha() and len(word) == 3 and word.upper() != market.currency:
        raise UsageError(
            f"`{text}` is in {word.upper()}, but this marketplace uses {market.currency}.",
            hint=f"Give the amount in {market.currency}, for example {_example(market)}.",
        )
    if end == "start":
        return sign + signless[token.end() :]
    return text[: token.start()]


def _number(digits: str, market: MarketplaceBounds, original: str) -> Decimal:
    for space in _SPACES:
        digits = digits.replace(space, " ")
    groups = digits.replace(" ", "|")
    marks = [c for c in groups if c in ".,"]
    if not marks:
        plain = groups.replace("|", "")
        if "|" in groups and not _grouped(groups.split("|")):
            raise _malformed(original, market, "the digits are not in groups of three")
        return _decimal(plain, original, market)
    decimal_mark = _decimal_mark(groups, marks, market)
    if decimal_mark is None:
        integer, fraction = groups, ""
    else:
        integer, _, fraction = groups.rpartition(decimal_mark)
        if decimal_mark in integer or "|" in fraction or not fraction:
            raise _malformed(original, market, "it has more than one decimal mark")
    parts = re.split(r"[.,|]", integer)
    if len(parts) > 1 and not _grouped(parts):
        raise _malformed(original, market, "the digits between thousands separators are not groups of three")
    return _decimal("".join(parts) + ("." + fraction if fraction else ""), original, market)


def _decimal_mark(groups: str, marks: list[str], market: MarketplaceBounds) -> str | None:
    """Which mark is the decimal one (None: every mark groups thousands)."""
    if len(set(marks)) == 2:
        return marks[-1]
    mark = marks[0]
    if len(marks) > 1:
        return None  # `1.234.567` or `1,234,567`
    usual = "," if market.decimal_comma else "."
    after = groups.rpartition(mark)[2]
    if mark != usual and len(after) == 3 and after.isdigit():
        return None  # `1.000` in DE, `1,000` in the US
    return mark


def _grouped(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 and p.isdigit() for p in parts[1:])


def _decimal(text: str, original: str, market: MarketplaceBounds) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _malformed(original, market, "it is not a number") from None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _example(market: MarketplaceBounds) -> str:
    if market.decimals == 0:
        return "`1500` or `+20%`"
    return "`80,50` or `+20%`" if market.decimal_comma else "`80.50` or `+20%`"


def _malformed(text: str, market: MarketplaceBounds, why: str) -> UsageError:
    return UsageError(
        f"`{text.strip()[:40]}` is not an amount Hilal can read: {why}.",
        hint=f"Give the new amount in {market.currency} or a change, for example {_example(market)}.",
    )
