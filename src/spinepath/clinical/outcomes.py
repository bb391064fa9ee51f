"""Change from baseline and minimal clinically important difference (MCID).

The default rule is a relative one: an improvement of at least 30 % of the
baseline score. Source: Ostelo RW et al. Spine 2008;33(1):90-4 ("30%
improvement from baseline ... useful threshold for identifying clinically
meaningful improvement"); Asher AM et al. Spine J 2020 (QOD, n=23,280, "a 30%
reduction ... is a valid method"); NORDSTEN 2024 (reference clinical.md §2).
Those studies validated it for the ODI and pain NRS; for PROMIS T-scores and
EQ-5D indices a relative change has no natural zero, so configure an
absolute threshold for them.

Absolute thresholds are configurable, with the published values as named
presets (MCID_PRESETS). Direction matters: for the ODI, NDI, NRS and STarT
Back lower is better; for PROMIS T-scores and EQ-5D indices higher is better.

Deterioration uses the same threshold in the worse direction [U]: the sources
define improvement only; a symmetric rule is spinepath's default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.rounding import round_half_up, to_decimal


class Direction(StrEnum):
    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


class ChangeClass(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSE = "worse"


class CriterionKind(StrEnum):
    RELATIVE = "relative"  # fraction of the baseline score
    ABSOLUTE = "absolute"  # points on the instrument's scale


class UnknownMeasureError(ValueError):
    pass


# Keyed by the instrument id, or "promis-10.gph_t" / "promis-10.gmh_t" for a summary.
DIRECTIONS: Mapping[str, Direction] = MappingProxyType(
    {
        "odi": Direction.LOWER_IS_BETTER,
        "ndi": Direction.LOWER_IS_BETTER,
        "nrs-back": Direction.LOWER_IS_BETTER,
        "nrs-leg": Direction.LOWER_IS_BETTER,
        "startback": Direction.LOWER_IS_BETTER,
        "promis-10": Direction.HIGHER_IS_BETTER,
        "promis-10.gph_t": Direction.HIGHER_IS_BETTER,
        "promis-10.gmh_t": Direction.HIGHER_IS_BETTER,
        "eq5d-5l": Direction.HIGHER_IS_BETTER,
        "eq5d-3l": Direction.HIGHER_IS_BETTER,
    }
)


def direction_for(measure: str) -> Direction:
    try:
        return DIRECTIONS[measure]
    except KeyError:
        raise UnknownMeasureError(
            f"unknown measure {measure!r} (known: {', '.join(DIRECTIONS)})"
        ) from None


@dataclass(frozen=True)
class McidCriterion:
    kind: CriterionKind
    threshold: float  # a fraction (0.30) for RELATIVE, points for ABSOLUTE
    source: str
    evidence: Evidence = Evidence.VERIFIED

    def __post_init__(self) -> None:
        if not math.isfinite(self.threshold) or self.threshold <= 0:
            raise ValueError("an MCID threshold must be a positive number")


RELATIVE_30 = McidCriterion(
    CriterionKind.RELATIVE,
    0.30,
    "Ostelo RW et al. Spine 2008;33(1):90-4; Asher AM et al. Spine J 2020, "
    "doi 10.1016/j.spinee.2020.01.010 (>= 30% improvement from baseline)",
)
DEFAULT_CRITERION = RELATIVE_30


@dataclass(frozen=True)
class McidPreset:
    id: str
    label: str
    thresholds: Mapping[str, float]  # measure -> absolute points on its scale
    source: str
    evidence: Evidence
    note: str = ""


MCID_PRESETS: Mapping[str, McidPreset] = MappingProxyType(
    {
        preset.id: preset
        for preset in (
            # Source: Ostelo 2008 consensus (VIII International Forum, Amsterdam 2006).
            McidPreset(
                "ostelo2008",
                "Ostelo 2008 international consensus (low back pain)",
                MappingProxyType({"odi": 10.0, "nrs-back": 2.0}),
                "Ostelo RW et al. Spine 2008;33(1):90-4",
                Evidence.VERIFIED,
                "ODI 10 points (0-100); pain NRS 2 points. Leg pain not given.",
            ),
            # Source: Parai C et al. 2020 ISSLS prize, Eur Spine J, doi 10.1007/s00586-019-06222-8.
            McidPreset(
                "parai2020",
                "Parai 2020 Swespine ROC-derived MIC (degenerative lumbar surgery)",
                MappingProxyType({"odi": 18.0, "nrs-back": 2.7, "nrs-leg": 3.2, "eq5d-3l": 0.10}),
                "Parai C et al. Eur Spine J 2020, doi 10.1007/s00586-019-06222-8",
                Evidence.VERIFIED,
                "EQ-5D MIC 0.10 is attached to eq5d-3l on the assumption that Swespine used the "
                "3L (unverified).",
            ),
            # Source: Vernon NDI author's note (MCID/MDC 5 raw points = 10 percentage points).
            McidPreset(
                "vernon",
                "Vernon NDI (5 raw points)",
                MappingProxyType({"ndi": 10.0}),
                "Vernon H, NDI scoring note https://chiro.org/forms/NDI_Explain.shtml",
                Evidence.VERIFIED,
                "5 points on the raw /50 score = 10 points on the percentage spinepath reports.",
            ),
            # Source: Copay AG et al. Spine J 2008;8(6):968-74 — numbers not verified.
            McidPreset(
                "copay2008",
                "Copay 2008 lumbar surgery MCID (numbers unverified)",
                MappingProxyType({"odi": 12.8, "nrs-back": 1.2, "nrs-leg": 1.6}),
                "Copay AG et al. Spine J 2008;8(6):968-74",
                Evidence.UNVERIFIED,
                "Results section not in the stored sources: check before use.",
            ),
        )
    }
)


def absolute_criterion(preset_id: str, measure: str) -> McidCriterion:
    """The absolute MCID for ``measure`` from a named preset."""
    try:
        preset = MCID_PRESETS[preset_id]
    except KeyError:
        raise ValueError(
            f"unknown MCID preset {preset_id!r} (known: {', '.join(MCID_PRESETS)})"
        ) from None
    if measure not in preset.thresholds:
        raise ValueError(f"MCID preset {preset_id!r} has no threshold for {measure!r}")
    return McidCriterion(
        CriterionKind.ABSOLUTE, preset.thresholds[measure], preset.source, preset.evidence
    )


@dataclass(frozen=True)
class Change:
    measure: str
    baseline: float
    follow_up: float
    absolute_change: float  # follow_up - baseline, in the scale's units
    relative_change: float | None  # absolute_change / baseline; None when baseline is 0
    improvement: float  # signed so that positive is better, in the scale's units
    classification: ChangeClass | None  # None: the criterion cannot be applied
    reason: str | None
    criterion: McidCriterion
    direction: Direction

    def to_json(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "baseline": self.baseline,
            "follow_up": self.follow_up,
            "absolute_change": self.absolute_change,
            "relative_change": self.relative_change,
            "improvement": self.improvement,
            "classification": self.classification.value if self.classification else None,
            "reason": self.reason,
            "criterion": {
                "kind": self.criterion.kind.value,
                "threshold": self.criterion.threshold,
                "source": self.criterion.source,
            },
            "direction": self.direction.value,
        }


def _finite(value: float, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return to_decimal(value)


def classify_change(
    measure: str,
    baseline: float,
    follow_up: float,
    criterion: McidCriterion = DEFAULT_CRITERION,
) -> Change:
    """Absolute and relative change, and improved / unchanged / worse.

    Comparisons are exact decimal arithmetic, so an improvement of exactly the
    threshold (ODI 40 -> 28 is 30 %) counts as improved.
    """
    direction = direction_for(measure)
    base, follow = _finite(baseline, "baseline"), _finite(follow_up, "follow_up")
    delta = follow - base
    gain = -delta if direction is Direction.LOWER_IS_BETTER else delta
    relative = None if base == 0 else delta / base
    threshold = to_decimal(criterion.threshold)

    classification: ChangeClass | None
    reason: str | None = None
    if criterion.kind is CriterionKind.ABSOLUTE:
        measured: Decimal | None = gain
    elif base > 0:
        measured = gain / base
    else:
        measured = None
    if measured is None:
        classification = None
        reason = "a relative change needs a baseline above 0; use an absolute threshold"
    elif measured >= threshold:
        classification = ChangeClass.IMPROVED
    elif measured <= -threshold:
        classification = ChangeClass.WORSE
    else:
        classification = ChangeClass.UNCHANGED

    return Change(
        measure=measure,
        baseline=float(base),
        follow_up=float(follow),
        absolute_change=float(delta),
        relative_change=None if relative is None else float(round_half_up(relative, 4)),
        improvement=float(gain),
        classification=classification,
        reason=reason,
        criterion=criterion,
        direction=direction,
    )
