"""Money is stored as integer ten-thousandths and read back exactly, always with four decimal places."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from storage.types import from_money_units, money_total, to_money_units

UNITS = st.integers(min_value=-(10**17), max_value=10**17)


@given(UNITS)
def test_units_read_back_as_the_exact_amount_with_four_places(units: int) -> None:
    amount = from_money_units(units)
    assert amount == Decimal(units) / 10_000
    assert amount is not None and amount.as_tuple().exponent == -4
    assert to_money_units(amount) == units


@given(UNITS)
def test_sums_from_sql_read_back_like_single_amounts(units: int) -> None:
    assert money_total(units) == from_money_units(units)
    assert str(money_total(units)) == str(from_money_units(units))


def test_nothing_is_none_and_a_null_sum_is_zero() -> None:
    assert from_money_units(None) is None
    assert str(money_total(None)) == "0.0000"
    assert money_total(Decimal("1.5")) == Decimal("1.5")
