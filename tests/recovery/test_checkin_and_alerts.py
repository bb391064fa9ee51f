"""Check-in → triage → alert on the worklist → acknowledged; bad input changes nothing."""

from __future__ import annotations

import pytest

from spinepath.patients.models import Stage
from spinepath.recovery.models import Alert, AlertStatus, CheckIn, Notification

pytestmark = pytest.mark.django_db

CALM = {
    "back_pain": "3",
    "leg_pain": "2",
    "wound": "dry",
    "temperature_c": "36.8",
    "walking_minutes": "30",
}


def test_calm_checkin_is_recorded_without_alert(client, episode):
    client.force_login(episode.patient.user)
    response = client.post("/me/checkin/", {**CALM, "episode": str(episode.public_id)})
    assert response.status_code == 200
    assert b"your check-in is sent" in response.content
    assert CheckIn.objects.filter(episode=episode).count() == 1
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "flag", ["new_leg_weakness", "saddle_numbness", "bladder_change", "bowel_change"]
)
def test_each_red_flag_raises_an_urgent_alert_and_tells_the_patient_what_to_do_now(
    client, episode, flag
):
    client.force_login(episode.patient.user)
    response = client.post("/me/checkin/", {**CALM, flag: "on"})
    assert response.status_code == 200
    assert b"Go to the nearest emergency department now" in response.content
    alert = Alert.objects.get(episode=episode)
    assert alert.severity == "urgent"
    assert alert.rule_id == "TR-REDFLAG"
    assert alert.data[flag] is True
    assert "AHCPR" in alert.source


def test_urgent_alert_appears_on_the_site_worklist_and_a_nurse_acknowledges(
    client, episode, nurse, other_nurse
):
    client.force_login(episode.patient.user)
    client.post("/me/checkin/", {**CALM, "bladder_change": "on"})
    alert = Alert.objects.get()
    # The first-line care team member is notified through the outbox.
    note = Notification.objects.get()
    assert note.recipient == nurse
    assert episode.patient.family_name not in note.body

    client.force_login(other_nurse)
    assert str(alert.public_id).encode() not in client.get("/clinic/").content
    assert client.post(f"/clinic/alerts/{alert.public_id}/acknowledge/").status_code == 404

    client.force_login(nurse)
    page = client.get("/clinic/")
    assert str(alert.public_id).encode() in page.content
    assert b"Urgent" in page.content
    response = client.post(f"/clinic/alerts/{alert.public_id}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == nurse
    # A second acknowledgement is refused and changes nothing.
    client.post(f"/clinic/alerts/{alert.public_id}/acknowledge/")
    alert.refresh_from_db()
    assert alert.acknowledged_by == nurse


def test_repeat_red_flags_merge_into_the_open_alert(client, episode):
    client.force_login(episode.patient.user)
    client.post("/me/checkin/", {**CALM, "new_leg_weakness": "on"})
    client.post("/me/checkin/", {**CALM, "new_leg_weakness": "on"})
    alert = Alert.objects.get()
    assert alert.data["repeats"] == 2
    assert CheckIn.objects.count() == 2
    assert Notification.objects.count() == 1


def test_resolving_needs_an_outcome(client, episode, nurse):
    client.force_login(episode.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "discharge"})
    alert = Alert.objects.get()
    assert alert.severity == "same_day"
    client.force_login(nurse)
    url = f"/clinic/alerts/{alert.public_id}/resolve/"
    client.post(url, {"resolution": "called"})  # no outcome chosen
    client.post(url, {"outcome": "other", "resolution": ""})  # "other" must say what
    client.post(url, {"outcome": "fixed-it"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    response = client.post(url, {"outcome": "seen_in_clinic", "resolution": "Wound reviewed"})
    assert response.url == "/clinic/"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert (alert.outcome, alert.resolution) == ("seen_in_clinic", "Wound reviewed")


@pytest.mark.parametrize(
    "bad",
    [
        {"back_pain": "11"},
        {"back_pain": "-1"},
        {"leg_pain": "seven"},
        {"wound": "gangrene"},
        {"temperature_c": "52"},
        {"walking_minutes": "-5"},
        {"back_pain": ""},
    ],
)
def test_bad_checkin_input_shows_errors_and_saves_nothing(client, episode, bad):
    client.force_login(episode.patient.user)
    response = client.post("/me/checkin/", {**CALM, **bad})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not CheckIn.objects.exists()
    assert not Alert.objects.exists()


def test_patient_cannot_check_in_for_another_patient(client, episode, other_patient):
    from tests.factories import EpisodeFactory

    foreign = EpisodeFactory(patient=other_patient, stage=Stage.RECOVERY)
    client.force_login(episode.patient.user)
    response = client.post("/me/checkin/", {**CALM, "episode": str(foreign.public_id)})
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_staff_cannot_submit_patient_checkins(client, nurse):
    client.force_login(nurse)
    assert client.post("/me/checkin/", CALM).status_code == 403
