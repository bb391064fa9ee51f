"""Neck Disability Index: percentage like the ODI, bands on the raw /50 score."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.instruments import get_instrument

NDI = get_instrument("ndi")


@pytest.mark.parametrize(
    ("raw", "band"),
    [(0, "none"), (4, "none"), (5, "mild"), (14, "mild"), (15, "moderate"), (24, "moderate"),
     (25, "severe"), (34, "severe"), (35, "complete"), (50, "complete")],
)  # fmt: skip
def test_vernon_bands_on_the_raw_score(raw: int, band: str) -> None:
    answers = [5] * (raw // 5) + ([raw % 5] if raw % 5 else [])
    answers += [0] * (10 - len(answers))
    result = NDI.score(answers)
    assert result.extra["raw"] == raw
    assert result.score == raw * 2  # percentage
    assert result.extra["band"] == band


def test_missing_item_takes_the_mean_of_the_others() -> None:
    # Vernon: "The average of all other items is then added to the completed items."
    result = NDI.score([3, 2, 1, 2, 1, 2, 1, None, 2, 2])  # 16 over 9 items
    assert result.extra["raw"] == 17.78  # 16 + 16/9
    assert result.score == 35.56
    assert result.extra["band"] == "moderate"


def test_imputed_raw_just_above_a_bound_is_in_the_higher_band() -> None:
    result = NDI.score([1, 1, 1, 1, 0, 0, 0, 0, 0, None])  # raw 4 x 10/9 = 4.44
    assert result.extra["raw"] == 4.44
    assert result.extra["band"] == "mild"


def test_two_missing_items_are_not_scorable_by_default() -> None:
    result = NDI.score([1] * 8 + [None, None])
    assert result.score is None and result.extra["raw"] is None
    assert NDI.score([1] * 8 + [None, None], max_missing=2).score == 20.0


@given(
    answers=st.lists(st.integers(0, 5), min_size=10, max_size=10),
    position=st.integers(0, 9),
)
def test_monotone_and_raw_is_half_the_percentage(answers: list[int], position: int) -> None:
    worse = list(answers)
    worse[position] = min(worse[position] + 1, 5)
    before, after = NDI.score(answers), NDI.score(worse)
    assert before.score is not None and after.score is not None
    assert 0 <= before.score <= after.score <= 100
    assert before.extra["raw"] == pytest.approx(before.score / 2, abs=0.006)
