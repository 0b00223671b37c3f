"""Ground truth for tests: exactly what the API would serve right now, read without HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.amazon import sbsd
from sandbox.amazon.ads import LIST_KINDS
from sandbox.amazon.entities import ProfileSpec
from sandbox.amazon.listing import iter_all
from sandbox.amazon.metrics import CAMPAIGN_COLUMNS, TARGETING_COLUMNS, ReportQuery, iter_rows

__all__ = ["Truth"]


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class Truth:
    """Read-only views over a simulator's data, in API shapes (``sim.truth``)."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def _spec(self, profile_id: int | str) -> ProfileSpec:
        with self._state.lock:
            spec: ProfileSpec | None = self._state.profiles.get(int(profile_id))
        if spec is None:
            raise KeyError(f"unknown profile {profile_id}")
        return spec

    def profiles(
        self, user_id: str, region: str, *, profile_type_filter: str | None = None, access_level: str = "edit"
    ) -> list[dict[str, Any]]:
        """What ``GET /v2/profiles`` returns on ``region``'s host for ``user_id`` with these parameters."""
        types = {t.strip() for t in (profile_type_filter or "").split(",") if t.strip()}
        return [
            p.to_json()
            for p in self._state.user_profiles(user_id, region.lower())
            if (not types or p.profile_type in types) and (access_level == "view" or p.access == "edit")
        ]

    def profile(self, profile_id: int | str) -> dict[str, Any]:
        """One profile in the ``/v2/profiles`` shape (whatever its access level)."""
        return self._spec(profile_id).to_json()

    def campaigns(self, profile_id: int | str) -> list[dict[str, Any]]:
        """Every SP campaign, all states, in the order ``/sp/campaigns/list`` pages them."""
        return list(iter_all(LIST_KINDS["sp/campaigns/list"], self._spec(profile_id)))

    def ad_groups(self, profile_id: int | str) -> list[dict[str, Any]]:
        """Every SP ad group."""
        return list(iter_all(LIST_KINDS["sp/adGroups/list"], self._spec(profile_id)))

    def keywords(self, profile_id: int | str) -> list[dict[str, Any]]:
        """Every SP keyword."""
        return list(iter_all(LIST_KINDS["sp/keywords/list"], self._spec(profile_id)))

    def sb_campaigns(self, profile_id: int | str) -> list[dict[str, Any]]:
        """Every SB campaign."""
        return list(iter_all(LIST_KINDS["sb/v4/campaigns/list"], self._spec(profile_id)))

    def sd_campaigns(self, profile_id: int | str) -> list[dict[str, Any]]:
        """Every SD campaign."""
        spec = self._spec(profile_id)
        return [sbsd.sd_campaign(spec, i) for i in range(sbsd.sd_count(spec))]

    def _rows(
        self,
        profile_id: int | str,
        report_type: str,
        group: str,
        columns: tuple[str, ...],
        start: date | str,
        end: date | str,
    ) -> list[dict[str, Any]]:
        spec = self._spec(profile_id)
        with self._state.lock:
            query = ReportQuery(
                report_type,
                group,
                "DAILY",
                columns,
                _day(start),
                _day(end),
                self._state.now(),
                tuple(self._state.restatements),
            )
        return list(iter_rows(spec, query))

    def campaign_metrics(
        self,
        profile_id: int | str,
        start: date | str,
        end: date | str,
        *,
        columns: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of a DAILY ``spCampaigns`` report grouped by campaign (all columns unless given)."""
        cols = columns or ("date", *CAMPAIGN_COLUMNS["campaign"])
        return self._rows(profile_id, "spCampaigns", "campaign", cols, start, end)

    def keyword_metrics(
        self,
        profile_id: int | str,
        start: date | str,
        end: date | str,
        *,
        columns: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows of a DAILY ``spTargeting`` report grouped by targeting (all columns unless given)."""
        cols = columns or ("date", *TARGETING_COLUMNS)
        return self._rows(profile_id, "spTargeting", "targeting", cols, start, end)

    def report_rows(self, report_id: str) -> list[dict[str, Any]]:
        """The rows a completed report's download contains (its snapshot, not today's numbers)."""
        with self._state.lock:
            report = self._state.reports[report_id]
        return list(iter_rows(self._spec(report.profile_id), report.query))
