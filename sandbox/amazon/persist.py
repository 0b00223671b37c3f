"""The simulator's lasting state as JSON, so a restarted simulator honours what it issued before.

What lasts: users, profiles (their sizes, history start, overrides and live edits), allowed return
URLs, grants (refresh tokens, revoked or not), unexpired access tokens, reports of the last day,
restatements, the clock offset and the download-URL key. What does not: recorded requests, armed faults,
forced budget usage, consent pages and authorization codes in flight (they live minutes), and report
download URLs (a poll issues a fresh one, on whatever port the simulator listens now).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.amazon import edits
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.metrics import ReportQuery, Restatement
from sandbox.amazon.regions import marketplace
from sandbox.amazon.reports import Report
from sandbox.amazon.state import AccessToken, Grant, SimState, User

__all__ = ["FORMAT_VERSION", "KIND", "restore", "snapshot"]

KIND = "amazon-simulator"
FORMAT_VERSION = 1
REPORTS_KEPT_FOR = timedelta(days=1)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _profile(spec: ProfileSpec) -> dict[str, Any]:
    return {
        "profile_id": spec.profile_id,
        "seq": spec.seq,
        "user_id": spec.user_id,
        "region": spec.region,
        "country": spec.market.country,
        "profile_type": spec.profile_type,
        "access": spec.access,
        "account_id": spec.account_id,
        "account_name": spec.account_name,
        "campaigns": spec.campaigns,
        "ad_groups_per_campaign": spec.ad_groups_per_campaign,
        "keywords_per_ad_group": spec.keywords_per_ad_group,
        "data_start": spec.data_start.isoformat(),
        "seed": spec.seed,
        "active_keyword_share": spec.active_keyword_share,
        "valid_payment_method": spec.valid_payment_method,
        "overrides": {str(index): dict(values) for index, values in spec.overrides.items()},
        "edits": edits.to_json(spec.edits),
    }


def _load_profile(data: Mapping[str, Any]) -> ProfileSpec:
    fields = dict(data)
    market = marketplace(fields.pop("country"))
    overrides = {int(index): dict(values) for index, values in fields.pop("overrides", {}).items()}
    data_start = date.fromisoformat(fields.pop("data_start"))
    ledger = edits.from_json(fields.pop("edits", []))  # files saved before live edits have none
    return ProfileSpec(market=market, data_start=data_start, overrides=overrides, edits=ledger, **fields)


def _query(query: ReportQuery) -> dict[str, Any]:
    return {
        "report_type": query.report_type,
        "group_by": query.group_by,
        "time_unit": query.time_unit,
        "columns": list(query.columns),
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "as_of": query.as_of.isoformat(),
        "restatements": [[r.generation, r.at.isoformat()] for r in query.restatements],
        "filters": [[name, sorted(values)] for name, values in query.filters],
    }


def _load_query(data: Mapping[str, Any]) -> ReportQuery:
    return ReportQuery(
        report_type=data["report_type"],
        group_by=data["group_by"],
        time_unit=data["time_unit"],
        columns=tuple(data["columns"]),
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        as_of=datetime.fromisoformat(data["as_of"]),
        restatements=tuple(Restatement(g, datetime.fromisoformat(at)) for g, at in data["restatements"]),
        filters=tuple((name, frozenset(values)) for name, values in data["filters"]),
    )


def _report(report: Report) -> dict[str, Any]:
    return {
        "report_id": report.report_id,
        "profile_id": report.profile_id,
        "region": report.region,
        "name": report.name,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "configuration": report.configuration,
        "query": _query(report.query),
        "identity": report.identity,
        "created_at": report.created_at.isoformat(),
        "delay": report.delay,
        "will_fail": report.will_fail,
        "status": report.status,
        "updated_at": _when(report.updated_at),
        "generated_at": _when(report.generated_at),
        "file_size": report.file_size,
        "pending_size": bool(report.extra.get("pending_size")),
    }


def _load_report(data: Mapping[str, Any]) -> Report:
    report = Report(
        report_id=data["report_id"],
        profile_id=int(data["profile_id"]),
        region=data["region"],
        name=data["name"],
        start=date.fromisoformat(data["start"]),
        end=date.fromisoformat(data["end"]),
        configuration=dict(data["configuration"]),
        query=_load_query(data["query"]),
        identity=data["identity"],
        created_at=datetime.fromisoformat(data["created_at"]),
        delay=float(data["delay"]),
        will_fail=bool(data["will_fail"]),
        status=data["status"],
        updated_at=_parse_when(data["updated_at"]),
        generated_at=_parse_when(data["generated_at"]),
        file_size=data["file_size"],
    )
    if data.get("pending_size"):
        report.extra["pending_size"] = True
    return report


def snapshot(state: SimState) -> dict[str, Any]:
    """Everything that must outlive the process, as JSON-ready data (takes the state's lock)."""
    with state.lock:
        now = state.now()
        live_grants = {id(g) for g in state.grants.values()}
        return {
            "offset": state.offset,
            "next_seq": state.next_seq,
            "url_key": state.url_key.hex(),
            "users": [{"user_id": u.user_id, "name": u.name} for u in state.users.values()],
            "profiles": [_profile(spec) for spec in state.profiles.values()],
            "redirect_uris": sorted(state.redirect_uris),
            "grants": [
                {
                    "refresh_token": g.refresh_token,
                    "user_id": g.user_id,
                    "client_id": g.client_id,
                    "scope": g.scope,
                    "revoked": g.revoked,
                }
                for g in state.grants.values()
            ],
            "tokens": [
                {
                    "value": t.value,
                    "refresh_token": t.grant.refresh_token,
                    "expires_at": t.expires_at.isoformat(),
                }
                for t in state.tokens.values()
                if t.expires_at > now and id(t.grant) in live_grants
            ],
            "restatements": [[r.generation, r.at.isoformat()] for r in state.restatements],
            "reports": [_report(r) for r in state.reports.values() if now - r.created_at <= REPORTS_KEPT_FOR],
        }


def restore(state: SimState, data: Mapping[str, Any]) -> None:
    """Load a `snapshot` into a fresh state (before the simulator serves anything).

    Raises:
        ValueError: the data is not a snapshot this version understands.
    """
    try:
        _restore(state, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the saved simulator state is damaged ({type(exc).__name__}: {exc})") from None


def _restore(state: SimState, data: Mapping[str, Any]) -> None:
    with state.lock:
        state.offset = float(data["offset"])
        state.next_seq = int(data["next_seq"])
        state.url_key = bytes.fromhex(data["url_key"])
        state.users = {u["user_id"]: User(u["user_id"], u["name"]) for u in data["users"]}
        profiles = [_load_profile(p) for p in data["profiles"]]
        state.profiles = {spec.profile_id: spec for spec in profiles}
        state.redirect_uris.update(data["redirect_uris"])
        state.grants = {
            g["refresh_token"]: Grant(
                g["refresh_token"], g["user_id"], g["client_id"], g["scope"], bool(g["revoked"])
            )
            for g in data["grants"]
        }
        state.tokens = {
            t["value"]: AccessToken(
                t["value"], state.grants[t["refresh_token"]], datetime.fromisoformat(t["expires_at"])
            )
            for t in data["tokens"]
            if t["refresh_token"] in state.grants
        }
        state.restatements = [Restatement(g, datetime.fromisoformat(at)) for g, at in data["restatements"]]
        reports = [_load_report(r) for r in data["reports"]]
        state.reports = {r.report_id: r for r in reports}
