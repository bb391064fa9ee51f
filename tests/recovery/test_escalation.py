"""Time-travel tests: an unacknowledged alert climbs the care team's escalation order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from spinepath.accounts.models import Role
from spinepath.recovery.actions import do_acknowledge_alert, do_submit_checkin
from spinepath.recovery.escalation import escalate_overdue_alerts
from spinepath.recovery.models import Alert, Notification
from tests.factories import UserFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(care_team, site):
    second = UserFactory(role=Role.SURGEON, site=site, email="second@example.org")
    third = UserFactory(role=Role.SURGEON, site=site, email="third@example.org")
    add_member(care_team, second, 2)
    add_member(care_team, third, 3)
    return care_team, second, third


def red_flag(episode):
    return do_submit_checkin(
        actor=episode.patient.user,
        episode=episode,
        back_pain=4,
        leg_pain=6,
        wound="dry",
        saddle_numbness=True,
    ).alerts[0]


def recipients(kind):
    return sorted(n.recipient.email for n in Notification.objects.filter(kind=kind))


def test_urgent_alert_escalates_level_by_level_each_sla(episode, team, nurse):
    _, second, third = team
    alert = red_flag(episode)
    raised = alert.raised_at
    assert recipients("alert") == [nurse.email]

    assert escalate_overdue_alerts(now=raised + timedelta(minutes=29)) == 0
    assert escalate_overdue_alerts(now=raised + timedelta(minutes=30)) == 1
    assert recipients("alert_escalation") == [second.email]
    # Running the tick again in the same period changes nothing.
    assert escalate_overdue_alerts(now=raised + timedelta(minutes=45)) == 0

    assert escalate_overdue_alerts(now=raised + timedelta(minutes=60)) == 1
    assert recipients("alert_escalation") == [second.email, third.email]
    # The last level already knows: nothing more to do, and nothing sent twice.
    assert escalate_overdue_alerts(now=raised + timedelta(hours=5)) == 0
    assert Notification.objects.filter(kind="alert_escalation").count() == 2
    alert.refresh_from_db()
    assert alert.escalation_level == 3


def test_acknowledging_stops_the_escalation(episode, team, nurse):
    alert = red_flag(episode)
    do_acknowledge_alert(actor=nurse, alert=alert)
    assert escalate_overdue_alerts(now=alert.raised_at + timedelta(hours=2)) == 0
    assert not Notification.objects.filter(kind="alert_escalation").exists()


def test_same_day_alerts_wait_longer(episode, team):
    do_submit_checkin(
        actor=episode.patient.user, episode=episode, back_pain=4, leg_pain=4, wound="discharge"
    )
    alert = Alert.objects.get()
    assert alert.severity == "same_day"
    assert escalate_overdue_alerts(now=alert.raised_at + timedelta(minutes=239)) == 0
    assert escalate_overdue_alerts(now=alert.raised_at + timedelta(minutes=240)) == 1


def test_worklist_shows_the_deadline_and_overdue_alerts(client, episode, team, nurse):
    alert = red_flag(episode)
    client.force_login(nurse)
    assert "acknowledge by" in client.get("/clinic/").content.decode()
    Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - timedelta(hours=1))
    assert "overdue" in client.get("/clinic/").content.decode()
    escalate_overdue_alerts()
    page = client.get("/clinic/").content.decode()
    assert "escalated" in page and "acknowledge by" in page
