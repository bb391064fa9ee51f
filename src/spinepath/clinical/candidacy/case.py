"""One case as the rules see it: the recorded facts plus what derives from them.

Rule conditions read a Case, so that a derived fact (the index-level finding,
the Meyerding grade, whether an exception to conservative care applies) is
computed in one place and named the same in every rule. An unrecorded fact
(None) never satisfies a condition: rules fire on what is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spinepath.clinical.candidacy.facts import (
    CaseFacts,
    Deficit,
    DominantSymptom,
    Herniation,
    LevelFinding,
    StenosisGrade,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.candidacy.settings import CandidacySettings
from spinepath.clinical.meyerding import MeyerdingGrade, meyerding_grade
from spinepath.clinical.redflags import Group, RedFlag, RedFlagOutcome, evaluate_red_flags

LDH = "lumbar_disc_herniation"
LSS = "lumbar_spinal_stenosis"
DS = "degenerative_spondylolisthesis"
VCF = "vertebral_compression_fracture"
RULED_CONDITIONS: tuple[str, ...] = (LDH, LSS, DS, VCF)
DEGENERATIVE: frozenset[str] = frozenset({LDH, LSS, DS})
STENOSIS_CONDITIONS: frozenset[str] = frozenset({LSS, DS})  # stenosis ± slip

_STENOSIS_ORDER = {
    StenosisGrade.NONE: 0,
    StenosisGrade.MILD: 1,
    StenosisGrade.MODERATE: 2,
    StenosisGrade.SEVERE: 3,
}
_GRADE_ORDER = {grade: rank for rank, grade in enumerate(MeyerdingGrade)}
_LEG_SYMPTOMS = frozenset({DominantSymptom.LEG_PAIN, DominantSymptom.NEUROGENIC_CLAUDICATION})
_NO_BENEFIT = frozenset({TreatmentResponse.NONE, TreatmentResponse.WORSE})


@dataclass(frozen=True)
class Case:
    facts: CaseFacts
    settings: CandidacySettings
    pathway: Pathway | None = None  # set once the pathway stage has decided

    # ---- red flags ---------------------------------------------------------------------------

    @cached_property
    def red_flags(self) -> RedFlagOutcome:
        return evaluate_red_flags(self.facts.red_flags)

    def red_flags_in(self, group: Group) -> tuple[RedFlag, ...]:
        """The pathway-stopping flags of one group."""
        return tuple(f for f in self.red_flags.pathway_flags if f.group is group)

    @property
    def risk_factors(self) -> tuple[RedFlag, ...]:
        return tuple(f for f in self.red_flags.flags if not f.stops_pathway)

    @property
    def progressive_deficit(self) -> bool:
        return self.facts.neurological_deficit == Deficit.PROGRESSIVE

    # ---- the index level ---------------------------------------------------------------------

    @cached_property
    def finding(self) -> LevelFinding:
        """The imaging finding at the index level; an all-None finding when not recorded."""
        found = self.facts.finding_at(self.facts.level)
        return found or LevelFinding(level=self.facts.level or "")

    @property
    def condition(self) -> str | None:
        return self.facts.condition

    def at_level(self, *levels: str) -> bool:
        return self.facts.level in levels

    @cached_property
    def slip_grade(self) -> MeyerdingGrade | None:
        slip = self.finding.slip_percent
        return meyerding_grade(slip) if slip is not None else None

    @property
    def has_slip(self) -> bool:
        return self.finding.slip_percent is not None and self.finding.slip_percent > 0

    @property
    def high_grade_slip(self) -> bool:
        return self.slip_grade is not None and self.slip_grade.high_grade

    def slip_grade_above(self, grade: MeyerdingGrade) -> bool:
        return self.has_slip and _GRADE_ORDER[self.slip_grade or grade] > _GRADE_ORDER[grade]

    @property
    def unstable(self) -> bool:
        return self.finding.instability is True

    @property
    def unstable_segment(self) -> bool:
        """Dynamic instability or a high-grade slip: discectomy alone would not do."""
        return self.unstable or self.high_grade_slip

    @property
    def needs_fusion(self) -> bool:
        """A slip or dynamic instability at the index level (reference §8.3)."""
        return self.has_slip or self.unstable

    @property
    def deformity_here(self) -> bool:
        return self.finding.deformity is True

    @property
    def deformity_elsewhere(self) -> bool:
        """Deformity recorded at a level other than the index level."""
        return any(f.deformity is True for f in self.facts.imaging if f.level != self.facts.level)

    @property
    def deformity_levels(self) -> int:
        return sum(1 for f in self.facts.imaging if f.deformity is True)

    def stenosis_at_least(self, grade: StenosisGrade | None) -> bool:
        return grade is not None and (
            _STENOSIS_ORDER[grade] >= _STENOSIS_ORDER[self.settings.min_stenosis_grade]
        )

    @property
    def canal_stenosis(self) -> bool:
        """Central or lateral-recess stenosis at least the programme's minimum grade."""
        return self.stenosis_at_least(self.finding.central_stenosis) or self.stenosis_at_least(
            self.finding.lateral_recess_stenosis
        )

    @property
    def foraminal_stenosis(self) -> bool:
        return self.stenosis_at_least(self.finding.foraminal_stenosis)

    @property
    def lesion_explains_condition(self) -> bool | None:
        """Whether imaging at the index level shows the condition's lesion (None: unknown)."""
        f = self.finding
        if self.condition == LDH:
            return None if f.herniation is None else f.herniation != Herniation.NONE
        if self.condition == LSS:
            grades = (f.central_stenosis, f.lateral_recess_stenosis, f.foraminal_stenosis)
            if any(self.stenosis_at_least(g) for g in grades):
                return True
            return None if None in grades else False
        if self.condition == DS:
            return None if f.slip_percent is None else f.slip_percent > 0
        if self.condition == VCF:
            return f.fracture
        return None

    # ---- symptoms ----------------------------------------------------------------------------

    @property
    def axial_dominant(self) -> bool:
        """Back (or fracture) pain dominates: not the sciatica or claudication surgery treats."""
        symptom = self.facts.dominant_symptom
        return symptom is not None and symptom not in _LEG_SYMPTOMS

    @property
    def stable_deficit(self) -> bool:
        return self.facts.neurological_deficit == Deficit.STABLE

    # ---- conservative care -------------------------------------------------------------------

    @property
    def min_weeks(self) -> int:
        if self.condition == VCF:
            return self.settings.min_conservative_weeks_fracture
        return self.settings.min_conservative_weeks

    @property
    def care_weeks(self) -> int | None:
        return self.facts.conservative_care_weeks

    @property
    def short_of_care(self) -> bool:
        """Conservative care recorded and shorter than the programme's minimum."""
        return self.care_weeks is not None and self.care_weeks < self.min_weeks

    @property
    def good_response(self) -> bool:
        return any(t.response == TreatmentResponse.GOOD for t in self.facts.conservative_care or ())

    @property
    def failed_injection(self) -> bool:
        """An injection was tried and did not help (or made things worse)."""
        return any(
            t.kind == TreatmentKind.INJECTION and t.response in _NO_BENEFIT
            for t in self.facts.conservative_care or ()
        )

    @property
    def deficit_exception(self) -> bool:
        return self.short_of_care and self.stable_deficit

    @property
    def disabling_pain_exception(self) -> bool:
        return self.short_of_care and self.failed_injection and self.facts.disabling_pain is True

    @property
    def early_surgery_allowed(self) -> bool:
        return self.deficit_exception or self.disabling_pain_exception
