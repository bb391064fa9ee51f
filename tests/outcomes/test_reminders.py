"""Time travel through a follow-up schedule: reminders at window open and on the due date,
and windows that close unanswered."""

from __future__ import annotations

from datetime import date

import pytest

from spinepath.clinical.instruments import get_instrument
from spinepath.outcomes.actions import do_complete_scheduled_questionnaire
from spinepath.outcomes.models import ScheduledQuestionnaire, ScheduledStatus
from spinepath.outcomes.tasks import close_missed_follow_ups, send_follow_up_reminders
from spinepath.recovery.models import Notification
from spinepath.tasks import TICK_TASKS
from tests.factories import EpisodeFactory, PatientFactory, SiteFactory, UserFactory
from tests.outcomes.conftest import at, rows_at, schedule

pytestmark = pytest.mark.django_db

SURGERY = date(2026, 3, 2)  # 2w: due 16 March, window 12-23 March; 6w: due 13 April, 6 Apr-27 Apr


def reminders():
    return list(Notification.objects.filter(kind="questionnaire_reminder").order_by("due_at", "id"))


@pytest.fixture
def scheduled(episode):
    return schedule(episode, SURGERY)


def answer(row, now, value=1):
    do_complete_scheduled_questionnaire(
        actor=row.episode.patient.user,
        scheduled=row,
        answers=[value] * len(get_instrument(row.instrument).items),
        now=now,
    )


def answer_all(episode, timepoint, now):
    for row in rows_at(episode, timepoint):
        answer(row, now)


def test_workers_run_both_tasks():
    assert close_missed_follow_ups in TICK_TASKS and send_follow_up_reminders in TICK_TASKS


def test_nothing_before_the_window_opens(scheduled):
    assert send_follow_up_reminders(now=at(date(2026, 3, 11), 23, 59)) == 0
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 8, 59)) == 0
    assert reminders() == []


def test_one_reminder_at_window_open_and_one_on_the_due_date_never_twice(
    scheduled, episode, patient_user, settings
):
    opened = at(date(2026, 3, 12), 9)
    assert send_follow_up_reminders(now=opened) == 1
    (first,) = reminders()
    assert first.recipient == patient_user
    assert first.due_at == opened
    assert first.dedupe_key == f"followup:{episode.public_id}:2w:open"
    # Every later tick before the due date changes nothing.
    for now in (opened, at(date(2026, 3, 12), 17), at(date(2026, 3, 15), 9)):
        assert send_follow_up_reminders(now=now) == 0
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 8, 59)) == 0
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 9)) == 1
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 9, 5)) == 0
    assert send_follow_up_reminders(now=at(date(2026, 3, 20), 9)) == 0
    first, due = reminders()
    assert due.dedupe_key == f"followup:{episode.public_id}:2w:due"
    assert due.due_at == at(date(2026, 3, 16), 9)
    # One message per time point, not per questionnaire; no clinical detail, just a link.
    patient = episode.patient
    for note in (first, due):
        assert f"{settings.SPINEPATH['BASE_URL']}/me/questionnaires/" in note.body
        for secret in ("Oswestry", "odi", "pain", patient.family_name, "2 weeks", "surgery"):
            assert secret.lower() not in (note.subject + note.body).lower()


def test_nothing_after_the_time_point_is_answered(scheduled, episode):
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 9)) == 1
    answer_all(episode, "2w", at(date(2026, 3, 13), 20))
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 9)) == 0
    assert len(reminders()) == 1


def test_one_questionnaire_left_still_gets_the_due_date_reminder(scheduled, episode):
    answer(rows_at(episode, "2w")[0], at(date(2026, 3, 13), 10))
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 9)) == 1


def test_the_site_time_zone_decides_when_09_00_is(episode):
    sydney = SiteFactory(code="syd", name="Sydney Spine", time_zone="Australia/Sydney")
    user = UserFactory(role="patient", site=None, email="far@example.org")
    far = EpisodeFactory(patient=PatientFactory(site=sydney, user=user), stage="recovery")
    schedule(far, SURGERY)
    schedule(episode, SURGERY)
    # 09:00 on 12 March in Sydney is 22:00 on 11 March in London.
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 8, 59, "Australia/Sydney")) == 0
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 9, 0, "Australia/Sydney")) == 1
    (note,) = reminders()
    assert note.recipient == user
    assert note.due_at == at(date(2026, 3, 11), 22, 0, "Europe/London")
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 9)) == 1  # London's turn
    assert len(reminders()) == 2


