"""Posting due digests: exactly once per subscription and local date, paced per channel, 429-safe.

For each subscription whose `next_due_at` has come:
1. Work out the slot's local date; more than `grace` late → skip to the next slot (no stale digests).
2. **Claim** the (subscription, local date) delivery row in its own committed transaction: an insert
   that does nothing on conflict. Only the winner goes on; a failed claim (nothing reached Slack) or one
   abandoned in `claimed` state is retaken by a conditional update.
3. Build the digest; with a chart, render it (memoised by content) and upload it privately (files
   upload v2, no channel; once per distinct chart and team per run), so the first message carries it as
   an image block (`slack_file`). Mark the claim `posting`, post the first message (429 → wait
   `Retry-After` and retry, through the injected `sleep`; a refused just-uploaded file → one retry after
   `file_ready_wait`, then the digest without the chart), then mark it `posted` and schedule the next
   slot.
   **At most once.** Between Slack's answer and the bookkeeping the outcome is unknowable: a claim in
   `posting` is never posted again, because a second copy of a digest is worse than a missing one. A
   timeout or dropped connection while posting marks the claim `unknown` at once; a claim left `posting`
   by a process that died is marked `unknown` by the first tick after `abandoned_after` (15 minutes; until
   then its holder may still be at work). Either way the next slot is scheduled, and `/hilal digest list`
   says that day's digest may not have been posted.
4. Errors that only a person can fix pause instead of retrying every minute (`PAUSE_ERRORS`):
   `channel_not_found`, `not_in_channel`, `is_archived`, `missing_scope` pause the subscription and DM
   the subscriber once. A dead token (`invalid_auth`, `token_revoked`, `account_inactive`,
   `not_authed`: `INSTALLATION_ERRORS`) pauses every subscription of the team at once and DMs nobody
   (nothing can reach that workspace): the pause reason (`/hilal digest list`) and the log line
   `digest.installation_lost` are the record; the team's other due digests of the run are skipped.
5. Thread replies (marketplaces that did not fit) go out after all first messages, so no channel gets
   two posts closer than `channel_interval` seconds, without holding up other channels.
Finally connections behind subscriptions due in `refresh_lead` get a report sync started ahead.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.services.digest.build import build_digest
from bot.services.digest.chart import CHART_ALT_TEXT, CHART_TITLE, render_chart_png
from bot.services.digest.ports import (
    INSTALLATION_ERRORS,
    PAUSE_ERRORS,
    ChannelSender,
    DeliveryOptions,
    DigestRendering,
    DigestRunReport,
    DigestSlack,
    RenderedMessage,
    SlackCallError,
    pause_notice,
)
from bot.services.digest.schedule import next_slot, slot_date, slot_instant
from bot.services.digest.subscriptions import scope_of
from bot.services.sync import start_sync
from storage.db import session_scope
from storage.models import Connection, ConnectionStatus, DigestDelivery, DigestSubscription
from storage.repositories import digests as repo
from storage.repositories.digests import DeliveryStatus

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.wiring import Services

__all__ = [
    "INSTALLATION_ERRORS",
    "PAUSE_ERRORS",
    "DeliveryOptions",
    "DigestRunReport",
    "DigestSlack",
    "SlackCallError",
    "deliver_due_digests",
    "pause_notice",
]

logger = logging.getLogger(__name__)


_UPLOADS = "files.upload"  # the key of a team's chart uploads in the run report (they go to no channel)


@dataclass(frozen=True)
class _FollowUp:
    team_id: str
    channel: str
    thread_ts: str
    message: dict[str, Any]


class _ChartFiles:
    """Uploads each distinct chart once per team and run; remembers file ids (None: the upload failed).

    Uploads post nothing to a channel, so they are not paced per channel; 429s are still retried.
    """

    def __init__(self, sender: ChannelSender) -> None:
        self._sender = ChannelSender(replace(sender.options, channel_interval=0.0), sender.report)
        self._ids: dict[tuple[str, str], str | None] = {}
        self.seconds = 0.0

    def upload(self, slack: DigestSlack, team_id: str, png: bytes, day: date) -> str | None:
        key = (team_id, hashlib.sha256(png).hexdigest())
        if key in self._ids:
            return self._ids[key]
        started = time.perf_counter()
        file_id: str | None = None
        try:
            file_id = self._sender.call(
                team_id,
                _UPLOADS,
                lambda: slack.upload_png(
                    data=png, filename=f"hilal-digest-{day}.png", title=CHART_TITLE, alt_text=CHART_ALT_TEXT
                ),
            )
            self._sender.report.uploads += 1
        except SlackCallError as exc:  # the digest goes out without its chart
            logger.warning("digest.chart_upload_failed", extra={"team_id": team_id, "error": exc.error})
        except Exception:
            logger.exception("digest.chart_upload_failed", extra={"team_id": team_id})
        self.seconds += time.perf_counter() - started
        self._ids[key] = file_id or None
        return self._ids[key]


def _next_due(row: DigestSubscription, slot: datetime, now: datetime) -> datetime:
    following = next_slot(slot, local_time=row.local_time, zone=row.timezone)
    return following if following > now else next_slot(now, local_time=row.local_time, zone=row.timezone)


def _settled(session: Session, existing: DigestDelivery, *, now: datetime, options: DeliveryOptions) -> bool:
    """Whether another process's claim on the slot is over, so the schedule moves on without posting.

    `claimed` and `failed` are not (a holder is at work, or a later tick retakes them); `posting` is once it
    is older than `abandoned_after`: its holder died between Slack's answer and the bookkeeping, so it is
    marked `unknown` and never posted again (at most once, see the module docstring).
    """
    if existing.status in (DeliveryStatus.CLAIMED, DeliveryStatus.FAILED):
        return False
    if existing.status != DeliveryStatus.POSTING:
        return True
    assert existing.id is not None
    if not repo.mark_posting_unknown(
        session,
        delivery_id=existing.id,
        claimed_before=now - options.abandoned_after,
        error="the process stopped while posting",
    ):
        return False
    logger.warning(
        "digest.post_outcome_unknown",
        extra={"subscription_id": existing.subscription_id, "local_date": str(existing.local_date)},
    )
    return True


def _claim(
    services: Services,
    row: DigestSubscription,
    day: date,
    now: datetime,
    options: DeliveryOptions,
    next_due: datetime,
) -> int | None:
    assert row.id is not None
    with session_scope(services.engine) as session:
        found = repo.claim_delivery(
            session, subscription_id=row.id, local_date=day, claimed_by=services.instance_id, now=now
        )
        if found is None:
            found = repo.retake_delivery(
                session,
                subscription_id=row.id,
                local_date=day,
                claimed_by=services.instance_id,
                now=now,
                abandoned_before=now - options.abandoned_after,
            )
        if found is None:
            existing = repo.get_delivery(session, subscription_id=row.id, local_date=day)
            if existing is not None and _settled(session, existing, now=now, options=options):
                repo.set_next_due(session, subscription_id=row.id, next_due_at=next_due)
        return found


def _mark(
    services: Services,
    delivery_id: int,
    status: str,
    *,
    next_due: tuple[int, datetime] | None = None,
    pause: tuple[int, str, datetime] | None = None,
    **values: Any,
) -> None:
    with session_scope(services.engine) as session:
        repo.mark_delivery(session, delivery_id=delivery_id, status=status, **values)
        if next_due is not None:
            repo.set_next_due(session, subscription_id=next_due[0], next_due_at=next_due[1])
        if pause is not None:
            repo.pause_subscription(session, subscription_id=pause[0], reason=pause[1], now=pause[2])


def _post_first(
    slack: DigestSlack,
    row: DigestSubscription,
    first: RenderedMessage,
    sender: ChannelSender,
    rendering: DigestRendering,
) -> str:
    """Post the digest's first message; its ts. A refused chart file: once more after a wait, then none."""

    def post(msg: RenderedMessage) -> str:
        return str(
            sender.call(
                row.team_id,
                row.channel_id,
                lambda: slack.post(channel=row.channel_id, text=msg["text"], blocks=msg["blocks"]),
            )
        )

    has_chart = rendering.has_chart(first)
    for attempt in range(2):
        try:
            return post(first)
        except SlackCallError as exc:
            if not has_chart or exc.error != "invalid_blocks":
                raise
        logger.info("digest.chart_refused", extra={"subscription_id": row.id, "attempt": attempt})
        if attempt == 0:
            sender.options.sleep(sender.options.file_ready_wait)
    return post(rendering.without_chart(first))


