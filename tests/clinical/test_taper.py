"""Opioid taper schedules: never up, always to zero, whole tablets."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.opioids import TaperBasis, TaperRounding, taper_schedule


def doses(steps: tuple[object, ...]) -> list[float]:
    return [s.daily_dose for s in steps]  # type: ignore[attr-defined]


def test_ten_percent_of_the_original_dose_per_week() -> None:
    steps = taper_schedule(40, [5, 10], start_date=date(2026, 1, 5), drug="oxycodone")
    assert doses(steps) == [40, 35, 30, 30, 25, 20, 15, 10, 10, 5, 0]
    assert [s.day for s in steps[:3]] == [0, 7, 14]
    assert steps[1].start_date == date(2026, 1, 12)
    assert steps[1].units == ((10.0, 3), (5.0, 1))
    assert steps[0].mme_per_day == 60 and steps[-1].mme_per_day == 0
    assert steps[1].reduction == 5 and steps[-1].units == ()


def test_start_dose_need_not_be_achievable_but_later_steps_are() -> None:
    steps = taper_schedule(17, [10], basis=TaperBasis.CURRENT, fraction=0.25)
    assert doses(steps) == [17, 10, 0]


def test_rounding_down_never_exceeds_the_target() -> None:
    steps = taper_schedule(20, [5], fraction=0.1, rounding=TaperRounding.DOWN)
    # targets 18, 16, 14, 12, 10, 8, 6, 4 -> the largest multiple of 5 not above each
    assert doses(steps) == [20, 15, 15, 10, 10, 10, 5, 5, 0]


def test_current_basis_never_stalls() -> None:
    steps = taper_schedule(5, [5], basis=TaperBasis.CURRENT, fraction=0.05)
    assert doses(steps) == [5, 0]


def test_patch_taper_in_mcg_per_hour() -> None:
    steps = taper_schedule(75, [12, 25, 50], fraction=0.25, drug="fentanyl-patch")
    assert doses(steps)[-1] == 0
    assert steps[0].mme_per_day == pytest.approx(180)


def test_buprenorphine_taper_has_no_mme() -> None:
    steps = taper_schedule(16, [2, 8], drug="buprenorphine")
    assert all(step.mme_per_day is None for step in steps)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start_daily_dose": 0, "strengths": [5]},
        {"start_daily_dose": 10, "strengths": []},
        {"start_daily_dose": 10, "strengths": [0]},
        {"start_daily_dose": 10, "strengths": [5], "fraction": 0},
        {"start_daily_dose": 10, "strengths": [5], "fraction": 1.5},
        {"start_daily_dose": 10, "strengths": [5], "interval_days": 0},
        {"start_daily_dose": 10, "strengths": [0.0001]},
        {"start_daily_dose": 1000, "strengths": [1], "fraction": 0.001},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        taper_schedule(**kwargs)  # type: ignore[arg-type]


@given(
    start=st.integers(1, 400) | st.floats(0.5, 400),
    strengths=st.lists(st.sampled_from([2, 2.5, 5, 7.5, 10, 15, 20, 30]), min_size=1, max_size=3),
    fraction=st.sampled_from([0.05, 0.1, 0.2, 0.25, 0.5, 1.0]),
    basis=st.sampled_from(list(TaperBasis)),
    rounding=st.sampled_from(list(TaperRounding)),
)
def test_never_increases_always_ends_at_zero_whole_units(
    start: float,
    strengths: list[float],
    fraction: float,
    basis: TaperBasis,
    rounding: TaperRounding,
) -> None:
    steps = taper_schedule(start, strengths, fraction=fraction, basis=basis, rounding=rounding)
    values = doses(steps)
    assert values[0] == pytest.approx(start)
    assert values[-1] == 0
    assert all(later <= earlier for earlier, later in pairwise(values))
    assert values.count(0) == 1
    for step in steps[1:]:
        assert step.daily_dose == pytest.approx(sum(s * n for s, n in step.units))
        assert all(s in strengths for s, _ in step.units)
