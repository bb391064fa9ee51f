"""The candidacy rule set, as data.

Each rule has an id, a condition over CaseFacts, an effect, a rationale, a
source and a version. The engine applies them stage by stage (see engine.py);
docs/candidacy-rules.md lists them. Thresholds that no stored source fixes
are fields of CandidacySettings, marked [U] (unverified, configurable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from spinepath.clinical.candidacy.facts import CaseFacts, Deficit
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.redflags import AHCPR_SOURCE, evaluate_red_flags

RULESET_VERSION = "2026.11-1"

SRC_SPORT = (
    "Weinstein JN et al. JAMA 2006;296:2441 (SPORT IDH: radiculopathy for at least 6 weeks), "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC2553805 (reference clinical.md §8.2)"
)
SRC_AANS = (
    "AANS/CNS comments on the NASS draft coverage policy for lumbar discectomy (exceptions to "
    "conservative care: functionally limiting motor weakness, any neurological deficit), "
    "https://www.aans.org/advocacy/articles/neurosurgery-provides-comments-on-nass-draft-coverage-"
    "policy-for-lumbar-discectomy (reference clinical.md §8.2)"
)
SRC_NICE_IMAGING = (
    "NICE NG59 (consider decompression when radiological findings are consistent with "
    "symptoms; wording unverified), reference clinical.md §8.2"
)
SRC_PROCEDURES = "Reference clinical.md §8.3, procedure candidacy summary (evidence level low)"
SRC_XLIF = (
    "Frontiers in Surgery 2022, doi 10.3389/fsurg.2022.995662 (L5/S1 the main "
    "contraindication for XLIF), reference clinical.md §8.3"
)
SRC_TF_CREST = (
    "Song 2021, BMC Musculoskelet Disord, doi 10.1186/s12891-020-03891-1 (high iliac crest "
    "limits transforaminal access at L5-S1), reference clinical.md §8.3"
)
SRC_MEYERDING = (
    "Meyerding grading, https://radiopaedia.org/articles/meyerding-classification-of-"
    "spondylolisthesis (reference clinical.md §8.4); high-grade slip contraindicates MIS-TLIF "
    "(§8.3)"
)
SRC_DAY_SURGERY = (
    "[U] configurable default synthesised from Smith 2016 (younger age, lower BMI, fewer "
    "levels predict early discharge) and Parrish 2020 (same-day MIS TLIF/LLIF), reference "
    "clinical.md §5.3; no stored source fixes ASA or BMI cut-offs"
)


@dataclass(frozen=True)
class CandidacySettings:
    # [U] 6 weeks is the trial and payer convention, not a guideline statement (§8.2).
    min_conservative_weeks: int = 6
    # [U] day-surgery eligibility cut-offs (see SRC_DAY_SURGERY).
    day_surgery_max_asa: int = 3
    day_surgery_max_bmi: float = 40.0


class Stage(StrEnum):
    RED_FLAG = "red_flag"
    PATHWAY = "pathway"
    OPTIONS = "options"
    CONTRAINDICATION = "contraindication"
    CAUTION = "caution"
    DAY_SURGERY = "day_surgery"


Condition = Callable[[CaseFacts, CandidacySettings], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    stage: Stage
    when: Condition
    effect: str  # human-readable, shown with the recommendation
    rationale: str
    source: str
    version: str = "1"
    pathway: Pathway | None = None  # stage PATHWAY
    procedures: tuple[str, ...] = ()  # stages OPTIONS (in rank order), CONTRAINDICATION, CAUTION
    caution: str = ""
    day_surgery: bool | None = None  # stage DAY_SURGERY


# ---- conditions --------------------------------------------------------------------------------

LDH = "lumbar_disc_herniation"
LSS = "lumbar_spinal_stenosis"
DS = "degenerative_spondylolisthesis"
VCF = "vertebral_compression_fracture"

# Facts each condition needs before any rule beyond red flags may speak.
REQUIRED_FACTS: dict[str, tuple[str, ...]] = {
    LDH: (
        "symptom_weeks",
        "conservative_care_weeks",
        "neurological_deficit",
        "imaging_concordant",
        "level",
    ),
    LSS: (
        "symptom_weeks",
        "conservative_care_weeks",
        "neurological_deficit",
        "imaging_concordant",
        "level",
        "slip_percent",
        "instability",
    ),
    DS: (
        "symptom_weeks",
        "conservative_care_weeks",
        "neurological_deficit",
        "imaging_concordant",
        "level",
        "slip_percent",
        "instability",
        "osteoporosis",
    ),
    VCF: ("symptom_weeks", "conservative_care_weeks", "neurological_deficit", "imaging_concordant"),
}


def _slip_grade_at_least_3(f: CaseFacts) -> bool:
    # Meyerding grade III starts above 50 % (50 % itself is grade II, inclusive lower grade).
    return f.slip_percent is not None and f.slip_percent > 50


def _needs_fusion(f: CaseFacts) -> bool:
    return bool(f.instability) or (f.slip_percent is not None and f.slip_percent > 0)


def _short_of_conservative_care(f: CaseFacts, s: CandidacySettings) -> bool:
    return (
        f.conservative_care_weeks is not None
        and f.conservative_care_weeks < s.min_conservative_weeks
        and f.neurological_deficit == Deficit.NONE
    )


FUSIONS = ("mis_tlif", "llif_xlif", "olif", "open_fusion")

RULES: tuple[Rule, ...] = (
    Rule(
        "RF-1",
        Stage.RED_FLAG,
        lambda f, s: evaluate_red_flags(f.red_flags).stops_pathway,
        "Stop the elective pathway; urgent clinician review",
        "A red flag may mean cauda equina syndrome, fracture, tumour or infection; these need "
        "urgent assessment before any elective plan.",
        AHCPR_SOURCE,
        pathway=Pathway.URGENT,
    ),
    Rule(
        "PW-IMAGING",
        Stage.PATHWAY,
        lambda f, s: f.imaging_concordant is False,
        "Not a surgical candidate on current findings",
        "Surgery is considered only when imaging findings are consistent with the symptoms.",
        SRC_NICE_IMAGING,
        pathway=Pathway.NOT_SURGICAL,
    ),
    Rule(
        "PW-CONSERVATIVE",
        Stage.PATHWAY,
        _short_of_conservative_care,
        "Continue conservative care first",
        "Fewer weeks of conservative care than the usual minimum, and no neurological deficit "
        "that would justify earlier surgery.",
        SRC_SPORT,
        pathway=Pathway.CONSERVATIVE_CARE,
    ),
    Rule(
        "PW-DEFICIT-EXCEPTION",
        Stage.PATHWAY,
        lambda f, s: (
            f.conservative_care_weeks is not None
            and f.conservative_care_weeks < s.min_conservative_weeks
            and f.neurological_deficit == Deficit.STABLE
        ),
        "A neurological deficit allows surgery before the usual period of conservative care",
        "Functionally limiting motor weakness or another neurological deficit is an accepted "
        "exception to the conservative-care period.",
        SRC_AANS,
    ),
    Rule(
        "PW-HIGH-GRADE-SLIP",
        Stage.PATHWAY,
        lambda f, s: f.condition in {DS, LSS} and _slip_grade_at_least_3(f),
        "Open surgery: high-grade spondylolisthesis (Meyerding III or more)",
        "A high-grade slip is a contraindication to MIS-TLIF.",
        SRC_MEYERDING,
        pathway=Pathway.OPEN_SURGERY,
    ),
    Rule(
        "PW-MISS",
        Stage.PATHWAY,
        lambda f, s: True,
        "Minimally invasive surgery is an option",
        "Symptoms, imaging and conservative care fit the indications of a MISS procedure.",
        SRC_PROCEDURES,
        pathway=Pathway.MISS_CANDIDATE,
    ),
    # ---- options, in rank order ----------------------------------------------------------------
    Rule(
        "OPT-LDH",
        Stage.OPTIONS,
        lambda f, s: f.condition == LDH and not f.instability,
        "Discectomy options",
        "Disc herniation with concordant radiculopathy after failed conservative care.",
        SRC_PROCEDURES,
        procedures=(
            "tubular_microdiscectomy",
            "endoscopic_transforaminal_discectomy",
            "endoscopic_interlaminar_discectomy",
            "open_discectomy",
        ),
    ),
    Rule(
        "OPT-LDH-INSTABILITY",
        Stage.OPTIONS,
        lambda f, s: f.condition == LDH and bool(f.instability),
        "Fusion options: herniation with segmental instability",
        "Instability requiring fusion is a contraindication to discectomy alone.",
        SRC_PROCEDURES,
        procedures=("mis_tlif", "open_fusion"),
    ),
    Rule(
        "OPT-LSS",
        Stage.OPTIONS,
        lambda f, s: f.condition == LSS and not _needs_fusion(f),
        "Decompression options",
        "Central or lateral-recess stenosis with neurogenic claudication and no instability.",
        SRC_PROCEDURES,
        procedures=("mis_decompression_ulbd", "open_laminectomy"),
    ),
    Rule(
        "OPT-FUSION",
        Stage.OPTIONS,
        lambda f, s: (
            (f.condition == DS or (f.condition == LSS and _needs_fusion(f)))
            and not _slip_grade_at_least_3(f)
        ),
        "Fusion options: low-grade spondylolisthesis or instability",
        "Low-grade degenerative spondylolisthesis or stenosis needing fusion.",
        SRC_PROCEDURES,
        procedures=("mis_tlif", "llif_xlif", "olif", "open_fusion"),
    ),
    Rule(
        "OPT-HIGH-GRADE",
        Stage.OPTIONS,
        lambda f, s: f.condition in {DS, LSS} and _slip_grade_at_least_3(f),
        "Open fusion for a high-grade slip",
        "High-grade slips are outside the indications of the MISS fusion techniques.",
        SRC_MEYERDING,
        procedures=("open_fusion",),
    ),
    Rule(
        "OPT-VCF",
        Stage.OPTIONS,
        lambda f, s: f.condition == VCF,
        "Vertebral augmentation",
        "Painful osteoporotic vertebral compression fracture refractory to conservative care.",
        SRC_PROCEDURES,
        procedures=("kyphoplasty",),
    ),
    # ---- contraindications ---------------------------------------------------------------------
    Rule(
        "CI-XLIF-L5S1",
        Stage.CONTRAINDICATION,
        lambda f, s: f.level == "L5-S1",
        "LLIF/XLIF ruled out at L5-S1",
        "The iliac crest generally blocks the transpsoas approach to L5-S1.",
        SRC_XLIF,
        procedures=("llif_xlif",),
    ),
    # ---- cautions ------------------------------------------------------------------------------
    Rule(
        "CA-TF-L5S1",
        Stage.CAUTION,
        lambda f, s: f.level == "L5-S1",
        "Transforaminal endoscopy at L5-S1: check iliac crest height",
        "A high iliac crest limits transforaminal access at L5-S1; interlaminar is favoured.",
        SRC_TF_CREST,
        procedures=("endoscopic_transforaminal_discectomy",),
        caution="High iliac crest may block transforaminal access at L5-S1.",
    ),
    Rule(
        "CA-OLIF-L5S1",
        Stage.CAUTION,
        lambda f, s: f.level == "L5-S1",
        "OLIF at L5-S1: review vascular anatomy",
        "Unfavourable vascular anatomy at L5-S1 limits the oblique approach.",
        SRC_PROCEDURES,
        procedures=("olif",),
        caution="Review vascular anatomy before an oblique approach at L5-S1.",
    ),
    Rule(
        "CA-OSTEOPOROSIS-SCREWS",
        Stage.CAUTION,
        lambda f, s: bool(f.osteoporosis),
        "Osteoporosis: screw purchase",
        "Severe osteoporosis weakens pedicle screw purchase (relative contraindication).",
        SRC_PROCEDURES,
        procedures=FUSIONS,
        caution="Osteoporosis may weaken screw fixation; consider bone health work-up.",
    ),
    # ---- day surgery ---------------------------------------------------------------------------
    Rule(
        "DS-ELIGIBLE",
        Stage.DAY_SURGERY,
        lambda f, s: (
            f.asa_class is not None
            and f.bmi is not None
            and f.asa_class <= s.day_surgery_max_asa
            and f.bmi <= s.day_surgery_max_bmi
        ),
        "Eligible for day surgery",
        "ASA class and BMI within the programme's day-surgery limits.",
        SRC_DAY_SURGERY,
        day_surgery=True,
    ),
    Rule(
        "DS-NOT-ELIGIBLE",
        Stage.DAY_SURGERY,
        lambda f, s: (
            (f.asa_class is not None and f.asa_class > s.day_surgery_max_asa)
            or (f.bmi is not None and f.bmi > s.day_surgery_max_bmi)
        ),
        "Not eligible for day surgery",
        "ASA class or BMI beyond the programme's day-surgery limits.",
        SRC_DAY_SURGERY,
        day_surgery=False,
    ),
)
