from __future__ import annotations

import pytest

from spinepath.intake.models import Assessment, Decision
from spinepath.patients.models import Stage
from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def formsets(treatments=(), findings=()) -> dict[str, str]:
    data = {
        "treatment-TOTAL_FORMS": "3",
        "treatment-INITIAL_FORMS": "0",
        "treatment-MIN_NUM_FORMS": "0",
        "treatment-MAX_NUM_FORMS": "12",
        "imaging-TOTAL_FORMS": "2",
        "imaging-INITIAL_FORMS": "0",
        "imaging-MIN_NUM_FORMS": "0",
        "imaging-MAX_NUM_FORMS": "5",
    }
    for i, t in enumerate(treatments):
        data.update({f"treatment-{i}-{k}": v for k, v in t.items()})
    for i, f in enumerate(findings):
        data.update({f"imaging-{i}-{k}": v for k, v in f.items()})
    return data


LDH_READY = {
    "dominant_symptom": "leg_pain",
    "side": "left",
    "level": "L4-L5",
    "symptom_weeks": "14",
    "neurological_deficit": "none",
    "imaging_concordant": "yes",
    "bmi": "27.5",
    "asa_class": "2",
    "osteoporosis": "no",
    "prior_surgery_at_level": "no",
    **formsets(
        treatments=[
            {"kind": "medication", "weeks": "10", "response": "none"},
            {"kind": "physiotherapy", "weeks": "8", "response": "partial"},
        ],
        findings=[
            {
                "level": "L4-L5",
                "herniation": "extrusion",
                "herniation_zone": "paracentral",
                "migration": "none",
                "slip_percent": "0",
                "instability": "no",
            },
        ],
    ),
}


@pytest.fixture
def intake_episode(patient, care_team):
    return EpisodeFactory(patient=patient, care_team=care_team, stage=Stage.INTAKE)


def url(episode):
    return f"/clinic/episodes/{episode.public_id}/assessments/new/"


def test_assessment_records_the_case_and_an_explained_recommendation(
    client, surgeon, intake_episode
):
    client.force_login(surgeon)
    response = client.post(url(intake_episode), LDH_READY)
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/clinic/assessments/{assessment.public_id}/"
    assert assessment.pathway == "miss-candidate"
    assert assessment.case["conservative_care"][0] == {
        "kind": "medication",
        "weeks": 10,
        "response": "none",
    }
    assert assessment.case["imaging"][0]["herniation"] == "extrusion"
    assert assessment.case["age"] == intake_episode.patient.age_on(assessment.assessed_at.date())
    assert assessment.recommendation["options"][0]["procedure"] == "tubular_microdiscectomy"
    intake_episode.refresh_from_db()
    assert intake_episode.stage == Stage.ASSESSED
    page = client.get(response["Location"])
    assert b"Rules that fired" in page.content and b"Source:" in page.content


def test_red_flag_in_the_assessment_routes_to_urgent(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(
        url(intake_episode), {**LDH_READY, "red_flags": ["cauda_equina.saddle_anaesthesia"]}
    )
    assert Assessment.objects.get().pathway == "urgent"


def test_missing_information_is_named_not_guessed(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(url(intake_episode), {"symptom_weeks": "3", **formsets()})
    assessment = Assessment.objects.get()
    assert assessment.status == "needs-more-information"
    assert assessment.recommendation["missing"]
    assert assessment.pathway == ""
    assert assessment.recommendation["options"] == []


def test_override_needs_a_reason(client, surgeon, intake_episode):
    client.force_login(surgeon)
    client.post(url(intake_episode), LDH_READY)
    assessment = Assessment.objects.get()
    decide = f"/clinic/assessments/{assessment.public_id}/decide/"
    response = client.post(
        decide, {"decision": "override", "pathway": "conservative-care", "reason": ""}
    )
    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.decision == Decision.PENDING
    client.post(
        decide,
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
    again = client.post(decide, {"decision": "accept"})
    assert again.status_code == 400
    assessment.refresh_from_db()
    assert assessment.decision == Decision.OVERRIDDEN


@pytest.mark.parametrize(
    "bad",
    [
        {"asa_class": "9"},
        {"bmi": "abc"},
        {"red_flags": ["made.up"]},
        {"level": "L9-L10"},
        {"imaging-0-slip_percent": "-4"},
        {"imaging-0-level": ""},  # findings without a level
        {"treatment-1-kind": ""},  # weeks without a treatment
        {"treatment-TOTAL_FORMS": "500"},
    ],
)
def test_bad_assessment_input_saves_nothing(client, surgeon, intake_episode, bad):
    client.force_login(surgeon)
    response = client.post(url(intake_episode), {**LDH_READY, **bad})
    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_nurses_record_but_only_surgeons_decide(client, nurse, intake_episode):
    client.force_login(nurse)
    client.post(url(intake_episode), LDH_READY)
    assessment = Assessment.objects.get()
    response = client.post(
        f"/clinic/assessments/{assessment.public_id}/decide/", {"decision": "accept"}
    )
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.decision == Decision.PENDING


def test_assessment_form_is_prefilled_from_the_self_screen(client, surgeon, intake_episode):
    from datetime import date

    from spinepath.intake.consultations import do_create_consultation_request

    request = do_create_consultation_request(
        site=intake_episode.patient.site,
        given_name="A",
        family_name="B",
        date_of_birth=date(1970, 1, 1),
        preferred_contact="phone",
        phone="1",
        email="",
        preferred_times="",
        consent_contact=True,
        consent_keep_answers=True,
        screen_version="t",
        result={},
        answers={
            "pain_below_knee": True,
            "pain_weeks": 11,
            "treatments": [{"kind": "physiotherapy", "weeks": 7, "response": "partial"}],
        },
    )
    request.episode = intake_episode
    request.save()
    client.force_login(surgeon)
    page = client.get(url(intake_episode)).content.decode()
    assert 'value="11"' in page
    assert '<option value="leg_pain" selected>' in page
    assert '<option value="physiotherapy" selected>' in page and 'value="7"' in page


def test_shared_decision_summary_page_and_pdf(client, surgeon, intake_episode):
    import io

    from pypdf import PdfReader

    client.force_login(surgeon)
    client.post(url(intake_episode), LDH_READY)
    assessment = Assessment.objects.get()
    page = client.get(f"/clinic/assessments/{assessment.public_id}/summary/").content.decode()
    assert "Tubular microdiscectomy" in page and "Not having an operation" in page
    response = client.get(f"/clinic/assessments/{assessment.public_id}/summary.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Your options" in text
    assert "Tubular microdiscectomy" in text
    assert "Risks" in text and "Koebbe" in text

    # The patient reads the same summary under /me/; another patient cannot.
    client.force_login(intake_episode.patient.user)
    assert client.get(f"/me/decisions/{assessment.public_id}/").status_code == 200
    assert client.get(f"/me/decisions/{assessment.public_id}/summary.pdf").status_code == 200


def test_other_patients_and_sites_cannot_read_the_summary(
    client, surgeon, intake_episode, other_patient, other_nurse
):
    client.force_login(surgeon)
    client.post(url(intake_episode), LDH_READY)
    assessment = Assessment.objects.get()
    client.force_login(other_patient.user)
    assert client.get(f"/me/decisions/{assessment.public_id}/").status_code == 404
    client.force_login(other_nurse)
    assert client.get(f"/clinic/assessments/{assessment.public_id}/summary.pdf").status_code == 404
