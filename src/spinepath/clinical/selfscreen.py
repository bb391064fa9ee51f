"""The public self-screen: "could minimally invasive surgery help me?"

Anyone can fill it in at home, without signing in. It turns a person's own
answers into a result in plain words: what to do, why, and where the advice
comes from. It is never a diagnosis, and every result says so.

Reading order of `screen` (docs/self-screen.md lists the rules and sources):

1. Red flags first, and they always win (SS-RF-EMERGENCY, SS-RF-URGENT). They
   are checked before the other answers are even validated, so a typo in a
   pain score can never hold back "go to hospital now".
2. The other answers are validated; bad input raises `ScreenValidationError`
   naming the field, and no result is made.
3. Back pain only → unlikely (SS-BACK-ONLY), with STarT Back advice.
4. Leg pain (sciatica below the knee, or leg pain on walking): a good response
   to care, or too few weeks of symptoms or of care → conservative care first
   (SS-GOOD-RESPONSE, SS-SHORT-SYMPTOMS, SS-SHORT-CARE); otherwise MISS may be
   an option (SS-MAY-BE-OPTION).
5. When the answers needed to decide are missing, the outcome is None and
   `missing` names them (SS-MISSING). The screen never guesses: if an outcome
   is given, every way of filling in the missing answers gives the same one.

Reuses the red-flag catalogue (`spinepath.clinical.redflags`), the STarT Back
instrument (`spinepath.clinical.instruments`) and the conservative-care types of
the candidacy rules (`spinepath.clinical.candidacy.facts`). Thresholds that no
stored source fixes are `ScreenSettings` fields marked [U]. Pure Python: no
Django import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from spinepath.clinical.candidacy.facts import (
    ConservativeTreatment,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.instruments import get_instrument
from spinepath.clinical.redflags import (
    AHCPR_SOURCE,
    CES_TIMING_SOURCE,
    RED_FLAGS,
    RED_FLAGS_BY_ID,
    Group,
    RedFlag,
    Urgency,
    evaluate_red_flags,
)

SCREEN_VERSION = "2026.11-1"

# The longest a number of weeks may be: 100 years. Anything above is a typing slip.
MAX_WEEKS = 52 * 100

# ---- sources ------------------------------------------------------------------------------------

SRC_SPORT = (
    "Weinstein JN et al. JAMA 2006;296:2441 (SPORT IDH enrolled radiculopathy persisting for at "
    "least 6 weeks; JBJS summary: persistent symptoms despite nonoperative treatment for 6 weeks "
    "or more), https://pmc.ncbi.nlm.nih.gov/articles/PMC2553805 (reference clinical.md §8.2)"
)
SRC_SPORT_NONOP = (
    "SPORT IDH 4-year as-treated results: the non-operative group also improved (back pain "
    "change 30.7 vs 45.6 with surgery), PMC2756172 (reference clinical.md §9.2)"
)
SRC_NICE_DECOMPRESSION = (
    "NICE NG59: consider spinal decompression for people with sciatica when non-surgical "
    "treatment has not improved pain or function (wording unverified), "
    "https://www.nice.org.uk/guidance/ng59 (reference clinical.md §8.2)"
)
SRC_NICE_FUSION = (
    "NICE NG59 (2018 surveillance review): do not offer spinal fusion for people with low back "
    "pain unless as part of a randomised controlled trial, https://www.nice.org.uk/guidance/ng59 "
    "(reference clinical.md §8.2)"
)
SRC_NICE_STRATIFY = (
    "NICE NG59 1.1.2: risk stratification (for example the STarT Back tool) at first point of "
    "contact, https://www.nice.org.uk/guidance/ng59/chapter/Recommendations (reference "
    "clinical.md §4); matched care for the high-risk group (physiotherapy with psychological "
    "support, Hill JC et al. Lancet 2011;378:1560-71) is not in the stored sources (unverified)"
)
SRC_DESIGN_MISSING = (
    "spinepath design, Safety first: missing data is explicit, never silently guessed (DESIGN.md)"
)


# ---- settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenSettings:
    """Thresholds a clinic may change. Each is [U]: no stored source fixes it as a rule."""

    # [U] 6 weeks of symptoms is the SPORT enrolment criterion and the payer convention,
    # not a guideline statement (reference §8.2). (SPORT's stenosis arm is remembered to
    # have used 12 weeks; that is not in the stored sources.)
    min_symptom_weeks: int = 6
    # [U] 6 weeks of non-operative care: SPORT/JBJS and payer convention (reference §8.2).
    min_conservative_weeks: int = 6

    def __post_init__(self) -> None:
        for name in ("min_symptom_weeks", "min_conservative_weeks"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 52:
                raise ValueError(f"ScreenSettings.{name} must be a whole number of weeks, 1-52")


UNVERIFIED_SETTINGS: Mapping[str, str] = MappingProxyType(
    {
        "min_symptom_weeks": "6 weeks is a trial and payer convention, not a guideline rule",
        "min_conservative_weeks": "6 weeks is a trial and payer convention, not a guideline rule",
    }
)


# ---- outcomes and rules -------------------------------------------------------------------------


class ScreenOutcome(StrEnum):
    EMERGENCY = "emergency"  # go to an emergency department now
    URGENT = "urgent"  # see a doctor the same day
    MAY_BE_OPTION = "may-be-option"  # talk to a spine specialist
    CONSERVATIVE_FIRST = "conservative-first"  # keep up care without surgery for now
    UNLIKELY = "unlikely"  # MISS is unlikely to fit; a specialist can still advise


@dataclass(frozen=True)
class ScreenRule:
    """One rule of the self-screen, as data. `rationale` is shown to the public."""

    id: str
    outcome: ScreenOutcome | None  # what it decides; None: advice only, or "need more answers"
    title: str  # short name for staff and docs
    rationale: str  # plain language
    source: str
    evidence: Evidence
    unverified: str = ""  # what in this rule is [U]; empty when nothing is
    version: str = "1"

    def for_settings(self, settings: ScreenSettings) -> ScreenRule:
        """The rule with its thresholds filled in (`{symptom_weeks}`, `{care_weeks}`)."""
        values = {
            "symptom_weeks": _weeks(settings.min_symptom_weeks),
            "care_weeks": _weeks(settings.min_conservative_weeks),
        }
        return replace(
            self, title=self.title.format(**values), rationale=self.rationale.format(**values)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome.value if self.outcome else None,
            "title": self.title,
            "rationale": self.rationale,
            "source": self.source,
            "evidence": self.evidence.value,
            "unverified": self.unverified,
            "version": self.version,
        }


RF_EMERGENCY = ScreenRule(
    "SS-RF-EMERGENCY",
    ScreenOutcome.EMERGENCY,
    "Cauda equina warning sign: emergency department now",
    "Numbness around your bottom, new bladder or bowel trouble, or a leg that gets weak can mean "
    "the nerves at the base of the spine are squashed. They need help within hours. "
    "Warning signs always come first.",
    f"{AHCPR_SOURCE}; {CES_TIMING_SOURCE}",
    Evidence.VERIFIED,
)
RF_URGENT = ScreenRule(
    "SS-RF-URGENT",
    ScreenOutcome.URGENT,
    "Fracture, tumour or infection warning sign: same-day care",
    "A bad fall, thin bones, fever, weight loss, past cancer or bad pain at night can point to "
    "a broken bone, an infection or a growth. A doctor should check you the same day. "
    "Warning signs always come first.",
    AHCPR_SOURCE,
    Evidence.VERIFIED,
    unverified="same-day timing is spinepath's urgent pathway, not a number in the source",
)
MISSING = ScreenRule(
    "SS-MISSING",
    None,
    "Answers needed to decide are missing",
    "We never guess. If an answer we need is missing, we ask for it.",
    SRC_DESIGN_MISSING,
    Evidence.DERIVED,
)
BACK_ONLY = ScreenRule(
    "SS-BACK-ONLY",
    ScreenOutcome.UNLIKELY,
    "Back pain alone: minimally invasive surgery unlikely to fit",
    "Keyhole spine surgery is mostly used for pain that goes down the leg. UK guidance says an "
    "operation to join bones in the back should not be offered for back pain alone, except in "
    "a research study.",
    SRC_NICE_FUSION,
    Evidence.DERIVED,
    unverified="that the programme's MISS procedures are for leg symptoms is spinepath's reading "
    "of reference §8.3, not a NICE statement",
)
SHORT_SYMPTOMS = ScreenRule(
    "SS-SHORT-SYMPTOMS",
    ScreenOutcome.CONSERVATIVE_FIRST,
    "Fewer than {symptom_weeks} of symptoms: conservative care first",
    "Leg pain like this often gets better without surgery. In the main trial, people had pain "
    "for at least 6 weeks before surgery was weighed up.",
    f"{SRC_SPORT}; {SRC_SPORT_NONOP}",
    Evidence.UNVERIFIED,
    unverified="6 weeks as a threshold (ScreenSettings.min_symptom_weeks); 'most sciatica "
    "improves within weeks' is not quoted in the stored sources",
)
SHORT_CARE = ScreenRule(
    "SS-SHORT-CARE",
    ScreenOutcome.CONSERVATIVE_FIRST,
    "Fewer than {care_weeks} of conservative care: conservative care first",
    "Doctors often want you to try care without surgery for at least {care_weeks} first. "
    "This means things like exercise and pain relief.",
    SRC_SPORT,
    Evidence.UNVERIFIED,
    unverified="6 weeks as a threshold (ScreenSettings.min_conservative_weeks)",
)
GOOD_RESPONSE = ScreenRule(
    "SS-GOOD-RESPONSE",
    ScreenOutcome.CONSERVATIVE_FIRST,
    "Good response to conservative care: keep going",
    "Surgery is for pain that care without surgery has not helped. If your care is helping a "
    "lot, it is best to keep it up.",
    SRC_NICE_DECOMPRESSION,
    Evidence.UNVERIFIED,
    unverified="NICE NG59 decompression wording",
)
MAY_BE_OPTION = ScreenRule(
    "SS-MAY-BE-OPTION",
    ScreenOutcome.MAY_BE_OPTION,
    "Leg pain for {symptom_weeks}+ despite {care_weeks}+ of conservative care: talk to a "
    "specialist",
    "Surgery to take the pressure off a nerve can be a choice when leg pain has lasted at "
    "least {symptom_weeks} and care without surgery has not helped enough. Only a specialist "
    "can say if it fits you.",
    f"{SRC_SPORT}; {SRC_NICE_DECOMPRESSION}",
    Evidence.UNVERIFIED,
    unverified="NICE NG59 decompression wording; both 6-week thresholds (ScreenSettings)",
)
STARTBACK_HIGH = ScreenRule(
    "SS-STARTBACK-HIGH",
    None,
    "STarT Back high risk: physiotherapy-led care with psychological support",
    "Short questions about how the pain affects you help pick the right care. When the pain "
    "weighs on your mood and life a lot, care led by a physio with support for worry tends to "
    "help most.",
    SRC_NICE_STRATIFY,
    Evidence.UNVERIFIED,
    unverified="the matched treatment for the high-risk group (Hill 2011) is not in the stored "
    "sources",
)

RULES: tuple[ScreenRule, ...] = (
    RF_EMERGENCY,
    RF_URGENT,
    MISSING,
    BACK_ONLY,
    GOOD_RESPONSE,
    SHORT_SYMPTOMS,
    SHORT_CARE,
    MAY_BE_OPTION,
    STARTBACK_HIGH,
)
RULES_BY_ID: Mapping[str, ScreenRule] = MappingProxyType({rule.id: rule for rule in RULES})


# ---- the red-flag questions ---------------------------------------------------------------------

_URGENCY_ORDER = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.RISK_FACTOR: 2}

SELF_REPORTABLE_RED_FLAGS: tuple[RedFlag, ...] = tuple(
    sorted(
        (f for f in RED_FLAGS if not f.examination_only and f.urgency is not Urgency.RISK_FACTOR),
        key=lambda f: _URGENCY_ORDER[f.urgency],  # stable: catalogue order within a level
    )
)
SELF_REPORTABLE_IDS: frozenset[str] = frozenset(f.id for f in SELF_REPORTABLE_RED_FLAGS)

# What the person said, played back in the result. A flag added to the catalogue
# without a line here falls back to its group's line (and a test fails).
FLAG_STATEMENTS: Mapping[str, str] = MappingProxyType(
    {
        "cauda_equina.saddle_anaesthesia": (
            "You said you have new numbness between your legs or around your bottom."
        ),
        "cauda_equina.bladder_dysfunction": (
            "You said you have a new problem passing urine, or you leak urine without knowing."
        ),
        "cauda_equina.bowel_dysfunction": (
            "You said you have lost control of your bowels, or you cannot feel when you need to go."
        ),
        "cauda_equina.progressive_motor_deficit": (
            "You said a leg has become weak, or is getting weaker."
        ),
        "fracture.major_trauma": ("You said the pain started after a bad accident or a bad fall."),
        "fracture.minor_trauma_osteoporosis": (
            "You said the pain started after a small fall or lifting, and you have thin bones."
        ),
        "tumour_infection.history_of_cancer": "You said you have had cancer.",
        "tumour_infection.constitutional_symptoms": (
            "You said you have had a fever or chills, or lost weight without trying."
        ),
        "tumour_infection.infection_risk": (
            "You said you have had an infection lately, you inject drugs, or you take medicines "
            "that make it harder for your body to fight germs."
        ),
        "tumour_infection.pain_worse_supine": (
            "You said the pain is worse when you lie down flat."
        ),
        "tumour_infection.severe_night_pain": "You said bad pain wakes you at night.",
    }
)
GROUP_STATEMENTS: Mapping[Group, str] = MappingProxyType(
    {
        Group.CAUDA_EQUINA: "You said yes to a warning sign about the nerves in your lower back.",
        Group.FRACTURE: "You said yes to a warning sign of a broken bone in your back.",
        Group.TUMOUR_OR_INFECTION: "You said yes to a warning sign of an infection or a growth.",
    }
)
GROUP_WHY: Mapping[Group, str] = MappingProxyType(
    {
        Group.CAUDA_EQUINA: (
            "The nerves that control your bladder, bowel and legs may be squashed. They need "
            "help within hours, or the harm can last."
        ),
        Group.FRACTURE: "A bone in your back may be broken. A doctor needs to check it today.",
        Group.TUMOUR_OR_INFECTION: (
            "Back pain with this sign is now and then caused by an infection or a growth. Most "
            "of the time it is not, but a doctor needs to check you today."
        ),
    }
)


# ---- the answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenAnswers:
    """The person's answers. None always means "not answered", never "no".

    `treatments`: None means the question was not answered; an empty tuple means
    "I have tried nothing yet". `red_flags`: the ids of the self-reportable flags
    answered "yes"; an empty set means every red-flag question was answered "no";
    None means they were not asked, and then no result but "need more answers"
    (or a red-flag result) is ever given.
    """

    back_pain: int | None = None  # 0-10 now
    leg_pain: int | None = None  # 0-10 now
    pain_below_knee: bool | None = None  # leg pain that goes below the knee (sciatica)
    leg_pain_on_walking: bool | None = None  # legs ache/heavy on walking, eased sitting/bending
    pain_weeks: int | None = None  # how long this episode has lasted
    treatments: tuple[ConservativeTreatment, ...] | None = None
    startback: tuple[int | None, ...] | None = None  # 9 answers, items 1-8: 0/1, item 9: 0-4
    red_flags: frozenset[str] | None = None


class ScreenValidationError(ValueError):
    """An answer the screen cannot use. `field` names it as in `ScreenAnswers`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _check_int(field_name: str, value: object, low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScreenValidationError(field_name, f"{value!r} is not a whole number")
    if not low <= value <= high:
        raise ScreenValidationError(field_name, f"{value} is outside {low}-{high}")


def _check_bool(field_name: str, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise ScreenValidationError(field_name, f"{value!r} is not yes (True) or no (False)")


def validate_red_flags(red_flags: object) -> None:
    """Refuse anything but catalogue ids the self-screen asks about.

    Unknown ids raise rather than being ignored: a silently dropped red flag is
    the one failure the screen must never have. Examination-only flags and the
    age risk factor are not questions of the self-screen, so they are refused
    too (they belong to the clinician's assessment).
    """
    if red_flags is None:
        return
    if not isinstance(red_flags, frozenset | set):
        raise ScreenValidationError("red_flags", "must be a set of red-flag ids")
    for flag_id in sorted(red_flags, key=str):
        if not isinstance(flag_id, str) or flag_id not in RED_FLAGS_BY_ID:
            raise ScreenValidationError("red_flags", f"unknown red flag {flag_id!r}")
        if flag_id not in SELF_REPORTABLE_IDS:
            raise ScreenValidationError(
                "red_flags", f"{flag_id!r} is not a question of the self-screen"
            )


def validate_answers(answers: ScreenAnswers) -> None:
    """Raise ScreenValidationError(field, message) for the first answer that cannot be used."""
    if not isinstance(answers, ScreenAnswers):
        raise ScreenValidationError("answers", "must be ScreenAnswers")
    validate_red_flags(answers.red_flags)
    _check_int("back_pain", answers.back_pain, 0, 10)
    _check_int("leg_pain", answers.leg_pain, 0, 10)
    _check_bool("pain_below_knee", answers.pain_below_knee)
    _check_bool("leg_pain_on_walking", answers.leg_pain_on_walking)
    _check_int("pain_weeks", answers.pain_weeks, 0, MAX_WEEKS)
    treatments: object = answers.treatments
    if treatments is not None:
        if not isinstance(treatments, tuple | list):
            raise ScreenValidationError("treatments", "must be a list of treatments")
        for i, treatment in enumerate(treatments):
            name = f"treatments[{i}]"
            if not isinstance(treatment, ConservativeTreatment):
                raise ScreenValidationError(name, "must be a ConservativeTreatment")
            if not isinstance(treatment.kind, TreatmentKind):
                raise ScreenValidationError(f"{name}.kind", f"unknown kind {treatment.kind!r}")
            _check_int(f"{name}.weeks", treatment.weeks, 0, MAX_WEEKS)
            response: object = treatment.response
            if response is not None and not isinstance(response, TreatmentResponse):
                raise ScreenValidationError(f"{name}.response", f"unknown response {response!r}")
    startback: object = answers.startback
    if startback is not None:
        items = get_instrument("startback").items
        if isinstance(startback, str | bytes) or not isinstance(startback, Sequence):
            raise ScreenValidationError("startback", "must be a list of 9 answers")
        if len(startback) != len(items):
            raise ScreenValidationError(
                "startback", f"needs {len(items)} answers, got {len(startback)}"
            )
        for item, value in zip(items, startback, strict=True):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ScreenValidationError(item.id, f"{value!r} is not a whole number")
            if value not in item.values:
                raise ScreenValidationError(item.id, f"{value} is not allowed ({item.allowed()})")


# ---- plain-language texts -----------------------------------------------------------------------

NOT_A_DIAGNOSIS = (
    "This check is not a diagnosis. It cannot tell what is wrong with your back. Only a doctor "
    "who sees you can do that."
)
SAFETY_NET = (
    "Things can change. Go to hospital at once if you get numb between your legs or around your "
    "bottom, if you have new trouble with your bladder or bowels, or if a leg gets weak."
)

HEADLINES: Mapping[ScreenOutcome | None, str] = MappingProxyType(
    {
        ScreenOutcome.EMERGENCY: "Go to hospital now. Do not wait.",
        ScreenOutcome.URGENT: "See a doctor today",
        ScreenOutcome.MAY_BE_OPTION: (
            "Keyhole surgery may be an option for you. Talk to a spine specialist."
        ),
        ScreenOutcome.CONSERVATIVE_FIRST: "Keep up care without surgery for now",
        ScreenOutcome.UNLIKELY: (
            "Keyhole surgery is not likely to help you. A spine specialist can still give advice."
        ),
        None: "We need a few more answers",
    }
)

WHAT_TO_DO_EMERGENCY = (
    "Go to the emergency department of your nearest hospital now, today. Do not wait to see if "
    "it gets better. If you cannot get there safely, call an ambulance. The nerves that control "
    "your bladder, bowel and legs may be squashed. They need help within hours."
)
WHAT_TO_DO_URGENT = (
    "See a doctor today. Call your doctor and say you need to be seen today. If you cannot get "
    "a visit today, go to an urgent care centre or the emergency department."
)
WHAT_TO_DO_MAY_BE_OPTION = (
    "Ask for a visit with a spine specialist. Show them this result. Until then, keep moving and "
    "keep up the care that helps."
)
CARE_AT_HOME = (
    "Keep moving as much as you can, and get back to your normal day bit by bit. Ask your doctor "
    "or a physio for exercises. Pain relief from a pharmacy may help, so ask the pharmacist "
    "which one is safe for you."
)
WHAT_TO_DO_CONSERVATIVE = CARE_AT_HOME + " Check again in {weeks} if the pain has not gone."
WHAT_TO_DO_KEEP_GOING = CARE_AT_HOME + " Check again if the pain comes back or gets worse."
WHAT_TO_DO_UNLIKELY = (
    "Stay as active as you can. Ask your doctor or a physio for exercises for your back. If you "
    "want, you can still ask a spine specialist for advice."
)
WHAT_TO_DO_MISSING = "Please answer the questions we list here, then check again."

# Reasons built from the answers. Placeholders: {weeks} is "1 week" / "3 weeks".
REASONS: Mapping[str, str] = MappingProxyType(
    {
        "pain_scores": "You rated your leg pain {leg} out of 10 and your back pain {back} out "
        "of 10.",
        "below_knee": "You said the pain goes down your leg to below the knee. This is called "
        "sciatica. It often comes from a nerve in the back that is pressed on.",
        "walking": "You said your legs ache or feel heavy when you walk, and feel better when "
        "you sit or bend forward. This can happen when the space for the nerves in the back "
        "gets tight.",
        "back_only": "Your pain does not go below the knee, and your legs do not ache when you "
        "walk. So the pain is most likely in your back itself.",
        "pain_weeks": "You have had this pain for {weeks}.",
        "short_symptoms": "Your pain has lasted less than {min_weeks}. Leg pain like this often "
        "gets better by itself in a few weeks, so surgery is not the next step yet.",
        "nothing_tried": "You have not tried any care without surgery yet, like exercise or "
        "pain relief.",
        "short_care": "You have tried care without surgery for {weeks}. Doctors often want you "
        "to try it for at least {min_weeks} before they think about surgery.",
        "short_care_unknown": "You did not say how long you tried each kind of care. It may be "
        "less than {min_weeks}.",
        "care_tried": "You have tried care without surgery for {weeks}, and it has not helped "
        "enough.",
        "good_response": "You said some of your care has helped a lot. That is good news, so "
        "keep it up.",
        "got_worse": "You said you got worse with some of your care. Tell your doctor about this.",
        "may_be_option": "Surgery to free a pressed nerve, done through a small cut, may help "
        "leg pain like yours. Doctors call it minimally invasive or keyhole surgery. A specialist "
        "will need to see you and look at scans to be sure.",
        "back_only_unlikely": "Keyhole spine surgery is mostly used for pain that goes down the "
        "leg. It is rarely the answer for back pain alone.",
        "startback_high": "Your answers show that the pain weighs a lot on your life and mood. "
        "Care led by a physio, with help for worry and low mood, tends to help most. Ask your "
        "doctor about it.",
        "startback_incomplete": "Some answers about how the pain affects you were not given, so "
        "we left that part out.",
    }
)

# What to ask for when an answer is missing, by field.
MISSING_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "red_flags": "Please answer the questions about warning signs.",
        "pain_below_knee": "Please tell us if the pain goes down your leg to below the knee.",
        "leg_pain_on_walking": "Please tell us if your legs ache or feel heavy when you walk.",
        "pain_weeks": "Please tell us how many weeks you have had this pain.",
        "treatments": "Please tell us what you have tried for the pain, if anything.",
        "treatments.weeks": "Please tell us for how many weeks you tried each kind of care.",
        "treatments.response": "Please tell us if each kind of care helped.",
    }
)

