"""What the candidacy rules look at. None always means "not recorded"."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LUMBAR_LEVELS: tuple[str, ...] = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")


class Deficit(StrEnum):
    NONE = "none"
    STABLE = "stable"  # a deficit that is not getting worse
    PROGRESSIVE = "progressive"  # a red flag: see spinepath.clinical.redflags


@dataclass(frozen=True)
class CaseFacts:
    condition: str | None = None  # spinepath.patients Condition values
    red_flags: frozenset[str] = field(default_factory=frozenset)
    symptom_weeks: int | None = None
    conservative_care_weeks: int | None = None
    neurological_deficit: Deficit | None = None
    imaging_concordant: bool | None = None
    level: str | None = None  # one of LUMBAR_LEVELS
    slip_percent: float | None = None
    instability: bool | None = None
    osteoporosis: bool | None = None
    asa_class: int | None = None
    bmi: float | None = None
    anticoagulated: bool | None = None
    age: int | None = None
