"""Streaming parse of a (gzipped) JSON array of rows, in flat memory.

Reports are one JSON array, gzip-compressed, up to gigabytes uncompressed. We gunzip chunk by chunk
(gzip detected by its magic bytes, not by headers; several gzip members are fine), decode UTF-8
incrementally, and hand each array element to the C scanner of `json` (`raw_decode`) as soon as it is
complete. Only the unparsed tail of one chunk is ever held, so memory stays flat.

Why not ijson (which the brief suggested): on the same 500,000-row report, ijson's yajl2_c backend needed
2.5-3.5 times the CPU of `json.loads`, while element-wise `raw_decode` runs within ~1.3 times of it and
yields exact `Decimal` money; memory is flat either way (`bench/bench_amazon_client.py` prints all three).
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from bot.amazon.errors import MalformedResponse

__all__ = ["MAX_PENDING_CHARS", "iter_json_array", "iter_text"]

MAX_PENDING_CHARS = 16 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_PIECE = 256 * 1024
_SKIP_WS = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")


def _gunzip(chunks: Iterator[bytes], first: bytes) -> Iterator[bytes]:
    """Gunzip lazily, in pieces of at most `_MAX_PIECE` bytes (a tiny, very compressible chunk could
    otherwise inflate to hundreds of megabytes at once)."""
    decompressor = zlib.decompressobj(wbits=31)
    try:
        for chunk in _chain([first], chunks):
            data = chunk
            while data:
                out = decompressor.decompress(data, _MAX_PIECE)
                if out:
                    yield out
                if decompressor.eof:  # another gzip member may follow
                    data = decompressor.unused_data
                    decompressor = zlib.decompressobj(wbits=31)
                    if data and not data.startswith(_GZIP_MAGIC[: len(data)]):
                        raise MalformedResponse("report download has trailing bytes after the gzip data")
                else:
                    data = decompressor.unconsumed_tail
        tail = decompressor.flush()
        if tail:
            yield tail
    except zlib.error as exc:
        raise MalformedResponse(f"report download is not valid gzip ({exc})") from None


def _chain(first: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def iter_text(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decode a byte stream to text, gunzipping it first when it starts with the gzip magic bytes."""
    source = iter(chunks)
    head = b""
    for chunk in source:
        head += chunk
        if len(head) >= 2:
            break
    raw = _gunzip(source, head) if head.startswith(_GZIP_MAGIC) else _chain([head], source)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for data in raw:
            text = decoder.decode(data)
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise MalformedResponse("report download is not UTF-8 text") from None
    if tail:
        yield tail


def _skip(text: str, pos: int) -> int:
    """The index of the first non-whitespace character at or after `pos`."""
    found = _SKIP_WS.match(text, pos)
    return found.end() if found is not None else pos


_START, _FIRST, _VALUE, _SEP, _DONE = range(5)


class _ArrayReader:
    """The state of one array being read: the text buffer and where the next element starts."""

    def __init__(self) -> None:
        self.buf = ""
        self.pos = 0
        self.state = _START
        self.retry_at = 0
        self.decode = json.JSONDecoder(parse_float=Decimal).raw_decode

    def feed(self, text: str) -> None:
        self.buf = self.buf[self.pos :] + text
        self.retry_at -= self.pos
        self.pos = 0
        if len(self.buf) > MAX_PENDING_CHARS:
            raise MalformedResponse("report row larger than 16 MB, or the report is not valid JSON")

    def elements(self, *, final: bool) -> Iterator[Any]:
        """Yield every element complete in the buffer; `final` says no more text will come."""
        if not final and len(self.buf) < self.retry_at:
            return
        while self.state != _DONE:
            pos = _skip(self.buf, self.pos)
            if pos >= len(self.buf):
                self.pos = pos
                return
            char = self.buf[pos]
            if self.state == _SEP or self.state == _START or (self.state == _FIRST and char == "]"):
                self.state = _punctuation(self.state, char, pos)
                self.pos = pos + 1
                continue
            self.pos = pos
            yield from self._values(final=final)
            if self.state == _VALUE:  # waiting for more text
                return

    def _values(self, *, final: bool) -> Iterator[Any]:
        """The hot loop: value, separator, value … without going back through the state machine."""
        buf, end, decode, sep = self.buf, len(self.buf), self.decode, _SEPARATOR.match
        pos = self.pos
        self.state = _VALUE
        while True:
            try:
                value, stop = decode(buf, pos)
            except json.JSONDecodeError:
                if final:
                    raise MalformedResponse("report JSON is truncated or invalid") from None
                self.pos, self.retry_at = pos, pos + 2 * (end - pos)
                return
            if stop >= end and not final:  # a number may go on in the next chunk
                self.pos, self.retry_at = pos, end + 1
                return
            found = sep(buf, stop)
            if found is None:  # no separator yet (or garbage): let the state machine decide
                self.pos, self.state = stop, _SEP
                yield value
                return
            pos = found.end()
            if found.group(1) == "]":
                self.pos, self.state = pos, _DONE
                yield value
                return
            if pos >= end:
                self.pos = pos
                yield value
                return
            yield value

    def close(self) -> None:
        if self.state == _START:
            raise MalformedResponse("report download is empty")
        if self.state != _DONE:
            raise MalformedResponse("report JSON is truncated")
        if self.buf[self.pos :].strip():
            raise MalformedResponse("report JSON has trailing data after the array")


def _punctuation(state: int, char: str, pos: int) -> int:
    """The next state after `[`, `,` or `]`."""
    if state == _START:
        if char != "[":
            raise MalformedResponse("report is not a JSON array")
        return _FIRST
    if char == "]":
        return _DONE
    if state == _SEP and char == ",":
        return _VALUE
    raise MalformedResponse(f"report JSON: unexpected {char!r} at character {pos}")


def iter_json_array(chunks: Iterable[bytes]) -> Iterator[Any]:
    """Yield the elements of a JSON array streamed as (optionally gzipped) bytes.

    Numbers with a fraction become `Decimal`; integers stay `int`.

    Raises:
        MalformedResponse: Not gzip/UTF-8/JSON, not an array, truncated, or a single element over 16 MB.
    """
    reader = _ArrayReader()
    for text in iter_text(chunks):
        reader.feed(text)
        yield from reader.elements(final=False)
    yield from reader.elements(final=True)
    reader.close()
