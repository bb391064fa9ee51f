"""Surgery day: recovery room, the board, discharge that starts recovery, the plan."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from spinepath.outcomes.models import ScheduledQuestionnaire
from spinepath.patients.models import Stage
from spinepath.recovery.models import Monitoring, Notification
from spinepath.surgery.models import DischargePlan, PacuAssessment
from tests.factories import EpisodeFactory, SurgicalCaseFactory, UserFactory, link_caregiver
from tests.surgery.test_surgery_and_discharge import READY

pytestmark = pytest.mark.django_db

ALDRETE_9 = {
    "activity": "2",
    "respiration": "2",
    "circulation": "2",
    "consciousness": "2",
    "oxygen_saturation": "1",
}


@pytest.fixture
def case(patient):
    return SurgicalCaseFactory(episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY))


def discharge(client, case):
    client.post(f"/clinic/cases/{case.public_id}/readiness/", READY)
    client.post(f"/clinic/cases/{case.public_id}/discharge/", {})
    case.refresh_from_db()


def test_recovery_room_aldrete_nine_is_fit_eight_is_not(client, nurse, case):
    client.force_login(nurse)
    client.post(f"/clinic/cases/{case.public_id}/pacu/", {**ALDRETE_9, "circulation": "1"})
    client.post(f"/clinic/cases/{case.public_id}/pacu/", ALDRETE_9)
    first, latest = PacuAssessment.objects.order_by("assessed_at", "id")
    assert (first.total, first.ready) == (8, False)
    assert (latest.total, latest.ready) == (9, True)
    assert (
        client.post(
            f"/clinic/cases/{case.public_id}/pacu/", {**ALDRETE_9, "activity": "3"}
        ).status_code
        == 400
    )
    assert PacuAssessment.objects.count() == 2


def test_high_score_with_an_unmet_mandatory_criterion_is_not_ready(client, nurse, case):
    client.force_login(nurse)
    client.post(
        f"/clinic/cases/{case.public_id}/readiness/",
        {**READY, "surgical_bleeding": "2", "neuro_unchanged": "no"},
    )
    assessment = case.discharge_assessments.get()
    assert assessment.mpadss_total == 10 and not assessment.ready
    assert [u["id"] for u in assessment.unmet] == ["neuro_unchanged"]


def test_the_board_shows_todays_patients_with_what_is_unmet(client, nurse, case, other_nurse):
    client.force_login(nurse)
    client.post(f"/clinic/cases/{case.public_id}/readiness/", {**READY, "voided": "no"})
    page = client.get("/clinic/day-surgery/").content.decode()
    assert f'data-case="{case.public_id}" data-status="not ready"' in page
    assert "Passed urine" in page or "voided" in page.lower() or "urine" in page.lower()
    # The htmx refresh returns only the table.
    partial = client.get("/clinic/day-surgery/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and str(case.public_id) in partial
    # Another site's nurse sees none of it and cannot open the case.
    client.force_login(other_nurse)
    assert str(case.public_id) not in client.get("/clinic/day-surgery/").content.decode()
    assert client.get(f"/clinic/cases/{case.public_id}/").status_code == 404


def test_an_earlier_patient_still_in_hospital_stays_on_the_board(client, nurse, patient):
    old = SurgicalCaseFactory(
        episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY),
        surgery_start=timezone.now() - timedelta(days=2),
    )
    client.force_login(nurse)
    assert str(old.public_id) in client.get("/clinic/day-surgery/").content.decode()


def test_discharge_starts_recovery_in_the_same_transaction(client, nurse, case):
    user = case.episode.patient.user
    client.force_login(nurse)
    discharge(client, case)
    assert case.discharged_at is not None
    monitoring = Monitoring.objects.get(episode=case.episode)
    assert monitoring.first_checkin_due > case.discharged_at
    due = {
        (s.instrument, s.timepoint)
        for s in ScheduledQuestionnaire.objects.filter(episode=case.episode)
    }
    assert {("odi", "2w"), ("nrs-leg", "6w"), ("promis-10", "3m"), ("odi", "12m")} <= due
    assert not any(timepoint == "baseline" for _, timepoint in due)
    reminder = Notification.objects.get(recipient=user, kind="checkin_reminder")
    assert reminder.due_at == monitoring.first_checkin_due
    plan = DischargePlan.objects.get(case=case)
    assert plan.content["procedure"] == case.procedure
    assert any(w["urgency"] == "emergency" for w in plan.content["warning_signs"])


def test_staff_prescribe_and_the_plan_computes_mme_and_taper(client, nurse, case):
    client.force_login(nurse)
    discharge(client, case)
    url = f"/clinic/cases/{case.public_id}/plan/"
    data = {
        "medicine-TOTAL_FORMS": "2",
        "medicine-INITIAL_FORMS": "0",
        "medicine-MIN_NUM_FORMS": "0",
        "medicine-MAX_NUM_FORMS": "20",
        "medicine-0-drug": "oxycodone",
        "medicine-0-strength_mg": "5",
        "medicine-0-dose_mg": "5",
        "medicine-0-doses_per_day": "4",
        "medicine-0-days": "5",
        "medicine-0-as_needed": "on",
        "medicine-1-drug": "paracetamol",
        "medicine-1-dose_mg": "1000",
        "medicine-1-doses_per_day": "4",
        "medicine-1-days": "7",
        "staff_notes": "Call us if you are worried.",
        "wound_care": "Keep the dressing on for 5 days.\nShower after 48 hours.",
        "activity": "Walk three times a day.",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    plan = DischargePlan.objects.get(case=case)
    assert plan.medicine_summary["total_mme_per_day"] == 30.0  # 5 mg x 4 x 1.5
    assert plan.content["wound_care"] == [
        "Keep the dressing on for 5 days.",
        "Shower after 48 hours.",
    ]
    assert plan.content["wound_care_source"]["evidence"] == "unverified"
    assert plan.staff_notes == "Call us if you are worried."
    taper = [step["daily_dose"] for step in plan.medicine_summary["taper"]]
    assert taper[0] == 20.0 and taper[-1] == 0.0 and taper == sorted(taper, reverse=True)

    bad = {**data, "medicine-0-dose_mg": "-5"}
    assert client.post(url, bad).status_code == 400
    unknown = {**data, "medicine-1-drug": "snake oil"}
    assert client.post(url, unknown).status_code == 400
    assert client.post(url, {**data, "activity": "  "}).status_code == 400
    plan.refresh_from_db()
    assert plan.medicine_summary["total_mme_per_day"] == 30.0


def test_patient_and_caregiver_read_the_plan_and_its_pdf(client, nurse, case, other_patient):
    from spinepath.accounts.models import Role

    client.force_login(nurse)
    discharge(client, case)
    plan = DischargePlan.objects.get(case=case)
    plan.medicines = [
        {
            "drug": "oxycodone",
            "strength_mg": 5.0,
            "dose_mg": 5.0,
            "doses_per_day": 4.0,
            "days": 5,
            "as_needed": True,
        }
    ]
    from spinepath.surgery.plans import medicine_summary

    plan.medicines, plan.medicine_summary = medicine_summary(plan.medicines, case)
    plan.save()

    client.force_login(case.episode.patient.user)
    page = client.get("/me/plan/").content.decode()
    assert "Warning signs" in page and "oxycodone" in page and "Cutting down" in page
    pdf = client.get("/me/plan.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "oxycodone" in text
    assert "Cutting down your opioid" in text and "stop" in text
    assert "Warning signs" in text and "emergency department" in text.lower()

    caregiver = UserFactory(role=Role.CAREGIVER, site=None)
    link_caregiver(case.episode.patient, caregiver)
    client.force_login(caregiver)
    assert client.get(f"/me/plan/?episode={case.episode.public_id}").status_code == 200

    client.force_login(other_patient.user)
    assert client.get(f"/me/plan/?episode={case.episode.public_id}").status_code == 404
    assert client.get(f"/clinic/cases/{case.public_id}/plan/").status_code == 403


def test_case_readiness_and_plan_over_the_api(client, nurse, case, other_nurse):
    client.force_login(nurse)
    body = {
        "vital_signs": 2,
        "ambulation": 2,
        "nausea_vomiting": 2,
        "pain": 2,
        "surgical_bleeding": 1,
        "checklist": {
            c: True
            for c in (
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
    response = client.post(
        f"/api/v1/cases/{case.public_id}/readiness",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["ready"] is True
    got = client.get(f"/api/v1/cases/{case.public_id}").json()
    assert got["latest_readiness"]["mpadss_total"] == 9
    assert (
        client.get(f"/api/v1/cases/{case.public_id}/plan").status_code == 404
    )  # no plan before discharge
    bad = {**body, "pain": 3}
    assert (
        client.post(
            f"/api/v1/cases/{case.public_id}/readiness",
            json.dumps(bad),
            content_type="application/json",
        ).status_code
        == 422
    )
    typo = {**body, "checklist": {"voidd": True}}
    response = client.post(
        f"/api/v1/cases/{case.public_id}/readiness",
        json.dumps(typo),
        content_type="application/json",
    )
    assert response.status_code == 400 and "voidd" in response.json()["detail"]
    assert case.discharge_assessments.count() == 1
    client.post(f"/clinic/cases/{case.public_id}/discharge/", {})
    assert client.get(f"/api/v1/cases/{case.public_id}/plan").json()["content"]["warning_signs"]

    client.force_login(other_nurse)
    assert client.get(f"/api/v1/cases/{case.public_id}").status_code == 404
    assert client.get(f"/api/v1/cases/{case.public_id}/plan").status_code == 404
