from __future__ import annotations

import pytest

from spinepath.intake.models import Assessment, Decision
from spinepath.patients.models import Stage
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db

LDH_READY = {
    "symptom_weeks": "14",
    "conservative_care_weeks": "10",
    "neurological_deficit": "none",
    "imaging_concordant": "yes",
    "level": "L4-L5",
    "slip_percent": "0",
    "instability": "no",
    "bmi": "27.5",
    "asa_class": "2",
}


@pytest.fixture
def intake_episode(patient, care_team):
    return EpisodeFactory(patient=patient, care_team=care_team, stage=Stage.INTAKE)


def test_assessment_records_an_explained_recommendation(client, surgeon, intake_episode):
    client.force_login(surgeon)
    response = client.post(
        f"/clinic/episodes/{intake_episode.public_id}/assessments/new/", LDH_READY
    )
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/clinic/assessments/{assessment.public_id}/"
    assert assessment.pathway == "miss-candidate"
    assert assessment.recommendation["options"][0]["procedure"] == "tubular_microdiscectomy"
    intake_episode.refresh_from_db()
    assert intake_episode.stage == Stage.ASSESSED
    page = client.get(response["Location"])
    assert b"Rules that fired" in page.content
    assert b"Source:" in page.content


def test_red_flag_in_the_assessment_routes_to_urgent(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(
        f"/clinic/episodes/{intake_episode.public_id}/assessments/new/",
        {**LDH_READY, "red_flags": ["cauda_equina.saddle_anaesthesia"]},
    )
    assert Assessment.objects.get().pathway == "urgent"


def test_missing_information_is_named_not_guessed(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(
        f"/clinic/episodes/{intake_episode.public_id}/assessments/new/", {"symptom_weeks": "3"}
    )
    assessment = Assessment.objects.get()
    assert assessment.status == "needs-more-information"
    assert "imaging_concordant" in assessment.recommendation["missing"]
    assert assessment.pathway == ""


def test_override_needs_a_reason(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(f"/clinic/episodes/{intake_episode.public_id}/assessments/new/", LDH_READY)
    assessment = Assessment.objects.get()
    url = f"/clinic/assessments/{assessment.public_id}/decide/"
    response = client.post(
        url, {"decision": "override", "pathway": "conservative-care", "reason": ""}
    )
    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.decision == Decision.PENDING
    client.post(
        url,
        {
            "decision": "override",
            "pathway": "conservative-care",
            "reason": "Wants to try injections",
        },
    )
    assessment.refresh_from_db()
    assert assessment.decision == Decision.OVERRIDDEN
    assert assessment.decided_pathway == "conservative-care"
    assert assessment.decided_by == surgeon


@pytest.mark.parametrize(
    "bad",
    [
        {"asa_class": "9"},
        {"bmi": "abc"},
        {"slip_percent": "-4"},
        {"red_flags": ["made.up"]},
        {"level": "L9-L10"},
    ],
)
def test_bad_assessment_input_saves_nothing(client, surgeon, intake_episode, bad):
    client.force_login(surgeon)
    response = client.post(
        f"/clinic/episodes/{intake_episode.public_id}/assessments/new/", {**LDH_READY, **bad}
    )
    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_nurses_record_but_only_surgeons_decide(client, nurse, intake_episode):
    client.force_login(nurse)
    client.post(f"/clinic/episodes/{intake_episode.public_id}/assessments/new/", LDH_READY)
    assessment = Assessment.objects.get()
    response = client.post(
        f"/clinic/assessments/{assessment.public_id}/decide/", {"decision": "accept"}
    )
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.decision == Decision.PENDING
