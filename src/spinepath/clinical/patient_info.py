"""What a patient is told about each option: what it involves, recovery, risks.

Plain language for the shared-decision summary. Every statement carries its
source and how sure we are of it; figures from practice or patient-education
pages (not trials) are marked unverified and are defaults a clinic can edit.

Source: reference clinical.md §9 (MIS vs open meta-analyses, recovery
milestones) and §8.3 (procedure candidacy).
"""

from __future__ import annotations

from dataclasses import dataclass

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.procedures import PROCEDURES_BY_ID, Approach

SRC_RTW = (
    "Return-to-work times from practice and patient-education pages (Cedars-Sinai via "
    "marinahospital.com; greenbergspinemd.com), reference clinical.md §9.2"
)
SRC_KOEBBE = (
    "Koebbe 2002, 3,000+ microdiscectomies: most back at work within a month; dural tear, "
    "discitis or nerve root injury each under 2 %; reoperation 5 %; reference clinical.md §9.2"
)
SRC_PARK = (
    "Park Y et al. Yonsei Med J 2018;59(4):524-38 (MIS vs open fusion: about 270 mL less blood "
    "loss, 1.3 days shorter stay, infection OR 0.3), reference clinical.md §9.1"
)
SRC_GOLDSTEIN = (
    "Goldstein CL et al. J Neurosurg Spine 2016;24(3):416-27 (MIS vs open TLIF/PLIF: walking "
    "3.5 days sooner, fewer medical complications RR 0.39), reference clinical.md §9.1"
)
SRC_SPORT = (
    "SPORT IDH 4-year as-treated results (PMC2756172) and BMJ 2023 meta-analysis of "
    "discectomy vs non-surgical care, reference clinical.md §9.2"
)
SRC_PARRISH = (
    "Parrish JM et al. IJSS 2020;14(6):970-81 (50 MIS TLIF/LLIF patients home the same day), "
    "reference clinical.md §5.3"
)
SRC_KYPHO = "Reference clinical.md §8.3 (kyphoplasty; cement leak usually without symptoms)"


@dataclass(frozen=True)
class Statement:
    text: str
    source: str
    evidence: Evidence


@dataclass(frozen=True)
class OptionInfo:
    procedure: str
    label: str
    involves: str
    recovery: tuple[Statement, ...]
    risks: tuple[Statement, ...]


_DISCECTOMY_RECOVERY = (
    Statement(
        "Most people walk the same day and go home the same day or the next.",
        SRC_PARRISH,
        Evidence.VERIFIED,
    ),
    Statement(
        "Desk work is often possible after 1 to 2 weeks; heavy work after 4 to 6 weeks, "
        "sometimes longer.",
        SRC_RTW,
        Evidence.UNVERIFIED,
    ),
    Statement(
        "Leg pain usually eases faster than with non-surgical care; over years the difference "
        "gets smaller.",
        SRC_SPORT,
        Evidence.VERIFIED,
    ),
)
_DISCECTOMY_RISKS = (
    Statement(
        "A small tear in the covering of the nerves, infection of the disc, or a nerve injury: "
        "each happens to fewer than 2 in 100 people.",
        SRC_KOEBBE,
        Evidence.VERIFIED,
    ),
    Statement(
        "About 5 in 100 people need another operation, often because the disc bulges again.",
        SRC_KOEBBE,
        Evidence.VERIFIED,
    ),
)
_FUSION_RECOVERY = (
    Statement(
        "With the minimally invasive approach people walk about 3 to 4 days sooner than after "
        "open surgery, and stay about a day less in hospital. Some programmes send people home "
        "the same day; most stay one night.",
        f"{SRC_GOLDSTEIN}; {SRC_PARRISH}",
        Evidence.VERIFIED,
    ),
    Statement(
        "Desk work is often possible after 4 to 6 weeks; heavy work takes longer.",
        SRC_RTW,
        Evidence.UNVERIFIED,
    ),
)
_FUSION_RISKS = (
    Statement(
        "Compared with open surgery, the minimally invasive approach loses less blood (about "
        "270 mL less) and has fewer wound infections.",
        SRC_PARK,
        Evidence.VERIFIED,
    ),
    Statement(
        "Fewer general complications (such as chest or urine infections) than open surgery.",
        SRC_GOLDSTEIN,
        Evidence.VERIFIED,
    ),
)
_OPEN_NOTE = Statement(
    "An open operation uses a longer cut; stays in hospital and recovery are usually longer "
    "than with the minimally invasive version.",
    SRC_PARK,
    Evidence.VERIFIED,
)
_KYPHO = (
    Statement(
        "Usually a short procedure; many people go home the same day.",
        SRC_KYPHO,
        Evidence.UNVERIFIED,
    ),
)
_KYPHO_RISKS = (
    Statement(
        "Bone cement can leak a little outside the bone; this usually causes no symptoms.",
        SRC_KYPHO,
        Evidence.VERIFIED,
    ),
)


def option_info(procedure_id: str) -> OptionInfo:
    procedure = PROCEDURES_BY_ID[procedure_id]
    recovery: tuple[Statement, ...]
    risks: tuple[Statement, ...]
    if procedure.ssi_category.value == "vertebral_augmentation":
        recovery, risks = _KYPHO, _KYPHO_RISKS
    elif procedure.fusion:
        recovery, risks = _FUSION_RECOVERY, _FUSION_RISKS
    else:
        recovery, risks = _DISCECTOMY_RECOVERY, _DISCECTOMY_RISKS
    if procedure.approach is Approach.OPEN:
        # The first statement of each list is about the minimally invasive approach.
        recovery = (_OPEN_NOTE, *recovery[1:])
    return OptionInfo(
        procedure=procedure.id,
        label=procedure.label,
        involves=procedure.plain_language,
        recovery=recovery,
        risks=risks,
    )


NOT_HAVING_SURGERY = (
    Statement(
        "Not having surgery is always an option. Many people's leg pain settles with time, "
        "exercise and pain relief; surgery mainly makes it settle sooner.",
        SRC_SPORT,
        Evidence.VERIFIED,
    ),
)
