"""Models: one canonical id form, unknown enum values kept, exact money, secrets hidden."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import SecretStr, ValidationError

from bot.amazon import (
    AdGroup,
    Campaign,
    Keyword,
    Profile,
    ReportStatus,
    TokenSet,
    canonical_id,
)
from tests.amazon.fakes import fixture


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (158410630682987, "158410630682987"),
        ("158410630682987", "158410630682987"),
        (" 0042 ", "42"),
        (Decimal("158410630682987"), "158410630682987"),
        (7.0, "7"),
        ("ENTITY2Ihjasdjkeru", "ENTITY2Ihjasdjkeru"),
    ],
)
def test_canonical_id(raw, expected):
    assert canonical_id(raw) == expected


@pytest.mark.parametrize("raw", [True, None, "", "  ", 1.5, float("nan"), [1]])
def test_canonical_id_refuses_non_ids(raw):
    with pytest.raises(ValueError):
        canonical_id(raw)


def test_report_integer_ids_and_entity_string_ids_join():
    from_entities = Keyword.model_validate(fixture("sp_keywords")["keywords"][0])
    from_report = Keyword.model_validate(
        {
            "keywordId": 5001,
            "adGroupId": 100,
            "campaignId": 218293333782035,
            "keywordText": "red shoes",
            "matchType": "EXACT",
            "state": "ENABLED",
            "bid": Decimal("0.57"),
        }
    )
    assert from_entities == from_report


def test_sp_campaign_is_flattened_with_exact_money():
    raw = fixture("sp_campaigns_page1")["campaigns"][0]
    raw["budget"]["budget"] = Decimal("100.10")
    assert Campaign.from_sp(raw) == Campaign(
        campaign_id="218293333782035",
        name="Manual SP",
        state="ENABLED",
        ad_product="SP",
        targeting_type="MANUAL",
        budget=Decimal("100.10"),
        budget_type="DAILY",
        start_date=date(2022, 10, 31),
        end_date=date(2022, 11, 8),
        portfolio_id="123",
    )


def test_unknown_state_and_unknown_fields_are_kept_not_rejected():
    campaign = Campaign.from_sp(fixture("sp_campaigns_page2")["campaigns"][0])
    assert campaign.state == "OTHER"
    assert campaign.budget_type == "OTHER"


def test_float_money_goes_through_its_shortest_repr():
    assert Campaign.from_sp(fixture("sp_campaigns_page2")["campaigns"][0]).budget == Decimal("0.07")


def test_sb_and_sd_campaigns():
    sb = Campaign.from_sb(fixture("sb_campaigns")["campaigns"][0])
    assert (sb.ad_product, sb.budget, sb.budget_type, sb.portfolio_id) == (
        "SB",
        Decimal("20.5"),
        "DAILY",
        "44",
    )
    sd = Campaign.from_sd(fixture("sd_campaigns")[0])
    assert sd.campaign_id == "7001"
    assert (sd.ad_product, sd.state, sd.budget_type, sd.targeting_type) == (
        "SD",
        "ENABLED",
        "DAILY",
        "T00020",
    )
    assert sd.start_date == date(2024, 1, 5)


def test_ad_group_and_keyword_without_bid():
    group = AdGroup.model_validate(fixture("sp_ad_groups")["adGroups"][0])
    assert group == AdGroup(
        ad_group_id="100",
        campaign_id="218293333782035",
        name="AG one",
        state="ENABLED",
        default_bid=Decimal("0.75"),
    )
    keyword = Keyword.model_validate(fixture("sp_keywords")["keywords"][1])
    assert keyword.bid is None
    assert (keyword.text, keyword.match_type) == ("shoes", "BROAD")


def test_keyword_missing_id_is_refused():
    with pytest.raises(ValidationError):
        Keyword.model_validate(
            {
                "adGroupId": "1",
                "campaignId": "2",
                "keywordText": "x",
                "matchType": "EXACT",
                "state": "ENABLED",
            }
        )


def test_profile_is_flattened():
    profile = Profile.from_api(fixture("profiles_edit")[1], view_only=True)
    assert profile == Profile(
        profile_id="3000000000000001",
        country_code="DE",
        currency_code="EUR",
        timezone="Europe/Paris",
        marketplace_id="A1PA6795UKMFR9",
        account_id="ENTITY2VENDOR",
        account_name="Acme Vendor DE",
        account_type="vendor",
        account_sub_type="KDP_AUTHOR",
        view_only=True,
    )


def test_token_set_hides_secrets_and_knows_its_expiry():
    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    tokens = TokenSet.from_response(
        {"access_token": "Atza|secret-access", "expires_in": 3600, "token_type": "bearer"},
        now=now,
        refresh_token="Atzr|secret-refresh",
    )
    assert tokens.refresh_token.get_secret_value() == "Atzr|secret-refresh"
    assert "secret" not in repr(tokens) and "secret" not in str(tokens)
    assert tokens.expires_at == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    assert not tokens.expires_within(60, now=now)
    assert tokens.expires_within(3601, now=now)
    assert isinstance(tokens.access_token, SecretStr)


def test_report_status_hides_the_presigned_url_from_repr():
    status = ReportStatus.model_validate(fixture("report_completed"))
    assert status.is_completed and not status.is_running and not status.is_failed
    assert status.url is not None and "X-Amz-Signature" in status.url
    assert "X-Amz-Signature" not in repr(status)
    assert status.file_size == 51199


def test_a_failed_report_raises_report_failed_on_request():
    from bot.amazon import ReportFailed

    failed = ReportStatus.model_validate(fixture("report_failed"))
    with pytest.raises(ReportFailed) as info:
        failed.raise_for_failure()
    assert info.value.report_id == failed.report_id
    assert info.value.failure_reason == "Report generation failed"
    ReportStatus.model_validate(fixture("report_pending")).raise_for_failure()


def test_report_status_unknown_value_is_still_running():
    status = ReportStatus.model_validate({"reportId": "r1", "status": "QUEUED"})
    assert status.is_running
