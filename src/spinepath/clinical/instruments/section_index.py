"""Scoring shared by the ODI and the NDI: ten 0-5 sections as a percentage.

Source: Fairbank ODI scoring sheet: "16 (total scored) / 50 (total possible
score) x 100 = 32%"; "If one section is missed or not applicable: 16 / 45 x 100"
— "for every question not answered, the denominator is reduced by 5"
(reference clinical.md §1.2). Vernon NDI: "The average of all other items is
then added to the completed items", which is the same percentage (§1.5).

Rounding: exact fraction, then two decimals half up (16/45 -> 35.56). The
sheet prints 35.5 (truncated) and AWELL rounds to 36; we keep two decimals so
that no information is lost and the rule is stated once (spinepath.clinical.rounding).

Bands: the published bands are integer ranges (0-20, 21-40 …); a value between
two ranges (20.5) belongs to the higher band, i.e. each band's upper bound is
inclusive and anything above it is in the next band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from spinepath.clinical.instruments.base import (
    Answers,
    InvalidOptionError,
    Item,
    Options,
    ScoreResult,
    missing_ids,
)
from spinepath.clinical.rounding import rounded_float

SECTION_MAX = 5

# [U] No stored primary text limits the number of missing sections; AWELL's rule
# (at most one) is the default and ``max_missing`` makes it configurable.
DEFAULT_MAX_MISSING = 1


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    low: int  # as printed in the source, for display
    high: int | None  # inclusive upper bound; None = no upper bound
    source: str

    def contains(self, value: Fraction) -> bool:
        return self.high is None or value <= self.high


def classify(value: Fraction, bands: Sequence[Band]) -> Band:
    for band in bands:
        if band.contains(value):
            return band
    raise AssertionError("the last band has no upper bound")


def max_missing_option(instrument_id: str, options: Options, sections: int) -> int:
    value = options.get("max_missing", DEFAULT_MAX_MISSING)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < sections:
        raise InvalidOptionError(
            f"{instrument_id}: max_missing must be a whole number from 0 to {sections - 1}"
        )
    return value


@dataclass(frozen=True)
class SectionSums:
    total: int
    answered: int
    missing: list[str]

    @property
    def fraction(self) -> Fraction:
        """Mean section score as a fraction of the maximum (0..1), exact."""
        return Fraction(self.total, SECTION_MAX * self.answered)


def sum_sections(items: Sequence[Item], answers: Answers) -> SectionSums:
    answered = [a for a in answers if a is not None]
    return SectionSums(sum(answered), len(answered), missing_ids(items, answers))


def not_scorable(
    instrument_id: str, version: str, sums: SectionSums, max_missing: int, null_keys: Sequence[str]
) -> ScoreResult | None:
    """The 'not scorable' result when too many sections are missing, else None."""
    if len(sums.missing) <= max_missing:
        return None
    extra: dict[str, object] = dict.fromkeys(null_keys)
    extra.update(
        raw_sum=sums.total, answered=sums.answered, missing=sums.missing, max_missing=max_missing
    )
    return ScoreResult(
        instrument=instrument_id,
        version=version,
        score=None,
        reason=(
            f"{len(sums.missing)} sections missing ({', '.join(sums.missing)}); "
            f"at most {max_missing} may be missing"
        ),
        extra=extra,
    )


def percent(sums: SectionSums) -> float:
    return rounded_float(sums.fraction * 100, 2)
