"""`/hilal campaigns …` filter words: the issue's example, normal form, and errors that say what was wrong."""

from __future__ import annotations

import pytest

from bot.errors import UsageError
from bot.services.campaigns import CampaignFilter, parse_campaign_filter


def test_issue_example_parses_to_every_filter() -> None:
    flt = parse_campaign_filter('region eu,fe marketplace de state enabled tag launch "summer"')
    assert flt == CampaignFilter(
        regions=("eu", "fe"), marketplaces=("DE",), states=("enabled",), tags=("launch",), search="summer"
    )


def test_case_order_aliases_and_curly_quotes_are_normalised() -> None:
    flt = parse_campaign_filter("REGIONS FE,eu mp gb state Paused,enabled sort ACOS “Brand Exact”")
    assert flt.regions == ("eu", "fe")
    assert flt.marketplaces == ("UK",)
    assert flt.states == ("enabled", "paused")
    assert flt.sort == "acos"
    assert flt.search == "Brand Exact"


def test_all_clears_and_empty_text_is_the_default() -> None:
    assert parse_campaign_filter("all") == CampaignFilter()
    assert parse_campaign_filter("") == CampaignFilter()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("regoin eu", "`regoin` is not a filter"),
        ("region xx", "`xx` is not a region"),
        ("region", "`region` needs a value"),
        ("marketplace zz", "`zz` is not an Amazon Ads marketplace"),
        ("state running", "`running` is not a campaign state"),
        ("sort clicks", "`clicks` is not a sort"),
        ("tag 'two words'", "is not a valid tag"),
        ('"unclosed', "A quote is not closed"),
        ("region na marketplace de", "Marketplace DE is in EU"),
    ],
)
def test_malformed_filters_say_what_was_wrong_with_an_example(text: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_campaign_filter(text)
    assert says in caught.value.detail
    assert caught.value.hint and "Example" in caught.value.hint


def test_json_round_trip_is_exact_and_garbage_gives_default() -> None:
    flt = CampaignFilter.create(
        regions=["fe", "na"], marketplaces=["jp", "us"], tags=["q4"], search=" x ", sort="name"
    )
    assert CampaignFilter.from_json(flt.to_json()) == flt
    assert CampaignFilter.from_json("not json") == CampaignFilter()
    assert CampaignFilter.from_json('{"regions": "eu", "sort": 3}') == CampaignFilter()
