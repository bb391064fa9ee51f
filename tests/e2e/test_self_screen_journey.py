"""The public self-screen in a real browser, on a phone: a red flag, and a request that reaches the queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.models import Role
from spinepath.clinical.selfscreen import QUESTIONS, SELF_REPORTABLE_RED_FLAGS
from spinepath.intake.models import ConsultationRequest
from tests.e2e.test_accessibility import violations
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer_red_flags(page: Page, yes: str | None = None) -> None:
    for flag in SELF_REPORTABLE_RED_FLAGS:
        group = page.get_by_role("group", name=flag.plain_language)
        group.get_by_label("Yes" if flag.id == yes else "No", exact=True).check()
    page.get_by_role("button", name="Next").click()


def test_a_red_flag_says_what_to_do_today_and_keeps_nothing(page: Page, live_server) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/screen/")
    answer_red_flags(page, yes="cauda_equina.bladder_dysfunction")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("emergency department")
    expect(page.get_by_text("We have not kept any of your answers")).to_be_visible()
    assert violations(page) == []
    assert not ConsultationRequest.objects.exists()


def test_a_consultation_request_reaches_the_coordinator_queue(
    page: Page, live_server, site
) -> None:
    coordinator = UserFactory(role=Role.COORDINATOR, site=site, email="coord@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/screen/")
    answer_red_flags(page)
    assert violations(page) == []

    page.get_by_role("group", name=QUESTIONS["leg_pain"]).get_by_label("7", exact=True).check()
    page.get_by_role("group", name=QUESTIONS["back_pain"]).get_by_label("3", exact=True).check()
    page.get_by_role("group", name=QUESTIONS["pain_below_knee"]).get_by_label("Yes").check()
    page.get_by_role("group", name=QUESTIONS["leg_pain_on_walking"]).get_by_label("No").check()
    page.get_by_label(QUESTIONS["pain_weeks"]).fill("14")
    for kind in ("medication", "physiotherapy", "injection", "other"):
        group = page.get_by_role("group", name=QUESTIONS[f"treatments.kind.{kind}"])
        tried = kind in ("medication", "physiotherapy")
        group.get_by_label("Yes" if tried else "No").check()
        if tried:
            page.locator(f"#id_{kind}_weeks").fill("10")
            page.locator(f"#id_{kind}_response").select_option("none")
    for number in range(1, 10):
        page.locator(f"input[name=startback_{number}]").first.check()
    page.get_by_role("button", name="See my result").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("may be an option")
    assert violations(page) == []

    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Rivers")
    page.get_by_label("Date of birth").fill("1975-04-03")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_label("I agree that the clinic may contact me").check()
    page.get_by_label("I agree that the clinic may keep my answers").check()
    page.get_by_role("button", name="Ask for a consultation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your request is sent")
    assert "Rivers" not in page.url

    request = ConsultationRequest.objects.get()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Requests").click()
    row = page.locator(f"tr[data-request='{request.public_id}']")
    expect(row).to_contain_text("Sam Rivers")
    expect(row).to_contain_text("may be an option")
