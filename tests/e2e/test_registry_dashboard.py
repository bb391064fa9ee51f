"""The registry dashboard in a real browser: an analyst applies a filter, the figures and
charts follow it, the page passes axe, and the PDF report downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from spinepath.accounts.models import Role
from tests.e2e.test_accessibility import sign_in, violations
from tests.factories import UserFactory
from tests.registry.conftest import synth_dataset, synth_params  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry_data(synth_dataset, settings):  # noqa: F811
    from spinepath.registry import loader, store

    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_DATA_DIR": str(synth_dataset)}
    store.prepare(synth_dataset)  # as 'synth' does: the page need not wait for it
    loader.forget()
    yield synth_dataset
    loader.forget()


def test_an_analyst_filters_the_dashboard(page: Page, live_server, site, registry_data) -> None:
    analyst = UserFactory(role=Role.ANALYST, site=site, email="e2e.analyst@example.org")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, analyst.email)
    page.goto(f"{live_server.url}/registry/")
    summary = page.locator("main p.muted").first
    expect(summary).to_contain_text("8000 episodes")
    expect(
        page.get_by_role("img", name="MISS against open surgery, adjusted for case mix")
    ).to_be_visible()
    # The charts are images of their own: the first one arrives and is drawn.
    first_chart = page.locator(".registry-charts img").first
    expect(first_chart).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=first_chart.element_handle()
    )
    assert violations(page) == []

    site_code = page.locator("#id_site option").nth(2).get_attribute("value")
    page.locator("#id_site").select_option(site_code)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        f"{live_server.url}/registry/?year_from=&year_to=&site={site_code}&surgeon=&procedure=&approach="
    )
    expect(summary).to_contain_text("at 1 sites")
    expect(summary).not_to_contain_text("8000 episodes")

    with page.expect_download() as download:
        page.get_by_role("link", name="rates").click()
    assert download.value.suggested_filename == "spinepath-rates.csv"

    page.set_viewport_size({"width": 390, "height": 844})
    assert violations(page) == []
