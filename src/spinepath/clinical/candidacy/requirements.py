"""The facts the rules need before they may recommend, and how a missing one is named.

A fact is required when a different value could change the pathway or the
first-ranked option: without it any recommendation would be a guess, so the
engine answers "needs more information" and names it. Some facts matter only
in a situation (a migration grade only when transforaminal endoscopy could
rank first); they are required only then. A fact that could only add or
reorder the alternatives below the first, add a caution or decide day surgery
is not required; when it is not recorded the recommendation lists it under
`unchecked` instead (REFINEMENTS below, and the `needs` of caution and
day-surgery rules).

Two facts are deliberately not asked for degenerative conditions, although a
recorded value is used: a fracture at the index level (asked as a red flag)
and, for a disc herniation, a slip (a slip is a different diagnosis).

Facts are named as in the JSON case: `dominant_symptom`, or
`imaging[L4-L5].herniation` for a finding at the index level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spinepath.clinical.candidacy.case import DS, LDH, LSS, VCF, Case
from spinepath.clinical.candidacy.facts import HerniationZone

IMAGING = "imaging."  # prefix of a fact recorded on the index level's finding


def fact_value(case: Case, name: str) -> object:
    if name.startswith(IMAGING):
        return getattr(case.finding, name.removeprefix(IMAGING))
    return getattr(case.facts, name)


def fact_label(case: Case, name: str) -> str:
    if name.startswith(IMAGING):
        return f"imaging[{case.facts.level or 'index level'}].{name.removeprefix(IMAGING)}"
    return name


@dataclass(frozen=True)
class Requirement:
    fact: str
    why: str
    missing: Callable[[Case], tuple[str, ...]]
    conditional: bool = False  # required only in the situation `why` describes


def recorded(fact: str, why: str, when: Callable[[Case], bool] | None = None) -> Requirement:
    def missing(case: Case) -> tuple[str, ...]:
        if when is not None and not when(case):
            return ()
        return () if fact_value(case, fact) is not None else (fact_label(case, fact),)

    return Requirement(fact, why, missing, conditional=when is not None)


def _care_missing(case: Case) -> tuple[str, ...]:
    care = case.facts.conservative_care
    if care is None:
        return ("conservative_care",)
    labels = [f"conservative_care[{i}].response" for i, t in enumerate(care) if t.response is None]
    # An unknown course length matters only while the known ones fall short:
    # it might be the one that reaches the minimum.
    if case.short_of_care:
        labels += [f"conservative_care[{i}].weeks" for i, t in enumerate(care) if t.weeks is None]
    return tuple(sorted(labels))


CONSERVATIVE_CARE = Requirement(
    "conservative_care",
    "The treatments tried, each with its response (a good response keeps the patient on "
    "conservative care) and weeks (the longest course against the minimum; a course "
    "without weeks is asked only while the recorded ones fall short).",
    _care_missing,
)
DISABLING_PAIN = recorded(
    "disabling_pain",
    "Only when care was short and an injection did not help: disabling pain is then an "
    "exception that allows earlier surgery.",
    lambda c: c.short_of_care and c.failed_injection and not c.deficit_exception,
)
_COMMON = (
    CONSERVATIVE_CARE,
    DISABLING_PAIN,
    recorded("neurological_deficit", "A stable deficit allows surgery before the usual wait."),
    recorded("imaging_concordant", "Surgery is considered only when imaging explains symptoms."),
    recorded("level", "The index level decides approach, contraindications and cautions."),
)
_DOMINANT = recorded(
    "dominant_symptom", "Back-pain-dominant cases are not offered surgery (NICE NG59)."
)
_SLIP = recorded("imaging.slip_percent", "A slip needs fusion; a high-grade slip open surgery.")
_INSTABILITY = recorded(
    "imaging.instability", "Instability needs fusion, not decompression or discectomy alone."
)
_DEFORMITY_ELSEWHERE = recorded(
    "imaging.deformity",
    "Only when another level shows deformity: two levels make it multilevel (open surgery).",
    lambda c: c.deformity_elsewhere,
)

PATHWAY_REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    LDH: (
        _DOMINANT,
        *_COMMON,
        recorded("imaging.herniation", "The herniation is the lesion discectomy treats."),
        _INSTABILITY,
    ),
    LSS: (
        _DOMINANT,
        *_COMMON,
        recorded(
            "imaging.central_stenosis",
            "Central stenosis indicates decompression; not needed when the lateral recess "
            "already shows it.",
            lambda c: not c.stenosis_at_least(c.finding.lateral_recess_stenosis),
        ),
        recorded(
            "imaging.lateral_recess_stenosis",
            "Lateral-recess stenosis indicates decompression; not needed when the central "
            "canal already shows it.",
            lambda c: not c.stenosis_at_least(c.finding.central_stenosis),
        ),
        recorded(
            "imaging.foraminal_stenosis",
            "Only when the canal shows no stenosis of the minimum grade: the foramen is then "
            "the only possible lesion, and its fusion the first option.",
            lambda c: not c.canal_stenosis,
        ),
        _SLIP,
        _INSTABILITY,
        _DEFORMITY_ELSEWHERE,
    ),
    DS: (_DOMINANT, *_COMMON, _SLIP, _INSTABILITY, _DEFORMITY_ELSEWHERE),
    VCF: (
        *_COMMON,
        recorded("imaging.fracture", "The fracture is the lesion kyphoplasty treats."),
        recorded("osteoporosis", "Kyphoplasty treats osteoporotic fractures; others need work-up."),
        recorded(
            "imaging.retropulsion",
            "Only with a stable deficit: retropulsion then rules out kyphoplasty.",
            lambda c: c.stable_deficit,
        ),
    ),
}

_LATERAL_ZONES = (HerniationZone.FORAMINAL, HerniationZone.EXTRAFORAMINAL, None)
_APPROACH = (
    recorded(
        "imaging.herniation_zone", "A foraminal or extraforaminal zone puts TF endoscopy first."
    ),
    recorded(
        "imaging.migration",
        "Only when TF endoscopy could rank first (foraminal or extraforaminal zone): "
        "high-grade migration moves it down.",
        lambda c: c.finding.herniation_zone in _LATERAL_ZONES,
    ),
)
PROCEDURE_REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    "tubular_microdiscectomy": _APPROACH,
    "endoscopic_transforaminal_discectomy": _APPROACH,
    "endoscopic_interlaminar_discectomy": _APPROACH,
    "open_discectomy": _APPROACH,
}

# Facts that can only add alternatives below the first option; listed in
# `unchecked` on a surgical pathway when not recorded.
REFINEMENTS: dict[str, tuple[str, ...]] = {
    LDH: ("imaging.migration",),
    LSS: ("imaging.foraminal_stenosis",),
    DS: (
        "imaging.central_stenosis",
        "imaging.lateral_recess_stenosis",
        "imaging.foraminal_stenosis",
    ),
    VCF: (),
}


def _labels(case: Case, requirements: Iterable[Requirement]) -> tuple[str, ...]:
    labels: list[str] = []
    for requirement in requirements:
        labels.extend(label for label in requirement.missing(case) if label not in labels)
    return tuple(labels)


def pathway_missing(case: Case) -> tuple[str, ...]:
    if case.condition is None:
        return ("condition",)
    return _labels(case, PATHWAY_REQUIREMENTS.get(case.condition, ()))


def procedures_missing(case: Case, procedures: Iterable[str]) -> tuple[str, ...]:
    return _labels(
        case, (r for procedure in procedures for r in PROCEDURE_REQUIREMENTS.get(procedure, ()))
    )


def unrecorded(case: Case, facts: Iterable[str]) -> tuple[str, ...]:
    """Labels of the named facts that are not recorded."""
    return tuple(fact_label(case, name) for name in facts if fact_value(case, name) is None)
