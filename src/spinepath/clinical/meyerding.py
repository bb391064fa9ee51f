"""Meyerding grade of spondylolisthesis from the slip percentage.

Source: Meyerding HW 1932; https://radiopaedia.org/articles/meyerding-classification-of-spondylolisthesis
(reference clinical.md §8.4). Slip % = anterior translation / AP length of
the superior endplate of the vertebra below x 100. Grade I 0-25 %, II 26-50 %,
III 51-75 %, IV 76-100 %, V > 100 % (spondyloptosis). A boundary value
belongs to the lower grade (25 % is grade I); a value between two printed
ranges is above the lower grade's bound, so 25.5 % is grade II.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

MEYERDING_SOURCE = (
    "Meyerding classification, https://radiopaedia.org/articles/"
    "meyerding-classification-of-spondylolisthesis (boundary values take the lower grade)"
)


class MeyerdingGrade(StrEnum):
    I = "I"  # noqa: E741 - the grade is called I
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"

    @property
    def high_grade(self) -> bool:
        """Grades III-V; I-II are low grade."""
        return self in (MeyerdingGrade.III, MeyerdingGrade.IV, MeyerdingGrade.V)


@dataclass(frozen=True)
class MeyerdingBand:
    grade: MeyerdingGrade
    upper_percent: float | None  # inclusive; None = no upper bound
    source: str = MEYERDING_SOURCE


MEYERDING_BANDS: tuple[MeyerdingBand, ...] = (
    MeyerdingBand(MeyerdingGrade.I, 25),
    MeyerdingBand(MeyerdingGrade.II, 50),
    MeyerdingBand(MeyerdingGrade.III, 75),
    MeyerdingBand(MeyerdingGrade.IV, 100),
    MeyerdingBand(MeyerdingGrade.V, None),
)


def meyerding_grade(slip_percent: float) -> MeyerdingGrade:
    if isinstance(slip_percent, bool) or not isinstance(slip_percent, int | float):
        raise ValueError(f"slip percentage must be a number, got {slip_percent!r}")
    if not math.isfinite(slip_percent) or slip_percent < 0:
        raise ValueError(f"slip percentage must be 0 or more, got {slip_percent!r}")
    for band in MEYERDING_BANDS:
        if band.upper_percent is None or slip_percent <= band.upper_percent:
            return band.grade
    raise AssertionError("the last band has no upper bound")


def slip_percent(translation_mm: float, endplate_length_mm: float) -> float:
    """Anterior translation as a percentage of the lower vertebra's superior endplate."""
    if not endplate_length_mm > 0 or translation_mm < 0:
        raise ValueError("endplate length must be > 0 and translation >= 0")
    return translation_mm / endplate_length_mm * 100
