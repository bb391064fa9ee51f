"""Check-in triage: red flags always give an urgent alert, whatever else is said."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.redflags import RED_FLAGS_BY_ID, Urgency
from spinepath.clinical.triage import (
    CHECKIN_RED_FLAGS,
    CheckInFacts,
    Severity,
    Wound,
    triage_checkin,
)

facts = st.builds(
    CheckInFacts,
    back_pain=st.none() | st.integers(0, 10),
    leg_pain=st.none() | st.integers(0, 10),
    wound=st.none() | st.sampled_from(list(Wound)),
    temperature_c=st.none() | st.floats(34.0, 42.0),
    new_leg_weakness=st.booleans(),
    saddle_numbness=st.booleans(),
    bladder_change=st.booleans(),
    bowel_change=st.booleans(),
)


@given(facts)
def test_any_red_flag_answer_gives_an_urgent_alert_first(f: CheckInFacts) -> None:
    alerts = triage_checkin(f)
    has_flag = any(getattr(f, name) for name in CHECKIN_RED_FLAGS)
    red = [a for a in alerts if a.rule_id == "TR-REDFLAG"]
    if has_flag:
        assert len(red) == 1
        assert alerts[0].severity is Severity.URGENT
        assert "emergency department" in red[0].patient_advice
    else:
        assert red == []


@given(facts)
def test_alerts_are_ordered_most_urgent_first_and_carry_reasons_and_sources(
    f: CheckInFacts,
) -> None:
    alerts = triage_checkin(f)
    ranks = [list(Severity).index(a.severity) for a in alerts]
    assert ranks == sorted(ranks)
    for alert in alerts:
        assert alert.reason and alert.source and alert.patient_advice


def test_checkin_questions_map_to_emergency_cauda_equina_flags() -> None:
    for flag_id in CHECKIN_RED_FLAGS.values():
        assert RED_FLAGS_BY_ID[flag_id].urgency is Urgency.EMERGENCY


def test_fever_with_wound_signs_is_urgent_but_fever_alone_is_same_day() -> None:
    both = triage_checkin(CheckInFacts(temperature_c=38.4, wound=Wound.REDNESS))
    assert [a.rule_id for a in both] == ["TR-FEVER-WOUND"]
    assert both[0].severity is Severity.URGENT
    fever = triage_checkin(CheckInFacts(temperature_c=38.0, wound=Wound.DRY))
    assert [(a.rule_id, a.severity) for a in fever] == [("TR-FEVER", Severity.SAME_DAY)]
    below = triage_checkin(CheckInFacts(temperature_c=37.9, wound=Wound.REDNESS))
    assert below == ()


def test_wound_discharge_or_opening_is_same_day() -> None:
    for wound in (Wound.DISCHARGE, Wound.OPENING):
        alerts = triage_checkin(CheckInFacts(wound=wound))
        assert [(a.rule_id, a.severity) for a in alerts] == [("TR-WOUND", Severity.SAME_DAY)]


def test_pain_rising_over_three_checkins_by_two_points_is_same_day() -> None:
    from spinepath.clinical.triage import PainPoint, triage_trend

    rising = [PainPoint(3, 2), PainPoint(3, 4), PainPoint(5, 5)]
    (alert,) = triage_trend(rising)
    assert (alert.rule_id, alert.severity) == ("TR-PAIN-RISING", Severity.SAME_DAY)
    assert alert.data["worst_pain"] == [3, 4, 5]
    # Flat, falling, too small a rise, or too few check-ins: nothing.
    assert triage_trend([PainPoint(3, 3), PainPoint(3, 3), PainPoint(5, 5)]) == ()
    assert triage_trend([PainPoint(6, 6), PainPoint(5, 5), PainPoint(4, 4)]) == ()
    assert triage_trend([PainPoint(3, 3), PainPoint(4, 4)]) == ()
    assert triage_trend([PainPoint(3, 3), PainPoint(4, 3), PainPoint(4, 4)]) == ()


def test_silent_patient_after_48_hours() -> None:
    from spinepath.clinical.triage import TriageSettings, silent_patient

    assert silent_patient(47.9) is None
    alert = silent_patient(48)
    assert alert is not None and alert.rule_id == "TR-SILENT"
    assert silent_patient(30, TriageSettings(silent_hours=24)) is not None
