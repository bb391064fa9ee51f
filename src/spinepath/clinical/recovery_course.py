"""The expected course drawn behind a patient's own recovery charts.

For back pain, leg pain (NRS 0-10) and the ODI (0-100) the course is a
fraction of the patient's own pre-operative baseline at anchor days after
surgery; for walking it is absolute minutes a day. Between anchors the
course is linear; after the last anchor it stays at the last value. There is
one point per day, from day 0 (the day of surgery) to ``until_day``, so
``points[d].day == d``. The band around the expected value is
``expected ± max(spread x reference, floor)``, where the reference is the
baseline for pain and the ODI and the expected value itself for walking,
clamped to the scale. Values are rounded half up to 2 decimals.

**Every anchor, spread and floor here is a spinepath programme default [U]**:
no stored source gives day-by-day recovery curves after spine surgery
(reference clinical.md §9.2 has only the time to walking, MIS 3.5 days sooner
than open fusion, Goldstein 2016 [V], and return-to-work times [U]). They
encode what the programme expects (leg pain falls faster than back pain after
decompression; fusion and open surgery recover more slowly than MIS
decompression; kyphoplasty relieves fracture pain quickly) and are
configurable per site through :class:`CourseSettings`.

The target line is the clinically important improvement, a 30 % reduction
from baseline (Ostelo 2008; Asher 2020; NORDSTEN 2024; reference clinical.md §2
[V2]), for pain and the ODI only. Without a baseline a pain or ODI course has
no points and no target: a baseline is never guessed. A baseline of 0 has a
course of zeros and no target (a relative improvement needs a baseline above 0,
as in :func:`spinepath.clinical.outcomes.classify_change`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from types import MappingProxyType

from spinepath.clinical.discharge_plan import ProcedureGroup
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.outcomes import RELATIVE_30
from spinepath.clinical.rounding import rounded_float

__all__ = [
    "COURSE_SOURCE",
    "COURSE_VERSION",
    "DEFAULT_BANDS",
    "DEFAULT_FRACTIONS",
    "DEFAULT_WALKING_MINUTES",
    "MAX_UNTIL_DAY",
    "SCALE_MAX",
    "TARGET_SOURCE",
    "Anchors",
    "Band",
    "CoursePoint",
    "CourseSettings",
    "ExpectedCourse",
    "Measure",
    "expected_course",
]

COURSE_VERSION = "2026.11-1"
MAX_UNTIL_DAY = 730  # two years: the registry's longest optional follow-up

COURSE_SOURCE = (
    "[U] spinepath programme default expected course (anchors, band); not in any stored source. "
    "Context: reference clinical.md §9.2 (MIS fusion walking 3.5 days sooner than open, "
    "Goldstein 2016 [V]; return-to-work times [U])"
)
SRC_SETTING = "programme setting"  # a target reduction other than the published 30 %
TARGET_SOURCE = (
    f"{RELATIVE_30.source}; NORDSTEN 2024 (30% relative change); reference clinical.md §2"
)


class Measure(StrEnum):
    BACK_PAIN = "back_pain"
    LEG_PAIN = "leg_pain"
    WALKING = "walking_minutes"
    ODI = "odi"


# The top of each scale; None = no upper bound (walking minutes a day).
SCALE_MAX: Mapping[Measure, float | None] = MappingProxyType(
    {Measure.BACK_PAIN: 10.0, Measure.LEG_PAIN: 10.0, Measure.ODI: 100.0, Measure.WALKING: None}
)
_UNITS: Mapping[Measure, str] = MappingProxyType(
    {
        Measure.BACK_PAIN: "NRS 0-10",
        Measure.LEG_PAIN: "NRS 0-10",
        Measure.ODI: "ODI 0-100",
        Measure.WALKING: "minutes/day",
    }
)
_RELATIVE = (Measure.BACK_PAIN, Measure.LEG_PAIN, Measure.ODI)

# (day after surgery, value): a fraction of baseline remaining for pain and the ODI,
# minutes a day for walking. The first anchor is day 0.
Anchors = tuple[tuple[int, float], ...]

_G = ProcedureGroup
_M = Measure

# [U] spinepath programme defaults: fraction of the pre-operative score remaining.
# Leg (radicular) pain falls within days of a decompression; back pain and the ODI
# fall over weeks; fusion and open approaches more slowly than MISS decompression;
# kyphoplasty relieves fracture (back) pain within a day or two.
DEFAULT_FRACTIONS: Mapping[ProcedureGroup, Mapping[Measure, Anchors]] = MappingProxyType(
    {
        _G.DECOMPRESSION_MISS: MappingProxyType(
            {
                _M.BACK_PAIN: ((0, 1.0), (14, 0.65), (42, 0.5), (90, 0.45), (365, 0.4)),
                _M.LEG_PAIN: ((0, 1.0), (2, 0.5), (14, 0.4), (42, 0.35), (90, 0.3), (365, 0.25)),
                _M.ODI: ((0, 1.0), (14, 0.8), (42, 0.6), (90, 0.5), (365, 0.45)),
            }
        ),
        _G.DECOMPRESSION_OPEN: MappingProxyType(
            {
                _M.BACK_PAIN: ((0, 1.0), (14, 0.75), (42, 0.55), (90, 0.5), (365, 0.45)),
                _M.LEG_PAIN: ((0, 1.0), (3, 0.55), (14, 0.45), (42, 0.4), (90, 0.35), (365, 0.3)),
                _M.ODI: ((0, 1.0), (14, 0.85), (42, 0.65), (90, 0.55), (365, 0.45)),
            }
        ),
        _G.FUSION_MISS: MappingProxyType(
            {
                _M.BACK_PAIN: ((0, 1.0), (14, 0.8), (42, 0.6), (90, 0.5), (365, 0.4)),
                _M.LEG_PAIN: ((0, 1.0), (3, 0.6), (14, 0.5), (42, 0.4), (90, 0.35), (365, 0.3)),
                _M.ODI: ((0, 1.0), (14, 0.9), (42, 0.7), (90, 0.55), (365, 0.45)),
            }
        ),
        _G.FUSION_OPEN: MappingProxyType(
            {
                _M.BACK_PAIN: ((0, 1.0), (14, 0.9), (42, 0.7), (90, 0.55), (365, 0.45)),
                _M.LEG_PAIN: ((0, 1.0), (4, 0.65), (14, 0.55), (42, 0.45), (90, 0.4), (365, 0.35)),
                _M.ODI: ((0, 1.0), (14, 0.95), (42, 0.75), (90, 0.6), (365, 0.5)),
            }
        ),
        _G.KYPHOPLASTY: MappingProxyType(
            {
                _M.BACK_PAIN: ((0, 1.0), (1, 0.6), (14, 0.45), (42, 0.4), (90, 0.35), (365, 0.35)),
                _M.LEG_PAIN: ((0, 1.0), (14, 0.7), (42, 0.6), (90, 0.55), (365, 0.5)),
                _M.ODI: ((0, 1.0), (14, 0.7), (42, 0.6), (90, 0.55), (365, 0.5)),
            }
        ),
    }
)

# [U] spinepath programme defaults: minutes of walking a day. MISS decompression and
# kyphoplasty: 10 on day 1, 30 by day 14, 60 by day 42. Fusion and open surgery are
# slower; open fusion starts walking later (consistent with Goldstein 2016, reference
# clinical.md §9.1/§9.2 [V], and the walking milestones of DEFAULT_MILESTONE_DAYS [U]).
DEFAULT_WALKING_MINUTES: Mapping[ProcedureGroup, Anchors] = MappingProxyType(
    {
        _G.DECOMPRESSION_MISS: ((0, 5.0), (1, 10.0), (14, 30.0), (42, 60.0)),
        _G.DECOMPRESSION_OPEN: ((0, 0.0), (1, 5.0), (14, 25.0), (42, 50.0), (90, 60.0)),
        _G.FUSION_MISS: ((0, 0.0), (1, 5.0), (14, 20.0), (42, 40.0), (90, 60.0)),
        _G.FUSION_OPEN: ((0, 0.0), (3, 5.0), (14, 15.0), (42, 30.0), (90, 45.0), (180, 60.0)),
        _G.KYPHOPLASTY: ((0, 5.0), (1, 10.0), (14, 30.0), (42, 60.0)),
    }
)


@dataclass(frozen=True)
class Band:
    """Half-width of the band: ``max(spread x reference, floor)``, in the scale's units."""

    spread: float  # a fraction of the baseline (pain, ODI) or of the expected value (walking)
    floor: float  # at least this many points (minutes for walking)

    def __post_init__(self) -> None:
        for name, value in (("spread", self.spread), ("floor", self.floor)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"band {name} must be a finite number of 0 or more")


