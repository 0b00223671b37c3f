"""A connection's profiles synced by several workers at once (cluster mode, large connections).

The worker running the connection's sync (its job holds the connection's lock and lease) writes one
`sync_part` per profile, asks the queue for helpers, and then works on the parts itself. Helpers are
other workers' jobs (`help_sync`): each takes the next pending part, syncs that one profile and records
its counts or its error. Nobody waits on work nobody does: the run's worker keeps taking parts while any
are pending, so a cluster with no free worker simply syncs the profiles one after another, as one process
would.

- **Fencing.** A helper works under the run's lease owner (its job carries it): each step boundary
  renews the connection's lease in that name, so a helper stops as soon as the run ended or another sync
  took the connection, and a helper that starts after that does nothing.
- **A killed helper.** Its part's claim runs out after `CLAIM_TTL` (a heartbeat thread renews it while the
  helper lives) and the run's worker takes it again.
- **Failures.** A helper's failure is recorded on its part; the run's worker ends the run with it once
  every part is settled (a refused grant first, as a sequential sync would).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.amazon.errors import AmazonAdsError, ReconnectRequired
from bot.errors import NotConnected
from bot.services.sync.context import LeaseLost, SyncContext, SyncStopped, open_context
from bot.services.sync.entities import sync_profile_entities
from bot.services.sync.failures import RECONNECT, describe_failure, log_failure
from bot.services.sync.lease import LEASE_TTL, new_lease_owner
from bot.services.sync.progress import ProgressReporter
from storage.crypto import VaultError
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, SyncRun
from storage.repositories import sync_parts as parts_repo
from storage.repositories.sync import syncable_profiles

if TYPE_CHECKING:
    from bot.services.sync.run import SyncQueue
    from bot.wiring import Services
    from storage.models import Profile, SyncPart

__all__ = ["CLAIM_TTL", "PartFailed", "help_sync", "should_split", "sync_split"]

logger = logging.getLogger(__name__)

CLAIM_TTL = LEASE_TTL  # a killed helper's part is taken again this long after its last renewal
CLAIM_RENEW_EVERY = timedelta(seconds=5)
SETTLE_POLL = 0.25  # seconds between two looks at parts other workers hold


class PartFailed(Exception):
    """A profile synced by another worker failed; the message is what the region card says."""


def should_split(ctx: SyncContext) -> bool:
    """Split (in a cluster, where workers can help) when there are several profiles and enough stored
    rows."""
    if len(ctx.profiles) < 2:
        return False
    pks = [p.id for p in ctx.profiles if p.id is not None]
    threshold = ctx.services.settings.hilal_sync_split_rows
    with session_scope(ctx.services.engine, readonly=True) as session:
        return parts_repo.has_rows_at_least(session, profile_pks=pks, rows=threshold)


def sync_split(
    ctx: SyncContext, *, run_id: int, mode: str, queue: SyncQueue, reporter: ProgressReporter
) -> None:
    """Sync the run's profiles with helpers; the parts' counts are added to `ctx.counts`.

    Raises:
        ReconnectRequired: Amazon refused the grant while syncing a part.
        PartFailed: Another part failed (its recorded error).
        and whatever syncing this worker's own parts raises (as a sequential sync would).
    """
    pks = [p.id for p in ctx.profiles if p.id is not None]
    with session_scope(ctx.services.engine) as session:
        parts_repo.create_parts(session, run_id=run_id, connection_id=ctx.connection_id, profile_pks=pks)
    helpers = queue.enqueue_sync_helpers(
        connection_id=ctx.connection_id, run_id=run_id, owner=ctx.owner, mode=mode, count=len(pks) - 1
    )
    logger.info(
        "sync.split", extra={"connection_id": ctx.connection_id, "parts": len(pks), "helpers": helpers}
    )
    settled = _settle(ctx, run_id=run_id, mode=mode, reporter=reporter)
    ctx.counts = _counts(ctx.counts, settled)
    ctx.profiles_done = len(settled)
    _raise_first_failure(settled)


def _settle(ctx: SyncContext, *, run_id: int, mode: str, reporter: ProgressReporter) -> list[SyncPart]:
    """Work on pending parts (claimed under the run's lease owner) until every part is done or failed;
    the parts. The progress message moves each time a part settles, whoever synced it."""
    pause, shown = threading.Event(), 0
    while True:
        _work_parts(ctx, run_id=run_id, mode=mode, claimer=ctx.owner, own_run=True)
        with session_scope(ctx.services.engine, readonly=True) as session:
            parts = parts_repo.parts_of(session, run_id=run_id)
        settled = [p for p in parts if p.state in (parts_repo.PART_DONE, parts_repo.PART_FAILED)]
        if len(settled) != shown:
            shown = len(settled)
            reporter.update(done=shown, total=len(parts), counts=_counts(ctx.counts, settled))
        if len(settled) == len(parts):
            return parts
        ctx.checkpoint()  # others hold parts: keep our lease, stop if we are stopping
        pause.wait(SETTLE_POLL)


def _counts(base: Counter[str], parts: list[SyncPart]) -> Counter[str]:
    total = Counter(base)
    for part in parts:
        total.update(json.loads(part.counts_json))
    return total


def _raise_first_failure(parts: list[SyncPart]) -> None:
    failed = [p for p in parts if p.state == parts_repo.PART_FAILED]
    if any(p.reconnect for p in failed):
        raise ReconnectRequired(RECONNECT)
    if failed:
        raise PartFailed(failed[0].error or "A profile could not be synced; the next sync tries again.")


def help_sync(services: Services, *, connection_id: int, run_id: int, owner: str, mode: str) -> int:
    """A helper job: sync the run's pending parts under the run's lease `owner`; how many it synced.

    Nothing to do when the run ended or its lease is no longer `owner`'s (another sync took the region).
    """
    with session_scope(services.engine, readonly=True) as session:
        conn = session.get(Connection, connection_id)
        run = session.get(SyncRun, run_id)
        profiles = syncable_profiles(session, connection_id=connection_id)
    if conn is None or conn.status != ConnectionStatus.CONNECTED or conn.lease_owner != owner:
        return 0
    if run is None or run.status != "running" or run.connection_id != connection_id:
        return 0
    ctx = open_context(
        services, conn, connection_id=connection_id, owner=owner, profiles=profiles, heartbeat=None
    )
    claimer = new_lease_owner(services)
    try:
        return _work_parts(ctx, run_id=run_id, mode=mode, claimer=claimer, own_run=False)
    except (LeaseLost, SyncStopped):
        return 0  # the run ended or this worker stops: the parts left are the run's worker's


def _work_parts(ctx: SyncContext, *, run_id: int, mode: str, claimer: str, own_run: bool) -> int:
    """Claim and sync parts until none is free; how many were synced."""
    synced = 0
    while True:
        with session_scope(ctx.services.engine) as session:
            claimed = parts_repo.claim_part(
                session, run_id=run_id, claimer=claimer, now=ctx.now(), ttl=CLAIM_TTL
            )
        if claimed is None:
            return synced
        part_id, profile_pk = claimed
        profile = ctx.profile(profile_pk)
        if profile is None:  # deselected since the run started: nothing to sync
            _finish(ctx, part_id, claimer, Counter())
            continue
        _sync_part(ctx, part_id=part_id, profile=profile, mode=mode, claimer=claimer, own_run=own_run)
        synced += 1


def _sync_part(
    ctx: SyncContext, *, part_id: int, profile: Profile, mode: str, claimer: str, own_run: bool
) -> None:
    """Sync one part's profile; a failure is recorded on the part (and raised again in the run's worker)."""
    part_ctx = replace(ctx, counts=Counter())
    with _ClaimHeartbeat(ctx.services, part_id=part_id, claimer=claimer):
        try:
            sync_profile_entities(part_ctx, profile, mode=mode)
        except (LeaseLost, SyncStopped):
            with session_scope(ctx.services.engine) as session:
                parts_repo.release_part(session, part_id=part_id, claimer=claimer)
            raise
        except Exception as exc:
            _finish(ctx, part_id, claimer, part_ctx.counts, error=_failure(ctx, exc, log=not own_run))
            if own_run:
                raise  # the run's worker ends the run with it, as a sequential sync would
            return
    _finish(ctx, part_id, claimer, part_ctx.counts)


def _failure(ctx: SyncContext, exc: Exception, *, log: bool) -> tuple[str, bool]:
    """(what the region card says, whether Amazon refused the grant); logged when `log`."""
    if isinstance(exc, ReconnectRequired):
        return RECONNECT, True
    if isinstance(exc, (AmazonAdsError, NotConnected, VaultError)):
        if log:
            log_failure(ctx.connection_id, exc)
        return describe_failure(exc), False
    ref = uuid.uuid4().hex[:8]
    if log:
        logger.exception("sync.part_crashed", extra={"connection_id": ctx.connection_id, "ref": ref})
    return f"Something went wrong (ref `{ref}`); the next sync tries again.", False


def _finish(
    ctx: SyncContext, part_id: int, claimer: str, counts: Counter[str], error: tuple[str, bool] | None = None
) -> None:
    message, reconnect = error if error is not None else (None, False)
    with session_scope(ctx.services.engine) as session:
        parts_repo.finish_part(
            session, part_id=part_id, claimer=claimer, counts=counts, error=message, reconnect=reconnect
        )


class _ClaimHeartbeat:
    """Renews one part's claim every `CLAIM_RENEW_EVERY` in a daemon thread while the part is synced."""

    def __init__(self, services: Services, *, part_id: int, claimer: str) -> None:
        self._services, self._part_id, self._claimer = services, part_id, claimer
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"claim-{part_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(CLAIM_RENEW_EVERY.total_seconds()):
            try:
                with session_scope(self._services.engine) as session:
                    kept = parts_repo.renew_part(
                        session,
                        part_id=self._part_id,
                        claimer=self._claimer,
                        now=self._services.now(),
                        ttl=CLAIM_TTL,
                    )
            except Exception:  # a database hiccup: the next beat tries again
                logger.warning("sync.part_heartbeat_failed", extra={"part": self._part_id})
                continue
            if not kept:
                return

    def __enter__(self) -> _ClaimHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
