"""Loaded marketplace-days: which days of a profile Amazon has delivered (keyword-only; no commits).

A day is loaded for a report kind once a report of that kind covering it completed and its rows were
stored, even when there were none: only then is "no rows" a real zero. A day without a row here is "not
loaded" (the report is still with Amazon, failed, or was never asked for). Report jobs record their days
when they finish (`bot.services.sync.reports`); readers ask which days of a window are loaded and since
when the report that will load the others has been pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlmodel import Session

from storage.models import Campaign, ProfileDayLoaded, ReportJob, table_of
from storage.repositories.report_jobs import ReportJobStatus
from storage.upsert import bulk_upsert

__all__ = [
    "PendingWindow",
    "campaign_days_loaded",
    "loaded_days",
    "mark_days_loaded",
    "pending_since",
    "pending_windows",
]


@dataclass(frozen=True, slots=True)
class PendingWindow:
    """An unfinished report job's window: the days it will load and when it was first asked for."""

    profile_pk: int
    start: date
    end: date
    since: datetime


def mark_days_loaded(
    session: Session,
    *,
    team_id: str,
    profile_pk: int,
    report_kind: str,
    start: date,
    end: date,
    now: datetime,
) -> int:
    """Record every day from `start` to `end` (inclusive) as loaded at `now`; returns the days written."""
    rows = [
        {
            "team_id": team_id,
            "profile_pk": profile_pk,
            "report_kind": report_kind,
            "date": start + timedelta(days=n),
            "loaded_at": now,
        }
        for n in range((end - start).days + 1)
    ]
    return bulk_upsert(
        session,
        table_of(ProfileDayLoaded),
        rows,
        key=("profile_pk", "report_kind", "date"),
        update=("loaded_at",),
    )


def loaded_days(
    session: Session, *, profile_pks: Iterable[int], report_kind: str, start: date, end: date
) -> dict[int, set[date]]:
    """The loaded days between `start` and `end` (inclusive) per profile (profiles with none are absent)."""
    pks = sorted(set(profile_pks))
    if not pks:
        return {}
    t = table_of(ProfileDayLoaded)
    stmt = select(t.c.profile_pk, t.c.date).where(
        t.c.profile_pk.in_(pks), t.c.report_kind == report_kind, t.c.date >= start, t.c.date <= end
    )
    found: dict[int, set[date]] = {}
    for profile_pk, day in session.execute(stmt):
        found.setdefault(int(profile_pk), set()).add(day)
    return found


def pending_windows(session: Session, *, profile_pks: Iterable[int], report_kind: str) -> list[PendingWindow]:
    """The unfinished report jobs of one kind for these profiles, oldest first.

    `since` is when the job was queued: a report that FAILED and was asked for again keeps its first time,
    which is how long the day has really been waiting.
    """
    pks = sorted(set(profile_pks))
    if not pks:
        return []
    t = table_of(ReportJob)
    stmt = (
        select(t.c.profile_pk, t.c.start_date, t.c.end_date, t.c.created_at)
        .where(t.c.profile_pk.in_(pks), t.c.report_kind == report_kind, t.c.status.in_(ReportJobStatus.OPEN))
        .order_by(t.c.created_at, t.c.id)
    )
    return [PendingWindow(int(r[0]), r[1], r[2], r[3]) for r in session.execute(stmt)]


def pending_since(windows: Sequence[PendingWindow], *, profile_pk: int, day: date) -> datetime | None:
    """When the oldest unfinished report covering `day` of the profile was asked for (None: none is)."""
    times = [w.since for w in windows if w.profile_pk == profile_pk and w.start <= day <= w.end]
    return min(times, default=None)


def campaign_days_loaded(
    session: Session, *, campaign_pks: Iterable[int], report_kind: str, start: date, end: date
) -> dict[int, int]:
    """How many days from `start` to `end` are loaded for each campaign's profile, by campaign pk."""
    pks = sorted(set(campaign_pks))
    if not pks:
        return {}
    c, d = table_of(Campaign), table_of(ProfileDayLoaded)
    on = and_(
        d.c.profile_pk == c.c.profile_pk, d.c.report_kind == report_kind, d.c.date >= start, d.c.date <= end
    )
    stmt = (
        select(c.c.id, func.count(d.c.id))
        .select_from(c.outerjoin(d, on))
        .where(c.c.id.in_(pks))
        .group_by(c.c.id)
    )
    return {int(pk): int(count) for pk, count in session.execute(stmt)}
