"""The default discharge plan after spine surgery, and its medicine figures.

Staff start from :func:`default_plan`, edit it, and save it back through
:func:`plan_from_json`; medicine lines go through :func:`medicine_lines_from_json`
and :func:`plan_medicines`. The web form and the API share this validation.

Everything a patient reads is in short, plain sentences. Every clinical
statement carries its source and an evidence marker (reference clinical.md).
Timings that only practice or patient-education pages support are [U]
configurable defaults in :class:`PlanSettings`; changing one of them marks the
statement unverified with "programme setting" as its source.

Sources (reference clinical.md):
* §5.3 same-day discharge after MIS surgery (Parrish 2020, Shahi 2022, Soffin 2019).
* §9.1/§9.2 recovery milestones (Goldstein 2016: walking 3.5 days sooner after MIS
  fusion [V]; return to work only from practice pages [U]).
* §6 opioid MME (CDC 2022 factors, 50/90 MME/day, naloxone at >= 50, 2016 7-day rule).
* §7.2 surgical site infection; §8.1 red flags (cauda equina -> emergency).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, cast

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.opioid_factors import (
    CDC_2022,
    DoseUnit,
    UnknownDrugError,
    UnknownFactorTableError,
    canonical_drug,
    factor_table,
)
from spinepath.clinical.opioids import (
    DEFAULT_THRESHOLDS,
    InvalidMedicationLineError,
    MedicationLine,
    MMEStatus,
    mme_for_lines,
)
from spinepath.clinical.procedures import PROCEDURES_BY_ID, Approach, Procedure, SSICategory
from spinepath.clinical.redflags import RED_FLAGS, RED_FLAGS_BY_ID, Group
from spinepath.clinical.rounding import to_decimal
from spinepath.clinical.schedule import follow_up_schedule
from spinepath.clinical.taper import TaperBasis, TaperStep, taper_schedule

PLAN_VERSION = "2026.11-1"

Urgency = Literal["emergency", "same_day", "routine"]
FollowUpKind = Literal["appointment", "questionnaire"]
URGENCIES: tuple[Urgency, ...] = ("emergency", "same_day", "routine")
FOLLOW_UP_KINDS: tuple[FollowUpKind, ...] = ("appointment", "questionnaire")
MILESTONE_IDS = ("walking", "physio_start", "driving", "desk_work", "heavy_work")

# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

SRC_SAME_DAY = (
    "Same-day discharge after MIS spine surgery requires walking independently "
    "(spinepath readiness checklist [D]); Soffin 2019: 27.3 % of single-level laminectomies "
    "discharged the day of surgery; reference clinical.md §5.3"
)
SRC_MIS_FUSION_WALK = (
    "Parrish JM et al. IJSS 2020;14(6):970-81 (50 MIS TLIF/LLIF, all home the same day); "
    "Shahi P et al. Spine 2022;47(16):1137-44 (MI-TLIF, physiotherapy clearance median 21.8 h); "
    "reference clinical.md §5.3"
)
SRC_GOLDSTEIN = (
    "Goldstein CL et al. J Neurosurg Spine 2016;24(3):416-27: walking 3.5 days sooner after "
    "MIS than open fusion [V]; the open-surgery day range itself is a programme default [U]; "
    "reference clinical.md §9.1"
)
SRC_RTW = (
    "Return to work: desk work about 1-2 weeks after microdiscectomy/MIS decompression, heavy "
    "work 4-6 (to 8-12) weeks, fusion about 4-6 weeks for sedentary work; practice and "
    "patient-education pages only (Cedars-Sinai via marinahospital.com; greenbergspinemd.com), "
    "reference clinical.md §9.2"
)
SRC_PROGRAMME = "spinepath programme default (not in reference clinical.md), configurable"
SRC_DRIVING = (
    "spinepath programme default: drive when off strong painkillers and able to make an "
    "emergency stop; not in reference clinical.md, configurable"
)
SRC_SETTING = "programme setting"
SRC_SSI = (
    "Surgical site infection signs (CDC/NHSN SSI criteria, reference clinical.md §7.2); "
    "same-day call is the spinepath triage rule (programme default)"
)
SRC_CSF = (
    "Headache worse when upright after a dural tear suggests a cerebrospinal fluid leak "
    "(durotomy and CSF leak, reference clinical.md §7.1 spine mapping and §9.2 Koebbe 2002); "
    "the same-day call is a programme default [U]"
)
SRC_VTE = (
    "Deep vein thrombosis / pulmonary embolism warning signs: general post-operative advice, "
    "not in reference clinical.md [U]"
)
SRC_PAIN = (
    "Pain controlled on oral medicines is a discharge criterion (reference clinical.md §5.3); "
    "the same-day call is a programme default [U]"
)
SRC_CDC2022 = (
    "Dowell D et al. CDC 2022 opioid guideline, MMWR Recomm Rep 2022;71(RR-3): Rec 4 "
    '"lowest effective dosage"; Rec 6 "no greater quantity than needed for the expected '
    'duration of pain severe enough to require opioids"; reference clinical.md §6'
)
SRC_NON_OPIOID_FIRST = (
    "CDC 2022 guideline favours non-opioid treatment first for acute pain; this wording was not "
    "read in the stored text (reference clinical.md §6 quotes Rec 3, 4, 6 and 7) [U]"
)
SRC_OTC = (
    "Standard adult over-the-counter label doses and cautions; not in reference clinical.md [U]"
)
SRC_NALOXONE = (
    "CDC opioid CDS (HL7 opioid-mme-r4, Rec 08 tests): consider naloxone when the MME is "
    ">= 50 mg/day; reference clinical.md §6"
)
SRC_HIGH_MME = (
    "CDC 2016 Rec 5: reassess at >= 50 MME/day, avoid or justify >= 90 MME/day [V]; use as 2022 "
    "reference points unverified; reference clinical.md §6"
)
SRC_7_DAYS = (
    'CDC 2016: "3 days or less will often be sufficient; more than 7 days will rarely be '
    'needed" - superseded by CDC 2022 Rec 6; kept as a configurable prompt [U]; reference '
    "clinical.md §6"
)


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


class ProcedureGroup(StrEnum):
    DECOMPRESSION_MISS = "decompression_miss"  # discectomy / decompression, MISS
    DECOMPRESSION_OPEN = "decompression_open"
    FUSION_MISS = "fusion_miss"
    FUSION_OPEN = "fusion_open"
    KYPHOPLASTY = "kyphoplasty"


def procedure_group(procedure: Procedure) -> ProcedureGroup:
    if procedure.ssi_category is SSICategory.VERTEBRAL_AUGMENTATION:
        return ProcedureGroup.KYPHOPLASTY
    miss = procedure.approach is Approach.MISS
    if procedure.fusion:
        return ProcedureGroup.FUSION_MISS if miss else ProcedureGroup.FUSION_OPEN
    return ProcedureGroup.DECOMPRESSION_MISS if miss else ProcedureGroup.DECOMPRESSION_OPEN


@dataclass(frozen=True)
class Sourced:
    """Where a block of advice comes from and how sure we are of it."""

    source: str
    evidence: Evidence

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "evidence": self.evidence.value}


@dataclass(frozen=True)
class Statement:
    text: str
    source: str
    evidence: Evidence

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "source": self.source, "evidence": self.evidence.value}


@dataclass(frozen=True)
class Milestone:
    id: str
    label: str
    from_day: int  # days after surgery (0 = the day of surgery)
    to_day: int | None  # None = open-ended ("from about ...")
    text: str
    source: str
    evidence: Evidence

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "from_day": self.from_day,
            "to_day": self.to_day,
            "text": self.text,
            "source": self.source,
            "evidence": self.evidence.value,
        }


@dataclass(frozen=True)
class WarningSign:
    id: str
    sign: str  # what the patient notices
    action: str  # what to do
    urgency: Urgency
    source: str
    evidence: Evidence = Evidence.UNVERIFIED
    red_flag_ids: tuple[str, ...] = ()  # catalogue flags this sign stands for

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "sign": self.sign,
            "action": self.action,
            "urgency": self.urgency,
            "source": self.source,
            "evidence": self.evidence.value,
            "red_flag_ids": list(self.red_flag_ids),
        }


@dataclass(frozen=True)
class OtcOption:
    name: str
    how: str
    caution: str
    source: str
    evidence: Evidence

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "how": self.how,
            "caution": self.caution,
            "source": self.source,
            "evidence": self.evidence.value,
        }


@dataclass(frozen=True)
class FollowUp:
    id: str
    label: str
    due: date
    window_start: date | None
    window_end: date | None
    kind: FollowUpKind

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "due": self.due.isoformat(),
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "window_end": self.window_end.isoformat() if self.window_end else None,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class DischargePlanContent:
    procedure: str
    wound_care: tuple[str, ...]
    activity: tuple[str, ...]
    milestones: tuple[Milestone, ...]
    warning_signs: tuple[WarningSign, ...]
    otc_first: tuple[OtcOption, ...]
    follow_up: tuple[FollowUp, ...]
    surgery_date: date | None = None
    pain_relief: tuple[Statement, ...] = ()
    wound_care_source: Sourced = Sourced(SRC_PROGRAMME, Evidence.UNVERIFIED)
    activity_source: Sourced = Sourced(SRC_PROGRAMME, Evidence.UNVERIFIED)
    version: str = PLAN_VERSION

    @property
    def procedure_label(self) -> str:
        return PROCEDURES_BY_ID[self.procedure].label

    def to_json(self) -> dict[str, object]:
        procedure = PROCEDURES_BY_ID[self.procedure]
        return {
            "version": self.version,
            "procedure": self.procedure,
            "procedure_label": procedure.label,
            "procedure_group": procedure_group(procedure).value,
            "surgery_date": self.surgery_date.isoformat() if self.surgery_date else None,
            "wound_care": list(self.wound_care),
            "wound_care_source": self.wound_care_source.to_json(),
            "activity": list(self.activity),
            "activity_source": self.activity_source.to_json(),
            "milestones": [m.to_json() for m in self.milestones],
            "warning_signs": [w.to_json() for w in self.warning_signs],
            "pain_relief": [s.to_json() for s in self.pain_relief],
            "otc_first": [o.to_json() for o in self.otc_first],
            "follow_up": [f.to_json() for f in self.follow_up],
        }


@dataclass(frozen=True)
class MedicineLine:
    drug: str  # opioids.py drug id (canonical after parsing), or a non-opioid name
    strength_mg: float | None  # tablet strength
    dose_mg: float | None  # per dose
    doses_per_day: float | None  # the maximum for an as-needed line
    days: int | None
    as_needed: bool
    mcg_per_hour: float | None = None  # transdermal fentanyl only
    note: str = ""

    @property
    def is_opioid(self) -> bool:
        return _opioid_id(self.drug) is not None

    def to_json(self) -> dict[str, object]:
        return {
            "drug": self.drug,
            "strength_mg": self.strength_mg,
            "dose_mg": self.dose_mg,
            "doses_per_day": self.doses_per_day,
            "days": self.days,
            "as_needed": self.as_needed,
            "mcg_per_hour": self.mcg_per_hour,
            "note": self.note,
        }


@dataclass(frozen=True)
class MedicineNotice:
    id: str
    text: str
    source: str
    evidence: Evidence

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "evidence": self.evidence.value,
        }


@dataclass(frozen=True)
class MedicinePlan:
    lines: tuple[MedicineLine, ...]
    mme: tuple[float | None, ...]  # per line, MME/day; None for non-opioids and "not calculated"
    total_mme_per_day: float  # calculated opioid lines only
    flags: tuple[str, ...]
    taper: tuple[TaperStep, ...]
    warnings: tuple[str, ...]  # the notices' texts, for display
    notices: tuple[MedicineNotice, ...] = ()  # the same warnings with id, source, evidence
    mme_status: tuple[str | None, ...] = ()  # per line: "calculated" / "not calculated" / None
    factors: str = CDC_2022.id
    complete: bool = True  # False when an opioid line was "not calculated"
    taper_drug: str | None = None  # the drug tapered, or None for an MME/day taper
    taper_unit: str | None = None  # "mg/day", "mcg/h" or "MME/day"
    source: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "factors": self.factors,
            "source": self.source,
            "lines": [
                {**line.to_json(), "mme_per_day": mme, "mme_status": status}
                for line, mme, status in zip(self.lines, self.mme, self.mme_status, strict=True)
            ],
            "total_mme_per_day": self.total_mme_per_day,
            "complete": self.complete,
            "flags": list(self.flags),
            "taper_drug": self.taper_drug,
            "taper_unit": self.taper_unit,
            "taper": [step.to_json() for step in self.taper],
            "warnings": [notice.to_json() for notice in self.notices],
        }


class PlanValidationError(ValueError):
    """Bad plan or medicine input; ``field`` names where (e.g. ``lines[0].dose_mg``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

DayRange = tuple[int, int | None]

# [U] unless the milestone's source says otherwise (see _MILESTONE_EVIDENCE).
DEFAULT_MILESTONE_DAYS: Mapping[ProcedureGroup, Mapping[str, DayRange]] = MappingProxyType(
    {
        ProcedureGroup.DECOMPRESSION_MISS: MappingProxyType(
            {
                "walking": (0, 0),
                "physio_start": (14, 21),
                "driving": (14, 21),
                "desk_work": (7, 14),
                "heavy_work": (28, 42),
            }
        ),
        ProcedureGroup.DECOMPRESSION_OPEN: MappingProxyType(
            {
                "walking": (0, 1),
                "physio_start": (14, 28),
                "driving": (14, 28),
                "desk_work": (14, 28),
                "heavy_work": (42, 84),
            }
        ),
        ProcedureGroup.FUSION_MISS: MappingProxyType(
            {
                "walking": (0, 1),
                "physio_start": (42, 56),
                "driving": (28, 42),
                "desk_work": (28, 42),
                "heavy_work": (84, 168),
            }
        ),
        ProcedureGroup.FUSION_OPEN: MappingProxyType(
            {
                "walking": (1, 4),
                "physio_start": (42, 70),
                "driving": (42, 56),
                "desk_work": (42, 56),
                "heavy_work": (112, 182),
            }
        ),
        ProcedureGroup.KYPHOPLASTY: MappingProxyType(
            {
                "walking": (0, 0),
                "physio_start": (14, 28),
                "driving": (7, 14),
                "desk_work": (7, 14),
                "heavy_work": (42, 84),
            }
        ),
    }
)

# [U] common immediate-release tablet strengths (mg; mcg/h for patches). Set them
# to the site formulary. A line's own strength_mg takes precedence.
DEFAULT_TABLET_STRENGTHS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "codeine": (15, 30, 60),
        "hydrocodone": (5, 7.5, 10),
        "hydromorphone": (2, 4),
        "morphine": (10, 15, 30),
        "oxycodone": (5, 10),
        "oxymorphone": (5, 10),
        "tapentadol": (50, 75, 100),
        "tramadol": (50,),
        "methadone": (5, 10),
        "fentanyl-patch": (12, 25, 50, 75, 100),
    }
)

