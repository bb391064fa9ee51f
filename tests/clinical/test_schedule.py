"""Follow-up schedule: timepoints, due dates and non-overlapping windows."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.schedule import (
    DEFAULT_RULES,
    TimepointRule,
    add_months,
    follow_up_schedule,
)


def test_default_timepoints_and_due_dates() -> None:
    schedule = follow_up_schedule(date(2026, 1, 15))
    assert [t.id for t in schedule] == ["baseline", "2w", "6w", "3m", "12m"]
    assert [t.due for t in schedule] == [
        date(2026, 1, 15), date(2026, 1, 29), date(2026, 2, 26), date(2026, 4, 15),
        date(2027, 1, 15),
    ]  # fmt: skip
    baseline = schedule[0]
    assert baseline.window_end == date(2026, 1, 15)  # before the operation, never after
    assert baseline.window_start == date(2026, 1, 15) - timedelta(days=90)


def test_24_months_is_optional() -> None:
    schedule = follow_up_schedule(date(2026, 1, 15), include_24_months=True)
    assert schedule[-1].id == "24m" and schedule[-1].due == date(2028, 1, 15)
    assert all(rule.source and rule.evidence == "unverified" for rule in DEFAULT_RULES)


def test_months_clamp_to_the_end_of_a_short_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert follow_up_schedule(date(2025, 11, 30))[3].due == date(2026, 2, 28)


def test_overlapping_custom_windows_are_refused() -> None:
    rules = (
        TimepointRule("a", "A", days=10, after_days=10),
        TimepointRule("b", "B", days=15, before_days=10),
    )
    with pytest.raises(ValueError, match="overlap"):
        follow_up_schedule(date(2026, 1, 1), rules=rules)


@given(
    surgery=st.dates(date(2000, 1, 1), date(2090, 12, 31)),
    include_24=st.booleans(),
)
def test_windows_contain_due_dates_in_order_without_overlap(
    surgery: date, include_24: bool
) -> None:
    schedule = follow_up_schedule(surgery, include_24)
    for point in schedule:
        assert point.window_start <= point.due <= point.window_end
        assert point.contains(point.due)
    for earlier, later in pairwise(schedule):
        assert earlier.due < later.due and earlier.window_end < later.window_start
    assert all(point.due >= surgery for point in schedule)
