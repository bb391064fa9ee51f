"""Every main page passes axe-core's WCAG 2 A and AA checks, on a phone and a desktop."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from spinepath.accounts.models import Role
from tests.factories import PASSWORD, SurgicalCaseFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [390, 1280])
def test_public_pages(page: Page, live_server, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/", "/screen/", "/accounts/login/"):
        page.goto(live_server.url + path)
        assert violations(page) == [], path


@pytest.mark.parametrize("width", [390, 1280])
def test_patient_pages(page: Page, live_server, episode, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, episode.patient.user.email)
    for path in ("/me/", "/me/checkin/"):
        page.goto(live_server.url + path)
        assert violations(page) == [], path


@pytest.mark.parametrize("width", [390, 1280])
def test_clinic_pages(page: Page, live_server, episode, site, width: int) -> None:
    surgeon = UserFactory(role=Role.SURGEON, site=site, email="a11y.surgeon@example.org")
    case = SurgicalCaseFactory(episode=episode, surgeon=surgeon)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, surgeon.email)
    for path in (
        "/clinic/",
        "/clinic/patients/",
        "/clinic/patients/new/",
        "/clinic/requests/",
        f"/clinic/patients/{episode.patient.public_id}/",
        f"/clinic/episodes/{episode.public_id}/",
        f"/clinic/episodes/{episode.public_id}/assessments/new/",
        f"/clinic/episodes/{episode.public_id}/questionnaires/new/?instrument=odi",
        f"/clinic/cases/{case.public_id}/",
    ):
        page.goto(live_server.url + path)
        assert violations(page) == [], path
