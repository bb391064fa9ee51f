"""The public self-screen and the consultation request it leads to."""

from __future__ import annotations

import re

import pytest

from spinepath.clinical.selfscreen import SELF_REPORTABLE_RED_FLAGS
from spinepath.intake.models import ConsultationRequest, RateLimitHit
from spinepath.intake.screen_forms import RedFlagForm

pytestmark = pytest.mark.django_db

NO_FLAGS = {RedFlagForm.field_name(flag.id): "no" for flag in SELF_REPORTABLE_RED_FLAGS}
SCIATICA_12_WEEKS = {
    "leg_pain": "7",
    "back_pain": "3",
    "pain_below_knee": "yes",
    "leg_pain_on_walking": "no",
    "pain_weeks": "12",
    "medication_tried": "yes",
    "medication_weeks": "10",
    "medication_response": "none",
    "physiotherapy_tried": "yes",
    "physiotherapy_weeks": "8",
    "physiotherapy_response": "partial",
    "injection_tried": "no",
    "other_tried": "no",
    **{f"startback_{n}": "0" for n in range(1, 9)},
    "startback_9": "2",
}


def token_from(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match, "the page carries the signed answers"
    return match.group(1).decode()


def answer_questions(client, questions=SCIATICA_12_WEEKS):
    step1 = client.post("/screen/", NO_FLAGS)
    assert step1.status_code == 200
    return client.post("/screen/questions/", {**questions, "token": token_from(step1)})


def test_start_page_is_public_and_asks_the_red_flags_first(client):
    response = client.get("/screen/")
    assert response.status_code == 200
    assert b"not a diagnosis" in response.content
    for flag in SELF_REPORTABLE_RED_FLAGS:
        assert (
            flag.plain_language.encode() in response.content
            or flag.plain_language in response.content.decode()
        )


@pytest.mark.parametrize("flag", SELF_REPORTABLE_RED_FLAGS, ids=lambda f: f.id)
def test_any_red_flag_shows_what_to_do_today_and_keeps_nothing(client, flag):
    answers = {**NO_FLAGS, RedFlagForm.field_name(flag.id): "yes"}
    response = client.post("/screen/", answers)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "today" in body.lower() or "now" in body.lower()
    assert "token" not in body  # the screen stops here
    assert not ConsultationRequest.objects.exists()


def test_unanswered_red_flag_questions_are_asked_again(client):
    partial = dict(list(NO_FLAGS.items())[1:])
    response = client.post("/screen/", partial)
    assert response.status_code == 400
    assert b"Please answer every question" in response.content


def test_sciatica_after_care_may_be_an_option_with_reasons(client):
    response = answer_questions(client)
    assert response.status_code == 200
    body = response.content.decode()
    assert "may be an option" in body.lower()
    assert "not a diagnosis" in body.lower()
    assert "Source:" in body


def test_short_history_means_conservative_care_first(client):
    response = answer_questions(
        client,
        {
            **SCIATICA_12_WEEKS,
            "pain_weeks": "3",
            "medication_weeks": "2",
            "physiotherapy_weeks": "2",
        },
    )
    assert response.status_code == 200
    assert b"more week" in response.content


def test_tampered_or_missing_token_changes_nothing(client):
    response = client.post("/screen/questions/", {**SCIATICA_12_WEEKS, "token": "forged"})
    assert response.status_code == 400
    response = client.post("/screen/request/", {"token": "forged"})
    assert response.status_code == 400
    assert not ConsultationRequest.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"leg_pain": "11"},
        {"pain_weeks": "-2"},
        {"pain_weeks": "lots"},
        {"medication_weeks": ""},
        {"startback_9": "7"},
    ],
)
def test_bad_answers_are_marked_and_nothing_is_kept(client, bad):
    response = answer_questions(client, {**SCIATICA_12_WEEKS, **bad})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not ConsultationRequest.objects.exists()


def consult(client, site, **overrides):
    result_page = answer_questions(client)
    data = {
        "given_name": "Sam",
        "family_name": "Rivers",
        "date_of_birth": "1975-04-03",
        "site": site.pk,
        "preferred_contact": "phone",
        "phone": "+44 7700 900123",
        "email": "",
        "preferred_times": "mornings",
        "consent_contact": "on",
        "consent_keep_answers": "on",
        "website": "",
        "token": token_from(result_page),
    }
    data.update(overrides)
    return client.post("/screen/request/", data)


def test_consultation_request_keeps_answers_only_with_consent(client, site):
    response = consult(client, site)
    assert response.status_code == 200
    assert b"your request is sent" in response.content
    kept = ConsultationRequest.objects.get()
    assert kept.answers["pain_weeks"] == 12 and kept.result["outcome"] == "may-be-option"
    assert "Rivers" not in response.request["PATH_INFO"]

    consult(client, site, consent_keep_answers="", family_name="Brook")
    not_kept = ConsultationRequest.objects.get(family_name="Brook")
    assert not_kept.answers is None and not_kept.result is None


def test_consultation_needs_consent_to_contact_and_a_way_to_contact(client, site):
    assert consult(client, site, consent_contact="").status_code == 400
    assert consult(client, site, phone="").status_code == 400
    assert consult(client, site, date_of_birth="2999-01-01").status_code == 400
    assert not ConsultationRequest.objects.exists()


def test_honeypot_looks_successful_but_keeps_nothing(client, site):
    response = consult(client, site, website="http://spam.example")
    assert response.status_code == 200
    assert not ConsultationRequest.objects.exists()


def test_requests_are_rate_limited_per_address_without_storing_it(client, site, settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "CONSULTATION_REQUESTS_PER_HOUR": 2}
    assert consult(client, site).status_code == 200
    assert consult(client, site).status_code == 200
    assert consult(client, site).status_code == 429
    assert ConsultationRequest.objects.count() == 2
    assert not RateLimitHit.objects.filter(key__contains="127.0.0.1").exists()


def test_csrf_is_enforced_on_the_public_forms(site):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/screen/", NO_FLAGS).status_code == 403
