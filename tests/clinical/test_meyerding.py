"""Meyerding grade: boundaries belong to the lower grade."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.complications import MeyerdingGrade, meyerding_grade
from spinepath.clinical.meyerding import slip_percent


@pytest.mark.parametrize(
    ("percent", "grade"),
    [(0, "I"), (10, "I"), (25, "I"), (25.01, "II"), (26, "II"), (50, "II"), (51, "III"),
     (75, "III"), (76, "IV"), (100, "IV"), (100.5, "V"), (101, "V"), (150, "V")],
)  # fmt: skip
def test_boundaries(percent: float, grade: str) -> None:
    assert meyerding_grade(percent) == MeyerdingGrade(grade)


def test_high_grade_is_iii_to_v() -> None:
    assert [g.high_grade for g in MeyerdingGrade] == [False, False, True, True, True]


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "30", True])
def test_invalid_slip_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        meyerding_grade(bad)  # type: ignore[arg-type]


def test_slip_percent() -> None:
    assert slip_percent(10, 40) == 25
    assert meyerding_grade(slip_percent(10, 40)) is MeyerdingGrade.I
    with pytest.raises(ValueError):
        slip_percent(10, 0)


@given(st.floats(0, 300), st.floats(0, 300))
def test_monotone(a: float, b: float) -> None:
    order = list(MeyerdingGrade)
    low, high = sorted((a, b))
    assert order.index(meyerding_grade(low)) <= order.index(meyerding_grade(high))