# The wording we recommend for each question of the web form (docs/self-screen.md).
QUESTIONS: Mapping[str, str] = MappingProxyType(
    {
        "back_pain": "How bad is the pain in your back right now? Pick a number from 0 to 10. "
        "0 is no pain. 10 is the worst pain you can think of.",
        "leg_pain": "How bad is the pain in your leg right now? Pick a number from 0 to 10. "
        "0 is no pain. 10 is the worst pain you can think of.",
        "pain_below_knee": "Does the pain go down your leg to below your knee?",
        "leg_pain_on_walking": "When you walk, do your legs ache or feel heavy? And do they "
        "feel better when you sit down or bend forward?",
        "pain_weeks": "How many weeks ago did this bout of pain start?",
        "treatments": "What have you tried for this pain? For each one, say for how many weeks, "
        "and if it helped.",
        "treatments.kind.medication": "Pills or other medicines for the pain",
        "treatments.kind.physiotherapy": "Exercise or hands-on help from a physio",
        "treatments.kind.injection": "An injection in your back",
        "treatments.kind.other": "Some other kind of help",
        "treatments.weeks": "For how many weeks? A guess is fine.",
        "treatments.response": "Did it help?",
        "treatments.response.good": "It helped a lot",
        "treatments.response.partial": "It helped a little",
        "treatments.response.none": "It did not help",
        "treatments.response.worse": "I got worse",
    }
)


