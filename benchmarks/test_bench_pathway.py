"""Performance suite (make bench). Figures go to docs/performance.md; never asserted in make test."""

from __future__ import annotations

import pytest

from spinepath.clinical.candidacy import case_from_json, evaluate
from spinepath.clinical.selfscreen import ScreenAnswers, screen
from spinepath.clinical.triage import CheckInFacts, Wound, triage_checkin

# Degenerative spondylolisthesis at L5-S1 with osteoporosis: many rules, cautions and a
# contraindication fire.
CASE_JSON = {
    "condition": "degenerative_spondylolisthesis",
    "red_flags": [],
    "dominant_symptom": "neurogenic_claudication",
    "side": "bilateral",
    "level": "L5-S1",
    "symptom_weeks": 20,
    "conservative_care": [{"kind": "physiotherapy", "weeks": 12, "response": "none"}],
    "neurological_deficit": "none",
    "disabling_pain": False,
    "imaging_concordant": True,
    "imaging": [
        {
            "level": "L5-S1",
            "herniation": "none",
            "migration": "none",
            "central_stenosis": "moderate",
            "lateral_recess_stenosis": "moderate",
            "foraminal_stenosis": "mild",
            "slip_percent": 22.0,
            "instability": True,
            "fracture": False,
            "deformity": False,
        }
    ],
    "age": 67,
    "bmi": 29.0,
    "asa_class": 2,
    "smoker": False,
    "diabetes": False,
    "anticoagulated": False,
    "osteoporosis": True,
    "prior_surgery_at_level": False,
}
CASE = case_from_json(CASE_JSON)


def test_candidacy_evaluation(benchmark) -> None:
    result = benchmark(evaluate, CASE)
    assert result.options


def test_candidacy_parse_and_evaluate_json(benchmark) -> None:
    result = benchmark(lambda: evaluate(case_from_json(CASE_JSON)).to_json())
    assert result["pathway"] == "miss-candidate"


def test_self_screen(benchmark) -> None:
    from spinepath.clinical.candidacy.facts import (
        ConservativeTreatment,
        TreatmentKind,
        TreatmentResponse,
    )

    answers = ScreenAnswers(
        back_pain=3,
        leg_pain=7,
        pain_below_knee=True,
        leg_pain_on_walking=False,
        pain_weeks=12,
        treatments=(ConservativeTreatment(TreatmentKind.PHYSIOTHERAPY, 8, TreatmentResponse.NONE),),
        startback=(1, 0, 1, 1, 0, 1, 0, 0, 3),
        red_flags=frozenset(),
    )
    assert benchmark(screen, answers).outcome is not None


def test_checkin_triage(benchmark) -> None:
    facts = CheckInFacts(
        back_pain=6, leg_pain=4, wound=Wound.REDNESS, temperature_c=38.3, bladder_change=True
    )
    assert benchmark(triage_checkin, facts)


@pytest.mark.django_db
@pytest.mark.parametrize("open_alerts", [50, 200])
def test_worklist_page(benchmark, client, nurse, care_team, open_alerts) -> None:
    from tests.factories import EpisodeFactory, PatientFactory, UserFactory

    from spinepath.recovery.actions import do_submit_checkin

    for _ in range(open_alerts):
        user = UserFactory(role="patient", site=None)
        episode = EpisodeFactory(
            patient=PatientFactory(site=nurse.site, user=user),
            care_team=care_team,
            stage="recovery",
        )
        do_submit_checkin(
            actor=user, episode=episode, back_pain=5, leg_pain=5, wound="dry", bladder_change=True
        )
    client.force_login(nurse)
    response = benchmark(client.get, "/clinic/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_day_surgery_board_with_30_cases(benchmark, client, nurse, care_team) -> None:
    from tests.factories import EpisodeFactory, PatientFactory, SurgicalCaseFactory

    for _ in range(30):
        episode = EpisodeFactory(patient=PatientFactory(site=nurse.site), stage="surgery")
        SurgicalCaseFactory(episode=episode)
    client.force_login(nurse)
    response = benchmark(client.get, "/clinic/day-surgery/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_discharge_with_plan_monitoring_and_schedule(benchmark, nurse, patient) -> None:
    from tests.factories import EpisodeFactory, SurgicalCaseFactory

    from spinepath.surgery.actions import do_discharge, do_record_discharge_assessment

    ready = dict.fromkeys(
        ("vital_signs", "ambulation", "nausea_vomiting", "pain", "surgical_bleeding"), 2
    )
    checklist = dict.fromkeys(
        (
            "ambulating",
            "voided",
            "tolerating_oral",
            "pain_controlled_oral",
            "neuro_unchanged",
            "wound_dry",
            "no_orthostatic_intolerance",
            "responsible_adult",
        ),
        True,
    )

    def one_discharge() -> None:
        case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage="surgery"))
        do_record_discharge_assessment(actor=nurse, case=case, mpadss=ready, checklist=checklist)
        do_discharge(actor=nurse, case=case)

    benchmark.pedantic(one_discharge, rounds=20, iterations=1)