# Non-opioid medicines accepted on a discharge prescription. A name that is
# neither an opioid id nor in this list is refused, so that an opioid entered
# under a brand or misspelt name is never left out of the MME total.
# fmt: off
_NON_OPIOID_ANALGESICS: frozenset[str] = frozenset({
    "paracetamol", "acetaminophen", "ibuprofen", "naproxen", "diclofenac", "celecoxib",
    "etoricoxib",
})
DEFAULT_NON_OPIOIDS: frozenset[str] = _NON_OPIOID_ANALGESICS | {
    "gabapentin", "pregabalin", "ondansetron", "metoclopramide", "senna", "docusate",
    "lactulose", "macrogol", "bisacodyl", "omeprazole", "lansoprazole", "cefalexin",
    "methocarbamol", "cyclobenzaprine", "tizanidine", "baclofen",
}
# fmt: on

DEFAULT_OTC: tuple[OtcOption, ...] = (
    OtcOption(
        "Paracetamol",
        "Paracetamol 1 g up to four times a day (no more than 4 g in 24 hours). "
        "Leave at least 4 hours between doses.",
        "Many cold and flu remedies also contain paracetamol. Count them in the 4 g. "
        "Ask us about a lower dose if you weigh under 50 kg, drink a lot of alcohol or have "
        "liver disease.",
        SRC_OTC,
        Evidence.UNVERIFIED,
    ),
    OtcOption(
        "Ibuprofen",
        "Ibuprofen 400 mg up to three times a day with food, only if your surgeon agrees.",
        "Do not take it if you have had a stomach ulcer or bleeding, have kidney problems, "
        "have asthma that anti-inflammatories make worse, or take a blood thinner. "
        "After a fusion some surgeons ask you to avoid it while the bone heals.",
        SRC_OTC,
        Evidence.UNVERIFIED,
    ),
    OtcOption(
        "Naproxen",
        "Naproxen 250 to 500 mg twice a day with food, instead of ibuprofen, only if your "
        "surgeon agrees.",
        "The same cautions as ibuprofen. Never take two anti-inflammatories together.",
        SRC_OTC,
        Evidence.UNVERIFIED,
    ),
)


