"""Amounts typed the marketplace's way; Hilal's bounds table covers every marketplace."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.errors import UsageError
from bot.services.edits import BOUNDS, bounds_for, parse_amount
from sandbox.amazon.bounds import BOUNDS as SIMULATOR_BOUNDS
from sandbox.amazon.regions import MARKETPLACES


@pytest.mark.parametrize(
    ("country", "text", "mode", "number"),
    [
        ("DE", "80,50", "absolute", "80.50"),
        ("DE", "1.234,50", "absolute", "1234.50"),
        ("DE", "€ 80,50", "absolute", "80.50"),
        ("DE", "80,50 EUR", "absolute", "80.50"),
        ("DE", "1.000", "absolute", "1000"),
        ("FR", "1 234,50", "absolute", "1234.50"),
        ("US", "80", "absolute", "80"),
        ("US", "1,234.50", "absolute", "1234.50"),
        ("US", "$80.50", "absolute", "80.50"),
        ("UK", "£1,000", "absolute", "1000"),
        ("JP", "¥1,500", "absolute", "1500"),
        ("US", "+20%", "percent", "20"),
        ("DE", "-12,5%", "percent", "-12.5"),
        ("US", "+5", "delta", "5"),
        ("US", "- 0.10", "delta", "-0.10"),
    ],
)
def test_amounts_in_the_marketplaces_usual_forms(country: str, text: str, mode: str, number: str) -> None:
    change = parse_amount(text, market=bounds_for(country))
    assert (change.mode, change.number) == (mode, Decimal(number))


@pytest.mark.parametrize(
    ("country", "text", "why"),
    [
        ("US", "eighty", "not a number"),
        ("US", "20%", "needs a sign"),
        ("JP", "100.5", "whole numbers"),
        ("US", "80.555", "at most 2 decimals"),
        ("US", "80 EUR", "uses USD"),
        ("US", "1,23,4", "groups of three"),
        ("US", "", "not a number"),
    ],
)
def test_malformed_amounts_say_what_is_wrong_and_give_an_example(country: str, text: str, why: str) -> None:
    with pytest.raises(UsageError) as refused:
        parse_amount(text, market=bounds_for(country))
    assert why in refused.value.detail
    assert refused.value.hint and "for example" in refused.value.hint


def test_relative_changes_are_quantised_to_the_currencys_minor_unit() -> None:
    assert parse_amount("+20%", market=bounds_for("US")).target(Decimal("33.33"), decimals=2) == Decimal(
        "40.00"
    )
    assert parse_amount("+15%", market=bounds_for("JP")).target(Decimal("1001"), decimals=0) == Decimal(
        "1151"
    )
    with pytest.raises(UsageError):
        parse_amount("-100%", market=bounds_for("US")).target(Decimal("10"), decimals=2)


def test_every_marketplace_has_bounds_and_the_documented_ones_match() -> None:
    assert set(MARKETPLACES) == set(BOUNDS)
    for country, sim in SIMULATOR_BOUNDS.items():  # the simulator keeps its own table: the same numbers
        ours = BOUNDS[country]
        theirs = [Decimal(str(v)) for v in (sim.budget_min, sim.budget_max, sim.bid_min, sim.bid_max)]
        assert ours.currency == sim.currency
        assert [ours.budget_min, ours.budget_max, ours.bid_min, ours.bid_max] == theirs
    us, jp, india = bounds_for("US"), bounds_for("JP"), bounds_for("IN")
    assert [us.budget_min, us.budget_max, us.bid_min, us.bid_max] == _decimals("1", "1e6", "0.02", "1000")
    assert [jp.budget_min, jp.budget_max, jp.bid_min, jp.bid_max] == _decimals("100", "21e6", "2", "1e5")
    assert [india.budget_min, india.bid_min] == _decimals("50", "1")
    assert jp.decimals == 0
    assert bounds_for("gb") is bounds_for("UK")


def _decimals(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]