# [U] spinepath programme defaults.
DEFAULT_BANDS: Mapping[Measure, Band] = MappingProxyType(
    {
        Measure.BACK_PAIN: Band(0.2, 1.0),  # ± 20 % of baseline, at least 1 NRS point
        Measure.LEG_PAIN: Band(0.2, 1.0),
        Measure.ODI: Band(0.2, 5.0),  # ± 20 % of baseline, at least 5 ODI points
        Measure.WALKING: Band(0.5, 5.0),  # ± 50 % of the expected minutes, at least 5
    }
)


def _check_anchors(anchors: Anchors, where: str, *, fraction: bool) -> None:
    if not anchors or anchors[0][0] != 0:
        raise ValueError(f"{where}: anchors must start at day 0")
    for (day, _), (later_day, _) in pairwise(anchors):
        if later_day <= day:
            raise ValueError(f"{where}: anchor days must increase")
    for day, value in anchors:
        if isinstance(day, bool) or not isinstance(day, int):
            raise ValueError(f"{where}: anchor day {day!r} must be a whole number")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{where}: anchor value {value!r} must be a finite number >= 0")
        if fraction and value > 1:
            raise ValueError(f"{where}: a fraction of baseline must be at most 1, got {value!r}")
    if fraction and any(later > earlier for (_, earlier), (_, later) in pairwise(anchors)):
        raise ValueError(f"{where}: the expected pain/ODI course must never rise")


