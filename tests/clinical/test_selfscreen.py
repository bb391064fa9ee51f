"""The public self-screen: red flags win, the screen never guesses, and it reads easily."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinepath.clinical.candidacy.facts import (
    ConservativeTreatment,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.redflags import RED_FLAGS, RED_FLAGS_BY_ID, Group, Urgency
from spinepath.clinical.selfscreen import (
    FLAG_STATEMENTS,
    GROUP_STATEMENTS,
    GROUP_WHY,
    HEADLINES,
    MISSING_TEXTS,
    NOT_A_DIAGNOSIS,
    QUESTIONS,
    REASONS,
    RULES,
    RULES_BY_ID,
    SAFETY_NET,
    SCREEN_VERSION,
    SELF_REPORTABLE_RED_FLAGS,
    WHAT_TO_DO_CONSERVATIVE,
    WHAT_TO_DO_EMERGENCY,
    WHAT_TO_DO_KEEP_GOING,
    WHAT_TO_DO_MAY_BE_OPTION,
    WHAT_TO_DO_MISSING,
    WHAT_TO_DO_UNLIKELY,
    WHAT_TO_DO_URGENT,
    ScreenAnswers,
    ScreenOutcome,
    ScreenResult,
    ScreenSettings,
    ScreenValidationError,
    screen,
    validate_answers,
)

MED, PHYSIO, INJ = TreatmentKind.MEDICATION, TreatmentKind.PHYSIOTHERAPY, TreatmentKind.INJECTION
NONE, PARTIAL, GOOD, WORSE = (
    TreatmentResponse.NONE,
    TreatmentResponse.PARTIAL,
    TreatmentResponse.GOOD,
    TreatmentResponse.WORSE,
)
SELF_IDS = sorted(f.id for f in SELF_REPORTABLE_RED_FLAGS)
STARTBACK_LOW = (0, 0, 0, 0, 0, 0, 0, 0, 2)
STARTBACK_HIGH = (1, 1, 1, 1, 1, 1, 1, 1, 4)


def care(*courses: tuple[TreatmentKind, int | None, TreatmentResponse | None]) -> Any:
    return tuple(ConservativeTreatment(kind, weeks, response) for kind, weeks, response in courses)


# Every answer at its most "surgical": sciatica and claudication, half a year, care failed.
SURGICAL = ScreenAnswers(
    back_pain=3,
    leg_pain=8,
    pain_below_knee=True,
    leg_pain_on_walking=True,
    pain_weeks=26,
    treatments=care((MED, 20, NONE), (PHYSIO, 12, PARTIAL), (INJ, 8, WORSE)),
    startback=STARTBACK_LOW,
    red_flags=frozenset(),
)
BACK_ONLY = dataclasses.replace(
    SURGICAL, back_pain=7, leg_pain=0, pain_below_knee=False, leg_pain_on_walking=False
)


def with_(answers: ScreenAnswers = SURGICAL, **changes: Any) -> ScreenAnswers:
    return dataclasses.replace(answers, **changes)


def fired(result: ScreenResult) -> list[str]:
    return [rule.id for rule in result.rules]


# ---- readability: Flesch reading ease with our own syllable heuristic ---------------------------

_SILENT_ENDINGS = ("ses", "ces", "ges", "zes", "xes", "shes", "ches")


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e / es / ed; at least one. Digits count as one."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 1
    n = len(re.findall(r"[aeiouy]+", w))
    silent = (
        (w.endswith("e") and not w.endswith(("le", "ee")))
        or (w.endswith("es") and not w.endswith(_SILENT_ENDINGS))
        or (w.endswith("ed") and not w.endswith(("ted", "ded")))
    )
    return max(1, n - 1 if silent and n > 1 else n)


def flesch(text: str) -> float:
    text = text.strip()
    if text[-1] not in ".!?":
        text += "."
    sentences = len(re.findall(r"[.!?]+(?:\s|$)", text))
    words = [w for w in re.split("[\\s\\-\u2013\u2014/]+", text) if re.search(r"[A-Za-z0-9]", w)]
    syl = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * len(words) / sentences - 84.6 * syl / len(words)


READING_EASE = 60.0


def assert_readable(text: str) -> None:
    assert flesch(text) >= READING_EASE, f"{flesch(text):.1f} < {READING_EASE}: {text!r}"


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("table", 2),
        ("hospital", 3),
        ("squashed", 1),
        ("bones", 1),
        ("started", 2),
        ("surgery", 3),
        ("6", 1),
        ("emergency", 4),
    ],
)
def test_syllable_heuristic(word: str, count: int) -> None:
    assert syllables(word) == count


def test_flesch_tells_easy_from_hard() -> None:
    assert flesch("The cat sat on the mat. It was a good day.") > 100
    hard = (
        "Neurogenic claudication secondary to degenerative lumbar spinal stenosis necessitates "
        "multidisciplinary evaluation."
    )
    assert flesch(hard) < 0


def every_static_text() -> list[str]:
    texts = [
        NOT_A_DIAGNOSIS,
        SAFETY_NET,
        *HEADLINES.values(),
        WHAT_TO_DO_EMERGENCY,
        WHAT_TO_DO_URGENT,
        WHAT_TO_DO_MAY_BE_OPTION,
        WHAT_TO_DO_KEEP_GOING,
        WHAT_TO_DO_UNLIKELY,
        WHAT_TO_DO_MISSING,
        *MISSING_TEXTS.values(),
        *QUESTIONS.values(),
        *FLAG_STATEMENTS.values(),
        *GROUP_STATEMENTS.values(),
        *GROUP_WHY.values(),
    ]
    weeks = ["less than a week", "1 week", *(f"{n} weeks" for n in (2, 5, 6, 12, 52, 5200))]
    for w in weeks:
        texts.append(WHAT_TO_DO_CONSERVATIVE.format(weeks=w))
        texts.extend(
            template.format(leg=10, back=0, weeks=w, min_weeks=w) for template in REASONS.values()
        )
    for s in (
        ScreenSettings(),
        ScreenSettings(1, 1),
        ScreenSettings(12, 8),
        ScreenSettings(52, 52),
    ):
        texts.extend(rule.for_settings(s).rationale for rule in RULES)
    return texts


def test_every_text_the_module_can_output_is_easy_to_read() -> None:
    texts = every_static_text()
    assert len(texts) > 100
    for text in texts:
        assert_readable(text)


@pytest.mark.parametrize(
    "flag",
    [pytest.param(f, id=f.id) for f in SELF_REPORTABLE_RED_FLAGS],
)
def test_red_flag_questions_are_easy_to_read(flag: Any) -> None:
    assert_readable(flag.plain_language)


# ---- rule 1: red flags --------------------------------------------------------------------------


def test_self_reportable_flags_are_the_catalogue_minus_examination_and_age() -> None:
    expected = {
        f.id for f in RED_FLAGS if not f.examination_only and f.urgency is not Urgency.RISK_FACTOR
    }
    assert {f.id for f in SELF_REPORTABLE_RED_FLAGS} == expected
    assert "tumour_infection.age_over_50_or_under_20" not in expected
    assert len(SELF_REPORTABLE_RED_FLAGS) == len(expected) == 11


def test_self_reportable_flags_ask_the_most_dangerous_first() -> None:
    rank = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1}
    ranks = [rank[f.urgency] for f in SELF_REPORTABLE_RED_FLAGS]
    assert ranks == sorted(ranks)
    assert SELF_REPORTABLE_RED_FLAGS[0].group is Group.CAUDA_EQUINA


def test_every_self_reportable_flag_has_its_own_plain_statement() -> None:
    assert set(FLAG_STATEMENTS) == {f.id for f in SELF_REPORTABLE_RED_FLAGS}


@pytest.mark.parametrize("flag", SELF_REPORTABLE_RED_FLAGS, ids=lambda f: f.id)
@pytest.mark.parametrize(
    "base",
    [SURGICAL, BACK_ONLY, ScreenAnswers(), with_(SURGICAL, pain_weeks=1, treatments=())],
    ids=["most-surgical", "back-only", "nothing-else-answered", "short-history"],
)
def test_each_flag_alone_stops_everything(flag: Any, base: ScreenAnswers) -> None:
    result = screen(with_(base, red_flags=frozenset({flag.id})))
    assert result.red_flags == (flag.id,)
    assert FLAG_STATEMENTS[flag.id] in result.reasons
    assert result.weeks_more_conservative_care is None and result.missing == ()
    assert result.not_a_diagnosis == NOT_A_DIAGNOSIS
    if flag.group is Group.CAUDA_EQUINA:
        assert result.outcome is ScreenOutcome.EMERGENCY
        assert fired(result) == ["SS-RF-EMERGENCY"]
        assert "emergency department" in result.what_to_do
        assert "now, today" in result.what_to_do
        assert "bladder, bowel and legs may be squashed" in result.what_to_do
        assert "within hours" in result.what_to_do
    else:
        assert result.outcome is ScreenOutcome.URGENT
        assert fired(result) == ["SS-RF-URGENT"]
        assert result.what_to_do.startswith("See a doctor today.")
        assert GROUP_WHY[flag.group] in result.reasons
    for text in result.texts:
        assert_readable(text)


def test_red_flag_wins_even_when_other_answers_are_wrong() -> None:
    """A typo in a pain score never holds back 'go to hospital now'."""
    bad = with_(SURGICAL, leg_pain=99, pain_weeks=-3, red_flags=frozenset(SELF_IDS[:1]))
    assert screen(bad).outcome in {ScreenOutcome.EMERGENCY, ScreenOutcome.URGENT}
    with pytest.raises(ScreenValidationError):
        validate_answers(bad)  # the strict check still says what is wrong


def test_emergency_outranks_urgent_and_both_are_explained() -> None:
    both = {"fracture.major_trauma", "cauda_equina.bladder_dysfunction"}
    result = screen(with_(red_flags=frozenset(both)))
    assert result.outcome is ScreenOutcome.EMERGENCY
    assert fired(result) == ["SS-RF-EMERGENCY", "SS-RF-URGENT"]
    assert result.red_flags == ("cauda_equina.bladder_dysfunction", "fracture.major_trauma")
    assert GROUP_WHY[Group.FRACTURE] in result.reasons
    assert result.headline == HEADLINES[ScreenOutcome.EMERGENCY]


@pytest.mark.parametrize(
    "flag_id",
    [
        "cauda_equina.sphincter_laxity",  # examination only
        "cauda_equina.perianal_sensory_loss",
        "tumour_infection.age_over_50_or_under_20",  # a risk factor, not asked here
        "saddle",  # unknown
        "",
    ],
)
def test_flags_the_screen_does_not_ask_are_refused_not_dropped(flag_id: str) -> None:
    answers = with_(red_flags=frozenset({flag_id, "cauda_equina.saddle_anaesthesia"}))
    with pytest.raises(ScreenValidationError) as error:
        screen(answers)
    assert error.value.field == "red_flags"
    assert repr(flag_id) in error.value.message


# ---- rule 2: may be an option -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("below_knee", "walking"), [(True, False), (False, True), (True, True), (True, None)]
)
def test_leg_pain_after_six_weeks_of_failed_care_may_be_an_option(
    below_knee: bool, walking: bool | None
) -> None:
    result = screen(with_(pain_below_knee=below_knee, leg_pain_on_walking=walking))
    assert result.outcome is ScreenOutcome.MAY_BE_OPTION
    assert "may be an option" in result.headline.lower()
    assert "specialist" in result.headline and "specialist" in result.what_to_do
    assert fired(result) == ["SS-MAY-BE-OPTION"]
    rule = result.rules[0]
    assert "SPORT" in rule.source and "NICE NG59" in rule.source
    assert rule.evidence is Evidence.UNVERIFIED and "NICE" in rule.unverified
    assert result.weeks_more_conservative_care is None
    assert "You have tried care without surgery for 20 weeks" in " ".join(result.reasons)
    assert result.safety_net == SAFETY_NET


@pytest.mark.parametrize("response", [NONE, PARTIAL, WORSE])
def test_any_response_short_of_good_counts_as_not_helped(response: TreatmentResponse) -> None:
    result = screen(with_(treatments=care((PHYSIO, 6, response))))
    assert result.outcome is ScreenOutcome.MAY_BE_OPTION


def test_the_web_forms_worked_example() -> None:
    """The case tests/intake/test_self_screen.py sends through the form."""
    answers = ScreenAnswers(
        back_pain=3,
        leg_pain=7,
        pain_below_knee=True,
        leg_pain_on_walking=False,
        pain_weeks=12,
        treatments=care((MED, 10, NONE), (PHYSIO, 8, PARTIAL)),
        startback=(0, 0, 0, 0, 0, 0, 0, 0, 2),
        red_flags=frozenset(),
    )
    result = screen(answers)
    assert result.to_json()["outcome"] == "may-be-option"
    assert result.startback_risk == "low"


# ---- rule 3: under six weeks, and the 5/6-week borderlines --------------------------------------


@pytest.mark.parametrize(
    ("pain_weeks", "outcome", "weeks_more"),
    [
        (0, ScreenOutcome.CONSERVATIVE_FIRST, 6),
        (5, ScreenOutcome.CONSERVATIVE_FIRST, 1),
        (6, ScreenOutcome.MAY_BE_OPTION, None),
        (7, ScreenOutcome.MAY_BE_OPTION, None),
    ],
)
def test_symptom_weeks_borderline(
    pain_weeks: int, outcome: ScreenOutcome, weeks_more: int | None
) -> None:
    result = screen(with_(pain_weeks=pain_weeks, treatments=care((PHYSIO, 6, NONE))))
    assert result.outcome is outcome
    assert result.weeks_more_conservative_care == weeks_more
    if outcome is ScreenOutcome.CONSERVATIVE_FIRST:
        assert fired(result) == ["SS-SHORT-SYMPTOMS"]


@pytest.mark.parametrize(
    ("care_weeks", "outcome", "weeks_more"),
    [
        (0, ScreenOutcome.CONSERVATIVE_FIRST, 6),
        (2, ScreenOutcome.CONSERVATIVE_FIRST, 4),
        (5, ScreenOutcome.CONSERVATIVE_FIRST, 1),
        (6, ScreenOutcome.MAY_BE_OPTION, None),
    ],
)
def test_conservative_care_weeks_borderline(
    care_weeks: int, outcome: ScreenOutcome, weeks_more: int | None
) -> None:
    result = screen(
        with_(
            pain_weeks=10, treatments=care((MED, care_weeks, NONE), (PHYSIO, care_weeks, PARTIAL))
        )
    )
    assert result.outcome is outcome
    assert result.weeks_more_conservative_care == weeks_more
    if weeks_more is not None:
        assert fired(result) == ["SS-SHORT-CARE"]
        assert f"Check again in {weeks_more} week" in result.what_to_do


def test_nothing_tried_yet_means_six_weeks_of_care_first() -> None:
    result = screen(with_(treatments=()))
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
    assert result.weeks_more_conservative_care == 6
    assert REASONS["nothing_tried"] in result.reasons


def test_conservative_first_says_what_the_care_is_and_why_without_doses() -> None:
    result = screen(with_(pain_weeks=3, treatments=care((MED, 2, NONE))))
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
    assert fired(result) == ["SS-SHORT-SYMPTOMS", "SS-SHORT-CARE"]
    assert result.weeks_more_conservative_care == 4  # 6 minus the 2 weeks tried
    text = result.what_to_do
    assert "Keep moving" in text and "physio" in text and "Pain relief" in text
    assert not re.search(r"\bmg\b|\d+\s*(?:times|tablets?)", text)
    assert "often gets better by itself" in " ".join(result.reasons)
    assert "SPORT" in result.rules[0].source


def test_weeks_more_is_the_larger_shortfall_and_at_least_one() -> None:
    # 3 weeks of pain but 5 weeks of care (care from before): 3 more weeks of symptoms needed.
    result = screen(with_(pain_weeks=3, treatments=care((MED, 5, NONE))))
    assert result.weeks_more_conservative_care == 3


def test_short_symptoms_decide_even_when_care_length_is_unknown() -> None:
    result = screen(with_(pain_weeks=2, treatments=care((MED, None, None))))
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
    assert result.weeks_more_conservative_care == 4
    assert "You did not say how long" in " ".join(result.reasons)


def test_thresholds_are_settings() -> None:
    strict = ScreenSettings(min_symptom_weeks=12, min_conservative_weeks=8)
    result = screen(with_(pain_weeks=10, treatments=care((PHYSIO, 7, NONE))), strict)
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
    assert result.weeks_more_conservative_care == 2
    assert result.rules[0].title == "Fewer than 12 weeks of symptoms: conservative care first"
    assert result.to_json()["settings"] == {"min_symptom_weeks": 12, "min_conservative_weeks": 8}
    with pytest.raises(ValueError, match="min_symptom_weeks"):
        ScreenSettings(min_symptom_weeks=0)


# ---- rule 4: a good response --------------------------------------------------------------------


def test_good_response_means_keep_going() -> None:
    result = screen(with_(treatments=care((MED, 20, NONE), (PHYSIO, 10, GOOD))))
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
    assert fired(result) == ["SS-GOOD-RESPONSE"]
    assert result.weeks_more_conservative_care is None
    assert result.what_to_do == WHAT_TO_DO_KEEP_GOING


def test_good_response_with_short_care_still_counts_the_weeks() -> None:
    result = screen(with_(treatments=care((PHYSIO, 2, GOOD))))
    assert fired(result) == ["SS-GOOD-RESPONSE", "SS-SHORT-CARE"]
    assert result.weeks_more_conservative_care == 4


def test_good_response_decides_even_if_other_courses_are_incomplete() -> None:
    result = screen(with_(pain_weeks=None, treatments=care((MED, None, None), (PHYSIO, 9, GOOD))))
    assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST and result.missing == ()


# ---- rule 5: back pain only ---------------------------------------------------------------------


def test_back_pain_only_is_unlikely_citing_nice() -> None:
    result = screen(BACK_ONLY)
    assert result.outcome is ScreenOutcome.UNLIKELY
    assert fired(result) == ["SS-BACK-ONLY"]
    assert "NICE NG59" in result.rules[0].source and "fusion" in result.rules[0].source
    assert "specialist" in result.headline and "specialist" in result.what_to_do
    assert result.weeks_more_conservative_care is None


def test_back_pain_only_is_unlikely_however_long_or_short() -> None:
    for weeks in (0, 2, 5, 6, 100):
        answers = with_(BACK_ONLY, pain_weeks=weeks, treatments=None)
        assert screen(answers).outcome is ScreenOutcome.UNLIKELY


def test_startback_high_risk_adds_physio_led_care_with_psychological_support() -> None:
    result = screen(with_(BACK_ONLY, startback=STARTBACK_HIGH))
    assert result.startback_risk == "high"
    assert fired(result) == ["SS-BACK-ONLY", "SS-STARTBACK-HIGH"]
    assert REASONS["startback_high"] in result.reasons
    rule = RULES_BY_ID["SS-STARTBACK-HIGH"]
    assert rule.evidence is Evidence.UNVERIFIED and "NICE NG59 1.1.2" in rule.source


@pytest.mark.parametrize(
    ("startback", "risk"),
    [(STARTBACK_LOW, "low"), ((1, 1, 1, 1, 0, 0, 0, 0, 0), "medium"), (None, None)],
)
def test_no_startback_advice_below_high_risk(
    startback: tuple[int, ...] | None, risk: str | None
) -> None:
    result = screen(with_(BACK_ONLY, startback=startback))
    assert result.startback_risk == risk
    assert "SS-STARTBACK-HIGH" not in fired(result)


def test_startback_advice_also_goes_with_conservative_care_first() -> None:
    result = screen(with_(pain_weeks=2, startback=STARTBACK_HIGH))
    assert fired(result) == ["SS-SHORT-SYMPTOMS", "SS-STARTBACK-HIGH"]
    assert "SS-STARTBACK-HIGH" not in fired(screen(with_(startback=STARTBACK_HIGH)))


def test_partial_startback_is_not_scored_and_says_so() -> None:
    result = screen(with_(BACK_ONLY, startback=(1, 1, 1, 1, 1, 1, 1, 1, None)))
    assert result.startback_risk is None
    assert REASONS["startback_incomplete"] in result.reasons


# ---- rule 6: missing answers --------------------------------------------------------------------


def test_nothing_answered_asks_for_what_is_needed() -> None:
    result = screen(ScreenAnswers())
    assert result.outcome is None and result.needs_more_answers
    assert result.missing == (
        "red_flags",
        "pain_below_knee",
        "leg_pain_on_walking",
        "pain_weeks",
        "treatments",
    )
    assert fired(result) == ["SS-MISSING"]
    assert result.headline == HEADLINES[None]
    assert result.weeks_more_conservative_care is None
    for name in result.missing:
        assert MISSING_TEXTS[name] in result.reasons
    assert result.to_json()["outcome"] is None


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"red_flags": None}, ("red_flags",)),
        (
            {"pain_below_knee": None, "leg_pain_on_walking": None},
            ("pain_below_knee", "leg_pain_on_walking"),
        ),
        ({"pain_below_knee": False, "leg_pain_on_walking": None}, ("leg_pain_on_walking",)),
        ({"pain_weeks": None}, ("pain_weeks",)),
        ({"treatments": None}, ("treatments",)),
        ({"treatments": care((MED, 3, NONE), (PHYSIO, None, NONE))}, ("treatments[1].weeks",)),
        ({"treatments": care((MED, 9, None), (PHYSIO, 2, NONE))}, ("treatments[0].response",)),
    ],
)
def test_missing_answers_are_named_never_guessed(
    changes: dict[str, Any], missing: tuple[str, ...]
) -> None:
    result = screen(with_(**changes))
    assert result.outcome is None
    assert result.missing == missing
    assert result.weeks_more_conservative_care is None


@pytest.mark.parametrize(
    ("changes", "outcome"),
    [
        ({"back_pain": None, "leg_pain": None, "startback": None}, ScreenOutcome.MAY_BE_OPTION),
        ({"pain_below_knee": None}, ScreenOutcome.MAY_BE_OPTION),  # walking pain already says leg
        ({"pain_weeks": 3, "treatments": None}, ScreenOutcome.CONSERVATIVE_FIRST),
        (
            {"treatments": care((MED, 9, NONE), (PHYSIO, None, None), (INJ, 1, GOOD))},
            ScreenOutcome.CONSERVATIVE_FIRST,
        ),
        (
            {"treatments": care((MED, 9, NONE), (PHYSIO, None, PARTIAL))},
            ScreenOutcome.MAY_BE_OPTION,
        ),
    ],
)
def test_answers_that_cannot_change_the_outcome_are_not_demanded(
    changes: dict[str, Any], outcome: ScreenOutcome
) -> None:
    result = screen(with_(**changes))
    assert result.outcome is outcome and result.missing == ()


def test_back_only_needs_no_weeks_or_treatments() -> None:
    result = screen(with_(BACK_ONLY, pain_weeks=None, treatments=None, startback=None))
    assert result.outcome is ScreenOutcome.UNLIKELY


# ---- validation ---------------------------------------------------------------------------------

BAD_ANSWERS: list[tuple[dict[str, Any], str]] = [
    ({"back_pain": 11}, "back_pain"),
    ({"back_pain": -1}, "back_pain"),
    ({"leg_pain": 10.0}, "leg_pain"),
    ({"leg_pain": True}, "leg_pain"),
    ({"leg_pain": "7"}, "leg_pain"),
    ({"pain_below_knee": "yes"}, "pain_below_knee"),
    ({"leg_pain_on_walking": 1}, "leg_pain_on_walking"),
    ({"pain_weeks": -2}, "pain_weeks"),
    ({"pain_weeks": 10**6}, "pain_weeks"),
    ({"treatments": "physio"}, "treatments"),
    ({"treatments": ("physio",)}, "treatments[0]"),
    ({"treatments": (ConservativeTreatment("pills", 3, NONE),)}, "treatments[0].kind"),
    ({"treatments": care((MED, 3, NONE), (PHYSIO, -1, NONE))}, "treatments[1].weeks"),
    ({"treatments": (ConservativeTreatment(MED, 3, "great"),)}, "treatments[0].response"),
    ({"startback": (0, 0, 0)}, "startback"),
    ({"startback": (0,) * 10}, "startback"),
    ({"startback": "000000002"}, "startback"),
    ({"startback": (0, 0, 0, 0, 0, 0, 0, 0, 5)}, "startback.9"),
    ({"startback": (0, 2, 0, 0, 0, 0, 0, 0, 0)}, "startback.2"),
    ({"startback": (0, 0, 0, 0, True, 0, 0, 0, 0)}, "startback.5"),
    ({"red_flags": ["cauda_equina.saddle_anaesthesia"]}, "red_flags"),
    ({"red_flags": frozenset({"cauda_equina.sphincter_laxity"})}, "red_flags"),
    ({"red_flags": frozenset({"nope"})}, "red_flags"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_ANSWERS, ids=[f for _, f in BAD_ANSWERS])
def test_bad_answers_raise_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ScreenValidationError) as error:
        screen(with_(**changes))
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")
    assert isinstance(error.value, ValueError)


def test_only_screen_answers_are_screened() -> None:
    with pytest.raises(ScreenValidationError) as error:
        screen({"back_pain": 3})
    assert error.value.field == "answers"


# ---- hypothesis properties ----------------------------------------------------------------------


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


treatments_st = st.lists(
    st.builds(
        ConservativeTreatment,
        kind=st.sampled_from(TreatmentKind),
        weeks=opt(st.integers(0, 60)),
        response=opt(st.sampled_from(TreatmentResponse)),
    ),
    max_size=4,
).map(tuple)
startback_st = st.tuples(*([opt(st.integers(0, 1))] * 8), opt(st.integers(0, 4)))


@st.composite
def answers_st(draw: st.DrawFn, flags: st.SearchStrategy[Any] | None = None) -> ScreenAnswers:
    return ScreenAnswers(
        back_pain=draw(opt(st.integers(0, 10))),
        leg_pain=draw(opt(st.integers(0, 10))),
        pain_below_knee=draw(opt(st.booleans())),
        leg_pain_on_walking=draw(opt(st.booleans())),
        pain_weeks=draw(opt(st.integers(0, 60))),
        treatments=draw(opt(treatments_st)),
        startback=draw(opt(startback_st)),
        red_flags=draw(flags if flags is not None else opt(st.just(frozenset()))),
    )


ANY_FLAGS = opt(st.frozensets(st.sampled_from(SELF_IDS), max_size=4))


@given(answers_st(flags=st.frozensets(st.sampled_from(SELF_IDS), min_size=1, max_size=5)))
def test_any_red_flag_means_emergency_or_urgent(answers: ScreenAnswers) -> None:
    result = screen(answers)
    assert answers.red_flags is not None
    cauda = any(RED_FLAGS_BY_ID[i].group is Group.CAUDA_EQUINA for i in answers.red_flags)
    assert result.outcome is (ScreenOutcome.EMERGENCY if cauda else ScreenOutcome.URGENT)
    assert set(result.red_flags) == answers.red_flags


@given(answers_st(flags=ANY_FLAGS))
def test_never_an_option_before_six_weeks(answers: ScreenAnswers) -> None:
    result = screen(answers)
    if result.outcome is ScreenOutcome.MAY_BE_OPTION:
        assert answers.red_flags == frozenset()
        assert answers.pain_weeks is not None and answers.pain_weeks >= 6
        assert answers.treatments is not None
        assert max(t.weeks or 0 for t in answers.treatments) >= 6
        assert all(t.response not in {GOOD, None} for t in answers.treatments)
        assert True in (answers.pain_below_knee, answers.leg_pain_on_walking)
    if answers.pain_weeks is not None and answers.pain_weeks < 6:
        assert result.outcome is not ScreenOutcome.MAY_BE_OPTION


@given(answers_st(flags=ANY_FLAGS))
def test_result_shape_holds_for_any_answers(answers: ScreenAnswers) -> None:
    result = screen(answers)
    assert (result.outcome is None) == bool(result.missing)
    assert result.not_a_diagnosis == NOT_A_DIAGNOSIS and result.rules
    if result.weeks_more_conservative_care is not None:
        assert result.outcome is ScreenOutcome.CONSERVATIVE_FIRST
        assert 1 <= result.weeks_more_conservative_care <= 6
    if result.outcome is ScreenOutcome.CONSERVATIVE_FIRST and not (
        answers.treatments and any(t.response is GOOD for t in answers.treatments)
    ):
        assert result.weeks_more_conservative_care is not None
    if result.outcome not in {ScreenOutcome.EMERGENCY, ScreenOutcome.URGENT}:
        assert result.safety_net == SAFETY_NET
    assert all(rule.id in RULES_BY_ID for rule in result.rules)
    data = result.to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["screen_version"] == SCREEN_VERSION
    assert screen(answers) == result  # deterministic
    for text in result.texts:
        assert_readable(text)


@st.composite
def complete_and_partial(draw: st.DrawFn) -> tuple[ScreenAnswers, ScreenAnswers]:
    """Complete answers (no red flag), and the same answers with some left out."""
    weeks = st.sampled_from((6, 5, 7, 0, 12))  # around the borderline
    leg = st.sampled_from((True, False, False))  # back-only in 4 of 9
    complete = ScreenAnswers(
        back_pain=draw(st.integers(0, 10)),
        leg_pain=draw(st.integers(0, 10)),
        pain_below_knee=draw(leg),
        leg_pain_on_walking=draw(leg),
        pain_weeks=draw(weeks),
        treatments=tuple(
            draw(
                st.lists(
                    st.builds(
                        ConservativeTreatment,
                        kind=st.sampled_from(TreatmentKind),
                        weeks=weeks,
                        response=st.sampled_from(TreatmentResponse),
                    ),
                    max_size=3,
                )
            )
        ),
        startback=draw(st.tuples(*([st.integers(0, 1)] * 8), st.integers(0, 4))),
        red_flags=frozenset(),
    )

    def maybe(value: Any) -> Any:
        return None if draw(st.sampled_from((False, False, False, True))) else value

    treatments = complete.treatments or ()
    partial = dataclasses.replace(
        complete,
        back_pain=maybe(complete.back_pain),
        leg_pain=maybe(complete.leg_pain),
        pain_below_knee=maybe(complete.pain_below_knee),
        leg_pain_on_walking=maybe(complete.leg_pain_on_walking),
        pain_weeks=maybe(complete.pain_weeks),
        treatments=maybe(
            tuple(
                ConservativeTreatment(t.kind, maybe(t.weeks), maybe(t.response)) for t in treatments
            )
        ),
        startback=maybe(complete.startback),
    )
    return complete, partial


@settings(max_examples=500)
@given(complete_and_partial())
def test_the_screen_never_guesses(case: tuple[ScreenAnswers, ScreenAnswers]) -> None:
    """If an outcome is given, every way of filling in the missing answers gives the same one."""
    complete, partial = case
    result = screen(partial)
    assert screen(complete).outcome is not None  # complete answers always decide
    if result.outcome is not None:
        assert screen(complete).outcome is result.outcome


def _course_options(known_only: bool) -> list[ConservativeTreatment]:
    weeks = (5, 6) if known_only else (None, 5, 6)
    responses = (NONE, GOOD) if known_only else (None, NONE, GOOD)
    return [ConservativeTreatment(MED, w, r) for w in weeks for r in responses]


def _treatment_options(known_only: bool) -> list[Any]:
    courses = _course_options(known_only)
    options: list[Any] = [(), *((c,) for c in courses)]
    options += [(a, b) for a in courses for b in courses]
    return options if known_only else [None, *options]


def _completions(value: Any, known: list[Any]) -> list[Any]:
    return known if value is None else [value]


def _course_completions(course: ConservativeTreatment) -> list[ConservativeTreatment]:
    return [
        ConservativeTreatment(course.kind, w, r)
        for w in _completions(course.weeks, [5, 6])
        for r in _completions(course.response, [NONE, GOOD])
    ]


def _treatment_completions(treatments: Any) -> list[Any]:
    if treatments is None:
        return _treatment_options(known_only=True)
    return [tuple(combo) for combo in itertools.product(*map(_course_completions, treatments))]


def test_the_screen_never_guesses_exhaustively_around_the_borderline() -> None:
    """Every partial answer set on a small grid: a given outcome holds for every completion."""
    booleans = (None, True, False)
    decided = 0
    for below, walking, weeks, treatments in itertools.product(
        booleans, booleans, (None, 5, 6), _treatment_options(known_only=False)
    ):
        partial = ScreenAnswers(
            pain_below_knee=below,
            leg_pain_on_walking=walking,
            pain_weeks=weeks,
            treatments=treatments,
            red_flags=frozenset(),
        )
        outcome = screen(partial).outcome
        if outcome is None:
            continue
        decided += 1
        for b, w, pw, t in itertools.product(
            _completions(below, [True, False]),
            _completions(walking, [True, False]),
            _completions(weeks, [5, 6]),
            _treatment_completions(treatments),
        ):
            complete = ScreenAnswers(
                pain_below_knee=b,
                leg_pain_on_walking=w,
                pain_weeks=pw,
                treatments=t,
                red_flags=frozenset(),
            )
            assert screen(complete).outcome is outcome, (partial, complete)
    assert decided > 1000


VALID_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "back_pain": st.integers().filter(lambda n: not 0 <= n <= 10) | st.text() | st.floats(),
    "leg_pain": st.integers().filter(lambda n: not 0 <= n <= 10) | st.booleans(),
    "pain_below_knee": st.integers() | st.text(min_size=1),
    "leg_pain_on_walking": st.integers() | st.text(min_size=1),
    "pain_weeks": st.integers(max_value=-1) | st.integers(min_value=52 * 100 + 1) | st.text(),
    "startback": st.lists(st.integers(0, 1), min_size=0, max_size=8).map(tuple)
    | st.lists(st.integers(0, 1), min_size=10, max_size=12).map(tuple),
    "red_flags": st.frozensets(
        st.text(min_size=1).filter(lambda s: s not in RED_FLAGS_BY_ID), min_size=1
    ),
}


@given(st.data())
def test_validation_errors_name_the_field(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(sorted(VALID_FIELDS)))
    value = data.draw(VALID_FIELDS[field])
    base = data.draw(answers_st(flags=st.just(frozenset())))
    with pytest.raises(ScreenValidationError) as error:
        screen(with_(base, **{field: value}))
    assert error.value.field == field


# ---- the rule catalogue and the JSON ------------------------------------------------------------


def test_every_rule_is_sourced_and_marked() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.id.startswith("SS-") and rule.title and rule.rationale and rule.source
        assert isinstance(rule.evidence, Evidence)
        if rule.evidence is not Evidence.VERIFIED:
            assert rule.unverified or rule.id == "SS-MISSING"
    assert {rule.outcome for rule in RULES} >= set(ScreenOutcome)


def test_every_rule_can_fire() -> None:
    cases = [
        with_(red_flags=frozenset({"cauda_equina.saddle_anaesthesia", "fracture.major_trauma"})),
        ScreenAnswers(),
        with_(BACK_ONLY, startback=STARTBACK_HIGH),
        with_(pain_weeks=2, treatments=care((MED, 2, GOOD))),
        SURGICAL,
    ]
    seen = {rule.id for answers in cases for rule in screen(answers).rules}
    assert seen == set(RULES_BY_ID)


def test_json_is_what_the_web_stores() -> None:
    data = screen(SURGICAL).to_json()
    assert set(data) == {
        "screen_version",
        "outcome",
        "headline",
        "what_to_do",
        "reasons",
        "weeks_more_conservative_care",
        "startback_risk",
        "not_a_diagnosis",
        "safety_net",
        "missing",
        "red_flags",
        "rules",
        "settings",
    }
    assert set(data["rules"][0]) == {
        "id",
        "outcome",
        "title",
        "rationale",
        "source",
        "evidence",
        "unverified",
        "version",
    }
    assert [o.value for o in ScreenOutcome] == [
        "emergency",
        "urgent",
        "may-be-option",
        "conservative-first",
        "unlikely",
    ]


def test_every_result_says_it_is_not_a_diagnosis() -> None:
    assert "not a diagnosis" in NOT_A_DIAGNOSIS
    for answers in (SURGICAL, BACK_ONLY, ScreenAnswers(), with_(red_flags=frozenset(SELF_IDS))):
        assert screen(answers).not_a_diagnosis == NOT_A_DIAGNOSIS
