"""What the candidacy rules look at. None always means "not recorded", never "no".

The same structure is the JSON case format of `spinepath assess` and
`POST /api/v1/assessments/evaluate` (schema: schemas/candidacy-case.schema.json)
and is what the clinician's assessment form produces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LUMBAR_LEVELS: tuple[str, ...] = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")

# The values of spinepath.patients Condition (the clinical core cannot import
# Django, so they are repeated here; the candidacy rules cover the first four).
CONDITIONS: tuple[str, ...] = (
    "lumbar_disc_herniation",
    "lumbar_spinal_stenosis",
    "degenerative_spondylolisthesis",
    "vertebral_compression_fracture",
    "cervical_radiculopathy",
    "other",
)


class Deficit(StrEnum):
    NONE = "none"
    STABLE = "stable"  # a deficit that is not getting worse
    PROGRESSIVE = "progressive"  # a red flag: see spinepath.clinical.redflags


class DominantSymptom(StrEnum):
    LEG_PAIN = "leg_pain"  # radicular pain (sciatica) worse than back pain
    NEUROGENIC_CLAUDICATION = "neurogenic_claudication"  # leg pain on walking, eased by flexion
    BACK_PAIN = "back_pain"  # axial back pain dominates
    FRACTURE_PAIN = "fracture_pain"  # focal pain of a vertebral fracture


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    CENTRAL = "central"


class TreatmentKind(StrEnum):
    MEDICATION = "medication"
    PHYSIOTHERAPY = "physiotherapy"
    INJECTION = "injection"  # epidural steroid or nerve-root injection
    OTHER = "other"


class TreatmentResponse(StrEnum):
    NONE = "none"  # no benefit
    PARTIAL = "partial"
    GOOD = "good"  # symptoms largely resolved
    WORSE = "worse"


class Herniation(StrEnum):
    NONE = "none"
    PROTRUSION = "protrusion"
    EXTRUSION = "extrusion"
    SEQUESTRATION = "sequestration"


class HerniationZone(StrEnum):
    CENTRAL = "central"
    PARACENTRAL = "paracentral"  # subarticular
    FORAMINAL = "foraminal"
    EXTRAFORAMINAL = "extraforaminal"


class Migration(StrEnum):
    NONE = "none"
    LOW_GRADE = "low_grade"
    HIGH_GRADE = "high_grade"  # beyond the height of the posterior vertebral margin


class StenosisGrade(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True)
class ConservativeTreatment:
    kind: TreatmentKind
    weeks: int | None = None
    response: TreatmentResponse | None = None


@dataclass(frozen=True)
class LevelFinding:
    """Imaging findings at one lumbar level."""

    level: str  # one of LUMBAR_LEVELS
    herniation: Herniation | None = None
    herniation_zone: HerniationZone | None = None
    migration: Migration | None = None
    central_stenosis: StenosisGrade | None = None
    lateral_recess_stenosis: StenosisGrade | None = None
    foraminal_stenosis: StenosisGrade | None = None
    slip_percent: float | None = None  # spondylolisthesis; Meyerding grade derives from it
    instability: bool | None = None  # on flexion-extension views
    fracture: bool | None = None
    deformity: bool | None = None  # e.g. degenerative scoliosis at this level
    # Vertebral fracture findings (kyphoplasty cautions and contraindications, §8.3).
    posterior_wall_disrupted: bool | None = None
    retropulsion: bool | None = None  # a fragment pushed back into the canal


@dataclass(frozen=True)
class CaseFacts:
    condition: str | None = None  # spinepath.patients Condition values
    red_flags: frozenset[str] = field(default_factory=frozenset)
    dominant_symptom: DominantSymptom | None = None
    side: Side | None = None
    level: str | None = None  # the symptomatic (index) level, one of LUMBAR_LEVELS
    symptom_weeks: int | None = None
    conservative_care: tuple[ConservativeTreatment, ...] | None = None  # None: not recorded
    neurological_deficit: Deficit | None = None
    imaging: tuple[LevelFinding, ...] = ()
    imaging_concordant: bool | None = None
    age: int | None = None
    bmi: float | None = None
    asa_class: int | None = None
    smoker: bool | None = None
    diabetes: bool | None = None
    anticoagulated: bool | None = None
    osteoporosis: bool | None = None
    prior_surgery_at_level: bool | None = None
    # Severe pain forcing bed rest or preventing work: with a failed injection, an
    # accepted exception to the conservative-care period (reference §8.2).
    disabling_pain: bool | None = None

    @property
    def conservative_care_weeks(self) -> int | None:
        """The longest recorded treatment course, or None when care is not recorded.

        Courses usually overlap (medicines during physiotherapy), so the
        longest one, not the sum, is the time conservative care was tried.
        """
        if self.conservative_care is None:
            return None
        weeks = [t.weeks for t in self.conservative_care if t.weeks is not None]
        return max(weeks, default=0)

    def finding_at(self, level: str | None) -> LevelFinding | None:
        if level is None:
            return None
        return next((f for f in self.imaging if f.level == level), None)
