"""Rules that propose, rank, rule out and caution procedures (reference §8.3).

Options rules propose procedures in rank order (rule order first: a deformity
correction is proposed before fusion, fusion before decompression alone);
ranking rules add a weight
(positive favours, negative disfavours) so that the final order can be
explained rule by rule; contraindications remove a procedure and say why;
cautions are attached to the procedures they concern.
"""

from __future__ import annotations

from spinepath.clinical.candidacy import sources as src
from spinepath.clinical.candidacy.case import LDH, STENOSIS_CONDITIONS, VCF
from spinepath.clinical.candidacy.facts import HerniationZone, Migration
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.procedures import PROCEDURES

TUBULAR = "tubular_microdiscectomy"
TF = "endoscopic_transforaminal_discectomy"
IL = "endoscopic_interlaminar_discectomy"
OPEN_DISCECTOMY = "open_discectomy"
ULBD = "mis_decompression_ulbd"
OPEN_LAMINECTOMY = "open_laminectomy"
MIS_TLIF = "mis_tlif"
LLIF = "llif_xlif"
OLIF = "olif"
OPEN_FUSION = "open_fusion"
KYPHOPLASTY = "kyphoplasty"

DISCECTOMIES = (TUBULAR, TF, IL, OPEN_DISCECTOMY)
DECOMPRESSIONS = (ULBD, OPEN_LAMINECTOMY)
FUSIONS = tuple(p.id for p in PROCEDURES if p.fusion)
ALL_PROCEDURES = tuple(p.id for p in PROCEDURES)
_LATERAL_ZONES = frozenset({HerniationZone.FORAMINAL, HerniationZone.EXTRAFORAMINAL})

OPTION_RULES: tuple[Rule, ...] = (
    Rule(
        "OPT-DISCECTOMY",
        Stage.OPTIONS,
        lambda c: c.condition == LDH,
        "Discectomy options",
        "Disc herniation with concordant radiculopathy after failed conservative care: "
        "tubular microdiscectomy, then full-endoscopic transforaminal and interlaminar "
        "discectomy, with open discectomy as the open alternative.",
        src.PROCEDURES,
        Evidence.UNVERIFIED,
        procedures=DISCECTOMIES,
    ),
    Rule(
        "OPT-LDH-FUSION",
        Stage.OPTIONS,
        lambda c: c.condition == LDH and c.unstable_segment,
        "Fusion options: herniation at an unstable segment",
        "A herniation (often recurrent) at a segment with instability or a high-grade slip "
        "needs fusion; MIS-TLIF is indicated for recurrent disc with instability.",
        src.MIS_TLIF,
        Evidence.UNVERIFIED,
        version="2",
        procedures=(MIS_TLIF, OPEN_FUSION),
    ),
    Rule(
        "OPT-DEFORMITY",
        Stage.OPTIONS,
        lambda c: c.condition in STENOSIS_CONDITIONS and c.deformity_levels >= 2,
        "Deformity options: open fusion, or lateral interbody fusion",
        "Multilevel deformity is planned as an open correction; LLIF/XLIF is indicated for "
        "deformity as the MISS alternative.",
        f"{src.MIS_TLIF}; {src.LLIF}",
        Evidence.UNVERIFIED,
        procedures=(OPEN_FUSION, LLIF),
    ),
    Rule(
        "OPT-FUSION",
        Stage.OPTIONS,
        lambda c: c.condition in STENOSIS_CONDITIONS and c.needs_fusion,
        "Fusion options: spondylolisthesis or instability",
        "A slip or dynamic instability at the index level: MIS-TLIF with percutaneous screws, "
        "lateral (LLIF/XLIF) or oblique (OLIF) interbody fusion, or open fusion.",
        f"{src.MIS_TLIF}; {src.LLIF}",
        Evidence.UNVERIFIED,
        version="2",
        procedures=(MIS_TLIF, LLIF, OLIF, OPEN_FUSION),
    ),
    Rule(
        "OPT-DECOMPRESSION",
        Stage.OPTIONS,
        lambda c: c.condition in STENOSIS_CONDITIONS and c.canal_stenosis,
        "Decompression options",
        "Central or lateral-recess stenosis with neurogenic claudication or leg pain: MIS "
        "decompression (ULBD), with open laminectomy as the open alternative.",
        src.ULBD,
        Evidence.UNVERIFIED,
        procedures=DECOMPRESSIONS,
    ),
    Rule(
        "OPT-FORAMINAL-FUSION",
        Stage.OPTIONS,
        lambda c: c.condition in STENOSIS_CONDITIONS and c.foraminal_stenosis,
        "Fusion options: foraminal stenosis",
        "Foraminal stenosis needing fusion is an indication for MIS-TLIF.",
        src.MIS_TLIF,
        Evidence.UNVERIFIED,
        procedures=(MIS_TLIF, OPEN_FUSION),
    ),
    Rule(
        "OPT-KYPHOPLASTY",
        Stage.OPTIONS,
        lambda c: c.condition == VCF,
        "Vertebral augmentation",
        "Painful osteoporotic vertebral compression fracture refractory to conservative care.",
        src.KYPHOPLASTY,
        Evidence.UNVERIFIED,
        procedures=(KYPHOPLASTY,),
    ),
)

