"""Home recovery in the app: painkillers → MME/day and the opioid rules, wound photos,
milestones, notes and outcomes on alerts, the daily course review, progress charts."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from spinepath.accounts.models import Role
from spinepath.recovery.actions import do_submit_checkin
from spinepath.recovery.models import (
    Alert,
    AlertStatus,
    CheckIn,
    MilestoneRecord,
    WoundPhoto,
)
from spinepath.recovery.review import review_recovery_course
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

CALM = {"back_pain": "3", "leg_pain": "2", "wound": "dry", "temperature_c": "36.8"}
OXY = {
    "drug": "oxycodone",
    "strength_mg": 5,
    "dose_mg": 5,
    "doses_per_day": 4,
    "days": 5,
    "as_needed": True,
}


def _jpeg(size=(64, 48), fmt="JPEG", exif=True) -> io.BytesIO:
    image = Image.new("RGB", size, (200, 120, 110))
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    out.seek(0)
    out.name = f"wound.{fmt.lower()}"
    return out


# --- painkillers -----------------------------------------------------------------------------


def test_the_check_in_asks_about_the_plans_painkillers_and_computes_mme(client, operated):
    client.force_login(operated.patient.user)
    page = client.get("/me/checkin/").content.decode()
    assert "Oxycodone 5 mg: how many since your last check-in?" in page
    response = client.post("/me/checkin/", {**CALM, "taken_0": "6"})
    assert response.status_code == 200
    checkin = CheckIn.objects.get()
    # First check-in: the count is one day's use. 6 x 5 mg x 1.5 (CDC 2022) = 45 MME/day.
    assert checkin.mme_per_day == Decimal("45.00")
    assert checkin.analgesics == [{"drug": "oxycodone", "strength_mg": 5.0, "count": 6.0}]
    assert checkin.day_after_surgery == 1


def test_painkillers_left_blank_are_not_reported_not_zero(client, operated):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", CALM)
    checkin = CheckIn.objects.get()
    assert checkin.mme_per_day is None
    assert checkin.opioid_use == {}


def test_another_opioid_needs_its_strength_and_count(client, operated):
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {**CALM, "other_drug": "tramadol"})
    assert response.status_code == 400
    assert b"Give the strength in mg." in response.content
    assert not CheckIn.objects.exists()
    client.post(
        "/me/checkin/",
        {**CALM, "other_drug": "tramadol", "other_strength_mg": "50", "other_count": "4"},
    )
    assert CheckIn.objects.get().mme_per_day == Decimal("40.00")  # 200 mg x 0.2


@pytest.mark.parametrize("count", ["-1", "101", "lots"])
def test_out_of_range_counts_change_nothing(client, operated, count):
    client.force_login(operated.patient.user)
    assert client.post("/me/checkin/", {**CALM, "taken_0": count}).status_code == 400
    assert not CheckIn.objects.exists()


def test_high_opioid_use_raises_a_same_day_alert(client, operated, nurse):
    client.force_login(operated.patient.user)
    # 14 x 5 mg oxycodone in a day = 105 MME/day, over the 90 default.
    client.post("/me/checkin/", {**CALM, "taken_0": "14"})
    alert = Alert.objects.get(rule_id="TR-OPIOID-HIGH")
    assert alert.severity == "same_day"
    assert alert.data["mme_per_day"] == 105.0


def test_opioid_use_not_falling_over_days_raises_a_routine_alert(operated):
    user = operated.patient.user
    start = timezone.now()
    for day in range(6):
        do_submit_checkin(
            actor=user,
            episode=operated,
            back_pain=3,
            leg_pain=2,
            wound="dry",
            analgesics=[{"drug": "oxycodone", "strength_mg": 5, "count": 4}],
            now=start + timedelta(days=day),
        )
    alert = Alert.objects.get(rule_id="TR-OPIOID-NOT-FALLING")
    assert alert.severity == "routine"
    assert "MME" in alert.reason


# --- wound photos ----------------------------------------------------------------------------


def test_a_wound_photo_is_stored_without_metadata_and_served_only_through_the_guard(
    client, operated, nurse, other_nurse, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {**CALM, "wound_photo": _jpeg()})
    assert response.status_code == 200
    photo = WoundPhoto.objects.get()
    assert (photo.width, photo.height) == (64, 48)
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG"
    assert not stored.getexif()  # the phone's metadata is gone
    assert str(tmp_path) in photo.image.path
    assert operated.patient.family_name not in photo.image.name

    url = f"/clinic/photos/{photo.public_id}/"
    client.force_login(nurse)
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    client.force_login(other_nurse)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (io.BytesIO(b"%PDF-1.4 not a picture"), b"not a picture we can open"),
        (_jpeg(fmt="GIF"), b"JPEG, PNG or WebP"),
    ],
)
def test_wrong_type_photos_are_refused_and_nothing_is_written(
    client, operated, settings, tmp_path, upload, message
):
    settings.MEDIA_ROOT = tmp_path
    upload.name = "wound.jpg"
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {**CALM, "wound_photo": upload})
    assert response.status_code == 400
    assert message in response.content
    assert not CheckIn.objects.exists()
    assert not any(tmp_path.rglob("*.jpg"))


def test_a_huge_photo_is_refused(client, operated, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("spinepath.recovery.photos.MAX_UPLOAD_BYTES", 1000)
    client.force_login(operated.patient.user)
    response = client.post("/me/checkin/", {**CALM, "wound_photo": _jpeg(size=(400, 400))})
    assert response.status_code == 400
    assert b"too large" in response.content
    assert not CheckIn.objects.exists()


def test_a_patient_sees_their_own_photo_but_not_another_patients(
    client, operated, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound_photo": _jpeg()})
    photo = WoundPhoto.objects.get()
    assert client.get(f"/me/photos/{photo.public_id}/").status_code == 200
    stranger = UserFactory(role=Role.PATIENT, site=None)
    PatientFactory(site=operated.patient.site, user=stranger)
    client.force_login(stranger)
    assert client.get(f"/me/photos/{photo.public_id}/").status_code == 404


# --- milestones ------------------------------------------------------------------------------


def test_milestones_come_from_check_ins_and_staff(client, operated, nurse):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "walking_minutes": "20", "milestones": ["driving"]})
    reached = {m.milestone_id: m.source for m in MilestoneRecord.objects.all()}
    assert reached == {"walking": "checkin", "driving": "checkin"}
    # Reached milestones are not asked again.
    assert "Driven a car again" not in client.get("/me/checkin/").content.decode()

    client.force_login(nurse)
    url = f"/clinic/episodes/{operated.public_id}/milestones/"
    today = timezone.localdate().isoformat()
    client.post(url, {"milestone_id": "physio_start", "achieved_on": today})
    assert MilestoneRecord.objects.get(milestone_id="physio_start").source == "staff"
    # A future date, a date before surgery, an unknown milestone and a repeat change nothing.
    for bad in (
        {
            "milestone_id": "desk_work",
            "achieved_on": (date.today() + timedelta(days=3)).isoformat(),
        },
        {"milestone_id": "desk_work", "achieved_on": "2001-01-01"},
        {"milestone_id": "moon_walk", "achieved_on": today},
        {"milestone_id": "physio_start", "achieved_on": today},
    ):
        client.post(url, bad)
    assert MilestoneRecord.objects.count() == 3


def test_missed_physio_is_flagged_once_by_the_daily_review(operated):
    case = operated.surgical_case
    physio = next(m for m in case.plan.content["milestones"] if m["id"] == "physio_start")
    late_day = (physio["to_day"] or physio["from_day"]) + 4  # past the 3-day grace
    now = case.surgery_start + timedelta(days=late_day)
    assert review_recovery_course(now=now) == 1
    alert = Alert.objects.get(rule_id="TR-PHYSIO-MISSED")
    assert alert.severity == "routine"
    # Once a day, and once per episode even after it is resolved.
    assert review_recovery_course(now=now) == 0
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.RESOLVED)
    assert review_recovery_course(now=now + timedelta(days=1)) == 0


def test_physio_started_means_no_alert(operated, nurse):
    MilestoneRecord.objects.create(
        episode=operated,
        milestone_id="physio_start",
        achieved_on=timezone.localdate(),
        source="staff",
        recorded_by=nurse,
    )
    case = operated.surgical_case
    assert review_recovery_course(now=case.surgery_start + timedelta(days=60)) == 0


def test_persistent_opioid_use_is_flagged_at_90_days(operated):
    user = operated.patient.user
    surgery = operated.surgical_case.surgery_start
    do_submit_checkin(
        actor=user,
        episode=operated,
        back_pain=2,
        leg_pain=1,
        wound="dry",
        analgesics=[{"drug": "oxycodone", "strength_mg": 5, "count": 2}],
        now=surgery + timedelta(days=91),
    )
    MilestoneRecord.objects.create(
        episode=operated,
        milestone_id="physio_start",
        achieved_on=timezone.localdate(),
        source="staff",
        recorded_by=user,
    )
    assert review_recovery_course(now=surgery + timedelta(days=92)) == 1
    alert = Alert.objects.get(rule_id="TR-OPIOID-PERSISTENT")
    assert "91 days" in alert.reason


# --- alerts: notes, outcomes, complication prompt ---------------------------------------------


def test_notes_and_a_readmission_outcome_prompt_a_complication_record(client, operated, nurse):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "discharge", "temperature_c": "38.6"})
    alert = Alert.objects.get()
    client.force_login(nurse)
    detail = client.get(f"/clinic/alerts/{alert.public_id}/")
    assert detail.status_code == 200
    assert b"TR-FEVER-WOUND" in detail.content
    client.post(f"/clinic/alerts/{alert.public_id}/notes/", {"text": "Called, no answer."})
    client.post(f"/clinic/alerts/{alert.public_id}/notes/", {"text": "  "})
    assert [n.text for n in alert.notes.all()] == ["Called, no answer."]

    response = client.post(
        f"/clinic/alerts/{alert.public_id}/resolve/",
        {"outcome": "readmitted", "resolution": "Admitted for IV antibiotics"},
    )
    assert response.status_code == 302
    assert response.url.startswith(f"/clinic/episodes/{operated.public_id}/complications/new/")
    assert f"alert={alert.public_id}" in response.url
    alert.refresh_from_db()
    assert alert.outcome == "readmitted"


def test_another_sites_nurse_cannot_see_or_note_an_alert(client, operated, other_nurse):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "opening"})
    alert = Alert.objects.get()
    client.force_login(other_nurse)
    assert client.get(f"/clinic/alerts/{alert.public_id}/").status_code == 404
    assert client.post(f"/clinic/alerts/{alert.public_id}/notes/", {"text": "x"}).status_code == 404
    assert not alert.notes.exists()


# --- progress --------------------------------------------------------------------------------


def test_the_patient_sees_progress_charts_and_the_clinic_sees_the_recovery_page(
    client, operated, nurse
):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "walking_minutes": "15", "taken_0": "4"})
    page = client.get("/me/progress/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 4  # leg pain, back pain, walking, painkillers
    assert "Walking (minutes a day): latest 15 on day 1" in html
    assert "no expected course" in html  # no pre-operative scores were recorded
    client.force_login(nurse)
    clinic = client.get(f"/clinic/episodes/{operated.public_id}/recovery/")
    assert clinic.status_code == 200
    assert "Strong painkillers (MME a day): latest 30 MME a day on day 1" in clinic.content.decode()


def test_staff_cannot_use_the_patients_progress_page(client, nurse):
    client.force_login(nurse)
    assert client.get("/me/progress/").status_code in {302, 403, 404}


def test_the_complication_form_from_a_readmission_links_the_alert(client, operated, nurse):
    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "discharge", "temperature_c": "38.6"})
    alert = Alert.objects.get()
    client.force_login(nurse)
    form_url = client.post(
        f"/clinic/alerts/{alert.public_id}/resolve/", {"outcome": "readmitted"}
    ).url
    page = client.get(form_url)
    assert page.status_code == 200
    assert "The complication will be linked to it." in page.content.decode()
    assert "Readmitted: Fever 38.6" in page.content.decode()  # prefilled description
    # A bad grade writes nothing and links nothing.
    bad = client.post(
        form_url, {"description": "SSI", "onset_date": "2026-01-01", "clavien_dindo": "VII"}
    )
    assert bad.status_code == 400
    alert.refresh_from_db()
    assert alert.complication is None
    response = client.post(
        form_url,
        {
            "description": "Deep incisional SSI, readmitted for IV antibiotics",
            "onset_date": timezone.localdate().isoformat(),
            "clavien_dindo": "II",
            "ssi_depth": "deep",
            "related_to_surgery": "yes",
        },
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.complication.description.startswith("Deep incisional SSI")
    assert alert.complication.episode == operated


def test_an_alert_of_another_episode_cannot_be_linked(client, operated, nurse, care_team):
    from tests.factories import EpisodeFactory

    client.force_login(operated.patient.user)
    client.post("/me/checkin/", {**CALM, "wound": "opening"})
    alert = Alert.objects.get()
    other = EpisodeFactory(patient=operated.patient, care_team=care_team, stage="recovery")
    client.force_login(nurse)
    url = f"/clinic/episodes/{other.public_id}/complications/new/?alert={alert.public_id}"
    assert client.get(url).status_code == 404