def test_no_e_mail_no_reminder_and_closed_episodes_are_left_alone(site):
    no_user = EpisodeFactory(patient=PatientFactory(site=site, user=None), stage="recovery")
    no_email = UserFactory(role="patient", site=None, email="x@example.org")
    quiet = EpisodeFactory(patient=PatientFactory(site=site, user=no_email), stage="recovery")
    type(no_email).objects.filter(pk=no_email.pk).update(is_active=False)
    closed_user = UserFactory(role="patient", site=None, email="closed@example.org")
    closed = EpisodeFactory(patient=PatientFactory(site=site, user=closed_user), stage="closed")
    for ep in (no_user, quiet, closed):
        schedule(ep, SURGERY)
    assert send_follow_up_reminders(now=at(date(2026, 3, 12), 9)) == 0


def test_a_worker_back_after_days_sends_only_what_is_still_timely(scheduled, episode):
    # First tick on the due date itself: the "window open" reminder is no longer useful.
    assert send_follow_up_reminders(now=at(date(2026, 3, 16), 10)) == 1
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in reminders()] == ["due"]
    # A reminder more than three days late is dropped (the overdue queue takes over).
    assert send_follow_up_reminders(now=at(date(2026, 4, 10), 9)) == 0  # 6w opened 6 April
    assert send_follow_up_reminders(now=at(date(2026, 4, 9), 9)) == 1


def test_windows_close_into_missed_on_the_day_after(scheduled, episode):
    answered = rows_at(episode, "2w")[0]
    answer(answered, at(date(2026, 3, 20), 12), value=2)
    assert close_missed_follow_ups(now=at(date(2026, 3, 23), 23, 59)) == 0
    closed = close_missed_follow_ups(now=at(date(2026, 3, 24), 0, 0))
    assert closed == len(rows_at(episode, "2w")) - 1
    statuses = {r.instrument: r.status for r in rows_at(episode, "2w")}
    assert statuses.pop(answered.instrument) == ScheduledStatus.COMPLETED
    assert set(statuses.values()) == {ScheduledStatus.MISSED}
    assert close_missed_follow_ups(now=at(date(2026, 3, 25), 9)) == 0
    # Missed rows are never reminded about; the other time points are untouched.
    assert send_follow_up_reminders(now=at(date(2026, 3, 24), 9)) == 0
    assert {r.status for r in rows_at(episode, "6w")} == {ScheduledStatus.DUE}


def test_closing_follows_each_site_calendar(episode):
    sydney = SiteFactory(code="syd", name="Sydney Spine", time_zone="Australia/Sydney")
    far = EpisodeFactory(patient=PatientFactory(site=sydney), stage="recovery")
    schedule(far, SURGERY)
    schedule(episode, SURGERY)
    # 00:30 on 24 March in Sydney: London is still on 23 March.
    now = at(date(2026, 3, 24), 0, 30, "Australia/Sydney")
    assert close_missed_follow_ups(now=now) == len(rows_at(far, "2w"))
    assert {r.status for r in rows_at(episode, "2w")} == {ScheduledStatus.DUE}
    assert ScheduledQuestionnaire.objects.filter(status=ScheduledStatus.MISSED).count() == len(
        rows_at(far, "2w")
    )


def test_a_tick_is_a_few_queries_however_many_patients(site, django_assert_max_num_queries):
    for n in range(6):
        user = UserFactory(role="patient", site=None, email=f"p{n}@example.org")
        schedule(EpisodeFactory(patient=PatientFactory(site=site, user=user)), SURGERY)
    # Two candidate queries, one look-up of queued keys, one insert.
    with django_assert_max_num_queries(4):
        assert send_follow_up_reminders(now=at(date(2026, 3, 12), 9)) == 6
    with django_assert_max_num_queries(3):
        assert send_follow_up_reminders(now=at(date(2026, 3, 12), 10)) == 0
    with django_assert_max_num_queries(2):
        assert close_missed_follow_ups(now=at(date(2026, 3, 24), 9)) == 6 * 4
