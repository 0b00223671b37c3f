"""Typed errors for Login with Amazon and the Amazon Ads API, and the one function that raises them.

The tree (httpx `_exceptions.py` style)::

    AmazonAdsError                  status, code, message, request_id, details, category, endpoint
    ├── TransportError              no HTTP answer: timeouts, connection errors
    ├── AuthError                   credentials or grant problems
    │   ├── ReconnectRequired       LWA invalid_grant on refresh: the user revoked; reconnect (= GrantRevoked)
    │   ├── CodeRejected            LWA invalid_grant on code exchange: code expired or reused; start again
    │   ├── ClientConfigError       LWA invalid_client / unauthorized_client: operator configuration
    │   └── Unauthorized            401 from the Ads API (still 401 after one refresh)
    ├── AccessDenied                403, e.g. an expired pre-signed report URL
    ├── RateLimited                 429; retry_after in seconds when Amazon said so
    ├── ServerError                 5xx
    ├── NotFound                    404
    ├── BadRequest                  400, 406, 409, 422 and other 4xx
    │   └── InvalidArgument         code INVALID_ARGUMENT, or 422
    ├── UnsupportedMediaType        415: wrong vendor media type
    ├── DuplicateReport             425: an identical report is still processing (report_id)
    ├── ReportFailed                a report ended FAILED (report_id, failure_reason)
    └── MalformedResponse           a 2xx answer that is not what the endpoint promises

Errors never carry secrets: no tokens, no client secret, no pre-signed query strings. Amazon's text is
kept (truncated, with anything that looks like a token redacted) because it is what support will ask for.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs

import httpx

__all__ = [
    "AccessDenied",
    "AmazonAdsError",
    "AuthError",
    "BadRequest",
    "ClientConfigError",
    "CodeRejected",
    "DuplicateReport",
    "GrantRevoked",
    "InvalidArgument",
    "MalformedResponse",
    "NotFound",
    "RateLimited",
    "ReconnectRequired",
    "ReportFailed",
    "ServerError",
    "TransportError",
    "Unauthorized",
    "UnsupportedMediaType",
    "parse_retry_after",
    "raise_for_response",
    "redact",
]

logger = logging.getLogger(__name__)

_MAX_TEXT = 500
_SECRET_PATTERNS = (
    (re.compile(r"Atz[a-z]\|[^\s\"'&,;<]+"), "Atz*|[redacted]"),
    (
        re.compile(r"(?i)(client_secret|refresh_token|access_token|code_verifier|token)=[^&\s\"']+"),
        r"\1=[redacted]",
    ),
    (re.compile(r"(?i)(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=[^&\s\"']+"), r"\1=[redacted]"),
)
_DUPLICATE_RE = re.compile(r"duplicate of\s*:?\s*([A-Za-z0-9-]+)", re.IGNORECASE)
_XML_FIELD_RE = {k: re.compile(rf"<{k}>([^<]*)</{k}>") for k in ("Code", "Message", "RequestId")}
_REQUEST_ID_HEADERS = ("x-amz-request-id", "x-amzn-requestid", "x-amzn-request-id", "x-request-id")


def redact(text: str) -> str:
    """Remove anything that looks like a token, secret or pre-signed signature, and truncate."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


