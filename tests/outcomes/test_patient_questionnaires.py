"""A patient (or caregiver) answers follow-up questionnaires at /me/questionnaires/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from spinepath.accounts.models import Role
from spinepath.audit.models import AccessLog
from spinepath.outcomes.models import QuestionnaireResponse, ScheduledStatus
from tests.factories import EpisodeFactory, UserFactory, link_caregiver
from tests.outcomes.conftest import rows_at, schedule

pytestmark = pytest.mark.django_db

ODI_ANSWERS = ["2", "1", "3", "2", "2", "1", "1", "", "2", "2"]  # 16/45 -> 35.56


def row_for(episode, timepoint, instrument):
    return next(r for r in rows_at(episode, timepoint) if r.instrument == instrument)


def items(values):
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def url(row):
    return f"/me/questionnaires/{row.public_id}/"


def test_the_list_shows_what_is_open_today_and_what_comes_later(
    patient_client, due_today, episode, patient
):
    page = patient_client.get("/me/questionnaires/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ready to answer now" in html
    for row in due_today:
        assert url(row) in html
    # Later time points are listed for information, without links.
    for row in rows_at(episode, "6w"):
        assert url(row) not in html
    assert "6 weeks after the operation: opens on" in html
    logged = AccessLog.objects.filter(action="list", object_type="scheduled_questionnaire")
    assert list(logged.values_list("patient_public_id", flat=True)) == [patient.public_id]


def test_answering_in_the_window_completes_the_row_and_scores_on_arrival(
    patient_client, due_today, episode, patient_user
):
    odi = row_for(episode, "2w", "odi")
    response = patient_client.post(url(odi), items(ODI_ANSWERS))
    assert response.status_code == 302 and response["Location"] == url(odi)
    odi.refresh_from_db()
    assert odi.status == ScheduledStatus.COMPLETED
    saved = odi.response
    assert saved.timepoint == "2w" and saved.instrument == "odi"
    assert saved.submitted_by == patient_user
    assert saved.scorable and float(saved.score) == pytest.approx(35.56)
    page = patient_client.get(url(odi)).content.decode()
    assert "Your score is 35.56 out of 100 (moderate disability)" in page
    assert "Send my answers" not in page
    listing = patient_client.get("/me/questionnaires/").content.decode()
    assert "answered, thank you" in listing


def test_a_response_with_too_much_missing_is_kept_but_not_scored(
    patient_client, due_today, episode
):
    odi = row_for(episode, "2w", "odi")
    response = patient_client.post(url(odi), items(["2", "1", "", "", "2", "1", "1", "", "2", "2"]))
    assert response.status_code == 302
    odi.refresh_from_db()
    assert odi.status == ScheduledStatus.COMPLETED
    assert odi.response.scorable is False and odi.response.score is None
    assert "3 sections missing" in odi.response.not_scorable_reason
    page = patient_client.get(url(odi)).content.decode()
    assert "could not be scored because too many answers were missing" in page


def test_pain_ratings_read_back_in_plain_words(patient_client, due_today, episode):
    leg = row_for(episode, "2w", "nrs-leg")
    patient_client.post(url(leg), {"item_1": "3"})
    assert "You rated your leg pain 3 out of 10" in patient_client.get(url(leg)).content.decode()


@pytest.mark.parametrize(("surgery_days_ago", "message"), [(0, "opens on"), (30, "closed on")])
def test_outside_the_window_nothing_is_written(
    patient_client, episode, today, surgery_days_ago, message
):
    schedule(episode, today - timedelta(days=surgery_days_ago))
    leg = row_for(episode, "2w", "nrs-leg")
    assert message in patient_client.get(url(leg)).content.decode()
    response = patient_client.post(url(leg), {"item_1": "3"})
    assert response.status_code == 409
    assert message in response.content.decode()
    leg.refresh_from_db()
    assert leg.status == ScheduledStatus.DUE and leg.response is None
    assert not QuestionnaireResponse.objects.exists()


def test_answering_twice_is_refused(patient_client, due_today, episode):
    leg = row_for(episode, "2w", "nrs-leg")
    assert patient_client.post(url(leg), {"item_1": "3"}).status_code == 302
    again = patient_client.post(url(leg), {"item_1": "7"})
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    assert QuestionnaireResponse.objects.count() == 1
    leg.refresh_from_db()
    assert float(leg.response.score) == 3


@pytest.mark.parametrize("bad", [{"item_1": "11"}, {"item_1": "three"}, {"item_1": "-1"}])
def test_bad_answers_are_shown_and_nothing_is_saved(patient_client, due_today, episode, bad):
    leg = row_for(episode, "2w", "nrs-leg")
    response = patient_client.post(url(leg), bad)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_another_patients_questionnaire_is_not_found(patient_client, other_patient, today, patient):
    theirs = EpisodeFactory(patient=other_patient, stage="recovery")
    schedule(theirs, today - timedelta(days=14))
    row = row_for(theirs, "2w", "nrs-leg")
    assert patient_client.get(url(row)).status_code == 404
    assert patient_client.post(url(row), {"item_1": "3"}).status_code == 404
    assert not QuestionnaireResponse.objects.exists()
    denied = AccessLog.objects.filter(object_type="scheduled_questionnaire", outcome="denied")
    assert [(d.action, d.object_id) for d in denied.order_by("id")] == [
        ("read", str(row.public_id)),
        ("create", str(row.public_id)),
    ]
    assert str(row.public_id) not in patient_client.get("/me/questionnaires/").content.decode()
    assert patient_client.get("/me/questionnaires/not-a-uuid/").status_code == 404


def test_a_linked_caregiver_answers_for_the_patient(client, due_today, episode, patient):
    carer = UserFactory(role=Role.CAREGIVER, site=None, email="carer@example.org")
    stranger = UserFactory(role=Role.CAREGIVER, site=None, email="stranger@example.org")
    link_caregiver(patient, carer)
    leg = row_for(episode, "2w", "nrs-leg")
    client.force_login(stranger)
    assert client.post(url(leg), {"item_1": "4"}).status_code == 404
    client.force_login(carer)
    assert url(leg) in client.get("/me/questionnaires/").content.decode()
    assert client.post(url(leg), {"item_1": "4"}).status_code == 302
    leg.refresh_from_db()
    assert leg.response.submitted_by == carer


@pytest.mark.parametrize("role", [Role.NURSE, Role.SURGEON, Role.COORDINATOR, Role.ANALYST])
def test_staff_cannot_use_the_patient_pages(client, due_today, episode, site, role):
    client.force_login(UserFactory(role=role, site=site))
    leg = row_for(episode, "2w", "nrs-leg")
    assert client.get("/me/questionnaires/").status_code == 403
    assert client.post(url(leg), {"item_1": "4"}).status_code == 403
    assert not QuestionnaireResponse.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, due_today):
    response = client.get(url(due_today[0]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
