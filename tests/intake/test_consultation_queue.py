"""The coordinator's queue: site-scoped, accept makes the intake record, decline needs a reason."""

from __future__ import annotations

from datetime import date

import pytest

from spinepath.accounts.models import Role
from spinepath.intake.consultations import do_create_consultation_request
from spinepath.intake.models import ConsultationRequest, RequestStatus
from spinepath.outcomes.models import QuestionnaireResponse
from spinepath.patients.models import Patient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "red_flags": [],
    "back_pain": 3,
    "leg_pain": 7,
    "pain_below_knee": True,
    "leg_pain_on_walking": False,
    "pain_weeks": 12,
    "treatments": [{"kind": "medication", "weeks": 10, "response": "none"}],
    "startback": [1, 0, 1, 1, 0, 1, 0, 0, 3],
}


def make_request(site, *, keep=True, name="Rivers"):
    return do_create_consultation_request(
        site=site,
        given_name="Sam",
        family_name=name,
        date_of_birth=date(1975, 4, 3),
        preferred_contact="phone",
        phone="07700 900123",
        email="",
        preferred_times="",
        consent_contact=True,
        consent_keep_answers=keep,
        answers=ANSWERS,
        result={"outcome": "may-be-option", "headline": "may be an option", "reasons": []},
        screen_version="test",
    )


@pytest.fixture
def coordinator(site):
    return UserFactory(role=Role.COORDINATOR, site=site)


def test_queue_shows_only_the_sites_own_requests(client, coordinator, other_site):
    mine = make_request(coordinator.site)
    theirs = make_request(other_site, name="Elsewhere")
    client.force_login(coordinator)
    page = client.get("/clinic/requests/").content.decode()
    assert str(mine.public_id) in page and str(theirs.public_id) not in page
    assert client.get(f"/clinic/requests/{theirs.public_id}/").status_code == 404
    assert (
        client.post(
            f"/clinic/requests/{theirs.public_id}/accept/", {"condition": "other"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == RequestStatus.NEW


def test_accepting_registers_the_patient_with_the_answers_as_baseline(
    client, coordinator, care_team
):
    item = make_request(coordinator.site)
    client.force_login(coordinator)
    response = client.post(
        f"/clinic/requests/{item.public_id}/accept/",
        {"condition": "lumbar_disc_herniation", "care_team": care_team.pk},
    )
    item.refresh_from_db()
    assert item.status == RequestStatus.ACCEPTED and item.handled_by == coordinator
    episode = item.episode
    assert response["Location"] == f"/clinic/episodes/{episode.public_id}/"
    patient = episode.patient
    assert (patient.family_name, patient.phone, patient.site) == (
        "Rivers",
        "07700 900123",
        coordinator.site,
    )
    baseline = {
        r.instrument: r
        for r in QuestionnaireResponse.objects.filter(episode=episode, timepoint="baseline")
    }
    assert float(baseline["nrs-leg"].score) == 7 and float(baseline["nrs-back"].score) == 3
    assert baseline["startback"].details["risk"] == "medium"
    # Accepting twice is refused and creates nothing more.
    again = client.post(f"/clinic/requests/{item.public_id}/accept/", {"condition": "other"})
    assert again.status_code == 400
    assert Patient.objects.count() == 1


def test_without_kept_answers_no_baseline_is_invented(client, coordinator):
    item = make_request(coordinator.site, keep=False)
    client.force_login(coordinator)
    client.post(f"/clinic/requests/{item.public_id}/accept/", {"condition": "other"})
    item.refresh_from_db()
    assert not QuestionnaireResponse.objects.filter(episode=item.episode).exists()


def test_decline_needs_a_reason(client, coordinator):
    item = make_request(coordinator.site)
    client.force_login(coordinator)
    assert (
        client.post(f"/clinic/requests/{item.public_id}/decline/", {"reason": ""}).status_code
        == 400
    )
    client.post(
        f"/clinic/requests/{item.public_id}/decline/", {"reason": "Out of area; referred locally"}
    )
    item.refresh_from_db()
    assert item.status == RequestStatus.DECLINED and item.decline_reason.startswith("Out of area")


def test_nurses_see_the_queue_but_only_coordinators_accept(client, nurse):
    item = make_request(nurse.site)
    client.force_login(nurse)
    assert client.get(f"/clinic/requests/{item.public_id}/").status_code == 200
    assert (
        client.post(
            f"/clinic/requests/{item.public_id}/accept/", {"condition": "other"}
        ).status_code
        == 403
    )
    assert ConsultationRequest.objects.get().status == RequestStatus.NEW


def test_patients_and_anonymous_visitors_cannot_see_requests(client, patient):
    item = make_request(patient.site)
    assert client.get(f"/clinic/requests/{item.public_id}/").status_code == 302
    client.force_login(patient.user)
    assert client.get("/clinic/requests/").status_code == 403