@dataclass(frozen=True)
class CourseSettings:
    """Anchor tables per (ProcedureGroup, Measure), and bands; all [U] defaults."""

    fractions: Mapping[ProcedureGroup, Mapping[Measure, Anchors]] = field(
        default_factory=lambda: DEFAULT_FRACTIONS
    )
    walking_minutes: Mapping[ProcedureGroup, Anchors] = field(
        default_factory=lambda: DEFAULT_WALKING_MINUTES
    )
    bands: Mapping[Measure, Band] = field(default_factory=lambda: DEFAULT_BANDS)
    target_reduction: float = RELATIVE_30.threshold  # Ostelo 2008 / Asher 2020 [V]

    def __post_init__(self) -> None:
        for group in ProcedureGroup:
            for measure in _RELATIVE:
                try:
                    anchors = self.fractions[group][measure]
                except KeyError:
                    raise ValueError(f"no expected course for {group} {measure}") from None
                _check_anchors(anchors, f"{group} {measure}", fraction=True)
            if group not in self.walking_minutes:
                raise ValueError(f"no expected course for {group} {Measure.WALKING}")
            _check_anchors(self.walking_minutes[group], f"{group} walking", fraction=False)
        for measure in Measure:
            if measure not in self.bands:
                raise ValueError(f"no band for {measure}")
        if not 0 < self.target_reduction < 1:
            raise ValueError("target_reduction must be a fraction between 0 and 1")

    def anchors(self, measure: Measure, group: ProcedureGroup) -> Anchors:
        if measure is Measure.WALKING:
            return self.walking_minutes[group]
        return self.fractions[group][measure]


@dataclass(frozen=True)
class CoursePoint:
    day: int
    expected: float
    low: float
    high: float

    def to_json(self) -> dict[str, object]:
        return {"day": self.day, "expected": self.expected, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class ExpectedCourse:
    measure: Measure
    group: ProcedureGroup
    points: tuple[CoursePoint, ...]
    target: float | None  # the clinically important improvement line; None without baseline
    source: str
    evidence: Evidence
    baseline: float | None = None
    target_source: str | None = None
    target_evidence: Evidence | None = None
    version: str = COURSE_VERSION

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "measure": self.measure.value,
            "group": self.group.value,
            "unit": _UNITS[self.measure],
            "scale_max": SCALE_MAX[self.measure],
            "baseline": self.baseline,
            "points": [point.to_json() for point in self.points],
            "target": self.target,
            "target_source": self.target_source,
            "target_evidence": self.target_evidence.value if self.target_evidence else None,
            "source": self.source,
            "evidence": self.evidence.value,
        }


