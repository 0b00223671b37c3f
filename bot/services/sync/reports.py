"""Performance reports as resumable steps stored in `ReportJob`: create → poll → download → ingest.

Nothing waits for Amazon: each step runs once and records when the next is due (polls back off from 30 s
to 5 min), so a restart simply resumes. A step's failure belongs to its job: a 401, 5xx after retries,
timeout or broken download backs that job off and retries it on its own schedule, and a refused request
fails that job alone; the sync that runs the step still succeeds. An initial sync resumed after an
interruption does not ask again for windows already delivered (Amazon's report quota is shared). A 425
adopts the report already running (the client returns its id); a `FAILED` report is requested again a
few times; a job still unfinished after 3 hours is abandoned and the region card names every report
still missing. Rows are upserted by (profile, entity, date), so re-reading the
look-back window replaces restated numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.amazon.errors import (
    AccessDenied,
    AmazonAdsError,
    BadRequest,
    DuplicateReport,
    RateLimited,
    ReconnectRequired,
    TransportError,
)
from bot.amazon.reports import (
    RETENTION_DAYS,
    ReportRequest,
    campaign_row_fields,
    daily_campaign_report,
    daily_keyword_report,
    keyword_row_fields,
    report_windows,
)
from bot.services.sync.context import SyncContext
from storage.db import session_scope
from storage.models import Connection, Profile, ReportJob
from storage.repositories.loaded_days import mark_days_loaded
from storage.repositories.report_jobs import (
    ReportJobStatus,
    add_report_job,
    done_report_windows,
    due_report_jobs,
    failed_report_windows,
    find_open_report_job,
    open_report_jobs,
)
from storage.repositories.sync import (
    upsert_campaign_metrics,
    upsert_keyword_metrics,
)

__all__ = [
    "ABANDON_AFTER",
    "MAX_ATTEMPTS",
    "REPORT_KINDS",
    "WARNING_PREFIX",
    "advance_reports",
    "plan_reports",
    "poll_delay",
    "profile_today",
    "report_warning",
]

logger = logging.getLogger(__name__)

REPORT_KINDS = ("campaign", "keyword")
MAX_ATTEMPTS = 3
ABANDON_AFTER = timedelta(hours=3)
WARNING_PREFIX = "Performance numbers may be behind"
_BATCH = 5000
_WINDOW_DAYS = 31
_WARNING_WINDOW = timedelta(days=1)  # failures older than this no longer show on the card
_WARNING_LIST = 4  # reports named on the card; the rest are counted


def poll_delay(polls: int) -> timedelta:
    """Wait before poll number `polls + 1`: 30 s, 1, 2, 4 min, then every 5 min."""
    return timedelta(seconds=min(300, 30 * 2 ** max(0, polls)))


def profile_today(profile: Profile, now: datetime) -> date:
    """Today in the marketplace's own time zone (report dates are local)."""
    try:
        return now.astimezone(ZoneInfo(profile.timezone)).date()
    except (KeyError, ValueError):
        return now.date()


def _request(kind: str, start: date, end: date) -> ReportRequest:
    return daily_campaign_report(start, end) if kind == "campaign" else daily_keyword_report(start, end)


def plan_reports(ctx: SyncContext, *, days: int, skip_done: bool = False) -> int:
    """Queue campaign and keyword reports covering the last `days` days of every profile in scope.

    A window that already has an unfinished job is not queued twice; with `skip_done` (an initial sync
    resuming), neither is one already delivered. Returns the jobs added.
    """
    now = ctx.now()
    added = 0
    with session_scope(ctx.services.engine) as session:
        done: set[tuple[int, str, date, date]] = set()
        if skip_done:
            since = now.date() - timedelta(days=days + 2)
            for kind in REPORT_KINDS:
                done.update(
                    (pk, kind, start, end)
                    for pk, start, end in done_report_windows(
                        session, connection_id=ctx.connection_id, report_kind=kind, since=since
                    )
                )
        for profile in ctx.profiles:
            assert profile.id is not None
            today = profile_today(profile, now)
            windows = report_windows(
                today - timedelta(days=days - 1),
                today,
                today=today,
                retention_days=RETENTION_DAYS["SPONSORED_PRODUCTS"],
                max_days=_WINDOW_DAYS,
            )
            for start, end in windows:
                for kind in REPORT_KINDS:
                    if (profile.id, kind, start, end) in done:
                        continue
                    if find_open_report_job(
                        session, profile_pk=profile.id, report_kind=kind, start=start, end=end
                    ):
                        continue
                    add_report_job(
                        session,
                        connection_id=ctx.connection_id,
                        profile_pk=profile.id,
                        report_kind=kind,
                        start=start,
                        end=end,
                        now=now,
                    )
                    added += 1
    return added


