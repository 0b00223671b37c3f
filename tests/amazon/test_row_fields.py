"""The fast report-row path used by ingestion gives exactly what the typed models give.

Rows carry what the report stream yields (`bot.amazon._stream`): `int` for whole numbers, `Decimal` for
fractions. Those are the rows the fast path handles itself; anything else (floats, strings) goes
through the model, which the last tests check separately.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.amazon.reports import campaign_row_fields, keyword_row_fields, parse_campaign_row, parse_keyword_row

money = st.one_of(st.integers(0, 10**7), st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
ids = st.integers(1, 10**15)


def _campaign_row(**over):
    row = {
        "date": "2026-03-01",
        "campaignId": 123456789012,
        "impressions": 1000,
        "clicks": 12,
        "cost": Decimal("4.57"),
        "sales7d": Decimal("19.99"),
        "purchases7d": 2,
        "unitsSoldClicks7d": 3,
        "campaignBudgetAmount": Decimal("50.0"),
        "campaignBudgetCurrencyCode": "EUR",
        "campaignStatus": "ENABLED",
    }
    row.update(over)
    return row


def _keyword_row(**over):
    row = {
        "date": "2026-03-01",
        "keywordId": 99,
        "campaignId": 7,
        "adGroupId": 8,
        "impressions": 10,
        "clicks": 1,
        "cost": Decimal("0.5"),
        "sales7d": 0,
        "purchases7d": 0,
    }
    row.update(over)
    return row


@settings(max_examples=80, deadline=None)
@given(cid=ids, impressions=st.integers(0, 10**9), clicks=st.integers(0, 10**6), cost=money, sales=money)
def test_campaign_fields_equal_the_model(cid, impressions, clicks, cost, sales):
    row = _campaign_row(campaignId=cid, impressions=impressions, clicks=clicks, cost=cost, sales7d=sales)
    assert campaign_row_fields(row) == dict(parse_campaign_row(row))


@settings(max_examples=80, deadline=None)
@given(kid=ids, cid=ids, gid=ids, cost=money)
def test_keyword_fields_equal_the_model(kid, cid, gid, cost):
    row = _keyword_row(keywordId=kid, campaignId=cid, adGroupId=gid, cost=cost)
    assert keyword_row_fields(row) == dict(parse_keyword_row(row))


@pytest.mark.parametrize("over", [{"campaignId": None}, {"date": "not-a-date"}, {"clicks": "many"}])
def test_bad_rows_fail_the_same_way(over):
    row = _campaign_row(**over)
    with pytest.raises(Exception) as fast:
        campaign_row_fields(row)
    with pytest.raises(Exception) as slow:
        parse_campaign_row(row)
    assert type(fast.value) is type(slow.value)


def test_ids_are_canonical_strings_and_dates_are_dates():
    fields = campaign_row_fields(_campaign_row())
    assert fields["campaign_id"] == "123456789012" and fields["date"] == date(2026, 3, 1)


@pytest.mark.parametrize(
    "over", [{"cost": 4.57, "campaignBudgetAmount": 50.0}, {"campaignId": "123"}, {"clicks": "12"}]
)
def test_unusual_but_valid_values_give_what_the_model_gives(over):
    row = _campaign_row(**over)
    assert campaign_row_fields(row) == dict(parse_campaign_row(row))
    kw = _keyword_row(**{k: v for k, v in over.items() if k != "campaignBudgetAmount"})
    assert keyword_row_fields(kw) == dict(parse_keyword_row(kw))