@dataclass(frozen=True)
class PlanSettings:
    """A programme's defaults. Every value here is [U] unless noted."""

    milestone_days: Mapping[ProcedureGroup, Mapping[str, DayRange]] = field(
        default_factory=lambda: DEFAULT_MILESTONE_DAYS
    )
    wound_check_days: tuple[int, int] = (10, 14)  # window after surgery; due = first day
    surgeon_review_day: int = 42  # 6 weeks
    surgeon_review_window: tuple[int, int] = (35, 49)
    include_24_months: bool = False  # questionnaire at 24 months
    shower_after_hours: int = 48
    fever_celsius: float = 38.0  # same as TriageSettings
    # Taper: acute post-operative courses are short, so the default steps are
    # larger and closer together than taper.py's chronic-pain defaults.
    taper_fraction: float = 0.25
    taper_interval_days: int = 2
    taper_basis: TaperBasis = TaperBasis.ORIGINAL
    tablet_strengths: Mapping[str, tuple[float, ...]] = field(
        default_factory=lambda: DEFAULT_TABLET_STRENGTHS
    )
    mme_taper_step: float = 5.0  # MME/day granularity when several opioids are tapered together
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS  # 50 / 90 MME/day flags
    naloxone_mme: float = 50.0  # [V] CDS Rec 08 test
    max_opioid_days: int = 7  # [U] CDC 2016 acute-pain rule, superseded
    paracetamol_max_mg_per_day: float = 4000.0
    non_opioids: frozenset[str] = DEFAULT_NON_OPIOIDS
    otc_options: tuple[OtcOption, ...] = DEFAULT_OTC

    def check(self) -> None:
        for group in ProcedureGroup:
            days = self.milestone_days.get(group)
            if days is None:
                raise ValueError(f"milestone_days has no entry for {group.value}")
            for milestone_id in MILESTONE_IDS:
                if milestone_id not in days:
                    raise ValueError(f"milestone_days[{group.value}] lacks {milestone_id}")
                start, end = days[milestone_id]
                if start < 0 or (end is not None and end < start):
                    raise ValueError(f"milestone_days[{group.value}][{milestone_id}] is invalid")
        first, last = self.wound_check_days
        if not 0 < first <= last:
            raise ValueError("wound_check_days must be (first, last) with 0 < first <= last")
        low, high = self.surgeon_review_window
        if not 0 < low <= self.surgeon_review_day <= high:
            raise ValueError("surgeon_review_window must contain surgeon_review_day")
        if not 0 < self.taper_fraction <= 1 or self.taper_interval_days < 1:
            raise ValueError("taper_fraction must be in (0, 1] and taper_interval_days >= 1")


_DEFAULT_SETTINGS = PlanSettings()


# ---------------------------------------------------------------------------
# Default content
# ---------------------------------------------------------------------------

_MILESTONE_LABELS = {
    "walking": "Walking",
    "physio_start": "Starting physiotherapy",
    "driving": "Driving",
    "desk_work": "Desk work",
    "heavy_work": "Heavy or manual work",
}

# (group, milestone) -> (source, evidence) of the *default* days.
_MILESTONE_EVIDENCE: dict[tuple[ProcedureGroup, str], tuple[str, Evidence]] = {
    (ProcedureGroup.DECOMPRESSION_MISS, "walking"): (SRC_SAME_DAY, Evidence.DERIVED),
    (ProcedureGroup.FUSION_MISS, "walking"): (SRC_MIS_FUSION_WALK, Evidence.VERIFIED),
    (ProcedureGroup.FUSION_OPEN, "walking"): (SRC_GOLDSTEIN, Evidence.UNVERIFIED),
}
_RTW_GROUPS = {ProcedureGroup.DECOMPRESSION_MISS, ProcedureGroup.FUSION_MISS}


def _milestone_source(group: ProcedureGroup, milestone_id: str) -> tuple[str, Evidence]:
    known = _MILESTONE_EVIDENCE.get((group, milestone_id))
    if known is not None:
        return known
    if milestone_id == "driving":
        return SRC_DRIVING, Evidence.UNVERIFIED
    if milestone_id in {"desk_work", "heavy_work"} and group in _RTW_GROUPS:
        return SRC_RTW, Evidence.UNVERIFIED
    return SRC_PROGRAMME, Evidence.UNVERIFIED


def _span(days: int) -> tuple[int, str]:
    if days % 7 == 0 and days >= 14:
        return days // 7, "weeks"
    return days, "days"