def advance_reports(ctx: SyncContext) -> tuple[int, int]:
    """Run every due step of the connection's report jobs once; returns (finished now, still open)."""
    with session_scope(ctx.services.engine, readonly=True) as session:
        jobs = due_report_jobs(session, connection_id=ctx.connection_id, now=ctx.now())
    finished = 0
    for job in jobs:
        ctx.checkpoint()
        try:
            finished += _step(ctx, job)
        except ReconnectRequired:
            raise  # the grant is gone: the whole connection needs the user
        except AmazonAdsError as exc:
            finished += _step_error(ctx, job, exc)
            if isinstance(exc, RateLimited):
                break  # the connection is throttled: the other jobs wait for the next round
    with session_scope(ctx.services.engine, readonly=True) as session:
        still_open = len(open_report_jobs(session, connection_id=ctx.connection_id))
    return finished, still_open


def _save(ctx: SyncContext, job: ReportJob, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(job, name, value)
    with session_scope(ctx.services.engine) as session:
        session.merge(job)


def _step(ctx: SyncContext, job: ReportJob) -> bool:
    """One step of one job; True when the job finished (done, failed or abandoned)."""
    profile = ctx.profile(job.profile_pk)
    now = ctx.now()
    if profile is None:  # deselected since: nothing to fetch it for
        _save(
            ctx, job, status=ReportJobStatus.ABANDONED, finished_at=now, failure_reason="profile not in scope"
        )
        return True
    if now - job.created_at > ABANDON_AFTER:
        _abandon(ctx, job, profile)
        return True
    try:
        if job.report_id is None:
            report_id = ctx.client.create_report(
                profile.profile_id, _request(job.report_kind, job.start_date, job.end_date)
            )
            _save(
                ctx,
                job,
                report_id=report_id,
                status=ReportJobStatus.RUNNING,
                attempts=job.attempts + 1,
                polls=0,
            )
        assert job.report_id is not None
        status = ctx.client.get_report(profile.profile_id, job.report_id)
    except DuplicateReport:  # 425 without an id to adopt: try again on a later tick
        _save(ctx, job, next_poll_at=now + poll_delay(job.polls))
        return False
    if status.is_completed and status.url:
        return _ingest(ctx, job, profile, status.url)
    if status.is_failed:
        return _failed(ctx, job, profile, status.failure_reason)
    _save(ctx, job, polls=job.polls + 1, next_poll_at=now + poll_delay(job.polls))
    return False


def _step_error(ctx: SyncContext, job: ReportJob, exc: AmazonAdsError) -> bool:
    """A step of this job failed: back it off (a refused request fails the job); True when it ended."""
    now = ctx.now()
    profile = ctx.profile(job.profile_pk)
    logger.warning(
        "sync.report_step_failed",
        extra={"connection_id": ctx.connection_id, "kind": job.report_kind, "error": type(exc).__name__},
    )
    if isinstance(exc, BadRequest) and job.report_id is None and profile is not None:
        _save(ctx, job, attempts=MAX_ATTEMPTS)
        return _failed(ctx, job, profile, f"Amazon refused the request ({type(exc).__name__})")
    _save(ctx, job, polls=job.polls + 1, next_poll_at=now + poll_delay(job.polls))
    return False


def _failed(ctx: SyncContext, job: ReportJob, profile: Profile, reason: str | None) -> bool:
    now = ctx.now()
    logger.info("sync.report_failed", extra={"report_id": job.report_id, "attempts": job.attempts})
    if job.attempts < MAX_ATTEMPTS:
        _save(
            ctx,
            job,
            report_id=None,
            status=ReportJobStatus.PENDING,
            next_poll_at=now + poll_delay(job.attempts),
        )
        return False
    _save(ctx, job, status=ReportJobStatus.FAILED, finished_at=now, failure_reason=(reason or "FAILED")[:500])
    _warn(ctx, profile, job)
    return True


def _abandon(ctx: SyncContext, job: ReportJob, profile: Profile) -> None:
    now = ctx.now()
    if job.report_id:
        try:
            ctx.client.delete_report(profile.profile_id, job.report_id)
        except AmazonAdsError as exc:  # it may have completed or expired meanwhile
            logger.info("sync.report_cancel_failed", extra={"status": exc.status})
    _save(
        ctx,
        job,
        status=ReportJobStatus.ABANDONED,
        finished_at=now,
        failure_reason="Amazon did not deliver the report within 3 hours",
    )
    logger.warning(
        "sync.report_abandoned", extra={"connection_id": ctx.connection_id, "kind": job.report_kind}
    )
    _warn(ctx, profile, job)


def _warn(ctx: SyncContext, profile: Profile, job: ReportJob) -> None:
    """The region card names every report still missing (not only this one)."""
    del profile, job
    ctx.counts["reports_failed"] += 1
    with session_scope(ctx.services.engine) as session:
        conn = session.get(Connection, ctx.connection_id)
        if conn is not None:
            conn.warning = report_warning(
                session, connection_id=ctx.connection_id, current=conn.warning, now=ctx.now()
            )
            session.add(conn)


def report_warning(session: Session, *, connection_id: int, current: str | None, now: datetime) -> str | None:
    """The card's warning about missing reports (None: none missing); any other warning is kept.

    Example: "Performance numbers may be behind: Amazon did not deliver 2 reports (campaign US
    2026-02-01 to 2026-03-02, keyword CA 2026-03-03 to 2026-03-10); the next report refresh tries again."
    """
    if current and not current.startswith(WARNING_PREFIX):
        return current
    missing = failed_report_windows(session, connection_id=connection_id, since=now - _WARNING_WINDOW)
    if not missing:
        return None
    named = [f"{kind} {country} {start} to {end}" for country, kind, start, end in missing[:_WARNING_LIST]]
    if len(missing) > _WARNING_LIST:
        named.append(f"{len(missing) - _WARNING_LIST} more")
    noun = "report" if len(missing) == 1 else f"{len(missing)} reports"
    text = (
        f"{WARNING_PREFIX}: Amazon did not deliver {'the ' if len(missing) == 1 else ''}{noun} "
        f"({', '.join(named)}); the next report refresh tries again."
    )
    return text[:500]


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while batch := list(islice(rows, size)):
        yield batch


def _ingest(ctx: SyncContext, job: ReportJob, profile: Profile, url: str) -> bool:
    """Download and upsert the rows; a broken or expired download is retried on a later poll."""
    parse = _campaign_metrics if job.report_kind == "campaign" else _keyword_metrics
    write = upsert_campaign_metrics if job.report_kind == "campaign" else upsert_keyword_metrics
    rows = 0
    try:
        for batch in _batches(ctx.client.iter_report_rows(url), _BATCH):
            ctx.checkpoint()
            now = ctx.now()
            parsed = parse(profile, batch, now)
            with session_scope(ctx.services.engine) as session:
                write(session, rows=parsed, now=now)
            rows += len(parsed)
    except (AccessDenied, TransportError) as exc:
        logger.info("sync.report_download_retry", extra={"error": type(exc).__name__})
        _save(ctx, job, next_poll_at=ctx.now() + poll_delay(0))
        return False
    _done(ctx, job)
    ctx.counts[f"{job.report_kind}_metric_rows"] += rows
    return True


def _done(ctx: SyncContext, job: ReportJob) -> None:
    """The job is done and every day it covers is loaded (even a day without rows), in one transaction."""
    now = ctx.now()
    job.status, job.finished_at = ReportJobStatus.DONE, now
    with session_scope(ctx.services.engine) as session:
        session.merge(job)
        mark_days_loaded(
            session,
            team_id=ctx.team_id,
            profile_pk=job.profile_pk,
            report_kind=job.report_kind,
            start=job.start_date,
            end=job.end_date,
            now=now,
        )


def _campaign_metrics(profile: Profile, batch: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    pk, currency = profile.id, profile.currency_code
    rows = []
    for raw in batch:
        row = campaign_row_fields(raw)
        del row["currency_code"], row["campaign_status"]
        row["budget"] = row.pop("budget_amount")
        row.update(profile_pk=pk, currency=currency, units=row["units"] or 0, updated_at=now)
        rows.append(row)
    return rows


def _keyword_metrics(profile: Profile, batch: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    pk, currency = profile.id, profile.currency_code
    rows = []
    for raw in batch:
        row = keyword_row_fields(raw)
        del row["keyword_text"], row["match_type"]
        row.update(profile_pk=pk, currency=currency, updated_at=now)
        rows.append(row)
    return rows
