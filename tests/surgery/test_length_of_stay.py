from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from spinepath.surgery.actions import length_of_stay
from spinepath.surgery.models import LengthOfStay


def at(zone: str, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("zone", "start", "end", "hours", "category"),
    [
        ("America/New_York", (10, 9), (10, 21, 30), "12.5", LengthOfStay.SAME_DAY),
        ("Australia/Sydney", (10, 8), (10, 15), "7.0", LengthOfStay.SAME_DAY),
        ("Europe/London", (10, 23), (11, 1), "2.0", LengthOfStay.NEXT_DAY),
        ("Europe/London", (10, 9), (12, 9), "48.0", LengthOfStay.LONGER),
    ],
)
def test_category_follows_the_sites_calendar(zone, start, end, hours, category):
    got_hours, got_category = length_of_stay(at(zone, *start), at(zone, *end), zone)
    assert got_hours == Decimal(hours)
    assert got_category == category


def test_same_instants_differ_by_site_time_zone():
    # 22:00 to 02:00 UTC is one evening in New York but crosses midnight in London.
    start = datetime(2026, 3, 10, 22, tzinfo=ZoneInfo("UTC"))
    end = datetime(2026, 3, 11, 2, tzinfo=ZoneInfo("UTC"))
    assert length_of_stay(start, end, "America/New_York")[1] == LengthOfStay.SAME_DAY
    assert length_of_stay(start, end, "Europe/London")[1] == LengthOfStay.NEXT_DAY