def _weeks(n: int) -> str:
    if n == 0:
        return "less than a week"
    return "1 week" if n == 1 else f"{n} weeks"


# ---- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenResult:
    """What the person is shown.

    `outcome` is None when the answers needed to decide are missing; then
    `missing` names the fields (as in ScreenAnswers; `treatments[i].weeks` for one
    treatment) and `reasons` asks for them in plain words. `rules` are the rules
    that fired, in the order they were applied.
    """

    outcome: ScreenOutcome | None
    headline: str
    what_to_do: str
    reasons: tuple[str, ...]
    weeks_more_conservative_care: int | None
    startback_risk: str | None
    not_a_diagnosis: str
    rules: tuple[ScreenRule, ...]
    missing: tuple[str, ...] = ()
    safety_net: str | None = None  # when to go to hospital; every result below a red flag
    red_flags: tuple[str, ...] = ()  # ids answered "yes", most urgent first
    settings: ScreenSettings = field(default_factory=ScreenSettings)
    screen_version: str = SCREEN_VERSION

    @property
    def needs_more_answers(self) -> bool:
        return self.outcome is None

    @property
    def texts(self) -> tuple[str, ...]:
        """Every plain-language text of this result (sources are citations, not prose)."""
        out = [self.headline, self.what_to_do, *self.reasons, self.not_a_diagnosis]
        if self.safety_net:
            out.append(self.safety_net)
        out.extend(rule.rationale for rule in self.rules)
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "screen_version": self.screen_version,
            "outcome": self.outcome.value if self.outcome else None,
            "headline": self.headline,
            "what_to_do": self.what_to_do,
            "reasons": list(self.reasons),
            "weeks_more_conservative_care": self.weeks_more_conservative_care,
            "startback_risk": self.startback_risk,
            "not_a_diagnosis": self.not_a_diagnosis,
            "safety_net": self.safety_net,
            "missing": list(self.missing),
            "red_flags": list(self.red_flags),
            "rules": [rule.to_json() for rule in self.rules],
            "settings": asdict(self.settings),
        }


