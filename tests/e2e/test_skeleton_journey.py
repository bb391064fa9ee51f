"""The walking skeleton in a real browser: red-flag check-in → alert → acknowledged."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from spinepath.recovery.models import Alert, AlertStatus
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_red_flag_checkin_reaches_the_worklist_and_is_acknowledged(
    page: Page, live_server, episode, nurse
) -> None:
    base = live_server.url

    # The patient, at home, on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, episode.patient.user.email)
    expect(page).to_have_url(f"{base}/me/")
    page.goto(f"{base}/me/checkin/")
    page.get_by_role("group", name="Back pain now").get_by_label("6", exact=True).check()
    page.get_by_role("group", name="Leg pain now").get_by_label("7", exact=True).check()
    page.get_by_label("Dry and closed").check()
    page.get_by_label("New trouble passing urine, or leaking urine").check()
    page.get_by_role("button", name="Send my check-in").click()
    emergency = page.get_by_role("alert")
    expect(emergency).to_contain_text("Go to the nearest emergency department now")
    page.get_by_role("button", name="Sign out").click()

    alert = Alert.objects.get(episode=episode)
    assert alert.severity == "urgent"

    # The nurse, at the clinic.
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, nurse.email)
    expect(page).to_have_url(f"{base}/clinic/")
    row = page.locator(f"tr[data-alert='{alert.public_id}']")
    expect(row).to_contain_text("Urgent")
    expect(row).to_contain_text("bladder dysfunction")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged")
    expect(page.locator(f"tr[data-alert='{alert.public_id}']")).to_contain_text("Acknowledged")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == nurse
