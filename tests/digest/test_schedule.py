"""Slots in local time across zones and daylight-saving switches."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.digest import next_slot, parse_local_time, parse_zone
from bot.services.digest.schedule import slot_date, slot_instant


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Asia/Tokyo", date(2025, 3, 30), utc(2025, 3, 30, 0, 0)),  # no DST in Japan
        ("Europe/Berlin", date(2025, 3, 29), utc(2025, 3, 29, 8, 0)),  # CET
        ("Europe/Berlin", date(2025, 3, 30), utc(2025, 3, 30, 7, 0)),  # CEST from that night
        ("Europe/Berlin", date(2025, 10, 26), utc(2025, 10, 26, 8, 0)),  # back to CET
        ("America/Los_Angeles", date(2025, 3, 8), utc(2025, 3, 8, 17, 0)),  # PST
        ("America/Los_Angeles", date(2025, 3, 9), utc(2025, 3, 9, 16, 0)),  # PDT
        ("America/Los_Angeles", date(2025, 11, 2), utc(2025, 11, 2, 17, 0)),  # PST again
    ],
)
def test_nine_oclock_local(zone: str, day: date, expected: datetime) -> None:
    assert slot_instant(day, local_time="09:00", zone=zone) == expected
    assert slot_date(expected, local_time="09:00", zone=zone) == day


def test_time_in_the_spring_gap_is_posted_an_hour_later_once() -> None:
    slot = slot_instant(date(2025, 3, 30), local_time="02:30", zone="Europe/Berlin")
    assert slot == utc(2025, 3, 30, 1, 30)  # 03:30 CEST: 02:30 does not exist that night
    assert next_slot(utc(2025, 3, 29, 12, 0), local_time="02:30", zone="Europe/Berlin") == slot
    assert next_slot(slot, local_time="02:30", zone="Europe/Berlin") == utc(2025, 3, 31, 0, 30)


def test_time_in_the_autumn_overlap_is_posted_at_its_first_occurrence_once() -> None:
    slot = slot_instant(date(2025, 10, 26), local_time="02:30", zone="Europe/Berlin")
    assert slot == utc(2025, 10, 26, 0, 30)  # the first 02:30 (CEST)
    after = next_slot(slot, local_time="02:30", zone="Europe/Berlin")
    assert after == utc(2025, 10, 27, 1, 30)  # not the second 02:30 an hour later
    assert slot_date(utc(2025, 10, 26, 1, 30), local_time="02:30", zone="Europe/Berlin") == date(2025, 10, 26)


def test_next_slot_inclusive_and_across_midnight() -> None:
    assert next_slot(utc(2025, 5, 14, 7, 0), local_time="09:00", zone="Europe/Berlin", inclusive=True) == utc(
        2025, 5, 14, 7, 0
    )
    assert next_slot(utc(2025, 5, 14, 7, 0), local_time="09:00", zone="Europe/Berlin") == utc(
        2025, 5, 15, 7, 0
    )
    # 23:30 Los Angeles is 06:30 UTC the next day
    assert next_slot(utc(2025, 5, 14, 0, 0), local_time="23:30", zone="America/Los_Angeles") == utc(
        2025, 5, 14, 6, 30
    )


@pytest.mark.parametrize("text", ["25:00", "9", "09:60", "nine", "9:5"])
def test_bad_times(text: str) -> None:
    with pytest.raises(ValueError, match="24-hour"):
        parse_local_time(text)


@pytest.mark.parametrize("name", ["Mars/Olympus", "../etc/passwd", "", "Europe/"])
def test_bad_zones(name: str) -> None:
    with pytest.raises(ValueError, match="IANA"):
        parse_zone(name)
