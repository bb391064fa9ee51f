"""Home recovery in a real browser: a phone check-in with painkillers and a wound photo →
a same-day alert → the nurse acknowledges, notes and resolves it; the patient's progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from spinepath.recovery.models import Alert, AlertStatus, CheckIn, WoundPhoto
from spinepath.surgery.plans import do_create_discharge_plan, do_update_discharge_plan
from tests.e2e.test_accessibility import sign_in, violations
from tests.factories import SurgicalCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def at_home(episode, surgeon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = SurgicalCaseFactory(
        episode=episode,
        surgeon=surgeon,
        recorded_by=surgeon,
        surgery_start=timezone.now() - timedelta(days=2),
        discharged_at=timezone.now() - timedelta(days=2, hours=-6),
    )
    plan = do_create_discharge_plan(actor=surgeon, case=case)
    medicines = [
        {
            "drug": "oxycodone",
            "strength_mg": 5,
            "dose_mg": 5,
            "doses_per_day": 4,
            "days": 5,
            "as_needed": True,
        }
    ]
    do_update_discharge_plan(actor=surgeon, plan=plan, medicines=medicines, staff_notes="")
    return episode


def test_check_in_alert_acknowledge_note_resolve(
    page: Page, live_server, at_home, nurse, tmp_path
) -> None:
    base = live_server.url
    photo = tmp_path / "wound.jpg"
    Image.new("RGB", (120, 80), (190, 90, 90)).save(photo, format="JPEG")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, at_home.patient.user.email)
    page.goto(f"{base}/me/checkin/")
    page.get_by_role("group", name="Back pain now").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Leg pain now").get_by_label("3", exact=True).check()
    page.get_by_label("Oxycodone 5 mg: how many since your last check-in?").fill("3")
    page.get_by_label("Fluid or pus coming out").check()
    page.get_by_label("A photo of your wound (optional)").set_input_files(str(photo))
    page.get_by_label("Minutes you walked today").fill("20")
    page.get_by_role("button", name="Send my check-in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your check-in is sent")
    expect(page.locator("main")).to_contain_text("Your care team will call you today")
    expect(page.locator("main")).to_contain_text("reads check-ins")

    checkin = CheckIn.objects.get(episode=at_home)
    assert checkin.mme_per_day is not None and float(checkin.mme_per_day) == 22.5
    assert WoundPhoto.objects.filter(checkin=checkin).exists()
    alert = Alert.objects.get(episode=at_home, rule_id="TR-WOUND")

    page.goto(f"{base}/me/progress/")
    expect(page.get_by_role("img", name="Walking (minutes a day): latest 20")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, nurse.email)
    row = page.locator(f"tr[data-alert='{alert.public_id}']")
    expect(row).to_contain_text("Same day")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged")
    page.locator(f"tr[data-alert='{alert.public_id}']").get_by_role(
        "link", name="Notes and resolve"
    ).click()
    expect(page.get_by_role("img", name="Wound photo sent with this check-in")).to_be_visible()
    assert violations(page) == []
    page.get_by_label("New note").fill("Phoned: clear fluid, no fever. Dressing advice given.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_contain_text("Note added")
    page.get_by_label("Outcome").select_option("advice_given")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_contain_text("Alert resolved")
    expect(page.locator(f"tr[data-alert='{alert.public_id}']")).to_have_count(0)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.outcome == "advice_given"
    assert alert.notes.get().author == nurse

    page.goto(f"{base}/clinic/episodes/{at_home.public_id}/recovery/")
    expect(page.get_by_role("heading", name="Milestones")).to_be_visible()
    assert violations(page) == []
