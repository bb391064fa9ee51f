"""Where each candidacy rule comes from (reference: ../shared/reference/clinical.md).

One string per source so that rules citing the same paper cite it identically.
Tags in brackets repeat the reference's status: [V] verified, [U] unverified,
[D] derived by spinepath from verified inputs.
"""

from __future__ import annotations

from spinepath.clinical.meyerding import MEYERDING_SOURCE
from spinepath.clinical.redflags import AHCPR_SOURCE, CES_TIMING_SOURCE

RED_FLAGS = f"{AHCPR_SOURCE} (reference §8.1) [V2]"
CAUDA_EQUINA = f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE} (reference §8.1) [V]"
AGE_RISK_FACTOR = (
    f"{AHCPR_SOURCE} [V2]; docs/decisions.md 'Age is a risk factor, not a red flag' [D]"
)
NEVER_GUESS = (
    "spinepath design: missing data is explicit, never guessed (DESIGN.md, Principles); "
    "docs/decisions.md 'Candidacy: needs-more-information and outside-scope are statuses' [D]"
)
PATHOLOGICAL_FRACTURE = (
    f"{AHCPR_SOURCE}: fracture and tumour red flags [V2]; kyphoplasty is indicated for "
    "osteoporotic fractures (reference §8.3) [D]"
)
SPORT_EXCLUSIONS = (
    "SPORT exclusions: prior lumbar surgery, cauda equina syndrome, scoliosis > 15°, "
    "segmental instability, fracture, infection, tumour — Weinstein JN et al. JAMA "
    "2006;296:2441, https://pmc.ncbi.nlm.nih.gov/articles/PMC2553805 (reference §8.3) [V]"
)
NICE_DECOMPRESSION = (
    "NICE NG59: consider decompression for sciatica when non-surgical treatment has not "
    "improved pain or function and radiological findings are consistent with the symptoms "
    "(reference §8.2; wording [U])"
)
NICE_NO_FUSION = (
    "NICE NG59: 'Do not offer spinal fusion for people with low back pain unless as part of "
    "a randomised controlled trial' [V]; decompression is considered for sciatica (wording "
    "[U]) — NICE 2018 surveillance review (reference §8.2)"
)
SPORT_PERSISTENCE = (
    "SPORT enrolled 'persistent signs and symptoms of radiculopathy for at least 6 weeks' "
    "(Weinstein JAMA 2006, https://pmc.ncbi.nlm.nih.gov/articles/PMC2553805; reference §8.2) "
    "[V]; a good response means symptoms no longer persist — spinepath's reading [D]"
)
SPINEPATH_READING = "spinepath's reading of these sources [D]"
RANKING_WEIGHT = "the weight that expresses 'favoured' is spinepath's choice [D]"
SPORT_PERSISTENT = (
    "SPORT enrolled 'persistent signs and symptoms of radiculopathy for at least 6 weeks' "
    "(Weinstein JAMA 2006, https://pmc.ncbi.nlm.nih.gov/articles/PMC2553805) [V]; the 6-week "
    "minimum is a trial and payer convention, not a guideline (reference §8.2) [U]"
)
AANS_EXCEPTIONS = (
    "NASS draft coverage policy for lumbar discectomy and AANS/CNS comments: exceptions to "
    "conservative care — severe pain forcing bed rest or preventing work unresponsive to "
    "injections; functionally limiting motor weakness; any neurological deficit, "
    "https://www.aans.org/advocacy/articles/neurosurgery-provides-comments-on-nass-draft-"
    "coverage-policy-for-lumbar-discectomy (reference §8.2) [V]"
)
PROCEDURES = "Reference §8.3, procedure candidacy summary (evidence level low) [U]"
MEYERDING = (
    f"{MEYERDING_SOURCE} (reference §8.4) [V2]; high-grade slip contraindicates MIS-TLIF "
    "(reference §8.3) [U]"
)
MIS_TLIF = (
    "Reference §8.3: MIS-TLIF indications (low-grade degenerative spondylolisthesis, recurrent "
    "disc with instability, foraminal stenosis needing fusion) and cautions (high-grade slip, "
    "severe osteoporosis, multilevel deformity) [U]"
)
ULBD = (
    "Reference §8.3: MIS decompression (ULBD) for central or lateral-recess stenosis with "
    "neurogenic claudication; contraindicated by dynamic instability or high-grade listhesis "
    "needing fusion [U]"
)
ENDOSCOPY = (
    "Reference §8.3: full-endoscopic discectomy — transforaminal for foraminal/extraforaminal "
    "and L1-L5; interlaminar favoured at L5-S1 and for high-grade migrated fragments; high "
    "iliac crest limits TF at L5-S1 (Song 2021, BMC Musculoskelet Disord, "
    "https://link.springer.com/article/10.1186/s12891-020-03891-1; spandidos "
    "etm.2021.10298) [V partial]"
)
XLIF_L5S1 = (
    "'The L5/S1 segment used to be considered the main contraindication for XLIF', "
    "Frontiers in Surgery 2022, https://frontiersin.org/articles/10.3389/fsurg.2022.995662/full "
    "(reference §8.3) [V]"
)
LLIF = (
    "Reference §8.3: LLIF/XLIF for L1-L5 interbody fusion, indirect decompression and "
    "deformity; lumbar plexus risk — hip-flexion weakness 31% XLIF vs 0% MIS-TLIF (SOLAS RCT, "
    "Spine 2016) [V]"
)
OLIF = (
    "Reference §8.3: OLIF at L2-L5, extended to L5-S1; unfavourable vascular anatomy at L5-S1 "
    "(Frontiers in Surgery 2022; atm.amegroups review) [V partial]"
)
KYPHOPLASTY = (
    "Reference §8.3: kyphoplasty/vertebroplasty for painful osteoporotic vertebral "
    "compression fracture refractory to conservative care [U]"
)
KYPHOPLASTY_WALL = (
    "Posterior wall disruption is a relative, not absolute, contraindication (98 patients, 9% "
    "asymptomatic leak), http://ijssurgery.com/content/15/2/353.full.txt (reference §8.3) [V]"
)
KYPHOPLASTY_CONTRA = (
    "Reference §8.3: kyphoplasty contraindications infection, coagulopathy, retropulsion "
    "with neurological deficit [U]"
)
ANTICOAGULATION = (
    "Reference §8.3 lists coagulopathy against kyphoplasty [U]; peri-operative "
    "anticoagulation planning for other spine procedures is not in the stored reference [U]"
)
NOT_IN_REFERENCE = (
    "Not in the stored reference (clinical.md); a commonly cited risk factor kept as an "
    "unverified caution until a clinical reviewer cites a source [U]"
)
DAY_SURGERY_MIS = (
    "Same-day discharge evidence is for MIS procedures: Parrish 2020 (MIS TLIF/LLIF in an "
    "ASC), Patel 2018 (single-level LLIF), Shahi 2022 (MI-TLIF), Soffin 2019 (laminectomy) — "
    "reference §5.3 [V]; not offering it after open surgery is spinepath's reading [D]"
)
DAY_SURGERY_PREDICTORS = (
    "Smith WD et al. Spine 2016;41 Suppl 8:S106-22: non-deformity diagnosis, younger age, "
    "lower BMI and fewer levels predict discharge < 24 h (reference §5.3) [V]"
)
DAY_SURGERY_DEFORMITY = (
    f"{DAY_SURGERY_PREDICTORS}; turning the predictor into a criterion is spinepath's [D]"
)
DAY_SURGERY_LIMITS = (
    "Configurable CandidacySettings limit [U]: no stored source fixes an ASA, BMI or age "
    f"cut-off; {DAY_SURGERY_PREDICTORS}"
)
