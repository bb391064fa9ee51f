"""The overdue queue at /clinic/follow-up/, call outcomes, and answers entered by phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spinepath.accounts.models import Role
from spinepath.audit.models import AccessLog
from spinepath.outcomes.models import (
    FollowUpCall,
    QuestionnaireResponse,
    ScheduledQuestionnaire,
    ScheduledStatus,
)
from tests.factories import EpisodeFactory, PatientFactory, UserFactory
from tests.outcomes.conftest import rows_at, schedule

pytestmark = pytest.mark.django_db

QUEUE = "/clinic/follow-up/"


def call_url(row):
    return f"/clinic/follow-up/{row.public_id}/calls/"


def queued_ids(html: str) -> list[str]:
    return re.findall(r'data-scheduled="([0-9a-f-]+)"', html)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


@pytest.fixture
def coordinator(site):
    return UserFactory(role=Role.COORDINATOR, site=site, email="coord@example.org")


@pytest.fixture
def overdue(episode, today):
    """2w due five days ago; its window is open for two more days."""
    schedule(episode, today - timedelta(days=19))
    return rows_at(episode, "2w")


def new_episode(site, phone=""):
    return EpisodeFactory(patient=PatientFactory(site=site, phone=phone), stage="recovery")


def test_the_queue_lists_overdue_time_points_most_overdue_first(
    client, coordinator, site, overdue, episode, today
):
    episode.patient.phone = "+44 20 7946 0000"
    episode.patient.save()
    later = new_episode(site)
    schedule(later, today - timedelta(days=15))  # 2w due yesterday
    not_yet = new_episode(site)
    schedule(not_yet, today - timedelta(days=14))  # 2w due today: not overdue
    done = new_episode(site)
    schedule(done, today - timedelta(days=16))
    ScheduledQuestionnaire.objects.filter(episode=done).update(status=ScheduledStatus.COMPLETED)
    # One questionnaire of the overdue time point already answered: not listed as missing.
    answered = next(r for r in overdue if r.instrument == "nrs-back")
    ScheduledQuestionnaire.objects.filter(pk=answered.pk).update(status=ScheduledStatus.COMPLETED)

    client.force_login(coordinator)
    page = client.get(QUEUE)
    assert page.status_code == 200
    html = section(page.content.decode(), "fu-overdue")
    ids = queued_ids(html)
    first_of = {e.pk: str(rows_at(e, "2w")[0].public_id) for e in (episode, later, not_yet, done)}
    assert ids == [
        str(next(r for r in rows_at(episode, "2w") if r.pk != answered.pk).public_id),
        first_of[later.pk],
    ]
    assert episode.patient.display_name in html and episode.patient.mrn in html
    assert 'href="tel:+44 20 7946 0000"' in html
    assert "5 days overdue" in html and "1 day overdue" in html
    assert f"closes {(today + timedelta(days=2)):%-d %b %Y}" in html
    assert "Oswestry Disability Index" in html
    assert "Back pain NRS" not in html.split(later.patient.display_name)[0]
    assert "?instrument=odi&amp;timepoint=2w&amp;return=follow-up" in html
    assert "Not called yet" in html
    # One "list" log row per patient shown, written by one call.
    logged = AccessLog.objects.filter(action="list", object_type="scheduled_questionnaire")
    assert sorted(logged.values_list("patient_public_id", flat=True)) == sorted(
        [episode.patient.public_id, later.patient.public_id]
    )


def test_missed_time_points_of_the_last_two_weeks_are_shown_for_information(
    client, nurse, site, today
):
    recent = new_episode(site)
    schedule(recent, today - timedelta(days=30))  # 2w closed 9 days ago (still due: worker late)
    marked = new_episode(site)
    schedule(marked, today - timedelta(days=28))
    ScheduledQuestionnaire.objects.filter(episode=marked, timepoint="2w").update(
        status=ScheduledStatus.MISSED
    )
    old = new_episode(site)
    schedule(old, today - timedelta(days=40))  # 2w closed 19 days ago
    ScheduledQuestionnaire.objects.filter(episode=old, timepoint="2w").update(
        status=ScheduledStatus.MISSED
    )
    client.force_login(nurse)
    page = client.get(QUEUE).content.decode()
    assert queued_ids(section(page, "fu-overdue")) == []
    missed = section(page, "fu-missed")
    assert queued_ids(missed) == [
        str(rows_at(recent, "2w")[0].public_id),
        str(rows_at(marked, "2w")[0].public_id),
    ]
    assert "missed" in missed and "Record call" not in missed


def test_other_sites_and_other_roles_see_nothing(client, other_nurse, analyst, overdue, patient):
    client.force_login(other_nurse)
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert queued_ids(page.content.decode()) == []
    assert patient.family_name not in page.content.decode()
    client.force_login(analyst)
    assert client.get(QUEUE).status_code == 403
    client.force_login(patient.user)
    assert client.get(QUEUE).status_code == 403
    client.logout()
    assert client.get(QUEUE).status_code == 302


def test_recording_a_call_outcome(client, coordinator, overdue, episode):
    client.force_login(coordinator)
    row = overdue[0]
    response = client.post(call_url(row), {"outcome": "no_answer", "notes": " tried twice "})
    assert response.status_code == 302 and response["Location"] == QUEUE
    call = FollowUpCall.objects.get()
    assert (call.episode, call.timepoint, call.outcome, call.notes, call.called_by) == (
        episode,
        "2w",
        "no_answer",
        "tried twice",
        coordinator,
    )
    html = client.get(QUEUE).content.decode()
    assert "Last call: No answer" in html
    client.post(call_url(overdue[1]), {"outcome": "will_complete_online"})
    assert "Last call: Will complete online" in client.get(QUEUE).content.decode()
    logged = AccessLog.objects.filter(object_type="scheduled_questionnaire", action="create")
    assert logged.filter(outcome="granted").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "abducted"}, "Select a valid choice"),
        ({"outcome": ""}, "This field is required"),
        ({}, "This field is required"),
        ({"outcome": "other", "notes": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_call_input_is_refused_and_nothing_is_saved(client, nurse, overdue, data, message):
    client.force_login(nurse)
    response = client.post(call_url(overdue[0]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FollowUpCall.objects.exists()


def test_calls_for_another_sites_patient_are_not_found(client, other_nurse, analyst, overdue):
    client.force_login(other_nurse)
    assert client.post(call_url(overdue[0]), {"outcome": "no_answer"}).status_code == 404
    assert client.post("/clinic/follow-up/nonsense/calls/", {"outcome": "x"}).status_code == 404
    client.force_login(analyst)
    assert client.post(call_url(overdue[0]), {"outcome": "no_answer"}).status_code == 403
    assert not FollowUpCall.objects.exists()


def test_answers_taken_by_phone_complete_the_scheduled_questionnaire(
    client, nurse, overdue, episode
):
    client.force_login(nurse)
    url = (
        f"/clinic/episodes/{episode.public_id}/questionnaires/new/"
        "?instrument=nrs-leg&timepoint=2w&return=follow-up"
    )
    form = client.get(url).content.decode()
    assert 'value="2w" selected' in form
    assert "completes the 2 weeks follow-up questionnaire" in form
    response = client.post(url, {"instrument": "nrs-leg", "timepoint": "2w", "item_1": "5"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    leg = next(r for r in rows_at(episode, "2w") if r.instrument == "nrs-leg")
    assert leg.status == ScheduledStatus.COMPLETED
    assert leg.response.submitted_by == nurse and float(leg.response.score) == 5
    page = client.get(QUEUE).content.decode()
    assert "The 2 weeks follow-up Leg pain NRS is complete" in page
    html = section(page, "fu-overdue")
    assert "Leg pain NRS" not in html and "Back pain NRS" in html


def test_answers_by_phone_after_the_window_are_kept_but_complete_nothing(
    client, nurse, episode, today
):
    schedule(episode, today - timedelta(days=30))
    client.force_login(nurse)
    url = f"/clinic/episodes/{episode.public_id}/questionnaires/new/?instrument=nrs-leg"
    response = client.post(url, {"instrument": "nrs-leg", "timepoint": "2w", "item_1": "5"})
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get().timepoint == "2w"
    assert {r.status for r in rows_at(episode, "2w")} == {ScheduledStatus.DUE}


def test_the_queue_costs_the_same_queries_for_one_patient_or_many(client, nurse, site, today):
    def overdue_patients(n):
        for _ in range(n):
            episode = new_episode(site, phone="0100")
            schedule(episode, today - timedelta(days=19))
            FollowUpCall.objects.create(
                episode=episode, timepoint="2w", called_by=nurse, outcome="no_answer"
            )

    client.force_login(nurse)
    overdue_patients(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    overdue_patients(5)
    with CaptureQueriesContext(connection) as six:
        page = client.get(QUEUE)
    assert len(queued_ids(section(page.content.decode(), "fu-overdue"))) == 6
    assert len(six.captured_queries) == len(one.captured_queries)


def test_the_limit_never_splits_a_time_point(client, nurse, site, today, monkeypatch):
    """The queue shows at most QUEUE_LIMIT time points; the limit is on time points, so a
    time point with many questionnaires is shown whole or not at all."""
    import spinepath.outcomes.followup
    import spinepath.outcomes.views
    from spinepath.clinical.instruments import INSTRUMENTS

    for module in (spinepath.outcomes.views, spinepath.outcomes.followup):
        monkeypatch.setattr(module, "QUEUE_LIMIT", 2)
    episodes = []
    for days_overdue in (5, 3, 1):
        episode = new_episode(site)
        schedule(episode, today - timedelta(days=14 + days_overdue))
        # Every instrument there is at 2 weeks: more rows per time point than the
        # queue would allow for on average (six), so a row limit would cut through it.
        first = rows_at(episode, "2w")[0]
        for instrument in set(INSTRUMENTS) - {r.instrument for r in rows_at(episode, "2w")}:
            ScheduledQuestionnaire.objects.create(
                episode=episode,
                instrument=instrument,
                timepoint="2w",
                due=first.due,
                window_start=first.window_start,
                window_end=first.window_end,
            )
        assert len(rows_at(episode, "2w")) == len(INSTRUMENTS) == 8
        episodes.append(episode)

    client.force_login(nurse)
    html = section(client.get(QUEUE).content.decode(), "fu-overdue")
    rows = re.findall(r'<tr data-scheduled="[^"]+">.*?</tr>', html, re.S)
    assert len(rows) == 2
    for row, episode in zip(rows, episodes[:2], strict=True):
        assert episode.patient.display_name in row
        shown = set(re.findall(r"\?instrument=([a-z0-9-]+)&amp;timepoint=2w", row))
        assert shown == set(INSTRUMENTS)
    assert episodes[2].patient.display_name not in html
    assert "showing the oldest 2 time points" in html
