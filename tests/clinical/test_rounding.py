"""The single rounding rule: exact value, half away from zero, once."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from spinepath.clinical.rounding import round_half_up, rounded_float


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(16, 45) * 100, 2, "35.56"),  # the ODI sheet's 16/45 example
        (Fraction(1, 8), 2, "0.13"),  # half: up, where round() would give 0.12
        (2.675, 2, "2.68"),  # binary float 2.67499999...: rounded from its repr
        (Decimal("-0.5735"), 3, "-0.574"),  # half away from zero
        (Decimal("-0.1090707"), 3, "-0.109"),
        (Fraction(32), 2, "32.00"),
    ],
)
def test_round_half_up(value: Fraction | Decimal | float, places: int, expected: str) -> None:
    assert round_half_up(value, places) == Decimal(expected)


def test_rounded_float_is_a_plain_float() -> None:
    assert rounded_float(Fraction(16, 45) * 100, 2) == 35.56
    assert round(Fraction(1, 8), 2) == Fraction(3, 25)  # Python's rule differs: why ours exists
    assert rounded_float(Fraction(1, 8), 2) == 0.13
