from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spinepath.patients.models import Stage
from spinepath.surgery.models import DischargeAssessment, SurgicalCase
from tests.factories import PASSWORD, EpisodeFactory, SurgicalCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

READY = {
    "vital_signs": "2",
    "ambulation": "2",
    "nausea_vomiting": "2",
    "pain": "2",
    "surgical_bleeding": "1",
    "ambulating": "yes",
    "voided": "yes",
    "tolerating_oral": "yes",
    "pain_controlled_oral": "yes",
    "neuro_unchanged": "yes",
    "wound_dry": "yes",
    "no_orthostatic_intolerance": "yes",
    "responsible_adult": "yes",
}


def operative_record(**overrides):
    record = {
        "procedure": "tubular_microdiscectomy",
        "approach": "miss",
        "conversion_reason": "",
        "level": "L4-L5",
        "side": "left",
        "surgery_start": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "incision_length_mm": "22",
        "estimated_blood_loss_ml": "35",
        "operative_minutes": "68",
        "anaesthesia": "general",
        "fluoroscopy_seconds": "40",
        "intraoperative_events": "",
        "asa_class": "2",
    }
    record.update(overrides)
    return record


def test_surgeon_records_the_operation(client, surgeon, patient):
    episode = EpisodeFactory(patient=patient, stage=Stage.ASSESSED)
    client.force_login(surgeon)
    response = client.post(f"/clinic/episodes/{episode.public_id}/surgery/new/", operative_record())
    case = SurgicalCase.objects.get()
    assert response["Location"] == f"/clinic/cases/{case.public_id}/"
    assert case.surgeon == surgeon and case.site == patient.site
    episode.refresh_from_db()
    assert episode.stage == Stage.SURGERY


@pytest.mark.parametrize(
    "bad",
    [
        {"approach": "converted"},  # no conversion reason
        {"procedure": "open_discectomy", "approach": "miss"},
        {"estimated_blood_loss_ml": "-10"},
        {"operative_minutes": "0"},
        {"level": "C5-C6"},
        {"surgery_start": "2999-01-01T10:00"},
    ],
)
def test_bad_operative_record_saves_nothing(client, surgeon, patient, bad):
    episode = EpisodeFactory(patient=patient, stage=Stage.ASSESSED)
    client.force_login(surgeon)
    response = client.post(
        f"/clinic/episodes/{episode.public_id}/surgery/new/", operative_record(**bad)
    )
    assert response.status_code == 400
    assert not SurgicalCase.objects.exists()


def test_ready_patient_is_discharged_same_day_and_recovery_starts(client, nurse, patient):
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(nurse)
    client.post(f"/clinic/cases/{case.public_id}/readiness/", READY)
    assessment = DischargeAssessment.objects.get()
    assert assessment.ready and assessment.mpadss_total == 9 and assessment.unmet == []
    client.post(f"/clinic/cases/{case.public_id}/discharge/", {})
    case.refresh_from_db()
    assert case.discharged_at is not None and case.discharged_by == nurse
    assert case.length_of_stay_hours is not None
    assert case.length_of_stay_category in {"same_day", "next_day"}
    case.episode.refresh_from_db()
    assert case.episode.stage == Stage.RECOVERY


def test_not_ready_discharge_needs_reason_and_a_second_staff_sign_off(
    client, nurse, surgeon, patient
):
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(nurse)
    client.post(f"/clinic/cases/{case.public_id}/readiness/", {**READY, "voided": "no"})
    latest = DischargeAssessment.objects.get()
    assert not latest.ready
    assert [u["id"] for u in latest.unmet] == ["voided"]

    url = f"/clinic/cases/{case.public_id}/discharge/"
    assert client.post(url, {}).status_code == 400
    assert (
        client.post(
            url,
            {
                "override_reason": "Lives next door",
                "cosigner_email": nurse.email,
                "cosigner_password": PASSWORD,
            },
        ).status_code
        == 400
    )
    assert (
        client.post(
            url,
            {
                "override_reason": "Lives next door",
                "cosigner_email": surgeon.email,
                "cosigner_password": "wrong",
            },
        ).status_code
        == 400
    )
    case.refresh_from_db()
    assert case.discharged_at is None

    client.post(
        url,
        {
            "override_reason": "Catheter plan agreed",
            "cosigner_email": surgeon.email,
            "cosigner_password": PASSWORD,
        },
    )
    case.refresh_from_db()
    assert case.discharged_at is not None
    assert case.discharge_cosigned_by == surgeon
    assert case.discharge_override_reason == "Catheter plan agreed"


def test_latest_assessment_counts(client, nurse, patient):
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(nurse)
    client.post(f"/clinic/cases/{case.public_id}/readiness/", READY)
    client.post(f"/clinic/cases/{case.public_id}/readiness/", {**READY, "pain": "0"})
    client.post(f"/clinic/cases/{case.public_id}/discharge/", {})
    case.refresh_from_db()
    assert case.discharged_at is None


def test_other_site_cannot_open_the_case(client, other_nurse, patient):
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(other_nurse)
    assert client.get(f"/clinic/cases/{case.public_id}/").status_code == 404
    assert client.post(f"/clinic/cases/{case.public_id}/readiness/", READY).status_code == 404
    assert not DischargeAssessment.objects.exists()


def test_cosigner_from_another_site_is_refused(client, nurse, other_site, patient):
    outsider = UserFactory(role="surgeon", site=other_site)
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(nurse)
    client.post(
        f"/clinic/cases/{case.public_id}/discharge/",
        {"override_reason": "x", "cosigner_email": outsider.email, "cosigner_password": PASSWORD},
    )
    case.refresh_from_db()
    assert case.discharged_at is None


def test_untouched_discharge_scores_are_missing_not_perfect(client, nurse, patient):
    case = SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))
    client.force_login(nurse)
    page = client.get(f"/clinic/cases/{case.public_id}/").content.decode()
    assert '<option value="" selected>Choose' in page
    untouched = {k: v for k, v in READY.items() if k not in {"vital_signs", "pain"}}
    response = client.post(f"/clinic/cases/{case.public_id}/readiness/", untouched)
    assert response.status_code == 400
    assert not DischargeAssessment.objects.exists()
