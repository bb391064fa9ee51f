"""Rules that decide the pathway: red flags, missing information, then the pathway itself.

Order matters within the PATHWAY stage: the first rule that names a pathway
decides it, so safety rules come first, then "not surgical", then
"conservative care", then open surgery, and "MISS candidate" last.
"""

from __future__ import annotations

from spinepath.clinical.candidacy import sources as src
from spinepath.clinical.candidacy.case import (
    DEGENERATIVE,
    RULED_CONDITIONS,
    STENOSIS_CONDITIONS,
    VCF,
)
from spinepath.clinical.candidacy.requirements import pathway_missing
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.redflags import RED_FLAGS, RED_FLAGS_BY_ID, Group, Urgency

_URGENCY_ORDER = (Urgency.EMERGENCY, Urgency.URGENT)


def _group_urgency(group: Group) -> Urgency:
    """The most urgent pathway-stopping flag of a group, from the catalogue."""
    urgencies = {f.urgency for f in RED_FLAGS if f.group is group and f.stops_pathway}
    return next(u for u in _URGENCY_ORDER if u in urgencies)


def _red_flag_rule(rule_id: str, group: Group, effect: str, rationale: str, source: str) -> Rule:
    return Rule(
        rule_id,
        Stage.RED_FLAG,
        lambda c: bool(c.red_flags_in(group)),
        effect,
        rationale,
        source,
        Evidence.VERIFIED,
        pathway=Pathway.URGENT,
        urgency=_group_urgency(group),
    )


RED_FLAG_RULES: tuple[Rule, ...] = (
    _red_flag_rule(
        "RF-CAUDA-EQUINA",
        Group.CAUDA_EQUINA,
        "Emergency: possible cauda equina syndrome; stop the elective pathway",
        "Saddle anaesthesia, new bladder or bowel dysfunction, sphincter laxity or major motor "
        "weakness may mean cauda equina compression, which needs decompression within 24 "
        "hours of onset.",
        src.CAUDA_EQUINA,
    ),
    _red_flag_rule(
        "RF-FRACTURE",
        Group.FRACTURE,
        "Urgent review: possible fracture; stop the elective pathway",
        "Major trauma, or minor trauma in an older or osteoporotic patient, may mean a "
        "fracture that needs assessment before any elective plan.",
        src.RED_FLAGS,
    ),
    _red_flag_rule(
        "RF-TUMOUR-INFECTION",
        Group.TUMOUR_OR_INFECTION,
        "Urgent review: possible tumour or infection; stop the elective pathway",
        "A history of cancer, constitutional symptoms, infection risk factors, pain worse "
        "lying down or severe night pain may mean tumour or infection.",
        src.RED_FLAGS,
    ),
    Rule(
        "RF-PROGRESSIVE-DEFICIT",
        Stage.RED_FLAG,
        lambda c: c.progressive_deficit,
        "Emergency: progressive neurological deficit; stop the elective pathway",
        "A severe or progressive lower-limb deficit is a cauda equina red flag, whether or not "
        "it was also ticked in the red-flag list.",
        src.CAUDA_EQUINA,
        Evidence.VERIFIED,
        pathway=Pathway.URGENT,
        urgency=RED_FLAGS_BY_ID["cauda_equina.progressive_motor_deficit"].urgency,
    ),
    Rule(
        "RF-RISK-FACTOR",
        Stage.RED_FLAG,
        lambda c: bool(c.risk_factors),
        "Risk factor noted (age over 50 or under 20); the pathway continues",
        "AHCPR lists age among the tumour and infection flags, but most spine-surgery "
        "patients are over 50: alone it is shown to the clinician and does not stop the "
        "pathway.",
        src.AGE_RISK_FACTOR,
        Evidence.DERIVED,
    ),
)

INFORMATION_RULES: tuple[Rule, ...] = (
    Rule(
        "INFO-MISSING",
        Stage.INFORMATION,
        lambda c: bool(pathway_missing(c)),
        "Needs more information before a recommendation",
        "A fact that could change the pathway or the options is not recorded; the rules "
        "never guess it. The missing facts are named.",
        src.NEVER_GUESS,
        Evidence.DERIVED,
    ),
    Rule(
        "SCOPE-OUTSIDE",
        Stage.INFORMATION,
        lambda c: c.condition is not None and c.condition not in RULED_CONDITIONS,
        "Outside the scope of the candidacy rules; the clinician decides",
        "The rule set covers lumbar disc herniation, stenosis, degenerative "
        "spondylolisthesis and osteoporotic compression fracture only.",
        src.NEVER_GUESS,
        Evidence.DERIVED,
    ),
)

