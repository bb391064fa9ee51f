"""Surgery day in a real browser: not ready → ready → discharged → the patient reads the plan."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from spinepath.clinical.discharge import MPADSS_ITEMS, SPINE_CHECKLIST
from spinepath.patients.models import Stage
from tests.e2e.test_accessibility import violations
from tests.factories import PASSWORD, EpisodeFactory, SurgicalCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def assess(page: Page, *, voided: bool) -> None:
    for item in MPADSS_ITEMS:
        page.locator(f"select[name={item.id}]").select_option("2")
    for criterion in SPINE_CHECKLIST:
        met = voided or criterion.id != "voided"
        page.locator(f"select[name={criterion.id}]").select_option("yes" if met else "no")
    page.get_by_role("button", name="Record assessment").click()


def test_board_to_discharge_to_the_patients_plan(page: Page, live_server, nurse, patient) -> None:
    # Operated today in the site's calendar, whatever the hour the test runs at: the board
    # shows a discharged case only on the day of its operation.
    zone = ZoneInfo(patient.site.time_zone)
    midnight = datetime.combine(timezone.now().astimezone(zone).date(), time.min, tzinfo=zone)
    case = SurgicalCaseFactory(
        episode=EpisodeFactory(patient=patient, stage=Stage.SURGERY),
        surgery_start=max(timezone.now() - timedelta(hours=4), midnight),
    )
    base = live_server.url
    sign_in(page, base, nurse.email)
    page.get_by_role("link", name="Day surgery").click()
    row = page.locator(f"tr[data-case='{case.public_id}']")
    expect(row).to_contain_text("not assessed")
    assert violations(page) == []

    row.get_by_role("link").click()
    assess(page, voided=False)
    page.get_by_role("link", name="Day surgery").click()
    expect(row).to_have_attribute("data-status", "not ready")
    expect(row).to_contain_text("passed urine")

    row.get_by_role("link").click()
    assess(page, voided=True)
    page.get_by_role("link", name="Day surgery").click()
    expect(row).to_have_attribute("data-status", "ready")

    row.get_by_role("link").click()
    page.get_by_role("button", name="Discharge now").click()
    expect(page.get_by_role("status")).to_contain_text("home recovery has started")
    page.get_by_role("link", name="Day surgery").click()
    expect(row).to_have_attribute("data-status", "discharged")
    page.get_by_role("button", name="Sign out").click()

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, patient.user.email)
    page.goto(f"{base}/me/plan/")
    expect(page.get_by_role("heading", name="Warning signs: what to do")).to_be_visible()
    expect(page.get_by_role("heading", name="Looking after your wound")).to_be_visible()
    assert violations(page) == []
