"""MME/day from the opioids a patient says they took since the last check-in.

At a home check-in the patient reports, for each medicine, the tablet (dose)
strength and how many they took since their last check-in. The count is
spread over the time since that check-in and converted with the MME factors
of :func:`spinepath.clinical.opioids.mme_for_lines` (CDC 2022 by default,
Dowell D et al. MMWR Recomm Rep 2022;71(RR-3), reference clinical.md §6 [V2]):
mg/day = strength_mg x count / days, passed as ``dose_mg=strength_mg`` and
``doses_per_day=count/days``.

The period (``days``) is ``hours_since_last / 24`` clamped to
``[min_days, max_days]``; the first check-in (no earlier one) counts as
``min_days``.

* ``min_days`` = 1 [U, spinepath design]: a patient who checks in again after
  6 hours is reporting one day's use, not four times their daily dose.
* ``max_days`` = 7 [U, spinepath design]: after a long silence the count is
  spread over at most a week, so a forgotten week of tablets still shows.

Totals:

* 0.0 when no opioid was taken (no lines, only non-opioids, or only opioid
  lines with a count of 0);
* the sum of the calculated opioid lines otherwise, with ``complete`` False
  when an opioid taken could not be converted (buprenorphine; tramadol or
  tapentadol under the 2016 table; a fentanyl patch, whose MME comes from its
  mcg/h rate and not from a count; an opioid not in the factor table);
* None only when opioids were taken and none of them could be converted.

``lines`` holds the opioid lines taken (count above 0), in the order given.
Medicines that the opioids module does not know, and that are not in
:data:`OTHER_OPIOIDS`, are treated as non-opioids and skipped: the app must
offer the patient their plan's drug ids (HAZ-20, docs/clinical-safety.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from spinepath.clinical.opioid_factors import (
    DEFAULT_FACTORS,
    DoseUnit,
    UnknownDrugError,
    canonical_drug,
    factor_table,
)
from spinepath.clinical.opioids import LineMME, MedicationLine, MMEStatus, mme_for_lines

__all__ = [
    "DEFAULT_MAX_DAYS",
    "DEFAULT_MIN_DAYS",
    "MAX_COUNT",
    "OTHER_OPIOIDS",
    "ReportedUse",
    "TakenDose",
    "is_opioid",
    "reported_use",
]

DEFAULT_MIN_DAYS = 1.0  # [U] spinepath design: a same-day second check-in is one day's use
DEFAULT_MAX_DAYS = 7.0  # [U] spinepath design: a long silence is spread over a week at most
# [U] spinepath design: a plausibility limit on one check-in's count; more is refused as a
# typing error rather than turned into an alarming MME.
MAX_COUNT = 100.0

# [U] opioids without a CDC 2022 factor (not in reference clinical.md §6). Reported under
# these names they are kept as "not calculated" lines, marking the total incomplete,
# instead of being skipped as non-opioids. Keys are normalised as canonical_drug does.
OTHER_OPIOIDS: frozenset[str] = frozenset(
    {
        "fentanyl",
        "pethidine",
        "meperidine",
        "dihydrocodeine",
        "levorphanol",
        "pentazocine",
        "butorphanol",
        "nalbuphine",
        "diamorphine",
    }
)
_OTHER_OPIOID_REASON = (
    "{drug} has no MME conversion factor in the table used; not added to the total"
)
_PATCH_REASON = (
    "a fentanyl patch's MME comes from its mcg/h rate in the medicine plan, not from a count "
    "of patches; not added to the total"
)


@dataclass(frozen=True)
class TakenDose:
    drug: str  # opioids.py drug id or alias (as mme_for_lines accepts), or a non-opioid name
    strength_mg: float  # per tablet/dose
    count: float  # tablets/doses taken in the period (>= 0)


@dataclass(frozen=True)
class ReportedUse:
    days: float  # the period the count is spread over
    total_mme_per_day: float | None  # None when nothing opioid was calculable
    lines: tuple[LineMME, ...]  # opioid lines only
    complete: bool  # False when an opioid could not be converted (e.g. buprenorphine)

    def to_json(self) -> dict[str, object]:
        return {
            "days": self.days,
            "total_mme_per_day": self.total_mme_per_day,
            "complete": self.complete,
            "lines": [line.to_json() for line in self.lines],
        }


def _normalise(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def _finite(value: object, where: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{where}: {name} must be 0 or more, got {value!r}")
    return float(value)


def _period_days(hours_since_last: float | None, min_days: float, max_days: float) -> float:
    for name, value in (("min_days", min_days), ("max_days", max_days)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, got {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number above 0, got {value!r}")
    if min_days > max_days:
        raise ValueError(f"min_days ({min_days:g}) must not be above max_days ({max_days:g})")
    if hours_since_last is None:
        return float(min_days)
    hours = _finite(hours_since_last, "hours_since_last", "the time since the last check-in")
    return float(min(max(hours / 24, min_days), max_days))


def _opioid_id(drug: str) -> str | None:
    """The canonical opioid id, the normalised name of another opioid, or None."""
    try:
        return canonical_drug(drug)
    except UnknownDrugError:
        key = _normalise(drug)
        if key in OTHER_OPIOIDS or key.startswith("fentanyl"):
            return key
        return None


def is_opioid(drug: str) -> bool:
    """True for an opioid this module counts (CDC 2022 table) or knows to be one."""
    return _opioid_id(drug) is not None


def reported_use(
    taken: Sequence[TakenDose],
    hours_since_last: float | None,
    *,
    min_days: float = DEFAULT_MIN_DAYS,
    max_days: float = DEFAULT_MAX_DAYS,
    factors: str = DEFAULT_FACTORS,
) -> ReportedUse:
    """MME/day of the opioids taken since the last check-in (see the module docstring).

    Raises ValueError for an empty drug name, a negative or non-finite strength
    or count, a count above :data:`MAX_COUNT`, an opioid taken with a strength
    of 0, a bad time since the last check-in, or bad ``min_days``/``max_days``.
    """
    days = _period_days(hours_since_last, min_days, max_days)
    table = factor_table(factors)

    # Each opioid line taken: either a MedicationLine to convert, or a ready
    # "not calculated" line.
    slots: list[MedicationLine | LineMME] = []
    for index, dose in enumerate(taken):
        where = f"taken[{index}]"
        if not isinstance(dose.drug, str) or not dose.drug.strip():
            raise ValueError(f"{where}: every medicine taken needs a drug name")
        where = f"{where} ({dose.drug.strip()})"
        strength = _finite(dose.strength_mg, where, "strength_mg")
        count = _finite(dose.count, where, "count")
        if count > MAX_COUNT:
            raise ValueError(
                f"{where}: count must be at most {MAX_COUNT:g} doses per check-in, got {count:g}"
            )
        drug = _opioid_id(dose.drug)
        if drug is None or count == 0:
            continue
        if strength == 0:
            raise ValueError(f"{where}: strength_mg must be above 0 for an opioid taken")
        conversion = table.conversions.get(drug)
        if conversion is None:
            slots.append(
                LineMME(
                    drug,
                    None,
                    MMEStatus.NOT_CALCULATED,
                    _OTHER_OPIOID_REASON.format(drug=drug),
                    unit=DoseUnit.MG_PER_DAY.value,
                )
            )
        elif conversion.unit is DoseUnit.MCG_PER_HOUR:
            slots.append(
                LineMME(
                    drug,
                    None,
                    MMEStatus.NOT_CALCULATED,
                    _PATCH_REASON,
                    unit=conversion.unit.value,
                )
            )
        elif count / days > 0:  # a count too small for a float per day is none taken
            slots.append(MedicationLine(drug=drug, dose_mg=strength, doses_per_day=count / days))

    to_convert = [slot for slot in slots if isinstance(slot, MedicationLine)]
    result = mme_for_lines(to_convert, factors=factors) if to_convert else None
    converted = iter(result.lines if result is not None else ())
    lines = tuple(next(converted) if isinstance(slot, MedicationLine) else slot for slot in slots)
    complete = all(line.status is MMEStatus.CALCULATED for line in lines)
    total: float | None
    if not lines:
        total = 0.0  # no opioid taken
    elif result is not None and any(line.status is MMEStatus.CALCULATED for line in lines):
        total = result.total_mme_per_day  # exact decimal sum of the calculated lines
    else:
        total = None  # opioids taken, none convertible
    return ReportedUse(days=days, total_mme_per_day=total, lines=lines, complete=complete)
