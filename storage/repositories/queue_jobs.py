"""Read-only views of the cluster's job queue (Procrastinate's tables, revision 0009), for operators.

`hilal jobs` lists the jobs that need a look (failed for good, or stalled on a worker whose heartbeat
stopped); `/metrics` counts jobs by state. A job is stalled as Procrastinate's `retry_stalled` sees it:
`doing` on a worker that is gone or has not beaten for `stalled_after` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

__all__ = ["STALLED_AFTER", "QueueJob", "job_counts", "problem_jobs"]

STALLED_AFTER = 30.0  # seconds without a worker heartbeat after which its `doing` jobs count as stalled

_STALLED_COUNT = """
SELECT count(*) FROM procrastinate_jobs j
 WHERE j.status = 'doing' AND (j.worker_id IS NULL OR j.worker_id IN (
       SELECT id FROM procrastinate_workers
        WHERE last_heartbeat < NOW() - make_interval(secs => :stalled_after)))
"""
_PROBLEMS = """
SELECT j.id, j.task_name, CASE WHEN j.status = 'failed' THEN 'failed' ELSE 'stalled' END,
       j.attempts, j.lock, j.args,
       (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id)
  FROM procrastinate_jobs j
 WHERE j.status = 'failed'
    OR (j.status = 'doing' AND (j.worker_id IS NULL OR j.worker_id IN (
        SELECT id FROM procrastinate_workers
         WHERE last_heartbeat < NOW() - make_interval(secs => :stalled_after))))
 ORDER BY j.id DESC LIMIT :limit
"""


@dataclass(frozen=True)
class QueueJob:
    """One job as an operator sees it (its arguments are ids and kinds, never secrets)."""

    id: int
    task: str
    state: str  # `failed` or `stalled`
    attempts: int
    lock: str | None
    args: dict[str, Any]
    updated_at: datetime | None


def job_counts(conn: Connection, *, stalled_after: float) -> dict[str, int]:
    """Jobs per state (`todo`, `doing`, `succeeded`, `failed`, ...) plus `stalled` (a subset of `doing`)."""
    rows = conn.execute(text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status"))
    counts = {str(status): int(count) for status, count in rows}
    stalled = conn.execute(text(_STALLED_COUNT), {"stalled_after": stalled_after}).scalar_one()
    counts["stalled"] = int(stalled)
    return counts


def problem_jobs(conn: Connection, *, stalled_after: float, limit: int = 100) -> list[QueueJob]:
    """Failed and stalled jobs, newest first."""
    rows = conn.execute(text(_PROBLEMS), {"stalled_after": stalled_after, "limit": limit})
    return [QueueJob(int(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], dict(r[5] or {}), r[6]) for r in rows]