RANKING_RULES: tuple[Rule, ...] = (
    Rule(
        "RK-TF-FORAMINAL",
        Stage.RANKING,
        lambda c: c.condition == LDH and c.finding.herniation_zone in _LATERAL_ZONES,
        "Foraminal or extraforaminal herniation favours transforaminal endoscopy",
        "The transforaminal route reaches a foraminal or extraforaminal fragment directly; "
        "posterior routes must remove facet to reach it.",
        f"{src.ENDOSCOPY}; {src.RANKING_WEIGHT}",
        Evidence.DERIVED,
        procedures=(TF,),
        weight=2,
    ),
    Rule(
        "RK-IL-L5S1",
        Stage.RANKING,
        lambda c: c.condition == LDH and c.at_level("L5-S1"),
        "At L5-S1 interlaminar endoscopy is favoured over transforaminal",
        "The iliac crest often blocks the transforaminal route at L5-S1, where the "
        "interlaminar window is widest.",
        f"{src.ENDOSCOPY}; {src.RANKING_WEIGHT}",
        Evidence.DERIVED,
        procedures=(TF,),
        weight=-1,
    ),
    Rule(
        "RK-IL-MIGRATION",
        Stage.RANKING,
        lambda c: c.condition == LDH and c.finding.migration == Migration.HIGH_GRADE,
        "High-grade migration favours an interlaminar or tubular approach",
        "A fragment migrated beyond the posterior vertebral margin is hard to reach through "
        "the foramen.",
        f"{src.ENDOSCOPY}; {src.RANKING_WEIGHT}",
        Evidence.DERIVED,
        procedures=(TF,),
        weight=-2,
    ),
)