class AmazonAdsError(Exception):
    """Base of every error the Amazon client raises.

    Attributes:
        status: HTTP status, or None when no answer came back.
        code: Amazon's code (`INVALID_ARGUMENT`, `invalid_grant`, `"425"` …) when it sent one.
        message: Amazon's text (redacted, truncated) or ours.
        request_id: Amazon's request id when present, for support.
        details: Extra messages (SP v3 `errors[]`).
        category: A known-error category (`scope_not_authorized`, `retention` …) or None.
        endpoint: `METHOD /path` of the failed call (no host query string).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        details: Sequence[str] = (),
        category: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.message = redact(message)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = tuple(redact(d) for d in details)
        self.category = category
        self.endpoint = endpoint
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [p for p in (f"HTTP {self.status}" if self.status else None, self.code) if p]
        head = f"{' '.join(parts)}: " if parts else ""
        tail = f" (request id {self.request_id})" if self.request_id else ""
        where = f" [{self.endpoint}]" if self.endpoint else ""
        return f"{head}{self.message}{tail}{where}"


class TransportError(AmazonAdsError):
    """No HTTP answer: a timeout or a connection error (the httpx error is the `__cause__`)."""


class AuthError(AmazonAdsError):
    """The credentials or the grant were refused."""


class ReconnectRequired(AuthError):
    """LWA answered `invalid_grant` to a refresh: the grant is gone and the user must reconnect."""


GrantRevoked = ReconnectRequired


class CodeRejected(AuthError):
    """LWA answered `invalid_grant` to a code exchange: the code expired or was used already."""


class ClientConfigError(AuthError):
    """LWA refused the client id or secret: an operator configuration problem, not a user one."""


class Unauthorized(AuthError):
    """The Ads API answered 401 (expired or revoked token, or a profile the token may not use)."""


class AccessDenied(AmazonAdsError):
    """403: no access to the resource (or an expired pre-signed download URL)."""


class RateLimited(AmazonAdsError):
    """429: throttled. `retry_after` is Amazon's hint in seconds, None when it gave none."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(AmazonAdsError):
    """5xx: Amazon's side failed; retrying later may work."""


class NotFound(AmazonAdsError):
    """404: unknown report id or resource."""


class BadRequest(AmazonAdsError):
    """The request was refused as malformed (400, 422 and other 4xx)."""


class InvalidArgument(BadRequest):
    """A field was refused (`INVALID_ARGUMENT`, or 422 from reporting)."""


class UnsupportedMediaType(AmazonAdsError):
    """415: the vendor media type was wrong or missing."""


class DuplicateReport(AmazonAdsError):
    """425: an identical report request is still processing; `report_id` names it when Amazon said."""

    def __init__(self, message: str, *, report_id: str | None = None, **kwargs: Any) -> None:
        self.report_id = report_id
        super().__init__(message, **kwargs)


class ReportFailed(AmazonAdsError):
    """A report ended `FAILED`; `failure_reason` is Amazon's text."""

    def __init__(self, message: str, *, report_id: str, failure_reason: str | None = None, **kw: Any) -> None:
        self.report_id = report_id
        self.failure_reason = failure_reason
        super().__init__(message, **kw)


class MalformedResponse(AmazonAdsError):
    """A successful answer whose body is not what the endpoint promises."""


@dataclass(frozen=True)
class KnownError:
    """A vendor message we recognise, mapped to a stable category (Sentry `utils/errors.py` style)."""

    category: str
    pattern: re.Pattern[str]


KNOWN_ERRORS = (
    KnownError("scope_not_authorized", re.compile(r"not authorized to access scope", re.I)),
    KnownError("scope_missing", re.compile(r"scope header is missing", re.I)),
    KnownError("scope_not_found", re.compile(r"no matching advertiser found for scope", re.I)),
    KnownError("retention", re.compile(r"retention start date|too far in the past", re.I)),
    KnownError("date_range", re.compile(r"date range|more than 31 days|exceeds? .*days", re.I)),
    KnownError("no_access", re.compile(r"do not have access|access denied", re.I)),
    KnownError("expired_token", re.compile(r"^unauthorized$|token (is )?expired", re.I)),
    KnownError("duplicate_report", _DUPLICATE_RE),
    KnownError("throttled", re.compile(r"throttl|too many requests", re.I)),
)


def _categorize(status: int, text: str) -> str | None:
    for known in KNOWN_ERRORS:
        if known.pattern.search(text):
            return known.category
    if status in (400, 401, 403, 422) and text:
        logger.info("amazon.error.unrecognized", extra={"status": status, "amazon_message": redact(text)})
    return None


