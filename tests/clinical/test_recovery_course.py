"""The expected course drawn behind a patient's recovery charts."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.discharge_plan import ProcedureGroup
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.recovery_course import (
    DEFAULT_FRACTIONS,
    SCALE_MAX,
    Band,
    CourseSettings,
    ExpectedCourse,
    Measure,
    expected_course,
)

G = ProcedureGroup


def by_day(course: ExpectedCourse) -> dict[int, float]:
    return {p.day: p.expected for p in course.points}


def test_one_point_a_day_from_surgery_to_until_day() -> None:
    course = expected_course(Measure.BACK_PAIN, G.DECOMPRESSION_MISS, 8)
    assert [p.day for p in course.points] == list(range(91))
    long = expected_course(Measure.ODI, G.FUSION_OPEN, 40, until_day=365)
    assert len(long.points) == 366 and long.points[-1].day == 365
    assert len(expected_course(Measure.ODI, G.FUSION_OPEN, 40, until_day=0).points) == 1


def test_pain_follows_the_anchor_fractions_of_baseline() -> None:
    # Decompression MISS leg pain: 1.0 at day 0, 0.5 at day 2, 0.4 at 14, 0.35 at 42, 0.3 at 90.
    course = by_day(expected_course(Measure.LEG_PAIN, G.DECOMPRESSION_MISS, 8))
    assert course[0] == 8.0
    assert course[1] == 6.0  # halfway between 8 and 4
    assert course[2] == 4.0
    assert course[14] == 3.2
    assert course[42] == 2.8
    assert course[90] == 2.4


def test_course_is_held_after_the_last_anchor() -> None:
    course = by_day(expected_course(Measure.BACK_PAIN, G.DECOMPRESSION_MISS, 10, until_day=400))
    assert course[365] == course[400] == 4.0


def test_band_is_spread_of_baseline_with_a_floor_and_clamped_to_the_scale() -> None:
    point = expected_course(Measure.ODI, G.DECOMPRESSION_MISS, 50).points[0]
    assert (point.low, point.expected, point.high) == (40.0, 50.0, 60.0)  # ± 20 % of 50
    small = expected_course(Measure.BACK_PAIN, G.DECOMPRESSION_MISS, 2).points[0]
    assert (small.low, small.expected, small.high) == (1.0, 2.0, 3.0)  # floor 1 point
    top = expected_course(Measure.BACK_PAIN, G.DECOMPRESSION_MISS, 10).points[0]
    assert (top.low, top.expected, top.high) == (8.0, 10.0, 10.0)  # clamped to 10
    odi_top = expected_course(Measure.ODI, G.FUSION_OPEN, 100).points[0]
    assert odi_top.high == 100.0


def test_target_is_30_percent_below_baseline_and_verified() -> None:
    course = expected_course(Measure.ODI, G.FUSION_MISS, 40)
    assert course.target == 28.0
    assert course.target_evidence is Evidence.VERIFIED
    assert course.target_source is not None and "Ostelo" in course.target_source
    assert course.evidence is Evidence.UNVERIFIED
    assert course.source.startswith("[U]")
    assert expected_course(Measure.BACK_PAIN, G.FUSION_MISS, 7).target == 4.9


def test_a_custom_target_reduction_is_a_programme_setting() -> None:
    course = expected_course(Measure.ODI, G.FUSION_MISS, 40, CourseSettings(target_reduction=0.5))
    assert course.target == 20.0
    assert course.target_source == "programme setting"
    assert course.target_evidence is Evidence.UNVERIFIED


@pytest.mark.parametrize("measure", [Measure.BACK_PAIN, Measure.LEG_PAIN, Measure.ODI])
def test_no_baseline_means_no_course_and_no_target(measure: Measure) -> None:
    course = expected_course(measure, G.DECOMPRESSION_MISS, None)
    assert course.points == ()
    assert course.target is None and course.target_source is None
    assert course.to_json()["points"] == []


def test_baseline_zero_draws_zeros_without_a_target() -> None:
    course = expected_course(Measure.LEG_PAIN, G.DECOMPRESSION_MISS, 0)
    assert {p.expected for p in course.points} == {0.0}
    assert course.target is None


def test_walking_minutes_need_no_baseline() -> None:
    course = expected_course(Measure.WALKING, G.DECOMPRESSION_MISS, None)
    minutes = by_day(course)
    assert (minutes[1], minutes[14], minutes[42], minutes[90]) == (10.0, 30.0, 60.0, 60.0)
    assert course.target is None
    assert course.baseline is None
    # A baseline given for walking is ignored.
    assert expected_course(Measure.WALKING, G.DECOMPRESSION_MISS, 7).points == course.points
    point = course.points[14]
    assert (point.low, point.high) == (15.0, 45.0)  # ± 50 % of expected


def test_kyphoplasty_walking_is_like_decompression() -> None:
    assert (
        expected_course(Measure.WALKING, G.KYPHOPLASTY, None).points
        == expected_course(Measure.WALKING, G.DECOMPRESSION_MISS, None).points
    )


@pytest.mark.parametrize("day", [7, 14, 42, 90])
def test_fusion_and_open_walk_less_than_miss_decompression(day: int) -> None:
    def walk(group: ProcedureGroup) -> float:
        return by_day(expected_course(Measure.WALKING, group, None))[day]

    assert walk(G.FUSION_OPEN) <= walk(G.FUSION_MISS) <= walk(G.DECOMPRESSION_MISS)
    assert walk(G.DECOMPRESSION_OPEN) <= walk(G.DECOMPRESSION_MISS)
    assert walk(G.FUSION_OPEN) < walk(G.DECOMPRESSION_MISS)


@pytest.mark.parametrize("group", [G.DECOMPRESSION_MISS, G.DECOMPRESSION_OPEN])
def test_leg_pain_falls_faster_than_back_pain_after_decompression(group: ProcedureGroup) -> None:
    leg = by_day(expected_course(Measure.LEG_PAIN, group, 8, until_day=365))
    back = by_day(expected_course(Measure.BACK_PAIN, group, 8, until_day=365))
    for day in range(1, 366):
        assert leg[day] < back[day], day


def test_fusion_and_open_recover_more_slowly_than_miss_decompression() -> None:
    for measure in (Measure.BACK_PAIN, Measure.ODI):
        miss = by_day(expected_course(measure, G.DECOMPRESSION_MISS, 8))
        for group in (G.DECOMPRESSION_OPEN, G.FUSION_MISS, G.FUSION_OPEN):
            slower = by_day(expected_course(measure, group, 8))
            assert all(slower[d] >= miss[d] for d in range(91)), (measure, group)


def test_to_json() -> None:
    data = expected_course(Measure.LEG_PAIN, G.DECOMPRESSION_MISS, 8, until_day=1).to_json()
    assert data["measure"] == "leg_pain" and data["group"] == "decompression_miss"
    assert data["unit"] == "NRS 0-10" and data["scale_max"] == 10.0
    assert data["points"] == [
        {"day": 0, "expected": 8.0, "low": 6.4, "high": 9.6},
        {"day": 1, "expected": 6.0, "low": 4.4, "high": 7.6},
    ]
    assert data["target"] == 5.6 and data["target_evidence"] == "verified"
    assert data["evidence"] == "unverified"
    assert Measure.WALKING.value == "walking_minutes"


@pytest.mark.parametrize(
    ("measure", "baseline", "message"),
    [
        (Measure.BACK_PAIN, 11, "between 0 and 10"),
        (Measure.LEG_PAIN, -1, "between 0 and 10"),
        (Measure.ODI, 100.5, "between 0 and 100"),
        (Measure.ODI, float("nan"), "finite"),
    ],
)
def test_bad_baseline_is_refused(measure: Measure, baseline: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expected_course(measure, G.DECOMPRESSION_MISS, baseline)


def test_bad_until_day_and_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="until_day"):
        expected_course(Measure.ODI, G.DECOMPRESSION_MISS, 40, until_day=-1)
    with pytest.raises(ValueError, match="until_day"):
        expected_course(Measure.ODI, G.DECOMPRESSION_MISS, 40, until_day=10_000)
    rising = {
        group: {**anchors, Measure.ODI: ((0, 0.5), (14, 0.8))}
        for group, anchors in DEFAULT_FRACTIONS.items()
    }
    with pytest.raises(ValueError, match="never rise"):
        CourseSettings(fractions=rising)
    late = {
        group: {**anchors, Measure.ODI: ((1, 1.0), (14, 0.8))}
        for group, anchors in DEFAULT_FRACTIONS.items()
    }
    with pytest.raises(ValueError, match="start at day 0"):
        CourseSettings(fractions=late)
    with pytest.raises(ValueError, match="band spread"):
        Band(-0.1, 1)
    with pytest.raises(ValueError, match="target_reduction"):
        CourseSettings(target_reduction=1.5)


# --- properties -----------------------------------------------------------

baselines = {
    Measure.BACK_PAIN: st.integers(0, 10).map(float) | st.floats(0, 10),
    Measure.LEG_PAIN: st.integers(0, 10).map(float) | st.floats(0, 10),
    Measure.ODI: st.integers(0, 100).map(float) | st.floats(0, 100),
    Measure.WALKING: st.none(),
}
cases = st.sampled_from(list(Measure)).flatmap(
    lambda m: st.tuples(st.just(m), st.sampled_from(list(ProcedureGroup)), baselines[m])
)


@given(cases, st.integers(0, 400))
def test_course_stays_on_the_scale_and_inside_its_band(
    case: tuple[Measure, ProcedureGroup, float | None], until_day: int
) -> None:
    measure, group, baseline = case
    course = expected_course(measure, group, baseline, until_day=until_day)
    top = SCALE_MAX[measure]
    assert len(course.points) == until_day + 1
    for point in course.points:
        assert 0 <= point.low <= point.expected <= point.high
        if top is not None:
            assert point.high <= top
    if measure is not Measure.WALKING:
        assert baseline is not None
        expected = [p.expected for p in course.points]
        assert all(later <= earlier for earlier, later in pairwise(expected))
        assert course.points[0].expected == pytest.approx(baseline, abs=0.005)
        if baseline > 0:
            assert course.target is not None and course.target < baseline


@given(st.sampled_from(list(ProcedureGroup)), st.integers(0, 400))
def test_walking_never_falls(group: ProcedureGroup, until_day: int) -> None:
    minutes = [
        p.expected
        for p in expected_course(Measure.WALKING, group, None, until_day=until_day).points
    ]
    assert all(later >= earlier for earlier, later in pairwise(minutes))
