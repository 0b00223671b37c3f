"""Report jobs: Amazon reports requested, polled and downloaded as resumable steps.

Keyword-only functions; no commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from storage.models import Connection, ConnectionStatus, Profile, ReportJob, table_of

__all__ = [
    "ReportJobStatus",
    "add_report_job",
    "connections_with_due_reports",
    "done_report_windows",
    "due_report_jobs",
    "failed_report_windows",
    "find_open_report_job",
    "is_due",
    "last_report_planned_at",
    "open_report_jobs",
]


class ReportJobStatus:
    """Values of `ReportJob.status`."""

    PENDING = "pending"  # to be created at Amazon (again)
    RUNNING = "running"  # created; polled on later ticks
    DONE = "done"
    FAILED = "failed"  # FAILED too many times
    ABANDONED = "abandoned"  # pending for longer than Amazon's promised latency
    OUT_OF_SCOPE = "profile not in scope"  # the failure reason of a job whose marketplace was deselected

    OPEN = (PENDING, RUNNING)


def find_open_report_job(
    session: Session, *, profile_pk: int, report_kind: str, start: date, end: date
) -> ReportJob | None:
    """The unfinished job for exactly this report, if any."""
    return session.exec(
        sm_select(ReportJob).where(
            ReportJob.profile_pk == profile_pk,
            ReportJob.report_kind == report_kind,
            ReportJob.start_date == start,
            ReportJob.end_date == end,
            col(ReportJob.status).in_(ReportJobStatus.OPEN),
        )
    ).first()


def add_report_job(
    session: Session,
    *,
    connection_id: int,
    profile_pk: int,
    report_kind: str,
    start: date,
    end: date,
    now: datetime,
) -> ReportJob:
    """A new job, to be created at Amazon on the next step."""
    job = ReportJob(
        connection_id=connection_id,
        profile_pk=profile_pk,
        report_kind=report_kind,
        start_date=start,
        end_date=end,
        status=ReportJobStatus.PENDING,
        next_poll_at=now,
        created_at=now,
    )
    session.add(job)
    session.flush()
    return job


def open_report_jobs(session: Session, *, connection_id: int) -> list[ReportJob]:
    """Every unfinished job of a connection, oldest first."""
    return list(
        session.exec(
            sm_select(ReportJob)
            .where(ReportJob.connection_id == connection_id, col(ReportJob.status).in_(ReportJobStatus.OPEN))
            .order_by(col(ReportJob.id))
        ).all()
    )


def is_due(job: ReportJob, now: datetime) -> bool:
    """True when the unfinished `job`'s next step is due at `now`."""
    return job.next_poll_at is None or job.next_poll_at <= now


def due_report_jobs(session: Session, *, connection_id: int, now: datetime) -> list[ReportJob]:
    """Unfinished jobs of a connection whose next step is due."""
    return [job for job in open_report_jobs(session, connection_id=connection_id) if is_due(job, now)]


def connections_with_due_reports(session: Session, *, now: datetime) -> list[int]:
    """Connected connections that have a report job step due."""
    t, c = table_of(ReportJob), table_of(Connection)
    stmt = (
        select(t.c.connection_id)
        .join(c, c.c.id == t.c.connection_id)
        .where(
            t.c.status.in_(ReportJobStatus.OPEN),
            or_(t.c.next_poll_at.is_(None), t.c.next_poll_at <= now),
            c.c.status == ConnectionStatus.CONNECTED,
            or_(c.c.lease_owner.is_(None), c.c.lease_expires_at < now),
        )
        .group_by(t.c.connection_id)
        .order_by(t.c.connection_id)
    )
    return [int(row[0]) for row in session.execute(stmt)]


def last_report_planned_at(session: Session, *, connection_id: int) -> datetime | None:
    """When the connection's newest report job was queued (None: never)."""
    t = table_of(ReportJob)
    row = session.execute(
        select(t.c.created_at)
        .where(t.c.connection_id == connection_id)
        .order_by(t.c.created_at.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def done_report_windows(
    session: Session, *, connection_id: int, report_kind: str, since: date
) -> list[tuple[int, date, date]]:
    """(profile_pk, start, end) of finished jobs of one kind that end on or after `since`."""
    t = table_of(ReportJob)
    stmt = select(t.c.profile_pk, t.c.start_date, t.c.end_date).where(
        t.c.connection_id == connection_id,
        t.c.report_kind == report_kind,
        t.c.status == ReportJobStatus.DONE,
        t.c.end_date >= since,
    )
    return [(int(r[0]), r[1], r[2]) for r in session.execute(stmt)]


def failed_report_windows(
    session: Session, *, connection_id: int, since: datetime
) -> list[tuple[str, str, date, date]]:
    """(country, kind, start, end) of reports that failed or were abandoned since `since`, oldest first.

    A window later delivered (a newer `done` job for the same profile, kind and dates) or deselected is
    left out: the list is what is still missing.
    """
    t, p = table_of(ReportJob), table_of(Profile)
    done = t.alias("done")
    delivered_later = (
        select(done.c.id)
        .where(
            done.c.profile_pk == t.c.profile_pk,
            done.c.report_kind == t.c.report_kind,
            done.c.start_date == t.c.start_date,
            done.c.end_date == t.c.end_date,
            done.c.status == ReportJobStatus.DONE,
            done.c.id > t.c.id,
        )
        .exists()
    )
    rows = session.execute(
        select(t.c.profile_pk, t.c.report_kind, t.c.start_date, t.c.end_date, p.c.country_code)
        .join(p, p.c.id == t.c.profile_pk)
        .where(
            t.c.connection_id == connection_id,
            t.c.status.in_((ReportJobStatus.FAILED, ReportJobStatus.ABANDONED)),
            t.c.finished_at >= since,
            or_(t.c.failure_reason.is_(None), t.c.failure_reason != ReportJobStatus.OUT_OF_SCOPE),
            ~delivered_later,
        )
        .order_by(t.c.id)
    ).all()
    missing: dict[tuple[int, str, date, date], tuple[str, str, date, date]] = {}
    for profile_pk, kind, start, end, country in rows:
        missing[(int(profile_pk), str(kind), start, end)] = (str(country), str(kind), start, end)
    return list(missing.values())
