"""Opioid taper schedules rounded to the tablet (or patch) strengths available.

[U] The reference gives no taper rate. The defaults (10 % of the starting
dose per step, one step a week) follow common practice and are configurable
per call; the prescriber decides. Guarantees, whatever the settings:

* a step never increases the dose (each dose is at most the one before);
* the schedule always ends at zero;
* every dose after the first is a whole number of units of the given strengths.

Rounding picks the achievable daily dose nearest the target, never above the
previous dose; on a tie the lower dose is taken. With ``basis=current`` the
reduction is a fraction of the current dose, and if rounding would hold the
dose it steps down to the next achievable dose instead, so the taper always
moves on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from spinepath.clinical.opioid_factors import (
    DEFAULT_FACTORS,
    Conversion,
    canonical_drug,
    factor_table,
)
from spinepath.clinical.rounding import to_decimal

DEFAULT_TAPER_FRACTION = 0.10  # [U] configurable
DEFAULT_INTERVAL_DAYS = 7  # [U] configurable
MAX_STEPS = 200
_MAX_PLACES = 3  # strengths are given to at most 0.001 of a unit
_MAX_QUANTA = 200_000


class TaperBasis(StrEnum):
    ORIGINAL = "original"  # each step removes fraction x the starting dose
    CURRENT = "current"  # each step removes fraction x the current dose


class TaperRounding(StrEnum):
    NEAREST = "nearest"
    DOWN = "down"  # never above the target: faster, never slower, than asked


@dataclass(frozen=True)
class TaperStep:
    step: int  # 0 is the dose the patient is on now
    day: int  # days from the start of the taper
    start_date: date | None
    daily_dose: float  # mg/day, or mcg/h for a patch
    units: tuple[tuple[float, int], ...]  # (strength, count) making up the daily dose
    reduction: float  # from the previous step
    mme_per_day: float | None = None  # when a drug was named and it converts

    def to_json(self) -> dict[str, object]:
        return {
            "step": self.step,
            "day": self.day,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "daily_dose": self.daily_dose,
            "units": [{"strength": s, "count": c} for s, c in self.units],
            "reduction": self.reduction,
            "mme_per_day": self.mme_per_day,
        }


def _positive(value: float, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0, got {value!r}")
    return to_decimal(value)


class _Achievable:
    """Daily doses reachable with whole units, and the fewest units for each."""

    def __init__(self, strengths: Sequence[Decimal], ceiling: Decimal) -> None:
        exponents = [s.normalize().as_tuple().exponent for s in strengths]
        places = max(-e if isinstance(e, int) else 0 for e in exponents)
        if places > _MAX_PLACES:
            raise ValueError(f"strengths may have at most {_MAX_PLACES} decimals")
        scaled = [int(s * Decimal(10) ** places) for s in strengths]
        step = math.gcd(*scaled)
        # One quantum is the largest amount every strength is a whole multiple of.
        self.quantum = Decimal(step) / Decimal(10) ** places
        self.quanta = [q // step for q in scaled]
        limit = int(ceiling / self.quantum)
        if limit > _MAX_QUANTA:
            raise ValueError("starting dose too large for the strengths given")
        # best[n] = (units used, index of one strength used) for n quanta
        best: list[tuple[int, int] | None] = [None] * (limit + 1)
        best[0] = (0, -1)
        for n in range(1, limit + 1):
            for index, q in enumerate(self.quanta):
                prev = best[n - q] if q <= n else None
                current = best[n]
                if prev is not None and (current is None or prev[0] + 1 < current[0]):
                    best[n] = (prev[0] + 1, index)
        self.best = best
        self.ceiling_n = limit
        self.amounts = [n for n, b in enumerate(best) if b is not None]

    def value(self, n: int) -> Decimal:
        return n * self.quantum

    def units(self, n: int) -> tuple[tuple[float, int], ...]:
        counts: dict[int, int] = {}
        while n > 0:
            entry = self.best[n]
            assert entry is not None
            counts[entry[1]] = counts.get(entry[1], 0) + 1
            n -= self.quanta[entry[1]]
        return tuple(
            (float(self.value(self.quanta[i])), counts[i]) for i in sorted(counts, reverse=True)
        )

    def choose(self, target: Decimal, ceiling_n: int, rounding: TaperRounding) -> int:
        """Quanta of the achievable dose for ``target``, never above ``ceiling_n``."""
        candidates = [n for n in self.amounts if n <= ceiling_n]
        if rounding is TaperRounding.DOWN:
            return max(n for n in candidates if self.value(n) <= max(target, Decimal(0)))
        return min(candidates, key=lambda n: (abs(self.value(n) - target), n))


def taper_schedule(
    start_daily_dose: float,
    strengths: Sequence[float],
    *,
    fraction: float = DEFAULT_TAPER_FRACTION,
    basis: TaperBasis = TaperBasis.ORIGINAL,
    interval_days: int = DEFAULT_INTERVAL_DAYS,
    rounding: TaperRounding = TaperRounding.NEAREST,
    start_date: date | None = None,
    drug: str | None = None,
    factors: str = DEFAULT_FACTORS,
) -> tuple[TaperStep, ...]:
    """Steps from the current daily dose down to zero.

    ``start_daily_dose`` is in mg/day (mcg/h for a fentanyl patch) and need not
    be achievable with ``strengths``; every later step is. Naming ``drug``
    adds the MME/day of each step from the ``factors`` table.
    """
    start = _positive(start_daily_dose, "start_daily_dose")
    if not strengths:
        raise ValueError("give at least one available strength")
    units = sorted({_positive(s, "strength") for s in strengths})
    step_fraction = _positive(fraction, "fraction")
    if step_fraction > 1:
        raise ValueError("fraction must be at most 1")
    if isinstance(interval_days, bool) or not isinstance(interval_days, int) or interval_days < 1:
        raise ValueError("interval_days must be a whole number of days, at least 1")
    basis, rounding = TaperBasis(basis), TaperRounding(rounding)
    conversion = _conversion(drug, factors)

    achievable = _Achievable(units, start)
    exact = achievable.ceiling_n if achievable.value(achievable.ceiling_n) == start else None
    doses: list[tuple[Decimal, int | None]] = [(start, exact)]
    current = start
    current_n = achievable.ceiling_n  # the highest whole quantum not above start
    while current > 0:
        if len(doses) > MAX_STEPS:
            raise ValueError(
                f"the taper would take more than {MAX_STEPS} steps; use a larger fraction"
            )
        k = len(doses)
        target = (
            start * (1 - step_fraction * k)
            if basis is TaperBasis.ORIGINAL
            else current * (1 - step_fraction)
        )
        n = 0 if target <= 0 else achievable.choose(target, current_n, rounding)
        if basis is TaperBasis.CURRENT and achievable.value(n) >= current:
            n = max((m for m in achievable.amounts if achievable.value(m) < current), default=0)
        current, current_n = achievable.value(n), n
        doses.append((current, n))

    steps: list[TaperStep] = []
    previous = start
    for index, (dose, quanta) in enumerate(doses):
        day = index * interval_days
        steps.append(
            TaperStep(
                step=index,
                day=day,
                start_date=start_date + timedelta(days=day) if start_date else None,
                daily_dose=float(dose),
                units=achievable.units(quanta)
                if quanta is not None and achievable.best[quanta]
                else (),
                reduction=float(previous - dose),
                mme_per_day=_mme(conversion, dose),
            )
        )
        previous = dose
    return tuple(steps)


def _conversion(drug: str | None, factors: str) -> Conversion | None:
    if drug is None:
        return None
    conversion = factor_table(factors).conversions[canonical_drug(drug)]
    return None if conversion.not_calculated is not None else conversion


def _mme(conversion: Conversion | None, dose: Decimal) -> float | None:
    if conversion is None:
        return None
    factor = conversion.factor_for(dose)
    return None if factor is None else float(dose * factor)
