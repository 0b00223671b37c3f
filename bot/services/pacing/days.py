"""A marketplace's day: which local date an instant belongs to, when that day ends, how much is left.

Every figure is computed in the profile's IANA time zone with `zoneinfo`, so a day is 23 or 25 hours
long across a DST change, and Tokyo's midnight comes 14 hours before New York's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["day_end", "hours_left", "local_clock", "local_day", "zone_of"]


def zone_of(name: str) -> ZoneInfo:
    """The profile's zone; UTC when the name is unknown (a reading is still kept, on UTC's day)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(zone: str, instant: datetime) -> date:
    """The marketplace's date at `instant`."""
    return instant.astimezone(zone_of(zone)).date()


def day_end(zone: str, day: date) -> datetime:
    """The UTC instant the marketplace's `day` ends (its next local midnight)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone_of(zone)).astimezone(UTC)


def hours_left(zone: str, instant: datetime) -> int:
    """Whole hours (rounded) of the marketplace's day left after `instant`."""
    left = day_end(zone, local_day(zone, instant)) - instant
    return max(0, round(left / timedelta(hours=1)))


def local_clock(zone: str, instant: datetime) -> str:
    """`14:05 JST`: the local time with the zone's abbreviation."""
    local = instant.astimezone(zone_of(zone))
    return f"{local:%H:%M} {local.tzname() or zone}"