# ---- the screen ---------------------------------------------------------------------------------


def screen(answers: ScreenAnswers, settings: ScreenSettings | None = None) -> ScreenResult:
    """Turn the person's answers into a plain-language result. Never a diagnosis."""
    s = settings if settings is not None else ScreenSettings()
    if not isinstance(answers, ScreenAnswers):
        raise ScreenValidationError("answers", "must be ScreenAnswers")
    # Red flags first, before anything else is even validated: they always win.
    validate_red_flags(answers.red_flags)
    if answers.red_flags:
        flags = evaluate_red_flags(answers.red_flags)
        if flags.stops_pathway:
            return _red_flag_result(flags.pathway_flags, s)
    validate_answers(answers)
    return _Screen(answers, s).result()


def _red_flag_result(flags: tuple[RedFlag, ...], s: ScreenSettings) -> ScreenResult:
    emergency = any(f.urgency is Urgency.EMERGENCY for f in flags)
    reasons: list[str] = [FLAG_STATEMENTS.get(f.id, GROUP_STATEMENTS[f.group]) for f in flags]
    for group in dict.fromkeys(f.group for f in flags):
        if not (emergency and group is Group.CAUDA_EQUINA):  # already in what_to_do
            reasons.append(GROUP_WHY[group])
    outcome = ScreenOutcome.EMERGENCY if emergency else ScreenOutcome.URGENT
    rules: list[ScreenRule] = []
    if emergency:
        rules.append(RF_EMERGENCY.for_settings(s))
    if any(f.urgency is Urgency.URGENT for f in flags):
        rules.append(RF_URGENT.for_settings(s))
    return ScreenResult(
        outcome=outcome,
        headline=HEADLINES[outcome],
        what_to_do=WHAT_TO_DO_EMERGENCY if emergency else WHAT_TO_DO_URGENT,
        reasons=tuple(dict.fromkeys(reasons)),
        weeks_more_conservative_care=None,
        startback_risk=None,  # not assessed: the warning sign comes first
        not_a_diagnosis=NOT_A_DIAGNOSIS,
        rules=tuple(rules),
        red_flags=tuple(f.id for f in flags),
        settings=s,
    )


