"""What the review of home recovery asked for: red flags survive any other mistake in a
check-in, new facts re-open an acknowledged alert, MME is not halved or hidden, and the
worker's rules stay inside their weeks."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from spinepath.recovery.actions import do_acknowledge_alert, do_submit_checkin
from spinepath.recovery.models import (
    Alert,
    AlertNote,
    AlertStatus,
    CheckIn,
    Notification,
    WoundPhoto,
)
from spinepath.recovery.photos import prepare_wound_photo
from spinepath.recovery.programme import triage_settings
from tests.recovery.test_home_recovery import CALM

pytestmark = pytest.mark.django_db

FLAGS = ["new_leg_weakness", "saddle_numbness", "bladder_change", "bowel_change"]


def _garbage_photo():
    upload = io.BytesIO(b"%PDF-1.4 not a picture at all")
    upload.name = "wound.jpg"
    return upload


# --- red flags are never lost ------------------------------------------------------------------


def test_a_red_flag_with_a_bad_photo_still_reaches_the_team(client, operated, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operated.patient.user)
    response = client.post(
        "/me/checkin/", {**CALM, "saddle_numbness": "on", "wound_photo": _garbage_photo()}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Go to the nearest emergency department now" in html
    assert "Part of your check-in was not saved" in html
    assert "not a picture we can open" in html
    alert = Alert.objects.get(rule_id="TR-REDFLAG")
    assert alert.severity == "urgent"
    assert CheckIn.objects.get().saddle_numbness  # the core answers were kept
    assert not WoundPhoto.objects.exists()


def test_a_red_flag_with_the_pain_questions_unanswered_raises_the_alert_alone(client, operated):
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {"bladder_change": "on", "wound": "gangrene"})
    assert response.status_code == 200
    assert "Only your answers about warning signs were sent" in response.content.decode()
    alert = Alert.objects.get()
    assert (alert.rule_id, alert.severity, alert.checkin) == ("TR-REDFLAG", "urgent", None)
    assert alert.data == {**alert.data, "bladder_change": True}
    assert not CheckIn.objects.exists()


answers = st.fixed_dictionaries(
    {
        "back_pain": st.sampled_from(["", "4", "11", "x"]),
        "leg_pain": st.sampled_from(["", "2", "-3"]),
        "wound": st.sampled_from(["dry", "opening", "gangrene", ""]),
        "temperature_c": st.sampled_from(["", "37.1", "38.6", "99", "hot"]),
        "walking_minutes": st.sampled_from(["", "20", "-1", "99999"]),
        "taken_0": st.sampled_from(["", "0", "3", "-1", "101", "many"]),
        "other_drug": st.sampled_from(["", "tramadol", "heroin"]),
        "other_strength_mg": st.sampled_from(["", "50", "0"]),
        "other_count": st.sampled_from(["", "2", "1000"]),
        "milestones": st.sampled_from([[], ["driving"], ["moon_walk"]]),
        "notes": st.sampled_from(["", "x" * 2500, "help\x00"]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=answers, flags=st.sets(st.sampled_from(FLAGS), min_size=1), photo=st.booleans())
def test_property_any_red_flag_answer_gives_an_urgent_alert_whatever_else_is_sent(
    client, operated, tmp_path, data, flags, photo
):
    from django.conf import settings as django_settings

    django_settings.MEDIA_ROOT = tmp_path
    AlertNote.objects.all().delete()
    Alert.objects.all().delete()
    client.force_login(operated.patient.user)
    post = {**{k: v for k, v in data.items() if v != ""}, **{flag: "on" for flag in flags}}
    if photo:
        post["wound_photo"] = _garbage_photo()
    response = client.post("/me/checkin/", post)
    assert response.status_code == 200
    assert "Go to the nearest emergency department now" in response.content.decode()
    alert = Alert.objects.get(rule_id="TR-REDFLAG")
    assert alert.severity == "urgent"
    assert all(alert.data.get(flag) for flag in flags)


# --- new facts re-open an acknowledged alert ---------------------------------------------------


def test_a_new_red_flag_after_acknowledgement_reopens_and_tells_the_team(operated, nurse):
    user = operated.patient.user
    first = do_submit_checkin(
        actor=user, episode=operated, back_pain=3, leg_pain=3, wound="dry", new_leg_weakness=True
    )
    alert = first.alerts[0]
    do_acknowledge_alert(actor=nurse, alert=alert)
    before = Notification.objects.filter(recipient=nurse, kind="alert").count()
    do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=3,
        leg_pain=3,
        wound="dry",
        new_leg_weakness=True,
        saddle_numbness=True,
        bladder_change=True,
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert alert.acknowledged_by is None
    assert "saddle" in alert.reason.lower() and "bladder" in alert.reason.lower()
    assert Notification.objects.filter(recipient=nurse, kind="alert").count() == before + 1
    note = alert.notes.get()
    assert note.author is None and "Opened again" in note.text
    # The same facts again change nothing more.
    do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=3,
        leg_pain=3,
        wound="dry",
        new_leg_weakness=True,
        saddle_numbness=True,
        bladder_change=True,
    )
    assert Notification.objects.filter(recipient=nurse, kind="alert").count() == before + 1


def test_urgent_alerts_also_go_by_text_to_staff_with_a_phone(operated, nurse):
    nurse.phone = "+447700900123"
    nurse.save()
    do_submit_checkin(
        actor=operated.patient.user, episode=operated, back_pain=3, leg_pain=3, wound="opening"
    )
    assert not Notification.objects.filter(channel="sms").exists()  # same-day: e-mail only
    do_submit_checkin(
        actor=operated.patient.user,
        episode=operated,
        back_pain=3,
        leg_pain=3,
        wound="dry",
        bowel_change=True,
    )
    text = Notification.objects.get(channel="sms")
    assert text.address == "+447700900123" and text.recipient == nurse
    assert operated.patient.family_name not in text.body


# --- MME -----------------------------------------------------------------------------------


def test_twice_daily_reports_are_added_up_not_halved(operated):
    user = operated.patient.user
    start = timezone.now() - timedelta(hours=30)
    oxy = [{"drug": "oxycodone", "strength_mg": 5, "count": 12}]
    do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=3,
        leg_pain=2,
        wound="dry",
        analgesics=oxy,
        now=start,
    )
    do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=3,
        leg_pain=2,
        wound="dry",
        analgesics=oxy,
        now=start + timedelta(hours=12),
    )
    last = do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=3,
        leg_pain=2,
        wound="dry",
        analgesics=oxy,
        now=start + timedelta(hours=24),
    ).checkin
    # 24 tablets of 5 mg x 1.5 in the 24 hours since the first report = 180 MME/day.
    assert float(last.mme_per_day) == 180.0
    assert Alert.objects.filter(rule_id="TR-OPIOID-HIGH").exists()


def test_an_impossible_dose_is_refused_with_a_message(client, operated):
    client.force_login(operated.patient.user)
    response = client.post(
        "/me/checkin/",
        {**CALM, "other_drug": "hydromorphone", "other_strength_mg": "1000", "other_count": "100"},
    )
    assert response.status_code == 400
    assert "far more than anyone takes" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_an_opioid_without_an_mme_factor_is_shown_and_alerted_not_hidden(client, operated):
    client.force_login(operated.patient.user)
    response = client.post(
        f"/api/v1/episodes/{operated.public_id}/checkins",
        data='{"back_pain": 3, "leg_pain": 2, "wound": "dry", "analgesics": '
        '[{"drug": "buprenorphine", "strength_mg": 0.2, "count": 2}, '
        '{"drug": "oxycodone", "strength_mg": 5, "count": 2}]}',
        content_type="application/json",
    )
    assert response.status_code == 201
    checkin = CheckIn.objects.get()
    assert checkin.mme_display.startswith("at least 15")
    alert = Alert.objects.get(rule_id="TR-OPIOID-UNCOUNTED")
    assert "buprenorphine" in alert.reason


# --- photos --------------------------------------------------------------------------------


def test_a_jpeg_comment_does_not_survive_and_phone_mpo_photos_are_accepted():
    image = Image.new("RGB", (40, 30), (180, 100, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", comment=b"Flat 3, 12 Acacia Road")
    prepared = prepare_wound_photo(io.BytesIO(out.getvalue()), len(out.getvalue()))
    assert b"Acacia" not in prepared.content
    assert Image.open(io.BytesIO(prepared.content)).info.get("comment") in (None, b"")

    mpo = io.BytesIO()
    image.save(mpo, format="MPO", save_all=True, append_images=[Image.new("RGB", (40, 30))])
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"
    prepared = prepare_wound_photo(io.BytesIO(mpo.getvalue()), len(mpo.getvalue()))
    assert (prepared.width, prepared.height) == (40, 30)


def test_a_photo_whose_file_is_gone_is_a_404_not_an_error(
    client, operated, nurse, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operated.patient.user)
    jpeg = io.BytesIO()
    Image.new("RGB", (20, 20)).save(jpeg, format="JPEG")
    jpeg.seek(0)
    jpeg.name = "w.jpg"
    client.post("/me/checkin/", {**CALM, "wound_photo": jpeg})
    photo = WoundPhoto.objects.get()
    photo.image.delete(save=False)
    client.force_login(nurse)
    assert client.get(f"/clinic/photos/{photo.public_id}/").status_code == 404


# --- programme thresholds and the monitoring weeks -------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"opioid_not_falling_days": 0},
        {"physio_grace_days": 1.5},
        {"silent_hours": True},
        {"persistent_opioid_from_day": 200},
        {"fever": 38},
    ],
)
def test_bad_programme_thresholds_stop_the_app_at_start_up(settings, bad):
    settings.SPINEPATH = {**settings.SPINEPATH, "TRIAGE": bad}
    triage_settings.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured):
            triage_settings()
    finally:
        triage_settings.cache_clear()


def test_a_programme_threshold_is_used(settings, operated):
    settings.SPINEPATH = {**settings.SPINEPATH, "TRIAGE": {"fever_celsius": 37.5}}
    triage_settings.cache_clear()
    try:
        result = do_submit_checkin(
            actor=operated.patient.user,
            episode=operated,
            back_pain=2,
            leg_pain=2,
            wound="dry",
            temperature_c="37.6",
        )
    finally:
        triage_settings.cache_clear()
    assert [a.rule_id for a in result.alerts] == ["TR-FEVER"]


def test_daily_reminders_stop_after_the_monitoring_weeks_but_one_comes_at_90_days(operated):
    from spinepath.recovery.models import Monitoring
    from spinepath.recovery.reminders import queue_checkin_reminders

    zone = ZoneInfo(operated.patient.site.time_zone)
    surgery = operated.surgical_case.surgery_start.astimezone(zone).date()

    def at_ten(day: int) -> datetime:
        d = surgery + timedelta(days=day)
        return datetime(d.year, d.month, d.day, 10, tzinfo=zone)

    Monitoring.objects.filter(episode=operated).update(
        enrolled_at=at_ten(0), first_checkin_due=at_ten(1)
    )
    assert queue_checkin_reminders(now=at_ten(40)) == 1
    assert queue_checkin_reminders(now=at_ten(50)) == 0
    assert queue_checkin_reminders(now=at_ten(90)) == 1
    assert queue_checkin_reminders(now=at_ten(91)) == 0


# --- complications owed and links ---------------------------------------------------------


def test_resolved_readmissions_stay_on_the_worklist_until_the_complication_is_recorded(
    client, operated, nurse
):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "opening"})
    alert = Alert.objects.get()
    client.force_login(nurse)
    client.post(f"/clinic/alerts/{alert.public_id}/resolve/", {"outcome": "readmitted"})
    page = client.get("/clinic/").content.decode()
    assert "Complications still to record" in page
    assert f"?alert={alert.public_id}" in page
    client.post(
        f"/clinic/episodes/{operated.public_id}/complications/new/?alert={alert.public_id}",
        {
            "description": "Wound dehiscence",
            "onset_date": timezone.localdate().isoformat(),
            "clavien_dindo": "IIIa",
        },
    )
    alert.refresh_from_db()
    assert alert.complication is not None
    assert "Complications still to record" not in client.get("/clinic/").content.decode()
    # A second complication cannot take over the link.
    again = client.post(
        f"/clinic/episodes/{operated.public_id}/complications/new/?alert={alert.public_id}",
        {
            "description": "Other",
            "onset_date": timezone.localdate().isoformat(),
            "clavien_dindo": "I",
        },
    )
    assert again.status_code == 400
    assert "already linked" in again.content.decode()


def test_a_milestone_recorded_meanwhile_by_staff_does_not_break_the_check_in(
    client, operated, nurse
):
    from spinepath.recovery.actions import do_record_milestone

    client.force_login(operated.patient.user)
    client.get("/me/checkin/")  # the form offers physiotherapy
    do_record_milestone(
        actor=nurse,
        episode=operated,
        milestone_id="physio_start",
        achieved_on=timezone.localdate(),
    )
    response = client.post("/me/checkin/", {**CALM, "milestones": ["physio_start"]})
    assert response.status_code == 200
    assert CheckIn.objects.count() == 1
