"""The red-flag catalogue: findings that stop the elective pathway.

Source: AHCPR Clinical Practice Guideline 14 (1994), Acute low back problems in
adults, Table 1 "Red flags for potentially serious conditions",
https://www.ncbi.nlm.nih.gov/books/NBK52120/table/A34364/ (reference
clinical.md §8.1).
Source: cauda equina needs emergency decompression "within 24 hours of onset"
(UK neurosurgical referral guidance, https://www.heyneurosurgeon.co.uk/red-flag-conditions-and-cauda-equina-syndrome/).

Safety rule (spinepath design): any red flag, anywhere, routes to urgent
clinician review; cauda equina flags route to the emergency department.

AHCPR also lists age > 50 or < 20 among the tumour/infection flags. Most
people referred for spine surgery are over 50, so age alone would send nearly
everyone to urgent review and drown the real flags; it is catalogued here as a
*risk factor* that is shown beside the other flags but does not by itself
stop the pathway (docs/decisions.md, "Age is a risk factor, not a red flag").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

CATALOGUE_VERSION = "ahcpr1994-v1"

AHCPR_SOURCE = (
    "AHCPR Clinical Practice Guideline 14 (1994), Table 1, "
    "https://www.ncbi.nlm.nih.gov/books/NBK52120/table/A34364/"
)
CES_TIMING_SOURCE = (
    "Cauda equina: decompression within 24 h of onset, "
    "https://www.heyneurosurgeon.co.uk/red-flag-conditions-and-cauda-equina-syndrome/"
)


class Urgency(StrEnum):
    """How fast a red flag must be acted on; ordered from most to least urgent."""

    EMERGENCY = "emergency"  # go to an emergency department now
    URGENT = "urgent"  # same-day clinician review
    RISK_FACTOR = "risk_factor"  # shown to the clinician, does not stop the pathway alone


_URGENCY_RANK = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.RISK_FACTOR: 2}


class Group(StrEnum):
    FRACTURE = "fracture"
    TUMOUR_OR_INFECTION = "tumour_or_infection"
    CAUDA_EQUINA = "cauda_equina"


@dataclass(frozen=True)
class RedFlag:
    id: str
    group: Group
    label: str
    plain_language: str  # how a patient is asked about it
    urgency: Urgency
    source: str
    examination_only: bool = False  # found on examination, never self-reported

    @property
    def stops_pathway(self) -> bool:
        return self.urgency is not Urgency.RISK_FACTOR


RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "fracture.major_trauma",
        Group.FRACTURE,
        "Major trauma (vehicle accident, fall from a height)",
        "Did your back pain start after a serious accident or a bad fall?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "fracture.minor_trauma_osteoporosis",
        Group.FRACTURE,
        "Minor trauma or strenuous lifting in an older or osteoporotic patient",
        "Did the pain start after a small fall or lifting something, and do you have thin bones "
        "(osteoporosis)?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.history_of_cancer",
        Group.TUMOUR_OR_INFECTION,
        "History of cancer",
        "Have you ever had cancer?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.constitutional_symptoms",
        Group.TUMOUR_OR_INFECTION,
        "Constitutional symptoms: fever, chills or unexplained weight loss",
        "Have you had fever, chills, or lost weight without trying?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.infection_risk",
        Group.TUMOUR_OR_INFECTION,
        "Risk factors for spinal infection: recent bacterial infection, intravenous drug use, "
        "immunosuppression (steroids, transplant, HIV)",
        "Have you had an infection lately, such as a urine infection? Do you inject drugs? Do "
        "you take medicines that make it harder for your body to fight germs?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.pain_worse_supine",
        Group.TUMOUR_OR_INFECTION,
        "Pain that worsens when lying down",
        "Is the pain worse when you lie down flat?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.severe_night_pain",
        Group.TUMOUR_OR_INFECTION,
        "Severe night-time pain",
        "Does severe pain wake you at night?",
        Urgency.URGENT,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "tumour_infection.age_over_50_or_under_20",
        Group.TUMOUR_OR_INFECTION,
        "Age over 50 or under 20",
        "Are you over 50 or under 20 years old?",
        Urgency.RISK_FACTOR,
        AHCPR_SOURCE,
    ),
    RedFlag(
        "cauda_equina.saddle_anaesthesia",
        Group.CAUDA_EQUINA,
        "Saddle anaesthesia: numbness around the buttocks, genitals or inner thighs",
        "Is there new numbness between your legs or around your bottom (the area that would "
        "touch a saddle)?",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
    ),
    RedFlag(
        "cauda_equina.bladder_dysfunction",
        Group.CAUDA_EQUINA,
        "Recent-onset bladder dysfunction: retention, frequency or overflow incontinence",
        "Do you have a new problem passing urine, or leaking urine without knowing?",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
    ),
    RedFlag(
        "cauda_equina.bowel_dysfunction",
        Group.CAUDA_EQUINA,
        "New bowel incontinence or loss of bowel control (anal sphincter involvement)",
        "Have you lost control of your bowels, or can you not feel when you need to go?",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE} (unexpected anal sphincter laxity); {CES_TIMING_SOURCE}",
    ),
    RedFlag(
        "cauda_equina.progressive_motor_deficit",
        Group.CAUDA_EQUINA,
        "Severe or progressive lower-extremity neurological deficit (new or worsening leg "
        "weakness, foot drop)",
        "Has a leg become weak, or is it getting weaker (for example, your foot drags)?",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
    ),
    RedFlag(
        "cauda_equina.perianal_sensory_loss",
        Group.CAUDA_EQUINA,
        "Perianal or perineal sensory loss on examination",
        "Perianal or perineal sensory loss on examination",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
        examination_only=True,
    ),
    RedFlag(
        "cauda_equina.sphincter_laxity",
        Group.CAUDA_EQUINA,
        "Unexpected laxity of the anal sphincter on examination",
        "Unexpected laxity of the anal sphincter on examination",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
        examination_only=True,
    ),
    RedFlag(
        "cauda_equina.major_motor_weakness",
        Group.CAUDA_EQUINA,
        "Major motor weakness on examination: quadriceps, plantar flexors, evertors, "
        "dorsiflexors (foot drop)",
        "Major motor weakness on examination",
        Urgency.EMERGENCY,
        f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
        examination_only=True,
    ),
)

RED_FLAGS_BY_ID: dict[str, RedFlag] = {flag.id: flag for flag in RED_FLAGS}


class UnknownRedFlagError(ValueError):
    pass


@dataclass(frozen=True)
class RedFlagOutcome:
    """What a set of positive answers means for the pathway."""

    flags: tuple[RedFlag, ...]  # every positive flag, most urgent first
    urgency: Urgency | None  # the most urgent flag that stops the pathway, or None

    @property
    def stops_pathway(self) -> bool:
        return self.urgency is not None

    @property
    def pathway_flags(self) -> tuple[RedFlag, ...]:
        return tuple(flag for flag in self.flags if flag.stops_pathway)


def evaluate_red_flags(present: Iterable[str]) -> RedFlagOutcome:
    """Return the outcome for the ids of the flags answered "yes".

    Unknown ids raise rather than being ignored: a silently dropped red flag is
    the one failure this module must never have.
    """
    flags: list[RedFlag] = []
    for flag_id in dict.fromkeys(present):
        try:
            flags.append(RED_FLAGS_BY_ID[flag_id])
        except KeyError:
            raise UnknownRedFlagError(f"unknown red flag {flag_id!r}") from None
    flags.sort(key=lambda flag: (_URGENCY_RANK[flag.urgency], flag.id))
    stopping = [flag for flag in flags if flag.stops_pathway]
    return RedFlagOutcome(flags=tuple(flags), urgency=stopping[0].urgency if stopping else None)
