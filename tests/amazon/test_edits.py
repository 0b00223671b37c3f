"""Live-edit models: only the fields set are sent, ARCHIVED is not offered, 207 answers read by index."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import bot.amazon
from bot.amazon import (
    NO_ANSWER,
    AdGroupUpdate,
    BudgetUsage,
    BudgetUsageList,
    CampaignUpdate,
    KeywordUpdate,
    MalformedResponse,
    WriteOutcome,
    WriteResult,
)
from bot.amazon.edits import read_budget_usage, read_write_batch

WHERE = "PUT /sp/campaigns"


def read(answer, ids):
    return read_write_batch(answer, key="campaigns", id_field="campaignId", entity_ids=ids, where=WHERE)


# -- updates -----------------------------------------------------------------------------------------


def test_campaign_update_sends_only_the_fields_set():
    assert CampaignUpdate(campaign_id="1", state="PAUSED").to_body() == {"campaignId": "1", "state": "PAUSED"}
    update = CampaignUpdate(campaign_id=218293333782035, daily_budget=Decimal("80.50"))  # type: ignore[arg-type]
    assert update.to_body() == {
        "campaignId": "218293333782035",
        "budget": {"budget": Decimal("80.50"), "budgetType": "DAILY"},
    }


def test_ad_group_and_keyword_updates_use_their_v3_field_names():
    assert AdGroupUpdate(ad_group_id="7", state="ENABLED", default_bid=Decimal("0.5")).to_body() == {
        "adGroupId": "7",
        "state": "ENABLED",
        "defaultBid": Decimal("0.5"),
    }
    update = KeywordUpdate(keyword_id="9", bid="0.75")  # type: ignore[arg-type]
    assert update.to_body() == {"keywordId": "9", "bid": Decimal("0.75")}


def test_a_float_amount_is_taken_through_its_shortest_repr():
    assert CampaignUpdate(campaign_id="1", daily_budget=80.1).daily_budget == Decimal("80.1")  # type: ignore[arg-type]


@pytest.mark.parametrize("state", ["ARCHIVED", "archived", "paused", "ENABLING", ""])
def test_only_enabled_and_paused_can_be_set(state):
    with pytest.raises(ValueError, match="state must be one of ENABLED, PAUSED"):
        CampaignUpdate(campaign_id="1", state=state)


@pytest.mark.parametrize("amount", [0, -1, "NaN", "Infinity", True, "abc"])
def test_amounts_must_be_finite_and_positive(amount):
    with pytest.raises(ValueError, match="amount"):
        KeywordUpdate(keyword_id="1", bid=amount)


@pytest.mark.parametrize(
    ("model", "id_field"),
    [(CampaignUpdate, "campaign_id"), (AdGroupUpdate, "ad_group_id"), (KeywordUpdate, "keyword_id")],
)
def test_an_update_that_changes_nothing_is_refused(model, id_field):
    with pytest.raises(ValueError, match="at least one field"):
        model(**{id_field: "1"})


def test_updates_are_frozen_and_refuse_unknown_fields():
    update = CampaignUpdate(campaign_id="1", state="PAUSED")
    with pytest.raises(FrozenInstanceError):
        update.state = "ENABLED"  # type: ignore[misc]
    with pytest.raises(TypeError):
        CampaignUpdate(campaign_id="1", state="PAUSED", name="x")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Amazon id"):
        CampaignUpdate(campaign_id="", state="PAUSED")


# -- reading a 207 ---------------------------------------------------------------------------------------


def test_entries_are_matched_by_index_not_by_order():
    answer = {
        "campaigns": {
            "success": [{"index": 2, "campaignId": "c"}, {"index": 0, "campaignId": "a"}],
            "error": [{"index": 1, "errors": [{"errorType": "entityNotFoundError", "errorValue": {}}]}],
        }
    }
    assert [(o.entity_id, o.ok, o.error_code) for o in read(answer, ["a", "b", "c"])] == [
        ("a", True, None),
        ("b", False, "entityNotFoundError"),
        ("c", True, None),
    ]


def test_an_entity_without_any_entry_is_a_failure_amazon_did_not_explain():
    answer = {"campaigns": {"success": [{"index": 0, "campaignId": "a"}]}}
    (_, missing) = read(answer, ["a", "b"])
    assert missing == WriteOutcome(
        entity_id="b",
        ok=False,
        error_code=NO_ANSWER,
        message="Amazon did not say whether this change was applied; check the entity before retrying",
    )


def test_an_entry_without_an_index_is_matched_by_its_id():
    answer = {"campaigns": {"success": [{"campaignId": "b"}], "error": [{"index": "0", "errors": []}]}}
    assert [o.ok for o in read(answer, ["a", "b"])] == [False, True]


def test_indexes_out_of_range_are_ignored():
    answer = {"campaigns": {"success": [{"index": 5}, {"index": -1}, {"index": True}]}}
    assert [o.error_code for o in read(answer, ["a"])] == [NO_ANSWER]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            {
                "errorType": "rangeError",
                "errorValue": {
                    "rangeError": {"reason": "TOO_HIGH", "message": "budget must be at most 1000"}
                },
            },
            "rangeError",
            "budget must be at most 1000",
        ),
        (
            {"errorType": "entityStateError", "errorValue": {"entityStateError": {"reason": "ARCHIVED"}}},
            "entityStateError",
            "ARCHIVED",
        ),
        (
            {"errorType": "otherError", "errorValue": {"somethingElse": {"message": "odd key"}}},
            "otherError",
            "odd key",
        ),
        (
            {"errorType": "duplicateValueError", "errorValue": None},
            "duplicateValueError",
            "duplicateValueError",
        ),
        ({"errorType": "weirdError", "errorValue": "plain text"}, "weirdError", "plain text"),
        ({"code": "INVALID_ARGUMENT", "message": "flat shape"}, "INVALID_ARGUMENT", "flat shape"),
        ({}, None, "Amazon refused this change without a reason"),
    ],
)
def test_a_human_message_is_taken_from_any_error_shape(error, code, message):
    answer = {"campaigns": {"error": [{"index": 0, "errors": [error]}]}}
    (outcome,) = read(answer, ["a"])
    assert (outcome.ok, outcome.error_code, outcome.message) == (False, code, message)


def test_several_errors_of_one_entity_are_joined_and_the_first_type_is_the_code():
    errors = [
        {"errorType": "rangeError", "errorValue": {"rangeError": {"message": "bid too low"}}},
        {"errorType": "malformedValueError", "errorValue": {"malformedValueError": {"message": "state 'X'"}}},
    ]
    (outcome,) = read({"campaigns": {"error": [{"index": 0, "errors": errors}]}}, ["a"])
    assert (outcome.error_code, outcome.message) == ("rangeError", "bid too low; state 'X'")


def test_tokens_in_amazon_messages_are_redacted():
    error = {"errorType": "x", "errorValue": {"x": {"message": "bad Atza|secret-token-value here"}}}
    (outcome,) = read({"campaigns": {"error": [{"index": 0, "errors": [error]}]}}, ["a"])
    assert outcome.message is not None and "secret-token-value" not in outcome.message


@pytest.mark.parametrize(
    "answer", [{}, [], "oops", {"campaigns": []}, {"campaigns": {"success": {"index": 0}}}]
)
def test_an_answer_that_is_not_multi_status_is_malformed(answer):
    with pytest.raises(MalformedResponse):
        read(answer, ["a"])


def test_write_result_helpers():
    ok = WriteOutcome(entity_id="a", ok=True)
    bad = WriteOutcome(entity_id="b", ok=False, error_code="rangeError", message="too high")
    result = WriteResult(outcomes=(ok, bad))
    assert (result.succeeded, result.failed, result.all_ok) == ((ok,), (bad,), False)
    assert WriteResult().all_ok


# -- budget usage ------------------------------------------------------------------------------------


def test_budget_usage_is_read_in_request_order_with_failures_apart():
    answer = {
        "success": [
            {
                "campaignId": "2",
                "index": 1,
                "budgetUsagePercent": Decimal("100.0"),
                "usageUpdatedTimestamp": "2026-03-10T09:15:00.000Z",
                "budget": Decimal("50.0"),
            },
            {"campaignId": "1", "index": 0, "budgetUsagePercent": 12},
        ],
        "error": [{"campaignId": "3", "index": 2, "code": "INVALID_ARGUMENT", "details": "not found"}],
    }
    usages, failures = read_budget_usage(answer, campaign_ids=["1", "2", "3", "4"], where="POST x")
    assert usages == [
        BudgetUsage(campaign_id="1", percent=Decimal(12)),
        BudgetUsage(
            campaign_id="2",
            percent=Decimal(100),
            updated_at=datetime(2026, 3, 10, 9, 15, tzinfo=UTC),
            budget=Decimal(50),
        ),
    ]
    assert [(f.campaign_id, f.code, f.message) for f in failures] == [
        ("3", "INVALID_ARGUMENT", "not found"),
        ("4", None, "Amazon did not say"),
    ]


def test_a_usage_without_a_percentage_is_malformed():
    with pytest.raises(MalformedResponse, match="campaign 1"):
        read_budget_usage({"success": [{"index": 0}]}, campaign_ids=["1"], where="POST x")


def test_budget_usage_list_is_a_list_with_errors():
    usage = BudgetUsage(campaign_id="1", percent=Decimal(5))
    found = BudgetUsageList([usage])
    assert found == [usage]
    assert found.errors == ()
    assert "errors=()" in repr(found)


def test_the_new_names_are_exported():
    assert {
        "CampaignUpdate",
        "AdGroupUpdate",
        "KeywordUpdate",
        "WriteOutcome",
        "WriteResult",
        "BudgetUsage",
        "BudgetUsageFailure",
        "BudgetUsageList",
        "NO_ANSWER",
        "WRITE_BATCH",
    } <= set(bot.amazon.__all__)
