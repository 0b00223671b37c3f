"""What the campaign list and Details show of pacing: the latest usage line and the day's readings.

The spend estimate is usage times budget of the reading (Amazon's figure, not a report): an estimate, shown
labelled, never added to report spend.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from bot.services.pacing.days import local_clock
from bot.viewmodels.pacing import PacingLineVM, PacingReadingsVM, PacingReadingVM
from storage.models import Campaign, CampaignPacing, Profile
from storage.repositories.pacing import latest_pacing, list_readings

__all__ = ["estimated_spend", "pacing_lines", "pacing_readings"]

_HUNDRED = Decimal(100)


def estimated_spend(budget: Decimal | None, percent: Decimal) -> Decimal | None:
    """Usage times budget, in the budget's currency (None without one): an estimate, not a report figure."""
    return budget * percent / _HUNDRED if budget is not None else None


def _line(row: CampaignPacing, now: datetime) -> PacingLineVM:
    return PacingLineVM(
        percent=row.percent,
        read_at=row.amazon_updated_at or row.read_at,
        today=row.day_ends_at > now,
        estimate=estimated_spend(row.budget, row.percent),
        currency=row.currency,
    )


def pacing_lines(session: Session, *, campaign_pks: Iterable[int], now: datetime) -> dict[int, PacingLineVM]:
    """Each campaign's latest usage line (campaigns never read are absent)."""
    return {pk: _line(row, now) for pk, row in latest_pacing(session, campaign_pks=campaign_pks).items()}


def pacing_readings(session: Session, *, campaign_pk: int, now: datetime) -> PacingReadingsVM | None:
    """The readings of the campaign's latest day with readings; None when it was never read."""
    latest = latest_pacing(session, campaign_pks=[campaign_pk]).get(campaign_pk)
    campaign = session.get(Campaign, campaign_pk)
    profile = session.get(Profile, campaign.profile_pk) if campaign is not None else None
    if latest is None or profile is None:
        return None
    rows = list_readings(session, campaign_pk=campaign_pk, local_date=latest.local_date)
    readings = tuple(
        PacingReadingVM(at=local_clock(profile.timezone, r.amazon_updated_at or r.read_at), percent=r.percent)
        for r in rows
    )
    return PacingReadingsVM(day=latest.local_date.isoformat(), readings=readings, latest=_line(latest, now))