class _Screen:
    """The non-red-flag part of the screen, on validated answers."""

    def __init__(self, answers: ScreenAnswers, settings: ScreenSettings) -> None:
        self.a = answers
        self.s = settings
        self.reasons: list[str] = []
        self.rules: list[ScreenRule] = []
        self.startback_risk, self.startback_complete = self._startback()

    def _startback(self) -> tuple[str | None, bool]:
        if self.a.startback is None:
            return None, True
        scored = get_instrument("startback").score(self.a.startback)
        risk = scored.extra.get("risk")
        return (str(risk), True) if risk is not None else (None, False)

    # -- facts, each True / False / None (unknown) --

    def leg_pattern(self) -> bool | None:
        """Sciatica below the knee or leg pain on walking: True; neither: False."""
        values = (self.a.pain_below_knee, self.a.leg_pain_on_walking)
        if True in values:
            return True
        if None in values:
            return None
        return False

    def care(self) -> tuple[int | None, bool | None]:
        """(weeks of care, at least the minimum?). Courses overlap: the longest counts.

        Same convention as CaseFacts.conservative_care_weeks. Weeks are None when
        a course's length is missing and the known ones fall short of the minimum.
        """
        if self.a.treatments is None:
            return None, None
        known = [t.weeks for t in self.a.treatments if t.weeks is not None]
        longest = max(known, default=0)
        if longest >= self.s.min_conservative_weeks:
            return longest, True
        if len(known) < len(self.a.treatments):
            return None, None
        return longest, False

    def good_response(self) -> bool | None:
        if self.a.treatments is None:
            return None
        responses = [t.response for t in self.a.treatments]
        if TreatmentResponse.GOOD in responses:
            return True
        return None if None in responses else False

    # -- the decision --

    def result(self) -> ScreenResult:
        a, s = self.a, self.s
        pattern = self.leg_pattern()
        care_weeks, care_enough = self.care()
        good = self.good_response()
        short_symptoms = a.pain_weeks is not None and a.pain_weeks < s.min_symptom_weeks
        short_care = care_enough is False
        leg_decided = bool(good) or short_symptoms or short_care

        missing: list[str] = []
        if a.red_flags is None:
            missing.append("red_flags")
        if pattern is None:
            missing += [
                name
                for name in ("pain_below_knee", "leg_pain_on_walking")
                if getattr(a, name) is None
            ]
        if pattern is not False and not leg_decided:
            if a.pain_weeks is None:
                missing.append("pain_weeks")
            if a.treatments is None:
                missing.append("treatments")
            else:
                if care_enough is None:
                    missing += [
                        f"treatments[{i}].weeks"
                        for i, t in enumerate(a.treatments)
                        if t.weeks is None
                    ]
                if good is None:
                    missing += [
                        f"treatments[{i}].response"
                        for i, t in enumerate(a.treatments)
                        if t.response is None
                    ]
        if missing:
            return self._missing(tuple(missing))

        self._pain_scores()
        if pattern is False:
            return self._unlikely()
        return self._leg(care_weeks, good, short_symptoms, short_care)

    def _pain_scores(self) -> None:
        if self.a.leg_pain is not None and self.a.back_pain is not None:
            self.reasons.append(
                REASONS["pain_scores"].format(leg=self.a.leg_pain, back=self.a.back_pain)
            )

    def _leg(
        self, care_weeks: int | None, good: bool | None, short_symptoms: bool, short_care: bool
    ) -> ScreenResult:
        a, s = self.a, self.s
        if a.pain_below_knee:
            self.reasons.append(REASONS["below_knee"])
        if a.leg_pain_on_walking:
            self.reasons.append(REASONS["walking"])
        if a.pain_weeks is not None:
            self.reasons.append(REASONS["pain_weeks"].format(weeks=_weeks(a.pain_weeks)))
        treatments = a.treatments or ()
        if any(t.response is TreatmentResponse.WORSE for t in treatments):
            self.reasons.append(REASONS["got_worse"])
        if not (good or short_symptoms or short_care):
            assert care_weeks is not None  # decided above: enough care, all known
            self.reasons.append(REASONS["care_tried"].format(weeks=_weeks(care_weeks)))
            self.reasons.append(REASONS["may_be_option"])
            self.rules.append(MAY_BE_OPTION.for_settings(self.s))
            return self._result(ScreenOutcome.MAY_BE_OPTION, WHAT_TO_DO_MAY_BE_OPTION)

        shortfalls: list[int] = []
        if good:
            self.reasons.append(REASONS["good_response"])
            self.rules.append(GOOD_RESPONSE.for_settings(self.s))
        if short_symptoms:
            assert a.pain_weeks is not None
            self.reasons.append(
                REASONS["short_symptoms"].format(min_weeks=_weeks(s.min_symptom_weeks))
            )
            self.rules.append(SHORT_SYMPTOMS.for_settings(self.s))
            shortfalls.append(s.min_symptom_weeks - a.pain_weeks)
        if short_care:
            assert care_weeks is not None
            if not treatments:
                self.reasons.append(REASONS["nothing_tried"])
            else:
                self.reasons.append(
                    REASONS["short_care"].format(
                        weeks=_weeks(care_weeks), min_weeks=_weeks(s.min_conservative_weeks)
                    )
                )
            self.rules.append(SHORT_CARE.for_settings(self.s))
            shortfalls.append(s.min_conservative_weeks - care_weeks)
        elif care_weeks is None and a.treatments is not None and not good:
            self.reasons.append(
                REASONS["short_care_unknown"].format(min_weeks=_weeks(s.min_conservative_weeks))
            )
        weeks_more = max(1, *shortfalls) if shortfalls else None
        what_to_do = (
            WHAT_TO_DO_CONSERVATIVE.format(weeks=_weeks(weeks_more))
            if weeks_more is not None
            else WHAT_TO_DO_KEEP_GOING
        )
        self._startback_advice()
        return self._result(ScreenOutcome.CONSERVATIVE_FIRST, what_to_do, weeks_more)

    def _unlikely(self) -> ScreenResult:
        self.reasons.append(REASONS["back_only"])
        self.reasons.append(REASONS["back_only_unlikely"])
        self.rules.append(BACK_ONLY.for_settings(self.s))
        self._startback_advice()
        return self._result(ScreenOutcome.UNLIKELY, WHAT_TO_DO_UNLIKELY)

    def _closing_reasons(self) -> tuple[str, ...]:
        return () if self.startback_complete else (REASONS["startback_incomplete"],)

    def _startback_advice(self) -> None:
        if self.startback_risk == "high":
            self.reasons.append(REASONS["startback_high"])
            self.rules.append(STARTBACK_HIGH.for_settings(self.s))

    def _missing(self, missing: tuple[str, ...]) -> ScreenResult:
        texts = [MISSING_TEXTS[name.split("[")[0] + _suffix(name)] for name in missing]
        self.rules.append(MISSING.for_settings(self.s))
        return ScreenResult(
            outcome=None,
            headline=HEADLINES[None],
            what_to_do=WHAT_TO_DO_MISSING,
            reasons=(*dict.fromkeys(texts), *self._closing_reasons()),
            weeks_more_conservative_care=None,
            startback_risk=self.startback_risk,
            not_a_diagnosis=NOT_A_DIAGNOSIS,
            rules=tuple(self.rules),
            missing=missing,
            safety_net=SAFETY_NET,
            red_flags=(),
            settings=self.s,
        )

    def _result(
        self, outcome: ScreenOutcome, what_to_do: str, weeks_more: int | None = None
    ) -> ScreenResult:
        return ScreenResult(
            outcome=outcome,
            headline=HEADLINES[outcome],
            what_to_do=what_to_do,
            reasons=(*self.reasons, *self._closing_reasons()),
            weeks_more_conservative_care=weeks_more,
            startback_risk=self.startback_risk,
            not_a_diagnosis=NOT_A_DIAGNOSIS,
            rules=tuple(self.rules),
            safety_net=SAFETY_NET,
            red_flags=(),
            settings=self.s,
        )


def _suffix(name: str) -> str:
    """`treatments[2].weeks` → `.weeks`; other names → ``."""
    return name[name.index("]") + 1 :] if "]" in name else ""
