"""A patient without a password signs in with a one-time link, in a real Chromium.

The link travels the real way: the worker sends the queued e-mail to a local SMTP
server (aiosmtpd), and the test reads the link out of the delivered message.
"""

from __future__ import annotations

import re
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from playwright.sync_api import Browser, Page, expect

from spinepath.accounts.models import SignInLink
from spinepath.recovery.models import Notification
from spinepath.recovery.tasks import send_due_notifications
from tests.e2e.test_accessibility import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@pytest.fixture
def inbox(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    controller.start()
    yield box
    controller.stop()


def test_a_patient_signs_in_with_an_emailed_link_once(
    page: Page, browser: Browser, live_server, settings, inbox, episode
) -> None:
    base = live_server.url
    settings.SPINEPATH = {**settings.SPINEPATH, "BASE_URL": base}
    email = episode.patient.user.email

    # At home, on a phone: ask for a link from the sign-in page.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Get a sign-in link by e-mail or text").click()
    expect(page).to_have_url(f"{base}/accounts/link/")
    assert violations(page) == []
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="E-mail me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert violations(page) == []

    # The worker sends it; the message arrives at the (local) mail server.
    assert send_due_notifications() == 1
    [message] = inbox.messages
    assert message["To"] == email
    url = re.search(r"https?://\S+/accounts/link/\S+/", message.get_payload()).group(0)
    assert url.startswith(base)
    # The outbox no longer holds the link once it is sent.
    assert "/accounts/link/" not in Notification.objects.get(kind="sign_in_link").body

    # A second tab (or a mail scanner) opens it first: opening uses nothing up.
    other = browser.new_context()
    try:
        second_tab = other.new_page()
        second_tab.goto(url)
        expect(second_tab.get_by_role("button", name="Sign in", exact=True)).to_be_visible()

        page.goto(url)
        # The page says whose account the link is for, without giving the address away.
        local, domain = email.split("@")
        expect(page.get_by_role("main")).to_contain_text(
            f"This link signs in the account {local[0]}•••{local[-1]}@{domain}"
        )
        expect(page.get_by_text(email)).to_have_count(0)
        assert violations(page) == []
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page).to_have_url(f"{base}/me/checkin/")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert SignInLink.objects.get().used_at is not None

        # The same link again: refused, and nobody is signed in by it.
        second_tab.get_by_role("button", name="Sign in", exact=True).click()
        expect(second_tab.get_by_role("alert")).to_contain_text("already been used")
        expect(second_tab.get_by_role("link", name="Get a new sign-in link")).to_be_visible()
        expect(second_tab.get_by_role("button", name="Sign out")).to_have_count(0)
        assert violations(second_tab) == []
        second_tab.goto(url)
        expect(second_tab.get_by_role("alert")).to_contain_text("already been used")
        expect(second_tab.get_by_role("button", name="Sign in", exact=True)).to_have_count(0)
    finally:
        other.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_link_pages_pass_axe(page: Page, live_server, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/link/")
    page.get_by_role("button", name="E-mail me a sign-in link").click()  # empty: errors shown
    expect(page.get_by_text("This field is required")).to_be_visible()
    assert violations(page) == []
    page.goto(f"{live_server.url}/accounts/link/not-a-token/")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    assert violations(page) == []


def test_a_link_for_someone_elses_account_says_it_will_switch(
    page: Page, live_server, patient, caregiver_user
) -> None:
    """Someone sends a signed-in patient a link to their own account: the page says so."""
    from spinepath.accounts.actions import do_issue_sign_in_link

    base = live_server.url
    own = do_issue_sign_in_link(user=patient.user)
    page.goto(f"{base}/accounts/link/{own.token}/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{base}/me/checkin/")

    other = do_issue_sign_in_link(user=caregiver_user)
    page.goto(f"{base}/accounts/link/{other.token}/")
    expect(page.get_by_role("alert")).to_have_text(
        f"You are signed in as {patient.user.email}; signing in with this link will switch "
        "to c•••r@example.org."
    )
    assert violations(page) == []
    other.refresh_from_db()
    assert other.used_at is None
