"""Outcome follow-up schedule: baseline, 2 weeks, 6 weeks, 3, 12 (and 24) months.

Source: spinepath design (PROMs at baseline, 2 w, 6 w, 3 m, 12 m, 24 m
optional), in line with registry practice such as QOD's 12-month outcome
(reference clinical.md §2).

[U] The windows are spinepath's defaults, not taken from a registry manual;
they are configurable (ScheduleConfig). They are chosen so that consecutive
windows never overlap and each window contains its due date. Months are
calendar months from the surgery date, clamped to the end of a shorter month
(31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from spinepath.clinical.evidence import Evidence

SCHEDULE_SOURCE = "spinepath default follow-up windows (unverified, configurable)"


@dataclass(frozen=True)
class TimepointRule:
    id: str
    label: str
    days: int = 0  # offset from the surgery date in days …
    months: int = 0  # … or in calendar months
    before_days: int = 0  # window opens this many days before the due date
    after_days: int = 0  # and closes this many days after it
    optional: bool = False
    source: str = SCHEDULE_SOURCE
    evidence: Evidence = Evidence.UNVERIFIED


@dataclass(frozen=True)
class Timepoint:
    id: str
    label: str
    due: date
    window_start: date
    window_end: date

    def contains(self, day: date) -> bool:
        return self.window_start <= day <= self.window_end


# [U] Baseline: within 90 days before surgery, up to the day of surgery
# (answered before the operation). 2 weeks: days 10-21. 6 weeks: days 35-56.
# 3 months: 2 weeks before to 4 weeks after. 12 months: 1 month before to 2
# months after. 24 months: 2 months before to 3 months after.
DEFAULT_RULES: tuple[TimepointRule, ...] = (
    TimepointRule("baseline", "Baseline (before surgery)", before_days=90),
    TimepointRule("2w", "2 weeks", days=14, before_days=4, after_days=7),
    TimepointRule("6w", "6 weeks", days=42, before_days=7, after_days=14),
    TimepointRule("3m", "3 months", months=3, before_days=14, after_days=28),
    TimepointRule("12m", "12 months", months=12, before_days=30, after_days=60),
    TimepointRule("24m", "24 months", months=24, before_days=60, after_days=90, optional=True),
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(
    surgery_date: date,
    include_24_months: bool = False,
    rules: tuple[TimepointRule, ...] = DEFAULT_RULES,
) -> tuple[Timepoint, ...]:
    """The timepoints in order, each with its due date and inclusive window."""
    timepoints: list[Timepoint] = []
    for rule in rules:
        if rule.optional and not include_24_months:
            continue
        due = add_months(surgery_date, rule.months) + timedelta(days=rule.days)
        timepoints.append(
            Timepoint(
                id=rule.id,
                label=rule.label,
                due=due,
                window_start=due - timedelta(days=rule.before_days),
                window_end=due + timedelta(days=rule.after_days),
            )
        )
    for earlier, later in pairwise(timepoints):
        if later.window_start <= earlier.window_end:
            raise ValueError(f"follow-up windows {earlier.id} and {later.id} overlap")
    return tuple(timepoints)
