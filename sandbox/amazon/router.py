"""Routing: emulated host + method + path → route name and handler; records requests; applies faults."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from sandbox.amazon import ads, download, lwa, reports, sbsd, usage, writes
from sandbox.amazon.auth import sp_error, v2_error
from sandbox.amazon.faults import Fault
from sandbox.amazon.http import DROP, RecordedRequest, Response, json_response
from sandbox.amazon.regions import HostKind, classify_host
from sandbox.amazon.state import SimState

__all__ = ["dispatch"]

Handler = Callable[[SimState, RecordedRequest, str], Response]
_REPORT = re.compile(r"^/reporting/reports/([^/]+)$")
_SD = {
    "/sd/campaigns": ("sd/campaigns", sbsd.sd_route("campaigns", extended=False)),
    "/sd/campaigns/extended": ("sd/campaigns", sbsd.sd_route("campaigns", extended=True)),
    "/sd/adGroups": ("sd/adGroups", sbsd.sd_route("adGroups", extended=False)),
    "/sd/adGroups/extended": ("sd/adGroups", sbsd.sd_route("adGroups", extended=True)),
}
_LISTS = {f"/{name}": (name, ads.list_route(name)) for name in ads.LIST_KINDS}
_WRITES = {f"/{name}": (name, writes.write_route(name)) for name in writes.WRITE_KINDS}
_USAGE: dict[str, tuple[str, Handler]] = {
    "/sp/campaigns/budget/usage": ("sp/campaigns/budget/usage", usage.budget_usage),
    "/sb/campaigns/budget/usage": ("sb/campaigns/budget/usage", usage.usage_route("SB")),
    "/sd/campaigns/budget/usage": ("sd/campaigns/budget/usage", usage.usage_route("SD")),
}


def _api_route(req: RecordedRequest) -> tuple[str, Handler] | None:
    method, path = req.method, req.path.rstrip("/") or "/"
    if method == "GET" and path == "/v2/profiles":
        return "profiles", ads.profiles
    if method == "POST" and path in _LISTS:
        return _LISTS[path]
    if method == "PUT" and path in _WRITES:
        return _WRITES[path]
    if method == "POST" and path in _USAGE:
        return _USAGE[path]
    if method == "GET" and path in _SD:
        return _SD[path]
    if method == "POST" and path == "/reporting/reports":
        return "reports.create", reports.create
    match = _REPORT.match(path)
    if match and method in ("GET", "DELETE"):
        report_id = match.group(1)
        if method == "GET":
            return "reports.get", lambda s, r, region: reports.get(s, r, region, report_id)
        return "reports.delete", lambda s, r, region: reports.delete(s, r, region, report_id)
    return None


def _route(kind: HostKind, req: RecordedRequest) -> tuple[str, Handler] | None:
    key = (req.method, req.path)
    if kind is HostKind.CONSENT:
        return {
            ("GET", "/ap/oa"): ("consent", lwa.consent_page),
            ("POST", "/ap/oa/decision"): ("consent", lwa.consent_decision),
        }.get(key)
    if kind is HostKind.TOKEN:
        return {
            ("POST", "/auth/o2/token"): ("token", lwa.token),
            ("POST", "/auth/o2/revoke"): ("revoke", lwa.revoke),
        }.get(key)
    if kind is HostKind.S3:
        return "download", download.serve
    return _api_route(req)


def _family(route: str) -> str:
    if route in ("token", "revoke", "consent"):
        return "lwa"
    if route.startswith(("sp/", "sb/")) or route.endswith("/budget/usage"):
        return "sp"
    if route.startswith("reports."):
        return "reporting"
    return "s3" if route == "download" else "v2"


_TEXT = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    401: "Unauthorized",
}
_SP_CODE = {429: "THROTTLED", 401: "UNAUTHORIZED"}
_LWA_CODE = {
    429: ("TooManyRequests", "The request was throttled"),
    401: ("invalid_client", "Client authentication failed"),
    503: ("TemporarilyUnavailable", "The authorization server is temporarily unavailable"),
}


def fault_response(route: str, status: int, retry_after: int | None) -> Response:
    """The error an injected fault answers with, in the body shape of the route's family."""
    family, text = _family(route), _TEXT.get(status, "Error")
    if family == "lwa":
        error, description = _LWA_CODE.get(
            status, ("ServerError", "The authorization server encountered an error")
        )
        response = lwa.lwa_error(status, error, description)
    elif family == "sp":
        response = sp_error(status, _SP_CODE.get(status, "INTERNAL_ERROR"), text)
    elif family == "reporting":
        payload = {"message": text} if status == 401 else {"code": str(status), "detail": text}
        response = json_response(status, payload)
    elif family == "s3":
        xml = f"<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>{status}</Code><Message>{text}</Message>"
        xml += "</Error>"
        response = Response(status, xml.encode(), {"Content-Type": "application/xml"})
    else:
        response = v2_error(status, _SP_CODE.get(status, str(status)), text)
    if status == 429 and retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _scope(req: RecordedRequest) -> int | None:
    try:
        return int(req.headers.get("amazon-advertising-api-scope", ""))
    except ValueError:
        return None


def _apply(
    fault: Fault, route: str, handler: Handler, state: SimState, req: RecordedRequest, region: str
) -> Response:
    if fault.kind == "drop":
        return DROP
    if fault.kind == "timeout":
        time.sleep(fault.delay or 0.0)  # the one deliberate stall: longer than the client's timeout
        return handler(state, req, region)
    if fault.kind == "timeout-after-apply":
        handler(state, req, region)  # the work is done; the client never hears so
        return DROP
    if fault.kind == "accepted-429":
        response = handler(state, req, region)
        return fault_response(route, 429, None) if response.status < 300 else response
    if fault.kind == "429-no-retry-after":
        return fault_response(route, 429, None)
    return fault_response(route, int(fault.kind), fault.retry_after)


def dispatch(state: SimState, req: RecordedRequest) -> Response:
    """Record ``req``, find its route, apply an armed fault if one matches, and answer."""
    with state.lock:
        state.requests.append(req)
    classified = classify_host(req.host)
    if classified is None:
        return Response(404, f"Unknown emulated host: {req.host}".encode(), {"Content-Type": "text/plain"})
    kind, region = classified
    found = _route(kind, req)
    if found is None:
        if kind is HostKind.API and req.path.startswith("/v2/sp/"):
            return v2_error(404, "NOT_FOUND", "Method Not Found")
        body = {"code": "NOT_FOUND", "message": f"No route for {req.method} {req.path}"}
        return Response(404, json.dumps(body).encode(), {"Content-Type": "application/json"})
    route, handler = found
    fault = state.faults.take(route, _scope(req))
    if fault is not None:
        return _apply(fault, route, handler, state, req, region)
    return handler(state, req, region)
