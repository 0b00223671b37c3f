"""The streaming report parser: any chunking, gzip or not, exact decimals, flat memory, clear failures."""

from __future__ import annotations

import gzip
import itertools
import json
import tracemalloc
import zlib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.amazon import MalformedResponse
from bot.amazon._stream import iter_json_array

ROWS = [
    {
        "date": "2026-03-01",
        "campaignId": 158410630682987,
        "cost": 14.5,
        "name": 'a \u00e9 \u2603 "q"',
        "n": None,
    },
    {"date": "2026-03-02", "campaignId": 2, "cost": 0.1, "nested": {"x": [1, 2.25]}, "ok": True},
]
LAST = (
    b'{"date": "2026-03-03", "campaignId": 3, "cost": 12345678901234567890.125,'
    b' "big": 123456789012345678901234567890}'
)
TEXT = json.dumps(ROWS, indent=1, ensure_ascii=False).encode()[:-2] + b",\n " + LAST + b"\n]"
EXPECTED = json.loads(TEXT, parse_float=Decimal)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=150, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40), zipped=st.booleans())
def test_any_chunking_gives_the_same_rows(cuts, zipped):
    data = gzip.compress(TEXT) if zipped else TEXT
    assert list(iter_json_array(split(data, cuts))) == EXPECTED


def test_byte_by_byte():
    assert list(iter_json_array([bytes([b]) for b in gzip.compress(TEXT)])) == EXPECTED


def test_numbers_split_across_chunks_are_not_cut_short():
    assert list(iter_json_array([b"[12", b"3, 4", b"5.5", b"0]"])) == [123, Decimal("45.50")]


def test_money_is_exact_decimal():
    rows = list(iter_json_array([TEXT]))
    assert rows[1]["cost"] == Decimal("0.1")
    assert rows[2]["cost"] == Decimal("12345678901234567890.125")
    assert rows[2]["big"] == 123456789012345678901234567890


@pytest.mark.parametrize("data", [b"[]", b"  [ ]  ", b"\n[\n]\n", "\ufeff[]".encode()])
def test_empty_arrays(data):
    assert list(iter_json_array([data])) == []


def test_several_gzip_members_are_one_stream():
    half = len(TEXT) // 2
    data = gzip.compress(TEXT[:half]) + gzip.compress(TEXT[half:])
    assert list(iter_json_array([data])) == EXPECTED


def test_zlib_stream_without_gzip_header_is_not_mistaken_for_gzip():
    with pytest.raises(MalformedResponse):
        list(iter_json_array([zlib.compress(TEXT)]))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b'{"rows": []}', "not a JSON array"),
        (b'[{"a": 1}, {"a": 2}', "truncated"),
        (b'[{"a": 1}, {"a": ', "truncated"),
        (b'[{"a": 1}] trailing', "trailing"),
        (b'[{"a": 1} {"a": 2}]', "unexpected"),
        (b'[{"a": 1},]', "truncated or invalid"),
        (b"[nope]", "truncated or invalid"),
        (b"\x1f\x8bnot really gzip", "not valid gzip"),
        (b'["\xff\xfe"]', "not UTF-8"),
    ],
)
def test_broken_reports_fail_clearly(data, match):
    with pytest.raises(MalformedResponse, match=match):
        list(iter_json_array([data]))


def test_truncated_gzip_fails():
    data = gzip.compress(TEXT)[:-12]
    with pytest.raises(MalformedResponse):
        list(iter_json_array([data]))


def test_a_single_giant_row_is_refused_instead_of_filling_memory(monkeypatch):
    import bot.amazon._stream as stream

    monkeypatch.setattr(stream, "MAX_PENDING_CHARS", 1000)
    chunks = [b'[{"a": "', *([b"x" * 100] * 20), b'"}]']
    with pytest.raises(MalformedResponse, match="larger than"):
        list(iter_json_array(chunks))


def _big_report(rows: int, per_chunk: int = 2000):
    """A gzip report produced lazily, so the test itself holds only one chunk."""
    row = {
        "date": "2026-03-01",
        "campaignId": 158410630682987,
        "impressions": 2216,
        "clicks": 13,
        "cost": 14.5,
        "sales7d": 99.99,
        "purchases7d": 2,
        "campaignBudgetCurrencyCode": "USD",
    }
    block = (",".join([json.dumps(row)] * per_chunk)).encode()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    yield compressor.compress(b"[")
    for i in range(rows // per_chunk):
        yield compressor.compress((b"," if i else b"") + block)
    yield compressor.compress(b"]") + compressor.flush()


def test_memory_stays_flat_while_streaming_a_large_report():
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_json_array(_big_report(30_000)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000  # about 5 MB of JSON, inflated from a few kilobytes of gzip
    assert peak < 3 * 1024 * 1024