CONTRAINDICATION_RULES: tuple[Rule, ...] = (
    Rule(
        "CI-LLIF-L5S1",
        Stage.CONTRAINDICATION,
        lambda c: c.at_level("L5-S1"),
        "LLIF/XLIF ruled out at L5-S1",
        "The iliac crest generally blocks the transpsoas approach to L5-S1.",
        src.XLIF_L5S1,
        Evidence.VERIFIED,
        procedures=(LLIF,),
    ),
    Rule(
        "CI-DISCECTOMY-UNSTABLE",
        Stage.CONTRAINDICATION,
        lambda c: c.condition == LDH and c.unstable_segment,
        "Discectomy alone ruled out: unstable segment",
        "Instability or a high-grade slip requiring fusion contraindicates discectomy alone "
        "(SPORT also excluded segmental instability).",
        f"{src.PROCEDURES}; {src.SPORT_EXCLUSIONS}",
        Evidence.UNVERIFIED,
        procedures=DISCECTOMIES,
    ),
    Rule(
        "CI-DECOMPRESSION-INSTABILITY",
        Stage.CONTRAINDICATION,
        lambda c: c.unstable,
        "Decompression alone ruled out: dynamic instability",
        "Dynamic instability needs fusion; decompression alone may make it worse.",
        src.ULBD,
        Evidence.UNVERIFIED,
        procedures=DECOMPRESSIONS,
    ),
    Rule(
        "CI-DECOMPRESSION-SLIP",
        Stage.CONTRAINDICATION,
        lambda c: c.slip_grade_above(c.settings.decompression_alone_max_grade),
        "Decompression alone ruled out: slip above the programme's grade for it",
        "A slip needing fusion contraindicates decompression alone; the highest grade still "
        "decompressed alone is the setting decompression_alone_max_grade.",
        src.ULBD,
        Evidence.UNVERIFIED,
        procedures=DECOMPRESSIONS,
    ),
    Rule(
        "CI-MIS-FUSION-HIGH-GRADE",
        Stage.CONTRAINDICATION,
        lambda c: c.high_grade_slip,
        "MISS fusion ruled out: high-grade slip",
        "A high-grade slip contraindicates MIS-TLIF; reduction and fusion of a high-grade "
        "slip is outside the lateral and oblique techniques' indications too.",
        src.MEYERDING,
        Evidence.UNVERIFIED,
        procedures=(MIS_TLIF, LLIF, OLIF),
    ),
    Rule(
        "CI-KYPHOPLASTY-RETROPULSION",
        Stage.CONTRAINDICATION,
        lambda c: c.finding.retropulsion is True and c.stable_deficit,
        "Kyphoplasty ruled out: retropulsion with a neurological deficit",
        "Cement cannot decompress a retropulsed fragment that is already compressing nerves.",
        src.KYPHOPLASTY_CONTRA,
        Evidence.UNVERIFIED,
        procedures=(KYPHOPLASTY,),
    ),
)