def _deliver_one(
    services: Services,
    slack: DigestSlack,
    row: DigestSubscription,
    *,
    now: datetime,
    sender: ChannelSender,
    charts: _ChartFiles,
    rendering: DigestRendering,
) -> list[_FollowUp]:
    options, report = sender.options, sender.report
    assert row.id is not None and row.next_due_at is not None
    day = slot_date(row.next_due_at, local_time=row.local_time, zone=row.timezone)
    slot = slot_instant(day, local_time=row.local_time, zone=row.timezone)
    next_due = _next_due(row, slot, now)
    if now - slot > options.grace:
        with session_scope(services.engine) as session:
            repo.set_next_due(session, subscription_id=row.id, next_due_at=next_due)
        report.skipped_late += 1
        logger.info("digest.skipped_late", extra={"subscription_id": row.id, "local_date": str(day)})
        return []
    delivery_id = _claim(services, row, day, now, options, next_due)
    if delivery_id is None:
        report.already_claimed += 1
        return []
    started, uploading = time.perf_counter(), charts.seconds
    try:
        built = build_digest(services, scope=scope_of(row), now=now)
        png = render_chart_png(built.chart, money=rendering.format_money) if row.chart else None
        file_id = charts.upload(slack, row.team_id, png, day) if png is not None else None
        messages = rendering.messages(replace(built.vm, chart_file_id=file_id))
    except Exception as exc:  # a broken digest must not stop the others; retried next tick
        logger.exception("digest.build_failed", extra={"subscription_id": row.id})
        _mark(services, delivery_id, DeliveryStatus.FAILED, error=type(exc).__name__)
        report.failed += 1
        return []
    report.build_seconds += time.perf_counter() - started - (charts.seconds - uploading)
    for index, msg in enumerate(messages):
        for problem in rendering.problems(msg):
            logger.warning(
                "digest.limit_problem",
                extra={"subscription_id": row.id, "message": index, "problem": problem},
            )
    _mark(services, delivery_id, DeliveryStatus.POSTING)
    try:
        ts = _post_first(slack, row, messages[0], sender, rendering)
    except SlackCallError as exc:
        _handle_post_error(services, slack, row, delivery_id, exc, now=now, sender=sender)
        return []
    except Exception as exc:  # timeout or connection loss: the post may have landed, so never retry it
        logger.exception("digest.post_outcome_unknown", extra={"subscription_id": row.id})
        _mark(
            services,
            delivery_id,
            DeliveryStatus.UNKNOWN,
            error=type(exc).__name__,
            next_due=(row.id, next_due),
        )
        report.failed += 1
        return []
    _mark(
        services,
        delivery_id,
        DeliveryStatus.POSTED,
        posted_at=now,
        message_ts=ts,
        next_due=(row.id, next_due),
    )
    report.sent += 1
    report.messages += 1
    return [_FollowUp(row.team_id, row.channel_id, ts, message=dict(m)) for m in messages[1:]]


