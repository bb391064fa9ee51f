"""One patient through the whole pathway, through the pages, as the foundation promises."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spinepath.audit.models import AccessLog
from spinepath.intake.models import Assessment
from spinepath.outcomes.models import Complication, QuestionnaireResponse
from spinepath.patients.models import Episode, Patient, Stage
from spinepath.recovery.models import Alert, AlertStatus, CheckIn
from spinepath.surgery.models import SurgicalCase
from tests.factories import PASSWORD, UserFactory
from tests.intake.test_assessment import formsets

pytestmark = pytest.mark.django_db


def test_surgeon_to_patient_to_nurse(client, surgeon, nurse, care_team):
    client.force_login(surgeon)
    client.post(
        "/clinic/patients/new/",
        {
            "given_name": "Rosa",
            "family_name": "Diaz",
            "date_of_birth": "1970-06-01",
            "sex": "female",
            "mrn": "N1",
        },
    )
    patient = Patient.objects.get(mrn="N1")
    client.post(
        f"/clinic/patients/{patient.public_id}/episodes/new/",
        {
            "condition": "lumbar_disc_herniation",
            "care_team": care_team.pk,
            "lead_surgeon": surgeon.pk,
        },
    )
    episode = Episode.objects.get(patient=patient)

    baseline = ["4", "2", "3", "3", "2", "3", "2", "", "3", "3"]
    client.post(
        f"/clinic/episodes/{episode.public_id}/questionnaires/new/",
        {
            "instrument": "odi",
            "timepoint": "baseline",
            **{f"item_{i}": v for i, v in enumerate(baseline, 1)},
        },
    )
    response = QuestionnaireResponse.objects.get(episode=episode)
    assert response.instrument == "odi" and response.instrument_version == "2.1a"
    assert float(response.score) == pytest.approx(55.56)  # 25 / 45 * 100, one section missing

    client.post(
        f"/clinic/episodes/{episode.public_id}/assessments/new/",
        {
            "dominant_symptom": "leg_pain",
            "side": "left",
            "level": "L5-S1",
            "symptom_weeks": "16",
            "neurological_deficit": "none",
            "imaging_concordant": "yes",
            "bmi": "26",
            "asa_class": "2",
            **formsets(
                treatments=[{"kind": "physiotherapy", "weeks": "12", "response": "none"}],
                findings=[
                    {
                        "level": "L5-S1",
                        "herniation": "extrusion",
                        "herniation_zone": "paracentral",
                        "migration": "none",
                        "slip_percent": "0",
                        "instability": "no",
                    }
                ],
            ),
        },
    )
    assessment = Assessment.objects.get(episode=episode)
    client.post(f"/clinic/assessments/{assessment.public_id}/decide/", {"decision": "accept"})
    assessment.refresh_from_db()
    assert assessment.decided_pathway == "miss-candidate"

    start = timezone.localtime() - timedelta(hours=5)
    client.post(
        f"/clinic/episodes/{episode.public_id}/surgery/new/",
        {
            "procedure": "tubular_microdiscectomy",
            "approach": "miss",
            "level": "L5-S1",
            "side": "left",
            "surgery_start": start.strftime("%Y-%m-%dT%H:%M"),
            "incision_length_mm": "20",
            "estimated_blood_loss_ml": "30",
            "operative_minutes": "65",
            "anaesthesia": "general",
            "asa_class": "2",
        },
    )
    case = SurgicalCase.objects.get(episode=episode)
    ready = {
        "vital_signs": "2",
        "ambulation": "2",
        "nausea_vomiting": "2",
        "pain": "2",
        "surgical_bleeding": "2",
        **{
            k: "yes"
            for k in (
                "ambulating",
                "voided",
                "tolerating_oral",
                "pain_controlled_oral",
                "neuro_unchanged",
                "wound_dry",
                "no_orthostatic_intolerance",
                "responsible_adult",
            )
        },
    }
    client.post(f"/clinic/cases/{case.public_id}/readiness/", ready)
    client.post(f"/clinic/cases/{case.public_id}/discharge/", {})
    case.refresh_from_db()
    assert case.discharged_by == surgeon
    episode.refresh_from_db()
    assert episode.stage == Stage.RECOVERY

    # The patient at home.
    patient.user = UserFactory(role="patient", site=None, email="rosa@example.org")
    patient.save()
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "rosa@example.org", "password": PASSWORD})
    assert b"Do today" in client.get("/me/").content
    page = client.post(
        "/me/checkin/",
        {"back_pain": "4", "leg_pain": "6", "wound": "dry", "saddle_numbness": "on"},
    )
    assert b"Act now" in page.content
    assert CheckIn.objects.filter(episode=episode).count() == 1

    # The nurse at the clinic.
    client.force_login(nurse)
    alert = Alert.objects.get(episode=episode)
    assert str(alert.public_id) in client.get("/clinic/").content.decode()
    client.post(f"/clinic/alerts/{alert.public_id}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED

    client.post(
        f"/clinic/episodes/{episode.public_id}/complications/new/",
        {
            "description": "CSF leak managed with bed rest",
            "onset_date": timezone.localdate().isoformat(),
            "clavien_dindo": "I",
            "related_to_surgery": "yes",
        },
    )
    assert Complication.objects.get(episode=episode).clavien_dindo == "I"

    page = client.get(f"/clinic/episodes/{episode.public_id}/")
    stay = case.get_length_of_stay_category_display().encode()
    for text in (b"Tubular microdiscectomy", stay, b"odi", b"CSF leak", b"Acknowledged"):
        assert text in page.content
    # Every read of this patient's record was logged against the patient's opaque id.
    logged = AccessLog.objects.filter(patient_public_id=patient.public_id)
    assert logged.filter(role="surgeon").exists() and logged.filter(role="nurse").exists()
    assert logged.filter(role="patient").exists()
