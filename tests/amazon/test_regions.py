"""Regions: parsing what users type, production URLs, and per-region overrides."""

from __future__ import annotations

import pytest

from bot.amazon import DEFAULT_ENDPOINTS, Region, RegionEndpoints, endpoints_for


@pytest.mark.parametrize("text", ["eu", "EU", " Eu ", "eU\n"])
def test_parse_accepts_any_case_and_spacing(text):
    assert Region.parse(text) is Region.EU


@pytest.mark.parametrize("text", ["", "europe", "us", "n a"])
def test_parse_rejects_unknown_names_with_the_valid_ones_in_the_message(text):
    with pytest.raises(ValueError, match=r"use one of na, eu, fe"):
        Region.parse(text)


def test_production_endpoints_match_the_reference_cheat_sheet():
    assert DEFAULT_ENDPOINTS[Region.NA] == RegionEndpoints(
        "https://www.amazon.com/ap/oa",
        "https://api.amazon.com/auth/o2/token",
        "https://advertising-api.amazon.com",
        Region.NA,
    )
    assert DEFAULT_ENDPOINTS[Region.EU].auth_url == "https://eu.account.amazon.com/ap/oa"
    assert DEFAULT_ENDPOINTS[Region.EU].token_url == "https://api.amazon.co.uk/auth/o2/token"
    assert DEFAULT_ENDPOINTS[Region.EU].api_url == "https://advertising-api-eu.amazon.com"
    assert DEFAULT_ENDPOINTS[Region.FE].auth_url == "https://apac.account.amazon.com/ap/oa"
    assert DEFAULT_ENDPOINTS[Region.FE].token_url == "https://api.amazon.co.jp/auth/o2/token"
    assert DEFAULT_ENDPOINTS[Region.FE].api_url == "https://advertising-api-fe.amazon.com"


def test_default_endpoints_cannot_be_changed_at_runtime():
    with pytest.raises(TypeError):
        DEFAULT_ENDPOINTS[Region.NA] = DEFAULT_ENDPOINTS[Region.EU]  # type: ignore[index]


def test_overrides_replace_only_what_is_set():
    sim = "http://127.0.0.1:8765"
    got = endpoints_for(
        "fe", {"auth_url": None, "token_url": "", "api_url": f"{sim}/advertising-api-fe.amazon.com/"}
    )
    assert got == RegionEndpoints(
        auth_url="https://apac.account.amazon.com/ap/oa",
        token_url="https://api.amazon.co.jp/auth/o2/token",
        api_url=f"{sim}/advertising-api-fe.amazon.com",
        region=Region.FE,
    )


def test_no_overrides_gives_production():
    assert endpoints_for(Region.NA, {}) == DEFAULT_ENDPOINTS[Region.NA]
    assert endpoints_for(Region.NA) == DEFAULT_ENDPOINTS[Region.NA]


def test_unknown_override_key_is_refused():
    with pytest.raises(ValueError, match="revoke_url"):
        endpoints_for(Region.NA, {"revoke_url": "http://x"})
