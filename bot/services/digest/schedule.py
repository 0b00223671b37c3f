"""When a digest is due: local wall-clock times in IANA zones, turned into UTC instants with zoneinfo.

A subscription's *slot* on a local date is `local_time` on that date in its zone. Across daylight-saving
changes zoneinfo's `fold=0` rules apply: a time that does not exist (the spring-forward gap, e.g. 02:30 in
Berlin on the last Sunday of March) is posted one hour later on the wall clock (03:30), and a time that
exists twice (the autumn fall-back) is posted at its first occurrence. Either way there is exactly one
slot per local date, and the delivery claim is keyed by that date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "format_local",
    "local_today",
    "next_slot",
    "parse_local_time",
    "parse_zone",
    "slot_date",
    "slot_instant",
]

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_local_time(text: str) -> str:
    """`9:00` / `09:00` / `21:30` → `"HH:MM"`.

    Raises:
        ValueError: not a 24-hour time.
    """
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"`{text[:20]}` is not a time: use 24-hour HH:MM, e.g. 09:00 or 17:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. `Europe/Berlin`, `UTC`).

    Raises:
        ValueError: unknown zone.
    """
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"`{name[:40]}` is not a time zone: use an IANA name such as Europe/Berlin."
        ) from None


def _clock(local_time: str) -> time:
    hours, minutes = parse_local_time(local_time).split(":")
    return time(int(hours), int(minutes))


def slot_instant(local_date: date, *, local_time: str, zone: str) -> datetime:
    """The UTC instant of the slot on `local_date` (see the module docstring for DST gaps and overlaps)."""
    wall = datetime.combine(local_date, _clock(local_time), tzinfo=parse_zone(zone))
    return wall.astimezone(UTC)


def slot_date(instant: datetime, *, local_time: str, zone: str) -> date:
    """The local date whose slot is the latest one at or before `instant`."""
    local_day = instant.astimezone(parse_zone(zone)).date()
    if slot_instant(local_day, local_time=local_time, zone=zone) <= instant:
        return local_day
    return local_day - timedelta(days=1)


def next_slot(after: datetime, *, local_time: str, zone: str, inclusive: bool = False) -> datetime:
    """The first slot instant after `after` (or at it, with `inclusive`)."""
    day = after.astimezone(parse_zone(zone)).date() - timedelta(days=1)
    for offset in range(4):
        candidate = slot_instant(day + timedelta(days=offset), local_time=local_time, zone=zone)
        if candidate > after or (inclusive and candidate == after):
            return candidate
    raise AssertionError("unreachable: a slot exists on every local date")  # pragma: no cover


def local_today(now: datetime, zone: str) -> date:
    """Today's date in `zone`."""
    return now.astimezone(parse_zone(zone)).date()


def format_local(instant: datetime, zone: str) -> str:
    """`Tue 14 May 09:00 CEST` in `zone`."""
    local = instant.astimezone(parse_zone(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname() or zone}"
