"""The one rounding rule used for every reported clinical number.

Scores are computed exactly (Fraction or Decimal) and rounded once, at the
end, half away from zero ("round half up" as taught on score sheets:
35.555... -> 35.56, 2.125 -> 2.13). Python's round() rounds half to even and
works on binary floats, so 2.675 would become 2.67; that is why it is not used.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction


def to_decimal(value: Fraction | Decimal | int | float | str) -> Decimal:
    """Convert without binary-float surprises (a float goes through its repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 60
            return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_half_up(value: Fraction | Decimal | int | float, places: int) -> Decimal:
    """Round half away from zero to ``places`` decimals."""
    with localcontext() as ctx:
        ctx.prec = 60
        return to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rounded_float(value: Fraction | Decimal | int | float, places: int) -> float:
    return float(round_half_up(value, places))