def parse_retry_after(value: str | None, *, date_header: str | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta seconds or an HTTP date), or None.

    Args:
        value: The header value.
        date_header: The response's `Date` header, needed to turn an HTTP date into a delay.
    """
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        target = parsedate_to_datetime(value)
        base = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        return None
    if base is None:
        return None
    return max(0.0, (target - base).total_seconds())


@dataclass(frozen=True)
class _Body:
    code: str | None = None
    message: str = ""
    request_id: str | None = None
    details: tuple[str, ...] = ()
    lwa_error: str | None = None


def _read_text(response: httpx.Response) -> str:
    try:
        response.read()
        return response.text
    except (httpx.HTTPError, httpx.StreamError, UnicodeDecodeError):
        return ""


def _parse_body(response: httpx.Response) -> _Body:
    text = _read_text(response)
    try:
        data = json.loads(text) if text.strip() else None
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        return _from_json(data)
    if "<Error>" in text:
        found = {k: (m.group(1) if (m := rx.search(text)) else None) for k, rx in _XML_FIELD_RE.items()}
        return _Body(code=found["Code"], message=found["Message"] or "", request_id=found["RequestId"])
    return _Body(message=text.strip())


def _from_json(data: Mapping[str, Any]) -> _Body:
    def text_of(*keys: str) -> str | None:
        for key in keys:
            value = data.get(key)
            if value is not None and not isinstance(value, (dict, list)):
                return str(value)
        return None

    details: list[str] = []
    for item in data.get("errors") or ():
        if isinstance(item, Mapping):
            details.append(
                str(item.get("message") or item.get("errorValue") or json.dumps(item, default=str))
            )
        else:
            details.append(str(item))
    lwa_error = text_of("error")
    return _Body(
        code=lwa_error or text_of("code"),
        message=text_of("error_description", "message", "detail", "details", "description") or "",
        request_id=text_of("requestId", "request_id", "RequestId"),
        details=tuple(details),
        lwa_error=lwa_error,
    )


def _grant_type(response: httpx.Response) -> str | None:
    try:
        body = response.request.content.decode("utf-8", "replace")
    except (RuntimeError, httpx.RequestNotRead):
        return None
    values = parse_qs(body).get("grant_type")
    return values[0] if values else None


def _endpoint(response: httpx.Response) -> str | None:
    try:
        request = response.request
    except RuntimeError:
        return None
    return f"{request.method} {request.url.path}"


def _lwa_error_class(response: httpx.Response, body: _Body) -> type[AmazonAdsError] | None:
    error = (body.lwa_error or "").lower()
    if error == "invalid_grant":
        grant = _grant_type(response)
        if grant == "authorization_code" or (grant is None and "parameter : code" in body.message):
            return CodeRejected
        return ReconnectRequired
    if error in ("invalid_client", "unauthorized_client"):
        return ClientConfigError
    if error and 400 <= response.status_code < 500 and response.status_code != 429:
        return AuthError
    return None


_BY_STATUS: Mapping[int, type[AmazonAdsError]] = {
    401: Unauthorized,
    403: AccessDenied,
    404: NotFound,
    415: UnsupportedMediaType,
    422: InvalidArgument,
}


def _status_class(status: int, body: _Body) -> type[AmazonAdsError]:
    if status >= 500:
        return ServerError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if (body.code or "").upper() == "INVALID_ARGUMENT":
        return InvalidArgument
    if 400 <= status < 500:
        return BadRequest
    return AmazonAdsError


def raise_for_response(response: httpx.Response) -> None:
    """Raise the typed error for an unsuccessful answer; do nothing for a 2xx.

    Understands every body shape Amazon uses: LWA `{"error","error_description"}`, SP v3
    `{"code","message","errors"}`, reporting `{"code","detail"}`, older `{"code","details","requestId"}`,
    a bare `{"message"}`, S3's XML `<Error>`, and plain text.

    Args:
        response: The answer (its body is read if it was streamed).

    Raises:
        AmazonAdsError: The subclass matching the status and body (see the module docstring).
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    body = _parse_body(response)
    request_id = body.request_id or next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    message = body.message or response.reason_phrase or f"HTTP {status}"
    common: dict[str, Any] = {
        "status": status,
        "code": body.code,
        "request_id": request_id,
        "details": body.details,
        "endpoint": _endpoint(response),
    }
    common["category"] = _categorize(status, message) if status != 429 else "throttled"
    if status == 429:
        retry_after = parse_retry_after(
            response.headers.get("retry-after"), date_header=response.headers.get("date")
        )
        raise RateLimited(message, retry_after=retry_after, **common)
    if status == 425:
        match = _DUPLICATE_RE.search(message)
        raise DuplicateReport(message, report_id=match.group(1) if match else None, **common)
    cls = _lwa_error_class(response, body) or _status_class(status, body)
    raise cls(message, **common)