CAUTION_RULES: tuple[Rule, ...] = (
    Rule(
        "CA-TF-L5S1",
        Stage.CAUTION,
        lambda c: c.at_level("L5-S1"),
        "Transforaminal endoscopy at L5-S1: check iliac crest height",
        "A high iliac crest limits transforaminal access at L5-S1.",
        src.ENDOSCOPY,
        Evidence.VERIFIED,
        procedures=(TF,),
        caution="High iliac crest may block transforaminal access at L5-S1.",
    ),
    Rule(
        "CA-TF-MIGRATION",
        Stage.CAUTION,
        lambda c: c.finding.migration == Migration.HIGH_GRADE,
        "Transforaminal endoscopy with high-grade migration",
        "High-grade migrated fragments are better reached interlaminar or by another route.",
        src.ENDOSCOPY,
        Evidence.VERIFIED,
        procedures=(TF,),
        caution="High-grade migration: the fragment may be out of transforaminal reach.",
    ),
    Rule(
        "CA-OLIF-L5S1",
        Stage.CAUTION,
        lambda c: c.at_level("L5-S1"),
        "OLIF at L5-S1: review vascular anatomy",
        "Unfavourable vascular anatomy at L5-S1 limits the oblique approach.",
        src.OLIF,
        Evidence.VERIFIED,
        procedures=(OLIF,),
        caution="Review vascular anatomy before an oblique approach at L5-S1.",
    ),
    Rule(
        "CA-OLIF-L1L2",
        Stage.CAUTION,
        lambda c: c.at_level("L1-L2"),
        "OLIF at L1-L2: above its usual levels",
        "OLIF is described for L2-L5 (extended to L5-S1).",
        src.OLIF,
        Evidence.VERIFIED,
        procedures=(OLIF,),
        caution="OLIF is usually done at L2-L5; L1-L2 is outside its usual range.",
    ),
    Rule(
        "CA-LLIF-PLEXUS",
        Stage.CAUTION,
        lambda c: True,
        "LLIF/XLIF: lumbar plexus risk",
        "The transpsoas route crosses the lumbar plexus: hip-flexion weakness in 31% after "
        "XLIF versus 0% after MIS-TLIF in the SOLAS trial.",
        src.LLIF,
        Evidence.VERIFIED,
        procedures=(LLIF,),
        caution="Transpsoas route: risk of hip-flexion weakness (31% in SOLAS).",
    ),
    Rule(
        "CA-OSTEOPOROSIS-SCREWS",
        Stage.CAUTION,
        lambda c: c.facts.osteoporosis is True,
        "Osteoporosis: screw purchase",
        "Severe osteoporosis weakens pedicle screw purchase (relative contraindication).",
        src.MIS_TLIF,
        Evidence.UNVERIFIED,
        procedures=FUSIONS,
        caution="Osteoporosis may weaken screw fixation; consider bone health work-up.",
        needs=("osteoporosis",),
    ),
    Rule(
        "CA-PRIOR-SURGERY",
        Stage.CAUTION,
        lambda c: c.facts.prior_surgery_at_level is True,
        "Revision surgery: a previously operated segment",
        "A recurrent, multi-operated segment is a relative contraindication to "
        "microdiscectomy; SPORT excluded prior lumbar surgery, so its results may not apply.",
        f"{src.PROCEDURES}; {src.SPORT_EXCLUSIONS}",
        Evidence.UNVERIFIED,
        procedures=ALL_PROCEDURES,
        caution="Previously operated level: scar tissue, higher durotomy risk; SPORT "
        "excluded prior surgery.",
        needs=("prior_surgery_at_level",),
    ),
    Rule(
        "CA-DEFORMITY",
        Stage.CAUTION,
        lambda c: c.deformity_here,
        "Deformity at the index level",
        "SPORT excluded scoliosis over 15 degrees; multilevel deformity is a relative "
        "contraindication to MIS-TLIF.",
        f"{src.SPORT_EXCLUSIONS}; {src.MIS_TLIF}",
        Evidence.UNVERIFIED,
        procedures=(*DISCECTOMIES, *DECOMPRESSIONS, MIS_TLIF),
        caution="Deformity at this level: check coronal balance; results of trials that "
        "excluded scoliosis may not apply.",
        needs=("imaging.deformity",),
    ),
    Rule(
        "CA-KYPHOPLASTY-POSTERIOR-WALL",
        Stage.CAUTION,
        lambda c: c.finding.posterior_wall_disrupted is True,
        "Kyphoplasty with posterior wall disruption",
        "Posterior wall disruption is a relative contraindication: cement may leak into the "
        "canal (9% asymptomatic leaks in 98 patients).",
        src.KYPHOPLASTY_WALL,
        Evidence.VERIFIED,
        procedures=(KYPHOPLASTY,),
        caution="Posterior wall disrupted: risk of cement leak into the canal.",
        needs=("imaging.posterior_wall_disrupted",),
    ),
    Rule(
        "CA-ANTICOAGULATION",
        Stage.CAUTION,
        lambda c: c.facts.anticoagulated is True,
        "Anticoagulated: plan peri-operative management",
        "Anticoagulation raises bleeding and epidural haematoma risk; coagulopathy is listed "
        "against kyphoplasty.",
        src.ANTICOAGULATION,
        Evidence.UNVERIFIED,
        procedures=ALL_PROCEDURES,
        caution="Anticoagulated: plan stopping and bridging with the prescriber.",
        needs=("anticoagulated",),
    ),
    Rule(
        "CA-SMOKING-FUSION",
        Stage.CAUTION,
        lambda c: c.facts.smoker is True,
        "Smoker: fusion healing",
        "Smoking is commonly cited as a risk for non-union after fusion.",
        src.NOT_IN_REFERENCE,
        Evidence.UNVERIFIED,
        procedures=FUSIONS,
        caution="Smoker: higher risk of non-union; advise stopping before fusion [U].",
        needs=("smoker",),
    ),
    Rule(
        "CA-DIABETES",
        Stage.CAUTION,
        lambda c: c.facts.diabetes is True,
        "Diabetes: wound infection",
        "Diabetes is commonly cited as a risk for surgical site infection.",
        src.NOT_IN_REFERENCE,
        Evidence.UNVERIFIED,
        procedures=ALL_PROCEDURES,
        caution="Diabetes: higher wound-infection risk; check glycaemic control [U].",
        needs=("diabetes",),
    ),
)