PATHWAY_RULES: tuple[Rule, ...] = (
    Rule(
        "PW-PATHOLOGICAL-FRACTURE",
        Stage.PATHWAY,
        lambda c: c.condition == VCF and c.facts.osteoporosis is False,
        "Urgent review: a compression fracture without osteoporosis",
        "Kyphoplasty treats osteoporotic fractures; a fracture in normal bone needs work-up "
        "for trauma or a pathological (tumour) fracture first.",
        src.PATHOLOGICAL_FRACTURE,
        Evidence.DERIVED,
        pathway=Pathway.URGENT,
        urgency=Urgency.URGENT,
    ),
    Rule(
        "PW-UNEXPECTED-FRACTURE",
        Stage.PATHWAY,
        lambda c: c.condition in DEGENERATIVE and c.finding.fracture is True,
        "Urgent review: a fracture at the index level of a degenerative case",
        "A fracture was not part of the diagnosis and excludes the degenerative pathway "
        "(SPORT excluded fractures); it needs review as a fracture red flag.",
        f"{src.SPORT_EXCLUSIONS}; {src.RED_FLAGS}; {src.SPINEPATH_READING}",
        Evidence.DERIVED,
        pathway=Pathway.URGENT,
        urgency=Urgency.URGENT,
    ),
    Rule(
        "PW-IMAGING",
        Stage.PATHWAY,
        lambda c: c.facts.imaging_concordant is False,
        "Not a surgical candidate: imaging does not explain the symptoms",
        "Surgery is considered only when imaging findings are consistent with the symptoms.",
        src.NICE_DECOMPRESSION,
        Evidence.UNVERIFIED,
        pathway=Pathway.NOT_SURGICAL,
    ),
    Rule(
        "PW-NO-LESION",
        Stage.PATHWAY,
        lambda c: c.lesion_explains_condition is False,
        "Not a surgical candidate: no lesion of this condition at the index level",
        "Imaging at the index level shows no herniation, no stenosis of at least the "
        "programme's minimum grade, no slip or no fracture, so there is nothing the "
        "condition's procedures would treat there.",
        src.NICE_DECOMPRESSION,
        Evidence.UNVERIFIED,
        pathway=Pathway.NOT_SURGICAL,
    ),
    Rule(
        "PW-BACK-PAIN-DOMINANT",
        Stage.PATHWAY,
        lambda c: c.condition in DEGENERATIVE and c.axial_dominant,
        "Not a surgical candidate: back pain dominates (NICE: no fusion for low back pain "
        "outside a trial)",
        "Decompression treats sciatica and claudication, and NICE advises against fusion for "
        "low back pain except in a randomised trial.",
        src.NICE_NO_FUSION,
        Evidence.UNVERIFIED,
        pathway=Pathway.NOT_SURGICAL,
    ),
    Rule(
        "PW-RETROPULSION-DEFICIT",
        Stage.PATHWAY,
        lambda c: c.condition == VCF and c.finding.retropulsion is True and c.stable_deficit,
        "Open surgery: retropulsed fragment with a neurological deficit",
        "Retropulsion with a deficit contraindicates kyphoplasty; the canal needs open "
        "decompression and stabilisation.",
        src.KYPHOPLASTY_CONTRA,
        Evidence.UNVERIFIED,
        pathway=Pathway.OPEN_SURGERY,
    ),
    Rule(
        "PW-GOOD-RESPONSE",
        Stage.PATHWAY,
        lambda c: c.good_response,
        "Continue conservative care: it is working",
        "Surgery is for symptoms that persist despite conservative care; a good response to "
        "a treatment means continuing it.",
        src.SPORT_PERSISTENCE,
        Evidence.DERIVED,
        pathway=Pathway.CONSERVATIVE_CARE,
    ),
    Rule(
        "PW-DEFICIT-EXCEPTION",
        Stage.PATHWAY,
        lambda c: c.deficit_exception,
        "A neurological deficit allows surgery before the usual period of conservative care",
        "Functionally limiting motor weakness or another neurological deficit is an accepted "
        "exception to the conservative-care period.",
        src.AANS_EXCEPTIONS,
        Evidence.VERIFIED,
    ),
    Rule(
        "PW-DISABLING-PAIN-EXCEPTION",
        Stage.PATHWAY,
        lambda c: c.disabling_pain_exception,
        "Disabling pain unresponsive to an injection allows surgery before the usual period",
        "Severe pain forcing bed rest or preventing work that did not respond to an injection "
        "is an accepted exception to the conservative-care period.",
        src.AANS_EXCEPTIONS,
        Evidence.VERIFIED,
    ),
    Rule(
        "PW-CONSERVATIVE",
        Stage.PATHWAY,
        lambda c: c.short_of_care and not c.early_surgery_allowed,
        "Continue conservative care first",
        "Fewer weeks of conservative care than the programme's minimum, and no exception "
        "(neurological deficit, or disabling pain despite an injection) for earlier surgery.",
        src.SPORT_PERSISTENT,
        Evidence.UNVERIFIED,
        version="2",
        pathway=Pathway.CONSERVATIVE_CARE,
    ),
    Rule(
        "PW-HIGH-GRADE-SLIP",
        Stage.PATHWAY,
        lambda c: c.condition in DEGENERATIVE and c.high_grade_slip,
        "Open surgery: high-grade spondylolisthesis (Meyerding III or more)",
        "A high-grade slip is a contraindication to MIS-TLIF and outside the MISS fusion "
        "indications.",
        src.MEYERDING,
        Evidence.UNVERIFIED,
        version="2",
        pathway=Pathway.OPEN_SURGERY,
    ),
    Rule(
        "PW-MULTILEVEL-DEFORMITY",
        Stage.PATHWAY,
        lambda c: c.condition in STENOSIS_CONDITIONS and c.deformity_levels >= 2,
        "Open surgery: deformity at two or more levels",
        "Multilevel deformity is a relative contraindication to MIS-TLIF; a deformity "
        "correction is planned as open surgery, with lateral fusion as the MISS alternative.",
        src.MIS_TLIF,
        Evidence.UNVERIFIED,
        pathway=Pathway.OPEN_SURGERY,
    ),
    Rule(
        "PW-MISS",
        Stage.PATHWAY,
        lambda c: True,
        "Minimally invasive surgery is an option",
        "Symptoms, imaging and conservative care fit the indications of a MISS procedure.",
        src.PROCEDURES,
        Evidence.UNVERIFIED,
        pathway=Pathway.MISS_CANDIDATE,
    ),
)