def _exact(value: float) -> Fraction:
    """A float as the decimal it was written as (0.65 -> 13/20), for exact arithmetic."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _interpolate(anchors: Anchors, day: int) -> Fraction:
    """Linear between anchors, held at the last anchor's value after it (exact)."""
    if day >= anchors[-1][0]:
        return _exact(anchors[-1][1])
    for (day0, value0), (day1, value1) in pairwise(anchors):
        if day0 <= day < day1:
            start, end = _exact(value0), _exact(value1)
            return start + (end - start) * Fraction(day - day0, day1 - day0)
    return _exact(anchors[0][1])  # not reached: day >= 0 and anchors start at day 0


def _clamp(value: Fraction, top: float | None) -> Fraction:
    value = max(Fraction(0), value)
    return value if top is None else min(_exact(top), value)


def expected_course(
    measure: Measure,
    group: ProcedureGroup,
    baseline: float | None,
    settings: CourseSettings | None = None,
    *,
    until_day: int = 90,
) -> ExpectedCourse:
    """The expected course of ``measure`` after surgery in ``group``, day 0 to ``until_day``.

    ``baseline`` is the pre-operative score (NRS 0-10, ODI 0-100); it is
    ignored for walking. Raises ValueError for a baseline off the scale or not
    finite, and for ``until_day`` outside 0..MAX_UNTIL_DAY.
    """
    settings = settings or CourseSettings()
    measure, group = Measure(measure), ProcedureGroup(group)
    if isinstance(until_day, bool) or not isinstance(until_day, int):
        raise ValueError(f"until_day must be a whole number of days, got {until_day!r}")
    if not 0 <= until_day <= MAX_UNTIL_DAY:
        raise ValueError(f"until_day must be between 0 and {MAX_UNTIL_DAY}, got {until_day}")
    top = SCALE_MAX[measure]
    relative = measure is not Measure.WALKING
    if relative and baseline is not None:
        if (
            isinstance(baseline, bool)
            or not isinstance(baseline, int | float)
            or not math.isfinite(baseline)
        ):
            raise ValueError(f"baseline must be a finite number, got {baseline!r}")
        if top is not None and not 0 <= baseline <= top:
            raise ValueError(f"a {measure} baseline must be between 0 and {top:g}, got {baseline}")
    course_baseline = float(baseline) if relative and baseline is not None else None

    points: list[CoursePoint] = []
    if not relative or course_baseline is not None:
        anchors = settings.anchors(measure, group)
        band = settings.bands[measure]
        base = None if course_baseline is None else _exact(course_baseline)
        spread, floor = _exact(band.spread), _exact(band.floor)
        for day in range(until_day + 1):
            value = _interpolate(anchors, day)
            expected = value if base is None else value * base
            half = max(spread * (expected if base is None else base), floor)
            points.append(
                CoursePoint(
                    day=day,
                    expected=rounded_float(_clamp(expected, top), 2),
                    low=rounded_float(_clamp(expected - half, top), 2),
                    high=rounded_float(_clamp(expected + half, top), 2),
                )
            )
    target: float | None = None
    target_source: str | None = None
    target_evidence: Evidence | None = None
    if course_baseline is not None and course_baseline > 0:
        reduction = _exact(settings.target_reduction)
        target = rounded_float(_exact(course_baseline) * (1 - reduction), 2)
        if settings.target_reduction == RELATIVE_30.threshold:
            target_source, target_evidence = TARGET_SOURCE, RELATIVE_30.evidence
        else:
            target_source, target_evidence = SRC_SETTING, Evidence.UNVERIFIED
    return ExpectedCourse(
        measure=measure,
        group=group,
        points=tuple(points),
        target=target,
        source=COURSE_SOURCE,
        evidence=Evidence.UNVERIFIED,
        baseline=course_baseline,
        target_source=target_source,
        target_evidence=target_evidence,
    )
