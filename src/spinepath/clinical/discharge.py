"""Discharge readiness: modified Aldrete, PADSS, modified PADSS and the spine checklist.

Each score is five criteria scored 0-2 (maximum 10); 9 or more means fit to
leave (PACU for Aldrete, the unit for PADSS). A score is only a total when
every criterion is scored: a missing criterion is never counted as 0 or 2.

The same-day spine checklist (reference clinical.md §5.3) is spinepath's own
combination [D] of criteria each supported by at least one published MIS
programme; every criterion must be recorded as met, and an unrecorded one
counts as unmet ("not recorded"), so readiness is never assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spinepath.clinical.evidence import Evidence

READY_THRESHOLD = 9  # Source: Chung 1995; Marshall & Chung 1999; Aldrete 1995 (>= 9 of 10)


class InvalidCriteriaScoreError(ValueError):
    pass


@dataclass(frozen=True)
class CriterionItem:
    id: str
    label: str
    levels: Mapping[int, str]  # score -> description, 2 (best) to 0
    source: str


@dataclass(frozen=True)
class CriteriaScore:
    total: int
    ready: bool
    items: tuple[tuple[str, int], ...]  # (criterion id, score) in published order
    source: str
    instrument: str
    threshold: int

    def to_json(self) -> dict[str, object]:
        """Exactly what ``spinepath score`` prints for a discharge score."""
        return {
            "instrument": self.instrument,
            "score": self.total,
            "total": self.total,
            "ready": self.ready,
            "threshold": self.threshold,
            "items": dict(self.items),
            "source": self.source,
        }


def _levels(two: str, one: str, zero: str) -> Mapping[int, str]:
    return {2: two, 1: one, 0: zero}


PADSS_SOURCE = (
    "Chung F, Chan VW, Ong D. J Clin Anesth 1995;7:500-6 (PMID 8534468); "
    "https://medicalalgorithms.com/padss-scoring-system"
)
MPADSS_SOURCE = (
    "Marshall SI, Chung F. Anesth Analg 1999;88:508-17; numeric operationalisation "
    "(NRS bands, dressing counts, PO vs parenteral antiemetic) from later adaptations "
    "(https://www.wjgnet.com/1948-5190/tables/v5/i10/502.htm)"
)
ALDRETE_SOURCE = (
    "Aldrete JA. J Clin Anesth 1995;7:89-91 (modified: SpO2 replaces colour); "
    "https://statpearls.com/point-of-care/155763"
)

# Source: PADSS_SOURCE (reference clinical.md §5.1).
PADSS_ITEMS: tuple[CriterionItem, ...] = (
    CriterionItem("vital_signs", "Vital signs (BP, HR, RR, temperature)", _levels(
        "within 20% of preoperative value", "20-40% of preoperative value",
        ">40% of preoperative value"), PADSS_SOURCE),
    CriterionItem("activity_mental_status", "Activity and mental status", _levels(
        "oriented x3 and steady gait", "oriented x3 or steady gait", "neither"), PADSS_SOURCE),
    CriterionItem("pain_nausea_vomiting", "Pain, nausea and/or vomiting", _levels(
        "minimal", "moderate, having required treatment", "severe, requiring treatment"),
        PADSS_SOURCE),
    CriterionItem("surgical_bleeding", "Surgical bleeding", _levels(
        "minimal", "moderate", "severe"), PADSS_SOURCE),
    CriterionItem("intake_output", "Intake and output", _levels(
        "has had PO fluids and voided", "PO fluids or voided", "neither"), PADSS_SOURCE),
)  # fmt: skip

# Source: MPADSS_SOURCE (reference clinical.md §5.1).
MPADSS_ITEMS: tuple[CriterionItem, ...] = (
    CriterionItem("vital_signs", "Vital signs", _levels(
        "BP and HR within 20% of preoperative value", "20-40% of preoperative value",
        ">40% of preoperative value"), MPADSS_SOURCE),
    CriterionItem("ambulation", "Ambulation", _levels(
        "steady gait, no dizziness (or preoperative level)", "requires assistance",
        "unable to ambulate / dizziness"), MPADSS_SOURCE),
    CriterionItem("nausea_vomiting", "Nausea and vomiting", _levels(
        "minimal (none or treated with PO medication)", "moderate (parenteral medication)",
        "severe (continues despite treatment)"), MPADSS_SOURCE),
    CriterionItem("pain", "Pain", _levels(
        "minimal (NRS 0-3)", "moderate (NRS 4-6)", "severe (NRS 7-10)"), MPADSS_SOURCE),
    CriterionItem("surgical_bleeding", "Surgical bleeding", _levels(
        "minimal (no dressing change)", "moderate (up to 2 dressing changes)",
        "severe (more than 3 dressing changes, continued bleeding)"), MPADSS_SOURCE),
)  # fmt: skip

# Source: ALDRETE_SOURCE (reference clinical.md §5.2). We use the 1995 modified
# score (SpO2 for colour) with the plain >= 9 rule; local variants that also
# require 2 in respiration and SpO2 are stricter and not applied here.
ALDRETE_ITEMS: tuple[CriterionItem, ...] = (
    CriterionItem("activity", "Activity", _levels(
        "moves 4 extremities voluntarily or on command", "moves 2 extremities",
        "moves 0 extremities"), ALDRETE_SOURCE),
    CriterionItem("respiration", "Respiration", _levels(
        "breathes deeply and coughs freely", "dyspnoea or limited breathing", "apnoeic"),
        ALDRETE_SOURCE),
    CriterionItem("circulation", "Circulation", _levels(
        "BP ±20% of pre-anaesthetic level", "BP ±20-49% of pre-anaesthetic level",
        "BP ±50% or more of pre-anaesthetic level"), ALDRETE_SOURCE),
    CriterionItem("consciousness", "Consciousness", _levels(
        "fully awake", "arousable on calling", "not responding"), ALDRETE_SOURCE),
    CriterionItem("oxygen_saturation", "Oxygen saturation", _levels(
        "maintains SpO2 > 92% on room air", "needs O2 to maintain SpO2 > 90%",
        "SpO2 < 90% even with O2"), ALDRETE_SOURCE),
)  # fmt: skip


def _score(
    instrument: str,
    items: tuple[CriterionItem, ...],
    answers: Mapping[str, int] | Sequence[int],
    threshold: int,
    source: str,
) -> CriteriaScore:
    if isinstance(answers, Mapping):
        unknown = sorted(set(answers) - {item.id for item in items})
        if unknown:
            raise InvalidCriteriaScoreError(f"{instrument}: unknown criterion {unknown[0]!r}")
        missing = [item.id for item in items if answers.get(item.id) is None]
        if missing:
            raise InvalidCriteriaScoreError(
                f"{instrument}: every criterion must be scored; missing {', '.join(missing)}"
            )
        values = [answers[item.id] for item in items]
    else:
        if isinstance(answers, str | bytes) or len(answers) != len(items):
            raise InvalidCriteriaScoreError(
                f"{instrument}: expected {len(items)} scores "
                f"({', '.join(item.id for item in items)})"
            )
        values = list(answers)
    for item, value in zip(items, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.levels:
            raise InvalidCriteriaScoreError(
                f"{instrument}: {item.id}: {value!r} is not an allowed score (0-2)"
            )
    total = sum(values)
    return CriteriaScore(
        instrument=instrument,
        total=total,
        ready=total >= threshold,
        items=tuple((item.id, value) for item, value in zip(items, values, strict=True)),
        threshold=threshold,
        source=source,
    )


def score_mpadss(
    answers: Mapping[str, int] | Sequence[int], threshold: int = READY_THRESHOLD
) -> CriteriaScore:
    return _score("mpadss", MPADSS_ITEMS, answers, threshold, MPADSS_SOURCE)


def score_padss(
    answers: Mapping[str, int] | Sequence[int], threshold: int = READY_THRESHOLD
) -> CriteriaScore:
    return _score("padss", PADSS_ITEMS, answers, threshold, PADSS_SOURCE)


def score_aldrete(
    answers: Mapping[str, int] | Sequence[int], threshold: int = READY_THRESHOLD
) -> CriteriaScore:
    return _score("aldrete", ALDRETE_ITEMS, answers, threshold, ALDRETE_SOURCE)


# --- same-day discharge after spine surgery ----------------------------------

CHECKLIST_SOURCE = (
    "spinepath composite [D] of criteria from Shahi P et al. Spine 2022;47(16):1137-44; "
    "Parrish JM et al. IJSS 2020;14(6):970-81; Patel AA et al. CNS 2018; Chung 1995 "
    "(responsible adult escort) — reference clinical.md §5.3"
)


@dataclass(frozen=True)
class ChecklistCriterion:
    id: str
    label: str
    source: str
    mandatory: bool = True  # an unmet mandatory criterion blocks discharge
    evidence: Evidence = Evidence.DERIVED


SPINE_CHECKLIST: tuple[ChecklistCriterion, ...] = (
    ChecklistCriterion(
        "ambulating",
        "Walking independently; physiotherapy clearance, including stairs if needed",
        "Shahi 2022 (PT clearance was the last criterion met in 93%); " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "voided",
        "Has passed urine spontaneously",
        "Shahi 2022 (first and second void); kept for spine surgery although modified PADSS "
        "dropped voiding, because of retention risk; " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "tolerating_oral", "Tolerating oral fluids and food", "Shahi 2022; " + CHECKLIST_SOURCE
    ),
    ChecklistCriterion(
        "pain_controlled_oral",
        "Pain controlled on oral analgesics (NRS <= 3-4 or acceptable to the patient), no IV "
        "opioid in the last interval",
        "Shahi 2022; Patel 2018; " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "neuro_unchanged",
        "Neurological examination unchanged from the preoperative baseline (a new deficit "
        "means no discharge and escalation)",
        "Shahi 2022 (neurological exam); " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "wound_dry",
        "Wound dry, no expanding haematoma",
        "PADSS surgical bleeding; " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "no_orthostatic_intolerance",
        "No orthostatic intolerance",
        "Shahi 2022 (26% orthostatic intolerance); " + CHECKLIST_SOURCE,
    ),
    ChecklistCriterion(
        "responsible_adult",
        "A responsible adult to escort the patient home and stay overnight",
        "Chung 1995 (PADSS requires a responsible adult escort); " + CHECKLIST_SOURCE,
    ),
)
SPINE_CHECKLIST_BY_ID: Mapping[str, ChecklistCriterion] = {c.id: c for c in SPINE_CHECKLIST}


@dataclass(frozen=True)
class UnmetCriterion:
    id: str
    label: str
    reason: str


@dataclass(frozen=True)
class Readiness:
    ready: bool
    mpadss_total: int | None  # None when the mPADSS was not fully scored
    unmet: tuple[UnmetCriterion, ...]
    source: str
    advisories: tuple[UnmetCriterion, ...] = ()  # unmet criteria that are not mandatory

    def to_json(self) -> dict[str, object]:
        return {
            "ready": self.ready,
            "mpadss_total": self.mpadss_total,
            "unmet": [{"id": u.id, "label": u.label, "reason": u.reason} for u in self.unmet],
            "advisories": [
                {"id": u.id, "label": u.label, "reason": u.reason} for u in self.advisories
            ],
            "source": self.source,
        }


def _check_partial_mpadss(mpadss: Mapping[str, int | None]) -> list[str]:
    """Validate the criteria that are scored; return the ids that are not."""
    ids = [item.id for item in MPADSS_ITEMS]
    unknown = sorted(set(mpadss) - set(ids))
    if unknown:
        raise InvalidCriteriaScoreError(f"mpadss: unknown criterion {unknown[0]!r}")
    for item_id in ids:
        value = mpadss.get(item_id)
        if value is not None and (isinstance(value, bool) or value not in (0, 1, 2)):
            raise InvalidCriteriaScoreError(
                f"mpadss: {item_id}: {value!r} is not an allowed score (0-2)"
            )
    return [item_id for item_id in ids if mpadss.get(item_id) is None]


def evaluate_same_day_readiness(
    mpadss: Mapping[str, int] | Mapping[str, int | None],
    checklist: Mapping[str, bool | None],
    *,
    criteria: Sequence[ChecklistCriterion] = SPINE_CHECKLIST,
    threshold: int = READY_THRESHOLD,
) -> Readiness:
    """Ready only when the mPADSS is at least ``threshold`` and every mandatory
    criterion is recorded as met.

    An incomplete mPADSS is an unmet criterion (id "mpadss"); an out-of-range
    score or an unknown id raises InvalidCriteriaScoreError (or ValueError for
    the checklist), because a typo must not silently drop a criterion.
    """
    known = {c.id for c in criteria}
    unknown = sorted(set(checklist) - known)
    if unknown:
        raise ValueError(f"unknown checklist criterion {unknown[0]!r}")
    for key, value in checklist.items():
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"checklist {key!r}: expected true, false or null, got {value!r}")

    unmet: list[UnmetCriterion] = []
    mpadss_total: int | None = None
    mpadss_label = f"Modified PADSS >= {threshold}"
    missing = _check_partial_mpadss(mpadss)
    if len(missing) == len(MPADSS_ITEMS):
        unmet.append(UnmetCriterion("mpadss", mpadss_label, "not recorded"))
    elif missing:
        reason = f"not fully scored: {', '.join(missing)} not recorded"
        unmet.append(UnmetCriterion("mpadss", mpadss_label, reason))
    else:
        score = score_mpadss({k: v for k, v in mpadss.items() if v is not None}, threshold)
        mpadss_total = score.total
        if not score.ready:
            reason = f"mPADSS {score.total} is below {threshold}"
            unmet.append(UnmetCriterion("mpadss", mpadss_label, reason))

    advisories: list[UnmetCriterion] = []
    for criterion in criteria:
        answer = checklist.get(criterion.id)
        if answer is True:
            continue
        reason = "not recorded" if answer is None else "not met"
        target = unmet if criterion.mandatory else advisories
        target.append(UnmetCriterion(criterion.id, criterion.label, reason))

    return Readiness(
        ready=not unmet,
        mpadss_total=mpadss_total,
        unmet=tuple(unmet),
        source=f"{MPADSS_SOURCE}; {CHECKLIST_SOURCE}",
        advisories=tuple(advisories),
    )
