"""Progress of a sync shown in Slack by updating one message (chat.update), never failing the sync."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from bot.services.slack_ports import ChannelPoster, SlackCallError, SlackUnreachable
from bot.viewmodels import Region, SyncProgressVM

if TYPE_CHECKING:
    from bot.wiring import Services

__all__ = ["ENTITY_KEYS", "OnProgress", "ProgressReporter"]

logger = logging.getLogger(__name__)

ENTITY_KEYS = ("campaigns", "ad_groups", "keywords")
OnProgress = Callable[[int, int, Mapping[str, int]], None]
PENDING_NOTE = "This message is updated when Amazon delivers them (usually minutes, at most a few hours)."


class ProgressReporter:
    """Updates the message at `(channel, ts)`; does nothing without a target."""

    def __init__(
        self,
        services: Services,
        *,
        team_id: str,
        enterprise_id: str,
        region: str,
        target: tuple[str, str] | None,
        on_progress: OnProgress | None = None,
    ) -> None:
        self._services = services
        self._team = (team_id, enterprise_id)
        self._region = Region(region)
        self._target = target
        self._on_progress = on_progress

    @property
    def target(self) -> tuple[str, str] | None:
        """`(channel, ts)` of the message this reporter updates, if any."""
        return self._target

    def _show(
        self,
        *,
        done: int,
        total: int,
        counts: Mapping[str, int],
        days: int = 0,
        finished: bool = False,
        summary: str | None = None,
        error: str | None = None,
        reports_pending: int = 0,
    ) -> None:
        """Update the message (a `SyncProgressVM`); Slack failing is logged, never raised."""
        if self._target is None:
            return
        channel, ts = self._target
        vm = SyncProgressVM(
            region=self._region,
            profiles_done=done,
            profiles_total=total,
            counts=self._entities(counts),
            days=days,
            finished=finished,
            summary=summary,
            error=error,
            reports_pending=reports_pending,
        )
        try:
            poster: ChannelPoster = self._services.slack.workspace(*self._team)
            poster.show_sync_progress(channel=channel, ts=ts, progress=vm)
        except SlackCallError as exc:  # 429 after the client's retries, a dead token, a deleted message
            logger.warning("sync.progress_update_failed", extra={"error": exc.error})
        except SlackUnreachable as exc:  # Slack down: the sync does not depend on it
            logger.warning("sync.progress_update_failed", extra={"error": exc.kind})

    @staticmethod
    def _entities(counts: Mapping[str, int]) -> dict[str, int]:
        return {key: int(counts.get(key, 0)) for key in ENTITY_KEYS}

    def update(self, *, done: int, total: int, counts: Mapping[str, int], days: int = 0) -> None:
        """Profiles `done` of `total`, entities so far."""
        if self._on_progress is not None:
            self._on_progress(done, total, self._entities(counts))
        self._show(done=done, total=total, counts=counts, days=days)

    def finish(
        self,
        *,
        total: int,
        counts: Mapping[str, int],
        days: int,
        reports_pending: int,
        note: str | None = None,
    ) -> None:
        """The summary: "3 marketplaces: 412 campaigns, …, 30 days of performance", or, while Amazon
        still prepares `reports_pending` reports, "performance still loading"."""
        self._show(
            done=total,
            total=total,
            counts=counts,
            days=days,
            finished=True,
            summary=PENDING_NOTE if reports_pending else note,
            reports_pending=int(reports_pending),
        )

    def fail(self, *, done: int, total: int, counts: Mapping[str, int], error: str) -> None:
        """The sync stopped; what was synced is kept."""
        self._show(done=done, total=total, counts=counts, finished=True, error=error)