def _when(start: int, end: int | None) -> str:
    """Plain words for a day range after surgery."""
    if end == 0:
        return "on the day of your operation"
    if start == 0 and end == 1:
        return "on the day of your operation or the next day"
    if end is None:
        n, unit = _span(start)
        return f"from about {n} {unit} after your operation"
    if start == end:
        n, unit = _span(start)
        return f"about {n} {unit} after your operation"
    (a, unit_a), (b, unit_b) = _span(start), _span(end)
    if unit_a != unit_b:
        (a, unit_a), (b, unit_b) = (start, "days"), (end, "days")
        if start % 7 == 0 and end % 7 == 0:
            (a, unit_a), (b, unit_b) = (start // 7, "weeks"), (end // 7, "weeks")
    return f"about {a} to {b} {unit_b} after your operation"


def _milestone_text(milestone_id: str, group: ProcedureGroup, start: int, end: int | None) -> str:
    when = _when(start, end)
    fusion = group in {ProcedureGroup.FUSION_MISS, ProcedureGroup.FUSION_OPEN}
    if milestone_id == "walking":
        if start == 0:
            return f"Get up and walk {when}. Walk a little further each day."
        return f"You will start walking with help {when}. Walk a little further each day."
    if milestone_id == "physio_start":
        return f"Start physiotherapy {when}. Your team will arrange it."
    if milestone_id == "driving":
        return (
            "Drive again only when you are off strong painkillers and can make an emergency "
            f"stop. For most people this is {when}. Check with your insurer."
        )
    if milestone_id == "desk_work":
        return f"Most people can go back to desk work {when}. Start with shorter days."
    extra = " Your surgeon will tell you when the bone is strong enough." if fusion else ""
    return f"Heavy or manual work usually has to wait until {when}. Some people need longer.{extra}"


def _milestones(group: ProcedureGroup, settings: PlanSettings) -> tuple[Milestone, ...]:
    chosen = settings.milestone_days[group]
    defaults = DEFAULT_MILESTONE_DAYS[group]
    milestones: list[Milestone] = []
    for milestone_id in MILESTONE_IDS:
        start, end = chosen[milestone_id]
        source, evidence = _milestone_source(group, milestone_id)
        if (start, end) != defaults[milestone_id]:
            source, evidence = SRC_SETTING, Evidence.UNVERIFIED
        milestones.append(
            Milestone(
                id=milestone_id,
                label=_MILESTONE_LABELS[milestone_id],
                from_day=start,
                to_day=end,
                text=_milestone_text(milestone_id, group, start, end),
                source=source,
                evidence=evidence,
            )
        )
    order = {m: i for i, m in enumerate(MILESTONE_IDS)}
    milestones.sort(
        key=lambda m: (m.from_day, m.to_day if m.to_day is not None else math.inf, order[m.id])
    )
    return tuple(milestones)


def _wound_care(settings: PlanSettings) -> tuple[str, ...]:
    first, last = settings.wound_check_days
    return (
        "Wash your hands before you touch the dressing.",
        f"Keep the dressing clean and dry for the first {settings.shower_after_hours} hours.",
        f"After {settings.shower_after_hours} hours you may shower. Pat the wound dry. "
        "Do not rub it.",
        "Do not soak in a bath, pool or hot tub until the wound has fully healed.",
        "Do not put creams, oils or powders on the wound.",
        "Look at your wound every day and tell us how it looks in your daily check-in.",
        f"A nurse will check your wound about {first} to {last} days after your operation. "
        "Stitches or clips, if you have them, come out then.",
    )


def _activity(group: ProcedureGroup) -> tuple[str, ...]:
    common = (
        "Walk several times a day. Start with short walks and go a little further each day.",
        "Change position often. In the first weeks, do not sit for more than 30 to 45 minutes "
        "at a time.",
        "Do not lift anything heavier than a full kettle until your team says you can.",
        "Avoid bending and twisting at the waist in the first weeks.",
        "Rest when you are tired, but do not stay in bed all day.",
    )
    if group in {ProcedureGroup.FUSION_MISS, ProcedureGroup.FUSION_OPEN}:
        return (
            *common,
            "Do not bend, lift or twist at the waist until your surgeon's review at about "
            "6 weeks. This helps the bones join.",
            "If you smoke, stopping helps the bones join.",
        )
    if group is ProcedureGroup.KYPHOPLASTY:
        return (
            *common,
            "Your bones may be thin. Take care to avoid falls: clear clutter and use a rail on "
            "the stairs.",
        )
    return common


_EMERGENCY_ACTION = (
    "Go to the emergency department now, or call the emergency number. "
    "Say you have had spine surgery. Do not wait for us to call you."
)
_SAME_DAY_ACTION = "Call the care team today."
_ROUTINE_ACTION = "Mention it at your next check-in."

# What a patient notices, for each self-reported cauda equina flag.
_CES_SIGNS: dict[str, str] = {
    "cauda_equina.saddle_anaesthesia": (
        "New numbness between your legs or around your bottom (where you would sit on a saddle)."
    ),
    "cauda_equina.bladder_dysfunction": (
        "A new problem passing urine, or leaking urine without knowing."
    ),
    "cauda_equina.bowel_dysfunction": (
        "Losing control of your bowels, or not feeling when you need to go."
    ),
    "cauda_equina.progressive_motor_deficit": (
        "A leg that is newly weak or getting weaker. Your foot may drag or slap."
    ),
}
# Examination-only flags: the self-reported sign a patient would notice instead.
_CES_EXAM_COVERED_BY: dict[str, str] = {
    "cauda_equina.perianal_sensory_loss": "cauda_equina.saddle_anaesthesia",
    "cauda_equina.sphincter_laxity": "cauda_equina.bowel_dysfunction",
    "cauda_equina.major_motor_weakness": "cauda_equina.progressive_motor_deficit",
}


def cauda_equina_signs() -> tuple[WarningSign, ...]:
    """One emergency sign per self-reported cauda equina flag in the catalogue.

    Built from the catalogue, so a flag added there cannot be missing here: a
    self-reported flag without hand-written wording uses its catalogue label,
    and an examination-only flag without a mapping gets a sign of its own.
    """
    ces = [flag for flag in RED_FLAGS if flag.group is Group.CAUDA_EQUINA]
    covered: dict[str, list[str]] = {f.id: [f.id] for f in ces if not f.examination_only}
    for flag in ces:
        if flag.examination_only:
            target = _CES_EXAM_COVERED_BY.get(flag.id)
            if target in covered:
                covered[target].append(flag.id)
            else:
                covered[flag.id] = [flag.id]
    return tuple(
        WarningSign(
            id=flag_id,
            sign=_CES_SIGNS.get(flag_id, RED_FLAGS_BY_ID[flag_id].label + "."),
            action=_EMERGENCY_ACTION,
            urgency="emergency",
            source=RED_FLAGS_BY_ID[flag_id].source,
            evidence=Evidence.VERIFIED,
            red_flag_ids=tuple(ids),
        )
        for flag_id, ids in covered.items()
    )


def _warning_signs(group: ProcedureGroup, settings: PlanSettings) -> tuple[WarningSign, ...]:
    fever = f"{settings.fever_celsius:g} °C"
    signs = [
        *cauda_equina_signs(),
        WarningSign(
            "calf_swelling",
            "Pain, swelling or warmth in one calf or leg.",
            _EMERGENCY_ACTION,
            "emergency",
            SRC_VTE,
        ),
        WarningSign(
            "breathless_chest_pain",
            "Sudden shortness of breath, chest pain, or coughing up blood.",
            "Call the emergency number now.",
            "emergency",
            SRC_VTE,
        ),
        WarningSign(
            "wound_infection",
            "Your wound leaks fluid or pus, or gets red, hot or swollen, or you have a "
            f"temperature of {fever} or more.",
            f"{_SAME_DAY_ACTION} If you feel very unwell, shivery or confused, go to the "
            "emergency department now.",
            "same_day",
            SRC_SSI,
        ),
        WarningSign(
            "wound_opening",
            "The edges of your wound come apart.",
            f"{_SAME_DAY_ACTION} Cover it with a clean dressing.",
            "same_day",
            SRC_SSI,
        ),
        WarningSign(
            "csf_leak_headache",
            "A bad headache that gets worse when you sit or stand up and eases when you lie "
            "down, or clear watery fluid leaking from the wound.",
            f"{_SAME_DAY_ACTION} Lie flat until you have spoken to us.",
            "same_day",
            SRC_CSF,
        ),
        WarningSign(
            "pain_uncontrolled",
            "Pain that your medicines do not control, or pain that keeps getting worse.",
            _SAME_DAY_ACTION,
            "same_day",
            SRC_PAIN,
        ),
    ]
    if group is ProcedureGroup.KYPHOPLASTY:
        signs.append(
            WarningSign(
                "new_back_pain",
                "Sudden new back pain that feels different from before.",
                _SAME_DAY_ACTION,
                "same_day",
                SRC_PROGRAMME,
            )
        )
    signs.append(
        WarningSign(
            "constipation",
            "You have not opened your bowels for 3 days, or you feel bloated, while taking "
            "pain medicines.",
            f"{_ROUTINE_ACTION} A pharmacist can suggest a laxative.",
            "routine",
            SRC_PROGRAMME,
        )
    )
    return tuple(signs)


_PAIN_RELIEF: tuple[Statement, ...] = (
    Statement(
        "Start with paracetamol. Add an anti-inflammatory only if your surgeon agrees.",
        SRC_NON_OPIOID_FIRST,
        Evidence.UNVERIFIED,
    ),
    Statement(
        "Take a strong painkiller (opioid) only if these are not enough. Take the lowest dose "
        "that helps, for the shortest time.",
        SRC_CDC2022,
        Evidence.VERIFIED,
    ),
    Statement(
        "Cut down the strong painkiller as your pain eases. Follow the steps on your plan.",
        SRC_CDC2022,
        Evidence.VERIFIED,
    ),
    Statement(
        "Strong painkillers can make you sleepy. Do not drink alcohol or drive while taking them.",
        SRC_PROGRAMME,
        Evidence.UNVERIFIED,
    ),
)


def _follow_up(surgery_date: date, settings: PlanSettings) -> tuple[FollowUp, ...]:
    first, last = settings.wound_check_days
    low, high = settings.surgeon_review_window
    items = [
        FollowUp(
            "wound_check",
            "Wound check",
            surgery_date + timedelta(days=first),
            surgery_date + timedelta(days=first),
            surgery_date + timedelta(days=last),
            "appointment",
        ),
        FollowUp(
            "surgeon_review",
            "Review with your surgeon",
            surgery_date + timedelta(days=settings.surgeon_review_day),
            surgery_date + timedelta(days=low),
            surgery_date + timedelta(days=high),
            "appointment",
        ),
    ]
    # The baseline questionnaire is answered before surgery; the plan lists what comes after.
    for point in follow_up_schedule(surgery_date, include_24_months=settings.include_24_months):
        if point.due > surgery_date:
            items.append(
                FollowUp(
                    point.id,
                    f"Questionnaire: {point.label}",
                    point.due,
                    point.window_start,
                    point.window_end,
                    "questionnaire",
                )
            )
    items.sort(key=lambda f: (f.due, FOLLOW_UP_KINDS.index(f.kind)))
    return tuple(items)


def default_plan(
    procedure_id: str, surgery_date: date, *, settings: PlanSettings | None = None
) -> DischargePlanContent:
    """The plan staff start from. Raises PlanValidationError for an unknown procedure."""
    settings = settings or _DEFAULT_SETTINGS
    settings.check()
    procedure = PROCEDURES_BY_ID.get(procedure_id)
    if procedure is None:
        raise PlanValidationError("procedure", f"unknown procedure {procedure_id!r}")
    group = procedure_group(procedure)
    return DischargePlanContent(
        procedure=procedure.id,
        surgery_date=surgery_date,
        wound_care=_wound_care(settings),
        wound_care_source=Sourced(SRC_PROGRAMME, Evidence.UNVERIFIED),
        activity=_activity(group),
        activity_source=Sourced(SRC_PROGRAMME, Evidence.UNVERIFIED),
        milestones=_milestones(group, settings),
        warning_signs=_warning_signs(group, settings),
        pain_relief=_PAIN_RELIEF,
        otc_first=settings.otc_options,
        follow_up=_follow_up(surgery_date, settings),
    )


# ---------------------------------------------------------------------------
# Medicines
# ---------------------------------------------------------------------------

_LINE_KEYS = (
    "drug",
    "strength_mg",
    "dose_mg",
    "doses_per_day",
    "days",
    "as_needed",
    "mcg_per_hour",
    "note",
)
MAX_DOSES_PER_DAY = 24
MAX_DAYS = 365
MAX_TEXT = 2000
MAX_ITEMS = 100
_OPIOID_IDS = tuple(CDC_2022.conversions)


def _key(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def _opioid_id(name: str) -> str | None:
    try:
        return canonical_drug(name)
    except UnknownDrugError:
        return None


def _positive_number(value: object, where: str, *, upper: float | None = None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanValidationError(where, f"must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise PlanValidationError(where, f"must be greater than 0, got {value!r}")
    if upper is not None and value > upper:
        raise PlanValidationError(where, f"must be at most {upper:g}, got {value!r}")
    return float(value)


def _check_line(line: MedicineLine, index: int, settings: PlanSettings) -> MedicineLine:
    """Validate one line and return it with the drug name canonicalised."""
    at = f"lines[{index}]"
    if not isinstance(line.drug, str) or not line.drug.strip():
        raise PlanValidationError(f"{at}.drug", "every line needs a drug name")
    if not isinstance(line.as_needed, bool):
        raise PlanValidationError(f"{at}.as_needed", "must be true or false")
    if not isinstance(line.note, str) or len(line.note) > MAX_TEXT:
        raise PlanValidationError(f"{at}.note", f"must be text of at most {MAX_TEXT} characters")
    strength = _positive_number(line.strength_mg, f"{at}.strength_mg")
    dose = _positive_number(line.dose_mg, f"{at}.dose_mg")
    per_day = _positive_number(line.doses_per_day, f"{at}.doses_per_day", upper=MAX_DOSES_PER_DAY)
    rate = _positive_number(line.mcg_per_hour, f"{at}.mcg_per_hour")
    days = line.days
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS
    ):
        raise PlanValidationError(f"{at}.days", f"must be a whole number from 1 to {MAX_DAYS}")

    opioid = _opioid_id(line.drug)
    if opioid is None:
        key = _key(line.drug)
        if key not in settings.non_opioids:
            lookalike = next((o for o in _OPIOID_IDS if o.split("-")[0] in key), None)
            if lookalike is not None:
                hint = f"it looks like an opioid: use drug {lookalike!r} and put the form in note"
            else:
                hint = (
                    f"use an opioid id ({', '.join(_OPIOID_IDS)}) or a non-opioid name the "
                    "programme lists (PlanSettings.non_opioids)"
                )
            raise PlanValidationError(f"{at}.drug", f"unknown drug {line.drug!r}; {hint}")
        drug = key
    else:
        drug = opioid

    patch = opioid is not None and CDC_2022.conversions[opioid].unit is DoseUnit.MCG_PER_HOUR
    if patch:
        if rate is None:
            raise PlanValidationError(f"{at}.mcg_per_hour", "a fentanyl patch needs mcg_per_hour")
        for name, value in (
            ("dose_mg", dose),
            ("doses_per_day", per_day),
            ("strength_mg", strength),
        ):
            if value is not None:
                raise PlanValidationError(
                    f"{at}.{name}", "give a fentanyl patch as mcg_per_hour only"
                )
    else:
        if rate is not None:
            raise PlanValidationError(
                f"{at}.mcg_per_hour", "mcg_per_hour is only for a fentanyl patch ('fentanyl-patch')"
            )
        if dose is None:
            raise PlanValidationError(f"{at}.dose_mg", "the dose is required")
        if per_day is None and (opioid is not None or not line.as_needed):
            what = "the maximum number of doses a day" if line.as_needed else "doses a day"
            raise PlanValidationError(f"{at}.doses_per_day", f"{what} is required")
    return MedicineLine(
        drug=drug,
        strength_mg=strength,
        dose_mg=dose,
        doses_per_day=per_day,
        days=days,
        as_needed=line.as_needed,
        mcg_per_hour=rate,
        note=line.note,
    )


def medicine_lines_from_json(
    data: object, *, settings: PlanSettings | None = None
) -> tuple[MedicineLine, ...]:
    """Parse and validate medicine lines (a list of objects with ``_LINE_KEYS``)."""
    settings = settings or _DEFAULT_SETTINGS
    if not isinstance(data, list):
        raise PlanValidationError("lines", "must be a list of medicine lines")
    if len(data) > MAX_ITEMS:
        raise PlanValidationError("lines", f"at most {MAX_ITEMS} lines")
    lines: list[MedicineLine] = []
    for index, item in enumerate(data):
        at = f"lines[{index}]"
        if not isinstance(item, Mapping):
            raise PlanValidationError(at, "must be an object")
        unknown = sorted(str(k) for k in item if k not in _LINE_KEYS)
        if unknown:
            raise PlanValidationError(f"{at}.{unknown[0]}", "unknown field")
        drug = item.get("drug")
        if not isinstance(drug, str):
            raise PlanValidationError(f"{at}.drug", "every line needs a drug name")
        note = item.get("note", "")
        as_needed = item.get("as_needed", False)
        raw = MedicineLine(
            drug=drug,
            strength_mg=cast(float | None, item.get("strength_mg")),  # checked in _check_line
            dose_mg=cast(float | None, item.get("dose_mg")),
            doses_per_day=cast(float | None, item.get("doses_per_day")),
            days=cast(int | None, item.get("days")),
            as_needed=cast(bool, as_needed),
            mcg_per_hour=cast(float | None, item.get("mcg_per_hour")),
            note=cast(str, "" if note is None else note),
        )
        lines.append(_check_line(raw, index, settings))
    return tuple(lines)


def _daily_amount(line: MedicineLine) -> Decimal:
    """mg/day (as-needed lines at their maximum), or the patch rate in mcg/h."""
    if line.mcg_per_hour is not None:
        return to_decimal(line.mcg_per_hour)
    assert line.dose_mg is not None and line.doses_per_day is not None
    return to_decimal(line.dose_mg) * to_decimal(line.doses_per_day)


def _notice(
    notices: list[MedicineNotice], notice_id: str, text: str, source: str, evidence: Evidence
) -> None:
    notices.append(MedicineNotice(notice_id, text, source, evidence))


def plan_medicines(
    lines: Sequence[MedicineLine],
    *,
    factors: str = "cdc2022",
    settings: PlanSettings | None = None,
    start_date: date | None = None,
) -> MedicinePlan:
    """MME per line and in total, flags, warnings, and a taper to zero.

    As-needed opioid lines count at their maximum (dose x maximum doses a day).
    Raises PlanValidationError for a bad line or an unknown factor table.
    """
    settings = settings or _DEFAULT_SETTINGS
    settings.check()
    try:
        table = factor_table(factors)
    except UnknownFactorTableError as error:
        raise PlanValidationError("factors", str(error)) from None
    checked = tuple(_check_line(line, i, settings) for i, line in enumerate(lines))
    opioid_index = [i for i, line in enumerate(checked) if line.is_opioid]
    try:
        result = mme_for_lines(
            [
                MedicationLine(
                    drug=checked[i].drug,
                    dose_mg=checked[i].dose_mg if checked[i].mcg_per_hour is None else None,
                    doses_per_day=checked[i].doses_per_day,
                    mcg_per_hour=checked[i].mcg_per_hour,
                )
                for i in opioid_index
            ],
            factors=table.id,
            thresholds=settings.thresholds,
        )
    except InvalidMedicationLineError as error:  # cannot happen after _check_line
        raise PlanValidationError("lines", str(error)) from None

    mme: list[float | None] = [None] * len(checked)
    status: list[str | None] = [None] * len(checked)
    for i, line_mme in zip(opioid_index, result.lines, strict=True):
        mme[i] = line_mme.mme_per_day
        status[i] = line_mme.status.value

    notices: list[MedicineNotice] = []
    flags = list(result.flags)
    total = result.total_mme_per_day
    opioid_lines = [checked[i] for i in opioid_index]
    drugs = list(dict.fromkeys(line.drug for line in opioid_lines))

    if total >= settings.naloxone_mme:
        _notice(
            notices,
            "naloxone",
            f"The combined opioid dose is {total:g} MME a day ({settings.naloxone_mme:g} or "
            "more): consider offering naloxone.",
            SRC_NALOXONE,
            Evidence.VERIFIED,
        )
    high = [t for t in settings.thresholds if t > settings.naloxone_mme and total >= t]
    if high:
        _notice(
            notices,
            "high_mme",
            f"The combined opioid dose is {total:g} MME a day ({max(high):g} or more): avoid, "
            "or record why it is needed.",
            SRC_HIGH_MME,
            Evidence.UNVERIFIED,
        )
    if len(drugs) > 1:
        flags.append("multiple_opioids")
        _notice(
            notices,
            "multiple_opioids",
            f"Two or more opioids at once ({', '.join(drugs)}). Check that this is intended.",
            SRC_PROGRAMME,
            Evidence.UNVERIFIED,
        )
    long_lines = [
        (i, line.days)
        for i, line in zip(opioid_index, opioid_lines, strict=True)
        if line.days is not None and line.days > settings.max_opioid_days
    ]
    if long_lines:
        flags.append("opioid_days_over_limit")
        where = ", ".join(f"line {i + 1}: {d} days" for i, d in long_lines)
        _notice(
            notices,
            "opioid_days",
            f"Opioid for more than {settings.max_opioid_days} days ({where}). For acute pain "
            "3 days or less is often enough; prescribe no more than needed.",
            SRC_7_DAYS,
            Evidence.UNVERIFIED,
        )
    if any(line.days is None for line in opioid_lines):
        _notice(
            notices,
            "opioid_days_missing",
            "An opioid line has no number of days. Give the duration.",
            SRC_CDC2022,
            Evidence.VERIFIED,
        )
    non_opioid = {_key(line.drug) for line in checked if not line.is_opioid}
    if opioid_lines and not non_opioid & _NON_OPIOID_ANALGESICS:
        _notice(
            notices,
            "no_non_opioid",
            "There is an opioid but no paracetamol or anti-inflammatory. Non-opioid pain "
            "relief comes first.",
            SRC_NON_OPIOID_FIRST,
            Evidence.UNVERIFIED,
        )
    paracetamol = sum(
        (
            _daily_amount(line)
            for line in checked
            if _key(line.drug) in {"paracetamol", "acetaminophen"} and line.doses_per_day
        ),
        Decimal(0),
    )
    if paracetamol > to_decimal(settings.paracetamol_max_mg_per_day):
        flags.append("paracetamol_over_max")
        _notice(
            notices,
            "paracetamol_max",
            f"Paracetamol adds up to {float(paracetamol):g} mg a day, more than "
            f"{settings.paracetamol_max_mg_per_day:g} mg.",
            SRC_OTC,
            Evidence.UNVERIFIED,
        )
    not_calculated = [
        line_mme for line_mme in result.lines if line_mme.status is MMEStatus.NOT_CALCULATED
    ]
    for line_mme in not_calculated:
        _notice(
            notices,
            "not_calculated",
            f"{line_mme.drug}: {line_mme.reason}.",
            table.source,
            table.evidence,
        )

    taper, taper_drug, taper_unit = _taper(
        checked, opioid_index, mme, settings, table.id, start_date, notices
    )
    return MedicinePlan(
        lines=checked,
        mme=tuple(mme),
        total_mme_per_day=total,
        flags=tuple(flags),
        taper=taper,
        warnings=tuple(n.text for n in notices),
        notices=tuple(notices),
        mme_status=tuple(status),
        factors=table.id,
        complete=result.complete,
        taper_drug=taper_drug,
        taper_unit=taper_unit,
        source=result.source,
    )


def _taper(
    lines: tuple[MedicineLine, ...],
    opioid_index: list[int],
    mme: list[float | None],
    settings: PlanSettings,
    factors: str,
    start_date: date | None,
    notices: list[MedicineNotice],
) -> tuple[tuple[TaperStep, ...], str | None, str | None]:
    """Taper the calculated opioid lines to zero.

    One opioid: in that drug's unit, with tablet (patch) strengths. Several:
    in MME/day, in ``mme_taper_step`` steps; the prescriber decides which drug
    to reduce. Lines "not calculated" (buprenorphine) are left out.
    """
    calculated = [i for i in opioid_index if mme[i] is not None]
    if len(calculated) < len(opioid_index):
        _notice(
            notices,
            "taper_excludes",
            "Lines without an MME (such as buprenorphine) are not in the taper. The "
            "prescriber plans them separately.",
            SRC_PROGRAMME,
            Evidence.UNVERIFIED,
        )
    drugs = list(dict.fromkeys(lines[i].drug for i in calculated))
    if not drugs:
        return (), None, None
    try:
        if len(drugs) == 1:
            drug = drugs[0]
            own = {lines[i].strength_mg for i in calculated}
            strengths = (
                tuple(s for s in own if s is not None)
                if None not in own
                else settings.tablet_strengths.get(drug, ())
            )
            if not strengths:
                _notice(
                    notices,
                    "taper_no_strength",
                    f"No tablet strength for {drug}: add strength_mg to see a taper.",
                    SRC_PROGRAMME,
                    Evidence.UNVERIFIED,
                )
                return (), None, None
            start = sum((_daily_amount(lines[i]) for i in calculated), Decimal(0))
            steps = taper_schedule(
                float(start),
                strengths,
                fraction=settings.taper_fraction,
                basis=settings.taper_basis,
                interval_days=settings.taper_interval_days,
                start_date=start_date,
                drug=drug,
                factors=factors,
            )
            return steps, drug, CDC_2022.conversions[drug].unit.value
        total = sum((to_decimal(cast(float, mme[i])) for i in calculated), Decimal(0))
        steps = taper_schedule(
            float(total),
            [settings.mme_taper_step],
            fraction=settings.taper_fraction,
            basis=settings.taper_basis,
            interval_days=settings.taper_interval_days,
            start_date=start_date,
        )
        _notice(
            notices,
            "taper_in_mme",
            "More than one opioid: the taper is shown in MME a day. The prescriber decides "
            "which medicine to reduce at each step.",
            SRC_PROGRAMME,
            Evidence.UNVERIFIED,
        )
        return steps, None, "MME/day"
    except ValueError as error:
        _notice(
            notices,
            "taper_failed",
            f"No taper could be worked out: {error}.",
            SRC_PROGRAMME,
            Evidence.UNVERIFIED,
        )
        return (), None, None


# ---------------------------------------------------------------------------
# Parsing an edited plan
# ---------------------------------------------------------------------------


def _text(value: object, where: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise PlanValidationError(where, "must be non-empty text")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise PlanValidationError(where, f"must be at most {MAX_TEXT} characters of text")
    return value


def _list(data: Mapping[str, object], key: str) -> list[object]:
    value = data.get(key)
    if not isinstance(value, list):
        raise PlanValidationError(key, "must be a list")
    if len(value) > MAX_ITEMS:
        raise PlanValidationError(key, f"at most {MAX_ITEMS} items")
    return value


def _object(
    value: object, where: str, keys: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise PlanValidationError(where, "must be an object")
    unknown = sorted(str(k) for k in value if k not in keys and k not in optional)
    if unknown:
        raise PlanValidationError(f"{where}.{unknown[0]}", "unknown field")
    for key in keys:
        if key not in value:
            raise PlanValidationError(f"{where}.{key}", "is required")
    return cast(Mapping[str, object], value)


def _evidence(value: object, where: str) -> Evidence:
    try:
        return Evidence(cast(str, value))
    except ValueError:
        known = ", ".join(e.value for e in Evidence)
        raise PlanValidationError(where, f"must be one of {known}") from None


def _day(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise PlanValidationError(where, "must be a whole number of days from 0 to 3650")
    return value


def _date(value: object, where: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PlanValidationError(where, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PlanValidationError(where, "must be a date YYYY-MM-DD") from None


def _unique(ids: list[str], key: str) -> None:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            raise PlanValidationError(f"{key}[{index}].id", f"duplicate id {item!r}")
        seen.add(item)


def _sourced(value: object, where: str) -> Sourced:
    obj = _object(value, where, ("source", "evidence"))
    return Sourced(
        _text(obj["source"], f"{where}.source"), _evidence(obj["evidence"], f"{where}.evidence")
    )


_PLAN_KEYS = (
    "procedure",
    "wound_care",
    "activity",
    "milestones",
    "warning_signs",
    "otc_first",
    "follow_up",
)
_PLAN_OPTIONAL = (
    "version",
    "procedure_label",
    "procedure_group",
    "surgery_date",
    "pain_relief",
    "wound_care_source",
    "activity_source",
)


def _milestones_from_json(items: list[object]) -> tuple[Milestone, ...]:
    milestones: list[Milestone] = []
    for i, raw in enumerate(items):
        at = f"milestones[{i}]"
        m = _object(raw, at, ("id", "label", "from_day", "to_day", "text", "source", "evidence"))
        start = _day(m["from_day"], f"{at}.from_day")
        end = None if m["to_day"] is None else _day(m["to_day"], f"{at}.to_day")
        if end is not None and end < start:
            raise PlanValidationError(f"{at}.to_day", "must not be before from_day")
        milestones.append(
            Milestone(
                id=_text(m["id"], f"{at}.id"),
                label=_text(m["label"], f"{at}.label"),
                from_day=start,
                to_day=end,
                text=_text(m["text"], f"{at}.text"),
                source=_text(m["source"], f"{at}.source"),
                evidence=_evidence(m["evidence"], f"{at}.evidence"),
            )
        )
    _unique([m.id for m in milestones], "milestones")
    return tuple(milestones)


def _warning_signs_from_json(items: list[object]) -> tuple[WarningSign, ...]:
    signs: list[WarningSign] = []
    for i, raw in enumerate(items):
        at = f"warning_signs[{i}]"
        w = _object(
            raw, at, ("id", "sign", "action", "urgency", "source"), ("evidence", "red_flag_ids")
        )
        urgency = w["urgency"]
        if urgency not in URGENCIES:
            raise PlanValidationError(f"{at}.urgency", f"must be one of {', '.join(URGENCIES)}")
        flag_ids = w.get("red_flag_ids", [])
        if not isinstance(flag_ids, list) or not all(
            isinstance(f, str) and f in RED_FLAGS_BY_ID for f in flag_ids
        ):
            raise PlanValidationError(f"{at}.red_flag_ids", "must list known red-flag ids")
        signs.append(
            WarningSign(
                id=_text(w["id"], f"{at}.id"),
                sign=_text(w["sign"], f"{at}.sign"),
                action=_text(w["action"], f"{at}.action"),
                urgency=urgency,
                source=_text(w["source"], f"{at}.source"),
                evidence=_evidence(w.get("evidence", "unverified"), f"{at}.evidence"),
                red_flag_ids=tuple(cast(list[str], flag_ids)),
            )
        )
    _unique([w.id for w in signs], "warning_signs")
    covered = {f for w in signs if w.urgency == "emergency" for f in w.red_flag_ids}
    for flag in RED_FLAGS:
        if flag.group is Group.CAUDA_EQUINA and flag.id not in covered:
            raise PlanValidationError(
                "warning_signs",
                f"the cauda equina sign {flag.id!r} must stay, with urgency 'emergency'",
            )
    return tuple(signs)


def _otc_from_json(items: list[object]) -> tuple[OtcOption, ...]:
    otc: list[OtcOption] = []
    for i, raw in enumerate(items):
        at = f"otc_first[{i}]"
        o = _object(raw, at, ("name", "how", "caution", "source", "evidence"))
        otc.append(
            OtcOption(
                name=_text(o["name"], f"{at}.name"),
                how=_text(o["how"], f"{at}.how"),
                caution=_text(o["caution"], f"{at}.caution", allow_empty=True),
                source=_text(o["source"], f"{at}.source"),
                evidence=_evidence(o["evidence"], f"{at}.evidence"),
            )
        )
    return tuple(otc)


def _statements_from_json(items: list[object], key: str) -> tuple[Statement, ...]:
    statements: list[Statement] = []
    for i, raw in enumerate(items):
        at = f"{key}[{i}]"
        s = _object(raw, at, ("text", "source", "evidence"))
        statements.append(
            Statement(
                _text(s["text"], f"{at}.text"),
                _text(s["source"], f"{at}.source"),
                _evidence(s["evidence"], f"{at}.evidence"),
            )
        )
    return tuple(statements)


def _follow_up_from_json(items: list[object]) -> tuple[FollowUp, ...]:
    follow: list[FollowUp] = []
    for i, raw in enumerate(items):
        at = f"follow_up[{i}]"
        f = _object(raw, at, ("id", "label", "due", "kind"), ("window_start", "window_end"))
        kind = f["kind"]
        if kind not in FOLLOW_UP_KINDS:
            raise PlanValidationError(f"{at}.kind", f"must be one of {', '.join(FOLLOW_UP_KINDS)}")
        due = cast(date, _date(f["due"], f"{at}.due"))
        opens = _date(f.get("window_start"), f"{at}.window_start", optional=True)
        closes = _date(f.get("window_end"), f"{at}.window_end", optional=True)
        if opens is not None and opens > due:
            raise PlanValidationError(f"{at}.window_start", "must not be after the due date")
        if closes is not None and closes < due:
            raise PlanValidationError(f"{at}.window_end", "must not be before the due date")
        follow.append(
            FollowUp(
                _text(f["id"], f"{at}.id"),
                _text(f["label"], f"{at}.label"),
                due,
                opens,
                closes,
                kind,
            )
        )
    _unique([f.id for f in follow], "follow_up")
    return tuple(follow)


def plan_from_json(data: object) -> DischargePlanContent:
    """Parse an edited plan (the shape of ``DischargePlanContent.to_json``).

    Staff may reword anything, but every cauda equina flag must stay covered by
    a warning sign whose urgency is "emergency": a red flag is never dropped.
    ``procedure_label`` and ``procedure_group`` are derived and ignored.
    """
    obj = _object(data, "plan", _PLAN_KEYS, _PLAN_OPTIONAL)
    procedure = obj["procedure"]
    if not isinstance(procedure, str) or procedure not in PROCEDURES_BY_ID:
        raise PlanValidationError("procedure", f"unknown procedure {procedure!r}")
    default_source = Sourced(SRC_PROGRAMME, Evidence.UNVERIFIED)
    return DischargePlanContent(
        procedure=procedure,
        surgery_date=_date(obj.get("surgery_date"), "surgery_date", optional=True),
        wound_care=tuple(
            _text(v, f"wound_care[{i}]") for i, v in enumerate(_list(obj, "wound_care"))
        ),
        wound_care_source=_sourced(obj["wound_care_source"], "wound_care_source")
        if "wound_care_source" in obj
        else default_source,
        activity=tuple(_text(v, f"activity[{i}]") for i, v in enumerate(_list(obj, "activity"))),
        activity_source=_sourced(obj["activity_source"], "activity_source")
        if "activity_source" in obj
        else default_source,
        milestones=_milestones_from_json(_list(obj, "milestones")),
        warning_signs=_warning_signs_from_json(_list(obj, "warning_signs")),
        pain_relief=_statements_from_json(
            _list(obj, "pain_relief") if "pain_relief" in obj else [], "pain_relief"
        ),
        otc_first=_otc_from_json(_list(obj, "otc_first")),
        follow_up=_follow_up_from_json(_list(obj, "follow_up")),
    )


__all__ = [
    "DEFAULT_MILESTONE_DAYS",
    "DEFAULT_NON_OPIOIDS",
    "DEFAULT_OTC",
    "DEFAULT_TABLET_STRENGTHS",
    "MILESTONE_IDS",
    "PLAN_VERSION",
    "DischargePlanContent",
    "FollowUp",
    "MedicineLine",
    "MedicineNotice",
    "MedicinePlan",
    "Milestone",
    "OtcOption",
    "PlanSettings",
    "PlanValidationError",
    "ProcedureGroup",
    "Sourced",
    "Statement",
    "WarningSign",
    "cauda_equina_signs",
    "default_plan",
    "medicine_lines_from_json",
    "plan_from_json",
    "plan_medicines",
    "procedure_group",
]