def _handle_post_error(
    services: Services,
    slack: DigestSlack,
    row: DigestSubscription,
    delivery_id: int,
    exc: SlackCallError,
    *,
    now: datetime,
    sender: ChannelSender,
) -> None:
    assert row.id is not None
    extra = {"subscription_id": row.id, "team_id": row.team_id, "channel": row.channel_id, "error": exc.error}
    if exc.error in INSTALLATION_ERRORS:
        _mark(services, delivery_id, DeliveryStatus.FAILED, error=exc.error)
        _pause_team(services, row.team_id, exc.error, now=now, report=sender.report)
        return
    if exc.error in PAUSE_ERRORS:
        _mark(services, delivery_id, DeliveryStatus.FAILED, error=exc.error, pause=(row.id, exc.error, now))
        sender.report.paused += 1
        logger.info("digest.paused", extra=extra)
        sender.dm_quietly(
            row.team_id,
            row.subscriber_id,
            lambda: slack.dm(user_id=row.subscriber_id, text=pause_notice(row.channel_id, exc.error)),
            event="digest.pause_dm_failed",
            extra=extra,
        )
        return
    _mark(services, delivery_id, DeliveryStatus.FAILED, error=exc.error)
    sender.report.failed += 1
    logger.warning("digest.post_failed", extra=extra)


