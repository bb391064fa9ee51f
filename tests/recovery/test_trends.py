"""Trend rules through the real check-in path, and the silent-patient tick (time travel)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spinepath.recovery.actions import do_submit_checkin
from spinepath.recovery.models import Alert, Monitoring
from spinepath.recovery.monitoring import flag_silent_patients

pytestmark = pytest.mark.django_db


def checkin(episode, pain):
    return do_submit_checkin(
        actor=episode.patient.user, episode=episode, back_pain=pain, leg_pain=pain, wound="dry"
    )


def test_rising_pain_over_days_raises_one_same_day_alert(episode):
    for pain in (3, 4):
        assert checkin(episode, pain).alerts == ()
    result = checkin(episode, 6)
    assert [a.rule_id for a in result.alerts] == ["TR-PAIN-RISING"]
    checkin(episode, 7)  # still rising: merged into the open alert
    alert = Alert.objects.get(rule_id="TR-PAIN-RISING")
    assert alert.severity == "same_day" and alert.data["repeats"] == 2


def test_a_silent_patient_is_flagged_once(episode, nurse):
    due = timezone.now() - timedelta(hours=10)
    Monitoring.objects.create(
        episode=episode, enrolled_at=due, enrolled_by=nurse, first_checkin_due=due
    )
    assert flag_silent_patients(now=due + timedelta(hours=47)) == 0
    assert flag_silent_patients(now=due + timedelta(hours=48)) == 1
    assert flag_silent_patients(now=due + timedelta(hours=60)) == 0
    alert = Alert.objects.get(rule_id="TR-SILENT")
    assert alert.checkin is None and alert.severity == "same_day"
    # A check-in resets the clock for the next time.
    alert.status = "resolved"
    alert.save()
    checkin(episode, 3)
    assert flag_silent_patients(now=timezone.now() + timedelta(hours=47)) == 0
    assert flag_silent_patients(now=timezone.now() + timedelta(hours=49)) == 1


def test_a_daily_check_in_reminder_goes_at_nine_unless_already_checked_in(episode, nurse):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from spinepath.recovery.models import Notification
    from spinepath.recovery.reminders import queue_checkin_reminders

    zone = ZoneInfo(episode.patient.site.time_zone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=1)
    morning = datetime(day.year, day.month, day.day, 8, 59, tzinfo=zone)
    Monitoring.objects.create(
        episode=episode,
        enrolled_at=morning - timedelta(days=2),
        enrolled_by=nurse,
        first_checkin_due=morning - timedelta(days=1),
    )
    assert queue_checkin_reminders(now=morning) == 0  # before 09:00 site time
    assert queue_checkin_reminders(now=morning + timedelta(minutes=1)) == 1
    assert queue_checkin_reminders(now=morning + timedelta(hours=3)) == 0  # once a day
    note = Notification.objects.get(kind="checkin_reminder")
    assert note.recipient == episode.patient.user
    assert "/me/checkin/" in note.body and episode.patient.family_name not in note.body
    # The next day the patient checks in before nine: no reminder that day.
    do_submit_checkin(
        actor=episode.patient.user,
        episode=episode,
        back_pain=2,
        leg_pain=1,
        wound="dry",
        now=morning + timedelta(days=1, hours=-1),
    )
    assert queue_checkin_reminders(now=morning + timedelta(days=1, hours=1)) == 0
    assert queue_checkin_reminders(now=morning + timedelta(days=2, hours=1)) == 1


def test_the_first_mornings_reminder_from_discharge_is_not_sent_twice(episode, nurse):
    from spinepath.recovery.enrolment import do_start_recovery
    from spinepath.recovery.models import Notification
    from spinepath.recovery.reminders import queue_checkin_reminders
    from tests.factories import SurgicalCaseFactory

    case = SurgicalCaseFactory(episode=episode)
    monitoring = do_start_recovery(
        actor=nurse,
        episode=episode,
        surgery_start=case.surgery_start,
        discharged_at=timezone.now(),
    )
    assert queue_checkin_reminders(now=monitoring.first_checkin_due + timedelta(minutes=5)) == 0
    assert Notification.objects.filter(kind="checkin_reminder").count() == 1
