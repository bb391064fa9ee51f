"""The reconciliation queue passes axe-core's WCAG 2 A and AA checks, on a phone and a
desktop, with its forms and with a refused confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from spinepath.outcomes.models import Complication
from tests.e2e.conftest import browser_type_launch_args  # noqa: F401 - Debian's Chromium
from tests.e2e.test_accessibility import sign_in, violations
from tests.factories import SurgicalCaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def events(episode, nurse):
    SurgicalCaseFactory(episode=episode, surgery_start=timezone.now() - timedelta(days=4))
    return [
        Complication.objects.create(
            episode=episode,
            description=f"Reported at a check-in: {reason}",
            onset_date=timezone.localdate() - timedelta(days=n),
            reported_by="patient",
            status="pending",
            recorded_by=nurse,
        )
        for n, reason in enumerate(["Wound discharge", "Fever 38.4 °C"])
    ]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_events_queue(page: Page, live_server, nurse, events, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, nurse.email)
    page.goto(f"{live_server.url}/clinic/events/")
    assert violations(page) == [], "queue"
    button = page.get_by_role("button", name="Confirm").first
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    # No grade chosen: the server refuses and says why, on an accessible page.
    button.click()
    assert page.get_by_role("heading", name="Review a patient-reported event").is_visible()
    assert "This field is required" in page.content()
    assert violations(page) == [], "review with errors"