def _pause_team(
    services: Services, team_id: str, error: str, *, now: datetime, report: DigestRunReport
) -> None:
    """Pause every active subscription of a team whose Slack token is dead; nobody can be told in Slack."""
    with session_scope(services.engine) as session:
        channels = repo.pause_team_digests(session, team_id=team_id, reason=error, now=now)
    report.paused += len(channels)
    report.installations_lost.append(team_id)
    logger.warning(
        "digest.installation_lost",
        extra={"team_id": team_id, "error": error, "paused": len(channels), "channels": channels},
    )


def _send_follow_up(slack_for: Callable[[str], DigestSlack], item: _FollowUp, sender: ChannelSender) -> None:
    slack = slack_for(item.team_id)
    msg = item.message
    try:
        sender.call(
            item.team_id,
            item.channel,
            lambda: slack.post(
                channel=item.channel, text=msg["text"], blocks=msg["blocks"], thread_ts=item.thread_ts
            ),
        )
        sender.report.thread_replies += 1
    except SlackCallError as exc:
        logger.warning(
            "digest.follow_up_failed",
            extra={"team_id": item.team_id, "channel": item.channel, "error": exc.error},
        )
    except Exception:  # the digest itself is out; a lost thread reply is logged only
        logger.exception("digest.follow_up_failed", extra={"team_id": item.team_id, "channel": item.channel})


def _refresh_ahead(
    services: Services, *, now: datetime, options: DeliveryOptions, report: DigestRunReport
) -> None:
    start = now + options.refresh_lead
    with session_scope(services.engine, readonly=True) as session:
        upcoming = repo.list_subscriptions_due_between(session, start=start, end=start + options.tick)
        wanted = {(s.team_id, r) for s in upcoming for r in scope_of(s).regions}
        connections: list[Connection] = (
            repo.list_connections_for_teams(session, team_ids=sorted({t for t, _ in wanted}))
            if wanted
            else []
        )
    fresh_after = now - timedelta(hours=1)
    targets = [
        c
        for c in connections
        if (c.team_id, c.region) in wanted
        and c.status == ConnectionStatus.CONNECTED
        and (c.last_success_at is None or c.last_success_at < fresh_after)
    ]
    if not targets:
        return
    for connection in targets:
        assert connection.id is not None
        try:
            result = start_sync(services, connection_id=connection.id, kind="reports")
        except Exception:  # a refresh is best effort: the digest still goes out with what is stored
            logger.warning("digest.refresh_failed", exc_info=True, extra={"connection_id": connection.id})
            continue
        if result == "started":
            report.refreshes_started += 1


def deliver_due_digests(
    services: Services,
    slack_for: Callable[[str], DigestSlack],
    *,
    now: datetime,
    rendering: DigestRendering,
    options: DeliveryOptions | None = None,
) -> DigestRunReport:
    """Post every digest due at `now` (see the module docstring).

    Args:
        services: Shared services (engine, instance id for claims).
        slack_for: The Slack calls for a team id.
        now: The current instant (UTC).
        rendering: How a digest becomes messages (`bot.blocks.digest.BLOCK_KIT_DIGEST`).
        options: Pacing, retry and grace settings.

    Returns:
        Counts of what happened, the posts in order (for pacing checks) and the time spent building.
    """
    options = options or DeliveryOptions()
    report = DigestRunReport()
    sender = ChannelSender(options, report)
    with session_scope(services.engine, readonly=True) as session:
        due = repo.list_due_subscriptions(session, now=now, limit=options.batch)
    report.due = len(due)
    follow_ups: list[_FollowUp] = []
    charts = _ChartFiles(sender)
    for row in due:
        if row.team_id in report.installations_lost:  # paused with the team: nothing can reach it
            continue
        slack = slack_for(row.team_id)
        follow_ups += _deliver_one(
            services, slack, row, now=now, sender=sender, charts=charts, rendering=rendering
        )
    for item in follow_ups:
        _send_follow_up(slack_for, item, sender)
    _refresh_ahead(services, now=now, options=options, report=report)
    return report
