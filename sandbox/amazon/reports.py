"""Reporting v3: create, poll and cancel reports (reference §4).

Status moves ``PENDING → PROCESSING → COMPLETED`` on the simulator clock: with a delay of 0 the first
poll completes the report; otherwise the first half of the delay is PENDING and the second PROCESSING.
A completed report is a snapshot (time and restatements at completion), so its download never changes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.amazon import download
from sandbox.amazon.auth import AGENCY_DETAILS, authenticate, media_type, resolve_scope, v2_error
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.http import RecordedRequest, Response, json_response
from sandbox.amazon.metrics import ReportQuery, profile_today
from sandbox.amazon.report_config import ConfigError, validate
from sandbox.amazon.state import SimState

__all__ = ["Report", "create", "delete", "get"]

CREATE_REQUEST = "application/vnd.createasyncreportrequest.v3+json"
CREATE_RESPONSE = "application/vnd.createasyncreportresponse.v3+json"
GET_RESPONSE = "application/vnd.getasyncreportresponse.v3+json"
DELETE_RESPONSE = "application/vnd.deleteasyncreportresponse.v3+json"
FAILURE_REASON = "Report generation failed due to an internal error. Please retry the request."


@dataclass
class Report:
    """One report request and its lifecycle."""

    report_id: str
    profile_id: int
    region: str
    name: str | None
    start: date
    end: date
    configuration: dict[str, Any]
    query: ReportQuery
    identity: str
    created_at: datetime
    delay: float
    will_fail: bool
    status: str = "PENDING"
    updated_at: datetime | None = None
    generated_at: datetime | None = None
    url: str | None = None
    url_expires_at: datetime | None = None
    file_size: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def stamp(moment: datetime | None, *, micro: bool = False) -> str | None:
    """ISO-8601 UTC with ``Z`` (milliseconds, or microseconds like ``urlExpiresAt`` examples)."""
    if moment is None:
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return (text if micro else text[:-3]) + "Z"


def to_json(report: Report) -> dict[str, Any]:
    """The AsyncReport body (a COMPLETED report still sizing its file shows as PROCESSING)."""
    status = "PROCESSING" if report.status == "COMPLETED" and report.url is None else report.status
    return {
        "configuration": report.configuration,
        "createdAt": stamp(report.created_at),
        "endDate": report.end.isoformat(),
        "failureReason": FAILURE_REASON if report.status == "FAILED" else None,
        "fileSize": report.file_size if report.url else None,
        "generatedAt": stamp(report.generated_at) if report.url else None,
        "name": report.name,
        "reportId": report.report_id,
        "startDate": report.start.isoformat(),
        "status": status,
        "updatedAt": stamp(report.updated_at or report.created_at),
        "url": report.url,
        "urlExpiresAt": stamp(report.url_expires_at, micro=True),
    }


def _error(status: int, detail: str, content_type: str = "application/json") -> Response:
    return json_response(status, {"code": str(status), "detail": detail}, content_type=content_type)


def _profile(state: SimState, req: RecordedRequest, region: str) -> ProfileSpec | Response:
    user = authenticate(state, req)
    if user is None:
        return json_response(401, {"message": "Unauthorized"})
    spec = resolve_scope(state, req, region, user)
    if isinstance(spec, str):
        return _error(401, spec)
    if spec.profile_type == "agency":
        return v2_error(400, "400", AGENCY_DETAILS)
    return spec


def _identity(profile_id: int, body: dict[str, Any]) -> str:
    core = [profile_id, body.get("startDate"), body.get("endDate"), body.get("configuration")]
    return hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()


def create(state: SimState, req: RecordedRequest, region: str) -> Response:
    """``POST /reporting/reports``: validate, answer 425 for an in-flight duplicate, else 200 PENDING."""
    spec = _profile(state, req, region)
    if isinstance(spec, Response):
        return spec
    if media_type(req, "content-type") != CREATE_REQUEST:
        return _error(415, f"Content-Type must be {CREATE_REQUEST}")
    try:
        body = json.loads(req.body or b"null")
    except ValueError:
        return _error(400, "Request body is not valid JSON")
    now = state.now()
    try:
        query = validate(body, today=profile_today(spec, now), as_of=now)
    except ConfigError as exc:
        return _error(exc.status, str(exc))
    identity = _identity(spec.profile_id, body)
    with state.lock:
        for other in state.reports.values():
            if other.identity == identity and _advance(state, other, polled=False) in (
                "PENDING",
                "PROCESSING",
            ):
                return _error(425, f"The Request is a duplicate of : {other.report_id}")
        remaining = state.fail_reports.get(spec.profile_id, 0)
        if remaining:
            state.fail_reports[spec.profile_id] = remaining - 1
        report = Report(
            str(uuid.uuid4()),
            spec.profile_id,
            region,
            body.get("name"),
            query.start,
            query.end,
            body["configuration"],
            query,
            identity,
            now,
            state.report_delay,
            bool(remaining),
        )
        state.reports[report.report_id] = report
        payload = to_json(report)
    return json_response(200, payload, content_type=CREATE_RESPONSE)


def _advance(state: SimState, report: Report, *, polled: bool) -> str:
    """Move a report along the clock (call with the lock held); return the new status."""
    if report.status not in ("PENDING", "PROCESSING"):
        return report.status
    now = state.now()
    elapsed = (now - report.created_at).total_seconds()
    if report.delay <= 0:
        due = polled
    else:
        due = elapsed >= report.delay
        if not due and elapsed >= report.delay / 2 and report.status == "PENDING":
            report.status, report.updated_at = "PROCESSING", now
    if due:
        report.status = "FAILED" if report.will_fail else "COMPLETED"
        report.updated_at = now
        if report.status == "COMPLETED":
            report.generated_at = now
            report.query = replace(report.query, as_of=now, restatements=tuple(state.restatements))
            report.extra["pending_size"] = True
    return report.status


def get(state: SimState, req: RecordedRequest, region: str, report_id: str) -> Response:
    """``GET /reporting/reports/{id}``."""
    spec = _profile(state, req, region)
    if isinstance(spec, Response):
        return spec
    with state.lock:
        report = state.reports.get(report_id)
        if report is None or report.profile_id != spec.profile_id:
            return _error(404, f"Report {report_id} not found")
        _advance(state, report, polled=True)
        snapshot = report.query
        needs_size = report.extra.pop("pending_size", False)
    if needs_size:
        size = download.file_size(spec, snapshot, exact=state.config.exact_file_size)
        with state.lock:
            report.file_size = size
    with state.lock:
        expired = report.url_expires_at is not None and report.url_expires_at <= state.now()
        renew = expired and state.config.renew_expired_urls
        if report.status == "COMPLETED" and report.file_size is not None and (report.url is None or renew):
            _issue_url(state, report)
        payload = to_json(report)
    return json_response(200, payload, content_type=GET_RESPONSE)


def _issue_url(state: SimState, report: Report) -> None:
    now = state.now()
    ttl = state.config.report_url_ttl
    report.url = download.signed_url(state, report.region, report.report_id, now, ttl)
    report.url_expires_at = now + timedelta(seconds=ttl)


def delete(state: SimState, req: RecordedRequest, region: str, report_id: str) -> Response:
    """``DELETE /reporting/reports/{id}``: cancel a PENDING report."""
    spec = _profile(state, req, region)
    if isinstance(spec, Response):
        return spec
    with state.lock:
        report = state.reports.get(report_id)
        if report is None or report.profile_id != spec.profile_id:
            return _error(404, f"Report {report_id} not found")
        status = _advance(state, report, polled=False)
        if status != "PENDING":
            return _error(400, f"Report {report_id} is {status} and cannot be cancelled")
        del state.reports[report_id]
    body = {"code": "200", "detail": f"Report {report_id} was cancelled", "reportId": report_id}
    return json_response(200, body, content_type=DELETE_RESPONSE)
