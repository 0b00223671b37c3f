"""The S3-like report storage: pre-signed URLs and streamed gzip JSON downloads (reference §4.4, §4.5).

Rows are generated, JSON-encoded and gzip-compressed in chunks while the response is written, so a
report of any size costs a constant amount of memory. Expired URLs get 403, a request that adds an
``Authorization`` header gets 400 (typical S3 answers; reference §10).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response
from sandbox.amazon.metrics import ReportQuery, iter_rows
from sandbox.amazon.regions import S3_HOSTS

if TYPE_CHECKING:
    from sandbox.amazon.state import SimState

__all__ = ["file_size", "gzip_json_array", "serve", "signed_url"]

_CHUNK = 256 * 1024
_PATH = re.compile(r"^/([0-9a-f-]{36})/report-\1\.json\.gz$")
_ONE_AUTH = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
    "parameter or the Authorization header should be specified"
)


def _signature(state: SimState, report_id: str, amz_date: str, expires: str) -> str:
    message = f"{report_id}|{amz_date}|{expires}".encode()
    return hmac.new(state.url_key, message, hashlib.sha256).hexdigest()


def signed_url(state: SimState, region: str, report_id: str, now: datetime, ttl: int) -> str:
    """A pre-signed download URL on the region's storage host, valid ``ttl`` seconds from ``now``."""
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    credential = quote(f"ASIASIMULATOR/{amz_date[:8]}/{region}/s3/aws4_request", safe="")
    sig = _signature(state, report_id, amz_date, str(ttl))
    return (
        f"{state.base_url}/{S3_HOSTS[region]}/{report_id}/report-{report_id}.json.gz"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date={amz_date}"
        f"&X-Amz-Expires={ttl}&X-Amz-SignedHeaders=host&X-Amz-Signature={sig}"
    )


def gzip_json_array(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Encode rows as one JSON array and gzip it, yielding compressed chunks as they fill."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    pieces: list[bytes] = [b"["]
    size = 1
    separator = b""
    for row in rows:
        piece = separator + encode(row).encode("utf-8")
        separator = b","
        pieces.append(piece)
        size += len(piece)
        if size >= _CHUNK:
            out = compressor.compress(b"".join(pieces))
            pieces, size = [], 0
            if out:
                yield out
    pieces.append(b"]")
    yield compressor.compress(b"".join(pieces)) + compressor.flush()


def file_size(spec: ProfileSpec, query: ReportQuery, *, exact: bool) -> int:
    """Compressed size of the report file (exact: one pass through the generator; else an estimate)."""
    if exact:
        return sum(len(chunk) for chunk in gzip_json_array(iter_rows(spec, query)))
    days = (query.end - query.start).days + 1
    return max(20, spec.campaigns * days * 12 * len(query.columns))


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>SIMULATOR</RequestId></Error>"
    )
    return Response(status, body.encode(), {"Content-Type": "application/xml"})


def serve(state: SimState, req: RecordedRequest, region: str) -> Response:
    """``GET <url>``: check the signature and expiry, then stream the gzip file."""
    if "authorization" in req.headers:
        return _s3_error(400, "InvalidArgument", _ONE_AUTH)
    match = _PATH.match(req.path)
    q = req.query
    if match is None or req.method != "GET":
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    report_id = match.group(1)
    amz_date, expires, sig = q.get("X-Amz-Date", ""), q.get("X-Amz-Expires", ""), q.get("X-Amz-Signature", "")
    if not hmac.compare_digest(sig, _signature(state, report_id, amz_date, expires)):
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    issued = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if issued + timedelta(seconds=int(expires)) <= state.now():
        return _s3_error(403, "AccessDenied", "Request has expired")
    with state.lock:
        report = state.reports.get(report_id)
        spec = state.profiles.get(report.profile_id) if report is not None else None
    if report is None or spec is None or report.region != region or report.status != "COMPLETED":
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {"Content-Type": "application/x-gzip", "x-amz-server-side-encryption": "AES256"}
    return Response(200, gzip_json_array(iter_rows(spec, report.query)), headers)
