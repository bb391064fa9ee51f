"""Complication grading (Clavien-Dindo) and SSI surveillance (CDC/NHSN).

Meyerding slip grading lives in spinepath.clinical.meyerding and is
re-exported here, where callers of the outcomes record look for grades.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.meyerding import MEYERDING_BANDS, MeyerdingGrade, meyerding_grade

__all__ = [
    "CLAVIEN_DINDO",
    "CLAVIEN_DINDO_SOURCE",
    "DEFAULT_SSI_CONFIG",
    "MEYERDING_BANDS",
    "SPINE_EXAMPLES",
    "ClavienDindoDefinition",
    "ClavienDindoGrade",
    "MeyerdingGrade",
    "SSIDepth",
    "SSISurveillanceConfig",
    "format_grade",
    "meyerding_grade",
    "parse_grade",
    "ssi_surveillance_days",
    "ssi_window",
]

CLAVIEN_DINDO_SOURCE = (
    "Dindo D, Demartines N, Clavien PA. Ann Surg 2004;240(2):205-13; table reproduced at "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC10958949/table/Tab3"
)


class ClavienDindoGrade(StrEnum):
    I = "I"  # noqa: E741 - the grade is called I
    II = "II"
    IIIA = "IIIa"
    IIIB = "IIIb"
    IVA = "IVa"
    IVB = "IVb"
    V = "V"

    @property
    def major(self) -> bool:
        """Grade IIIa or worse: the usual 'major complication' cut-off."""
        return _ORDER.index(self) >= _ORDER.index(ClavienDindoGrade.IIIA)


_ORDER = tuple(ClavienDindoGrade)


@dataclass(frozen=True)
class ClavienDindoDefinition:
    grade: ClavienDindoGrade
    definition: str
    source: str = CLAVIEN_DINDO_SOURCE


# Source: CLAVIEN_DINDO_SOURCE (reference clinical.md §7.1).
CLAVIEN_DINDO: Mapping[ClavienDindoGrade, ClavienDindoDefinition] = MappingProxyType(
    {
        d.grade: d
        for d in (
            ClavienDindoDefinition(
                ClavienDindoGrade.I,
                "Any deviation from the normal postoperative course without the need for "
                "pharmacological treatment or surgical, endoscopic and radiological "
                "interventions. Allowed: antiemetics, antipyretics, analgesics, diuretics, "
                "electrolytes, physiotherapy; includes wound infections opened at the bedside.",
            ),
            ClavienDindoDefinition(
                ClavienDindoGrade.II,
                "Requiring pharmacological treatment with drugs other than those allowed for "
                "grade I; blood transfusions and total parenteral nutrition included.",
            ),
            ClavienDindoDefinition(
                ClavienDindoGrade.IIIA,
                "Requiring surgical, endoscopic or radiological intervention, not under "
                "general anaesthesia.",
            ),
            ClavienDindoDefinition(
                ClavienDindoGrade.IIIB,
                "Requiring surgical, endoscopic or radiological intervention under general "
                "anaesthesia.",
            ),
            ClavienDindoDefinition(
                ClavienDindoGrade.IVA,
                "Life-threatening complication (including CNS complications: brain "
                "haemorrhage, ischaemic stroke, subarachnoid bleeding, excluding TIA) requiring "
                "IC/ICU management: single-organ dysfunction (including dialysis).",
            ),
            ClavienDindoDefinition(
                ClavienDindoGrade.IVB,
                "Life-threatening complication requiring IC/ICU management: multi-organ "
                "dysfunction.",
            ),
            ClavienDindoDefinition(ClavienDindoGrade.V, "Death of a patient."),
        )
    }
)

DISABILITY_SUFFIX = "d"
DISABILITY_DEFINITION = (
    "Suffix 'd' (disability): the complication is still present at discharge; indicates "
    "the need for follow-up."
)

# [D] Spine examples (reference clinical.md §7.1, derived from the definitions).
# An incidental durotomy repaired primarily is an intra-operative event, graded
# only if the postoperative course deviates.
SPINE_EXAMPLES: tuple[tuple[str, ClavienDindoGrade], ...] = (
    ("Postoperative CSF leak managed with bed rest", ClavienDindoGrade.I),
    ("Urinary tract infection treated with antibiotics", ClavienDindoGrade.II),
    ("Surgical site infection treated with antibiotics", ClavienDindoGrade.II),
    ("Epidural haematoma evacuated under general anaesthesia", ClavienDindoGrade.IIIB),
    ("Wound washout under general anaesthesia", ClavienDindoGrade.IIIB),
    ("Pulmonary embolism requiring ICU care", ClavienDindoGrade.IVA),
)


def format_grade(grade: ClavienDindoGrade, disability: bool = False) -> str:
    """'IIIa' or, when still present at discharge, 'IIIa-d'."""
    grade = ClavienDindoGrade(grade)
    if disability and grade is ClavienDindoGrade.V:
        raise ValueError("grade V (death) takes no disability suffix")
    return f"{grade.value}-{DISABILITY_SUFFIX}" if disability else grade.value


def parse_grade(text: str) -> tuple[ClavienDindoGrade, bool]:
    """Inverse of format_grade: 'IIIa-d' -> (IIIA, True). Case of the letters matters
    only for the a/b sub-grade, which is normalised."""
    raw = text.strip()
    disability = raw.lower().endswith(f"-{DISABILITY_SUFFIX}")
    core = raw[: -len(DISABILITY_SUFFIX) - 1] if disability else raw
    core = core.upper()
    if core.endswith(("A", "B")) and core[:-1] in {"III", "IV"}:
        core = core[:-1] + core[-1].lower()
    try:
        grade = ClavienDindoGrade(core)
    except ValueError:
        raise ValueError(f"not a Clavien-Dindo grade: {text!r}") from None
    format_grade(grade, disability)  # rejects 'V-d'
    return grade, disability


# --- surgical site infection ---------------------------------------------------


class SSIDepth(StrEnum):
    SUPERFICIAL = "superficial"  # skin and subcutaneous tissue of the incision
    DEEP = "deep"  # fascial and muscle layers
    ORGAN_SPACE = "organ_space"  # deeper than fascia/muscle: disc space, bone, intraspinal


SSI_SOURCE = (
    "CDC/NHSN Patient Safety Component Manual ch. 9 (SSI), Table 2 'Surveillance Periods for "
    "SSI Following Selected NHSN Operative Procedure Categories'; table body not verified"
)


@dataclass(frozen=True)
class SSISurveillanceConfig:
    """[U] Windows in days, day 1 = the procedure date; configurable per site.

    Defaults follow NHSN since 2013 as commonly cited (LAM 30, FUSN/RFUSN 90,
    superficial incisional 30 for every procedure), but Table 2 itself was not
    retrievable. Vertebral augmentation is not an NHSN category: 90 days is
    spinepath's choice because bone cement is an implant and the longer window
    misses fewer infections. Do not mix with the pre-2013 definition (30 days,
    1 year with an implant) in registry analytics.
    """

    deep_and_organ_space_days: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(
            {
                "laminectomy": 30,
                "fusion": 90,
                "refusion": 90,
                "vertebral_augmentation": 90,
            }
        )
    )
    superficial_days: int = 30
    source: str = SSI_SOURCE
    evidence: Evidence = Evidence.UNVERIFIED


DEFAULT_SSI_CONFIG = SSISurveillanceConfig()

# NHSN procedure codes and common words for the same categories.
_CATEGORY_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "lam": "laminectomy",
        "discectomy": "laminectomy",
        "decompression": "laminectomy",
        "fusn": "fusion",
        "rfusn": "refusion",
        "kyphoplasty": "vertebral_augmentation",
        "vertebroplasty": "vertebral_augmentation",
    }
)


def ssi_surveillance_days(
    procedure_category: str,
    depth: SSIDepth,
    config: SSISurveillanceConfig = DEFAULT_SSI_CONFIG,
) -> int:
    """Length of the SSI surveillance window; unknown categories raise ValueError."""
    key = procedure_category.strip().lower()
    key = _CATEGORY_ALIASES.get(key, key)
    if key not in config.deep_and_organ_space_days:
        raise ValueError(
            f"unknown procedure category {procedure_category!r} "
            f"(known: {', '.join(config.deep_and_organ_space_days)})"
        )
    if SSIDepth(depth) is SSIDepth.SUPERFICIAL:
        return config.superficial_days
    return config.deep_and_organ_space_days[key]


def ssi_window(
    procedure_date: date,
    procedure_category: str,
    depth: SSIDepth,
    config: SSISurveillanceConfig = DEFAULT_SSI_CONFIG,
) -> tuple[date, date]:
    """First and last day (inclusive) of surveillance; day 1 is the procedure date."""
    days = ssi_surveillance_days(procedure_category, depth, config)
    return procedure_date, procedure_date + timedelta(days=days - 1)
