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
