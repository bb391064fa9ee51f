"""Day-surgery eligibility at candidacy (reference §5.3).

This is a planning hint for the offered procedures, not the discharge
decision: the readiness checklist (spinepath.clinical.discharge) decides on
the day. Any rule that says "not eligible" wins; "eligible" needs ASA class
and BMI (and age, when an age limit is set) recorded and within the limits.
"""

from __future__ import annotations

from spinepath.clinical.candidacy import sources as src
from spinepath.clinical.candidacy.case import Case
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.evidence import Evidence


def _asa_over(c: Case) -> bool:
    return c.facts.asa_class is not None and c.facts.asa_class > c.settings.day_surgery_max_asa


def _bmi_over(c: Case) -> bool:
    return c.facts.bmi is not None and c.facts.bmi > c.settings.day_surgery_max_bmi


def _age_over(c: Case) -> bool:
    limit = c.settings.day_surgery_max_age
    return limit is not None and c.facts.age is not None and c.facts.age > limit


def day_surgery_missing(c: Case) -> tuple[str, ...]:
    """Facts the eligibility still needs (asked only when no rule rules it out)."""
    names = ["asa_class", "bmi"]
    if c.settings.day_surgery_max_age is not None:
        names.append("age")
    return tuple(name for name in names if getattr(c.facts, name) is None)


def _ruled_out(c: Case) -> bool:
    return any(rule.when(c) for rule in DAY_SURGERY_RULES if rule.day_surgery is False)


DAY_SURGERY_RULES: tuple[Rule, ...] = (
    Rule(
        "DS-OPEN-SURGERY",
        Stage.DAY_SURGERY,
        lambda c: c.pathway is Pathway.OPEN_SURGERY,
        "Not eligible for day surgery: open surgery",
        "The same-day discharge series are of MIS procedures; open surgery is planned as an "
        "inpatient stay.",
        src.DAY_SURGERY_MIS,
        Evidence.DERIVED,
        day_surgery=False,
    ),
    Rule(
        "DS-ASA",
        Stage.DAY_SURGERY,
        _asa_over,
        "Not eligible for day surgery: ASA class above the programme's limit",
        "The programme's day-surgery limit for ASA class (setting day_surgery_max_asa).",
        src.DAY_SURGERY_LIMITS,
        Evidence.UNVERIFIED,
        version="2",
        day_surgery=False,
    ),
    Rule(
        "DS-BMI",
        Stage.DAY_SURGERY,
        _bmi_over,
        "Not eligible for day surgery: BMI above the programme's limit",
        "Lower BMI predicts early discharge; the limit is the setting day_surgery_max_bmi.",
        src.DAY_SURGERY_LIMITS,
        Evidence.UNVERIFIED,
        version="2",
        day_surgery=False,
    ),
    Rule(
        "DS-AGE",
        Stage.DAY_SURGERY,
        _age_over,
        "Not eligible for day surgery: older than the programme's limit",
        "Younger age predicts early discharge; the limit is the setting day_surgery_max_age "
        "(none by default).",
        src.DAY_SURGERY_LIMITS,
        Evidence.UNVERIFIED,
        day_surgery=False,
    ),
    Rule(
        "DS-DEFORMITY",
        Stage.DAY_SURGERY,
        lambda c: c.deformity_here,
        "Not eligible for day surgery: deformity",
        "A non-deformity diagnosis predicts discharge within 24 hours; deformity surgery is "
        "planned as an inpatient stay.",
        src.DAY_SURGERY_DEFORMITY,
        Evidence.DERIVED,
        day_surgery=False,
        needs=("imaging.deformity",),
    ),
    Rule(
        "DS-ELIGIBLE",
        Stage.DAY_SURGERY,
        lambda c: not day_surgery_missing(c) and not _ruled_out(c),
        "Eligible for day surgery",
        "ASA class and BMI (and age, when limited) within the programme's day-surgery "
        "limits, a MISS pathway and no deformity.",
        src.DAY_SURGERY_LIMITS,
        Evidence.UNVERIFIED,
        version="2",
        day_surgery=True,
    ),
)
