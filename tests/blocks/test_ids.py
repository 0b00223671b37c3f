from __future__ import annotations

import pytest

from bot.blocks.ids import (
    ActionId,
    BlockId,
    CallbackId,
    base_block_id,
    block_id,
    decode_meta,
    encode_meta,
    meta_int,
    meta_str,
)


def test_ids_are_dotted_lower_case_and_unique() -> None:
    for enum in (ActionId, CallbackId, BlockId):
        values = [member.value for member in enum]
        assert len(values) == len(set(values))
        for value in values:
            assert value == value.lower() and "." in value and " " not in value


def test_ids_are_plain_strings_for_listener_registration() -> None:
    assert str(ActionId.REGION_SYNC_NOW) == "region.sync_now"
    assert str(ActionId.CAMPAIGNS_FILTER_REGION) == "campaigns.filter.region"
    assert str(CallbackId.TAG) == "campaigns.tag"
    assert isinstance(ActionId.REGION_SYNC_NOW, str)


def test_block_id_suffix_round_trip() -> None:
    assert block_id(BlockId.REGION_CARD) == "region.card"
    assert block_id(BlockId.REGION_CARD, "eu") == "region.card#eu"
    assert base_block_id("region.card#eu") == "region.card"
    assert base_block_id("tag.add") == "tag.add"
    assert len(block_id(BlockId.CAMPAIGNS_ROW, "x" * 400)) == 255


def test_meta_round_trip_is_compact_and_stable() -> None:
    text = encode_meta({"region": "eu", "page": 2})
    assert text == '{"page":2,"region":"eu"}'
    assert decode_meta(text) == {"page": 2, "region": "eu"}
    assert meta_str(decode_meta(text), "region") == "eu"
    assert meta_int(decode_meta(text), "page") == 2


def test_meta_length_is_checked_both_ways() -> None:
    with pytest.raises(ValueError, match="more than the 2000"):
        encode_meta({"x": "y" * 2000})
    with pytest.raises(ValueError, match="more than the 150"):
        encode_meta({"id": "y" * 150}, limit=150)
    with pytest.raises(ValueError, match="more than"):
        decode_meta("{" + " " * 3000 + "}")


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", '"text"', ""])
def test_decode_meta_refuses_non_objects(bad: str) -> None:
    with pytest.raises(ValueError):
        decode_meta(bad)


def test_meta_accessors_refuse_wrong_types() -> None:
    meta = decode_meta('{"page":"2","flag":true,"region":3}')
    with pytest.raises(ValueError):
        meta_int(meta, "page")
    with pytest.raises(ValueError):
        meta_int(meta, "flag")
    with pytest.raises(ValueError):
        meta_str(meta, "region")
    with pytest.raises(ValueError):
        meta_str(meta, "missing")
