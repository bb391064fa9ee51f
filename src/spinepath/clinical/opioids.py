"""Morphine milligram equivalents per medication line and per day.

Source: Dowell D et al. MMWR Recomm Rep 2022;71(RR-3):1-95: "Multiply the
dose for each opioid by the conversion factor"; worked examples hydrocodone
5 mg QID = 20 MME/day and oxycodone 10 mg BID = 30 MME/day (reference
clinical.md §6). Factor tables: spinepath.clinical.opioid_factors.

Arithmetic is exact decimal, so a total is exactly the sum of its calculated
lines. A line that cannot be converted (buprenorphine; tramadol under the 2016
table) is reported "not calculated" with the reason, is never added, and
marks the total as incomplete.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.opioid_factors import (
    ALIASES,
    DEFAULT_FACTORS,
    FACTOR_TABLES,
    Conversion,
    DoseUnit,
    FactorTable,
    UnknownDrugError,
    UnknownFactorTableError,
    canonical_drug,
    factor_table,
)
from spinepath.clinical.rounding import to_decimal
from spinepath.clinical.taper import TaperBasis, TaperRounding, TaperStep, taper_schedule

__all__ = [
    "ALIASES",
    "DEFAULT_FACTORS",
    "DEFAULT_THRESHOLDS",
    "FACTOR_TABLES",
    "INCOMPLETE_FLAG",
    "InvalidMedicationLineError",
    "LineMME",
    "MMEResult",
    "MMEStatus",
    "MedicationLine",
    "TaperBasis",
    "TaperRounding",
    "TaperStep",
    "UnknownDrugError",
    "UnknownFactorTableError",
    "mme_for_lines",
    "taper_schedule",
    "threshold_flag",
]

# [U] CDC 2016 Rec 5 names 50 and 90 MME/day [V]; whether the 2022 text keeps
# them as reference points was not verified. Configurable per call.
DEFAULT_THRESHOLDS: tuple[float, ...] = (50, 90)
THRESHOLDS_EVIDENCE = Evidence.UNVERIFIED
THRESHOLD_SOURCE = (
    "CDC 2016 Rec 5 (reassess at >= 50 MME/day, avoid or justify >= 90 MME/day); "
    "use as 2022 reference points unverified"
)
INCOMPLETE_FLAG = "incomplete_total"


class InvalidMedicationLineError(ValueError):
    pass


class MMEStatus(StrEnum):
    CALCULATED = "calculated"
    NOT_CALCULATED = "not calculated"


@dataclass(frozen=True)
class MedicationLine:
    drug: str
    dose_mg: float | None = None  # per administration
    doses_per_day: float | None = None
    mcg_per_hour: float | None = None  # transdermal fentanyl only
    label: str | None = None  # free text passed through (e.g. "Oxycodone IR 5 mg tab")


_LINE_KEYS = {"drug", "dose_mg", "doses_per_day", "mcg_per_hour", "label"}


@dataclass(frozen=True)
class LineMME:
    drug: str
    mme_per_day: float | None
    status: MMEStatus
    reason: str | None
    factor: float | None = None
    daily_dose: float | None = None  # mg/day, or mcg/h for the fentanyl patch
    unit: str | None = None
    label: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "drug": self.drug,
            "label": self.label,
            "daily_dose": self.daily_dose,
            "unit": self.unit,
            "factor": self.factor,
            "mme_per_day": self.mme_per_day,
            "status": self.status.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MMEResult:
    lines: tuple[LineMME, ...]
    total_mme_per_day: float  # calculated lines only; see ``complete``
    flags: tuple[str, ...]
    factors: str
    thresholds: tuple[float, ...]
    source: str

    @property
    def complete(self) -> bool:
        return all(line.status is MMEStatus.CALCULATED for line in self.lines)

    def to_json(self) -> dict[str, object]:
        return {
            "factors": self.factors,
            "source": self.source,
            "lines": [line.to_json() for line in self.lines],
            "total_mme_per_day": self.total_mme_per_day,
            "complete": self.complete,
            "thresholds": list(self.thresholds),
            "flags": list(self.flags),
        }


def threshold_flag(threshold: float) -> str:
    return f"mme_ge_{threshold:g}"


def _number(value: object, name: str, drug: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidMedicationLineError(f"{drug}: {name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvalidMedicationLineError(f"{drug}: {name} must be greater than 0, got {value!r}")
    return to_decimal(value)


def _as_line(line: Mapping[str, object] | MedicationLine) -> MedicationLine:
    if isinstance(line, MedicationLine):
        return line
    if not isinstance(line, Mapping):
        raise InvalidMedicationLineError(f"a medication line must be an object, got {line!r}")
    unknown = sorted(set(line) - _LINE_KEYS)
    if unknown:
        raise InvalidMedicationLineError(
            f"unknown field {unknown[0]!r} in medication line "
            f"(fields: {', '.join(sorted(_LINE_KEYS))})"
        )
    drug, label = line.get("drug"), line.get("label")
    if not isinstance(drug, str) or not drug.strip():
        raise InvalidMedicationLineError("every medication line needs a 'drug' name")
    if label is not None and not isinstance(label, str):
        raise InvalidMedicationLineError(f"{drug}: label must be text")
    return MedicationLine(
        drug=drug,
        dose_mg=line.get("dose_mg"),  # type: ignore[arg-type]  # checked in _daily_dose
        doses_per_day=line.get("doses_per_day"),  # type: ignore[arg-type]
        mcg_per_hour=line.get("mcg_per_hour"),  # type: ignore[arg-type]
        label=label,
    )


def _daily_dose(line: MedicationLine, drug: str, conversion: Conversion) -> Decimal | None:
    """The daily amount in the table's unit; None when the drug is not converted.

    Units are checked strictly: a patch rate given as mg, or an oral dose given
    as mcg/h, is refused rather than converted with the wrong factor.
    """
    dose = _number(line.dose_mg, "dose_mg", drug)
    per_day = _number(line.doses_per_day, "doses_per_day", drug)
    rate = _number(line.mcg_per_hour, "mcg_per_hour", drug)
    if conversion.not_calculated is not None:
        return None
    if conversion.unit is DoseUnit.MCG_PER_HOUR:
        if dose is not None or per_day is not None:
            raise InvalidMedicationLineError(
                f"{drug}: give the patch strength as mcg_per_hour, not dose_mg/doses_per_day"
            )
        if rate is None:
            raise InvalidMedicationLineError(f"{drug}: mcg_per_hour is required")
        return rate
    if rate is not None:
        raise InvalidMedicationLineError(
            f"{drug}: mcg_per_hour is only for transdermal fentanyl; give dose_mg and doses_per_day"
        )
    if dose is None or per_day is None:
        raise InvalidMedicationLineError(f"{drug}: dose_mg and doses_per_day are required")
    return dose * per_day


def mme_for_lines(
    lines: Sequence[Mapping[str, object]] | Sequence[MedicationLine],
    factors: str = DEFAULT_FACTORS,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> MMEResult:
    """MME/day for each line and in total, with threshold flags.

    Raises UnknownDrugError for a drug not in the tables, UnknownFactorTableError
    for an unknown table, InvalidMedicationLineError for missing or mixed-up
    dose fields.
    """
    table = factor_table(factors)
    limits = _thresholds(thresholds)
    parsed = [_as_line(line) for line in lines]
    drugs = [canonical_drug(line.drug) for line in parsed]
    daily = [
        _daily_dose(line, drug, table.conversions[drug])
        for line, drug in zip(parsed, drugs, strict=True)
    ]
    # A tiered factor (methadone, 2016) depends on the patient's total daily
    # dose of that drug, not on each line alone.
    drug_totals: dict[str, Decimal] = {}
    for drug, amount in zip(drugs, daily, strict=True):
        if amount is not None:
            drug_totals[drug] = drug_totals.get(drug, Decimal(0)) + amount

    results: list[LineMME] = []
    total = Decimal(0)
    for line, drug, amount in zip(parsed, drugs, daily, strict=True):
        result = _line_mme(table, line, drug, amount, drug_totals.get(drug, Decimal(0)))
        results.append(result[0])
        total += result[1]

    flags = [threshold_flag(t) for t in limits if total >= to_decimal(t)]
    if any(r.status is MMEStatus.NOT_CALCULATED for r in results):
        flags.append(INCOMPLETE_FLAG)
    return MMEResult(
        lines=tuple(results),
        total_mme_per_day=float(total),
        flags=tuple(flags),
        factors=table.id,
        thresholds=limits,
        source=f"{table.source}; thresholds: {THRESHOLD_SOURCE}",
    )


def _line_mme(
    table: FactorTable, line: MedicationLine, drug: str, amount: Decimal | None, drug_total: Decimal
) -> tuple[LineMME, Decimal]:
    conversion = table.conversions[drug]
    factor = None if amount is None else conversion.factor_for(drug_total)
    if amount is None or factor is None:
        reason = conversion.not_calculated or f"no factor for {drug} in {table.id}"
        return (
            LineMME(drug, None, MMEStatus.NOT_CALCULATED, reason, unit=conversion.unit.value,
                    label=line.label),
            Decimal(0),
        )  # fmt: skip
    mme = amount * factor
    return (
        LineMME(
            drug=drug,
            mme_per_day=float(mme),
            status=MMEStatus.CALCULATED,
            reason=None,
            factor=float(factor),
            daily_dose=float(amount),
            unit=conversion.unit.value,
            label=line.label,
        ),
        mme,
    )


def _thresholds(thresholds: Sequence[float]) -> tuple[float, ...]:
    values = tuple(thresholds)
    for t in values:
        if isinstance(t, bool) or not isinstance(t, int | float) or not math.isfinite(t) or t <= 0:
            raise ValueError(f"MME thresholds must be positive numbers, got {t!r}")
    if list(values) != sorted(set(values)):
        raise ValueError("MME thresholds must be distinct and in ascending order")
    return values
