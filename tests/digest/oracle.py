"""An independent oracle for expected figures: exact Fractions and half-up rounding, written apart from
the production code so a shared mistake cannot hide."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# What the oracle takes: exact values only (a float would hide rounding mistakes).
Exact = Fraction | Decimal | str | int

SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _half_up(value: Fraction, places: int) -> Decimal:
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    whole = int(abs(scaled) + Fraction(1, 2))  # floor(x + 1/2) for x ≥ 0
    return Decimal(sign * whole).scaleb(-places)


def money(value: Exact, currency: str) -> str:
    places = 0 if currency == "JPY" else 2
    rounded = _half_up(Fraction(value), places)
    return f"{'-' if rounded < 0 else ''}{SYMBOL[currency]}{abs(rounded):,.{places}f}"


def pct(num: Exact, den: Exact, places: int = 1) -> str:
    if Fraction(den) == 0:
        return "—"
    return f"{_half_up(Fraction(num) / Fraction(den) * 100, places):,.{places}f}%"


def change(current: Exact, base: Exact) -> str:
    base_f = Fraction(base)
    if base_f == 0:
        return "—"
    rounded = _half_up((Fraction(current) - base_f) / abs(base_f) * 100, 1)
    if rounded == 0:
        return "0.0%"
    return f"{'▲' if rounded > 0 else '▼'} {abs(rounded):,.1f}%"


def points(n1: Exact, d1: Exact, n2: Exact, d2: Exact) -> str:
    if Fraction(d1) == 0 or Fraction(d2) == 0:
        return "—"
    diff = (Fraction(n1) / Fraction(d1) - Fraction(n2) / Fraction(d2)) * 100
    rounded = _half_up(diff, 1)
    if rounded == 0:
        return "0.0 pp"
    return f"{'▲' if rounded > 0 else '▼'} {abs(rounded):,.1f} pp"
