"""One-time sign-in links for patients and caregivers: issue, read, use, refuse."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from spinepath.accounts.actions import do_consume_sign_in_link, do_issue_sign_in_link
from spinepath.accounts.models import Role, SignInLink
from spinepath.accounts.sign_in_links import (
    DEFAULT_NEXT_PATH,
    LINK_REQUESTS_PER_CLIENT_PER_HOUR,
    LINKS_PER_ADDRESS_PER_HOUR,
    SALT,
    SignInLinkRefused,
    masked_email,
    safe_next_path,
)
from spinepath.audit.models import AccessLog
from spinepath.errors import ActionError
from spinepath.recovery.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/accounts/link/([^/\s]+)/")


def token_in(note: Notification) -> str:
    match = LINK.search(note.body)
    assert match, note.body
    return match.group(1)


def main_text(response) -> str:
    """The page's <main>, without the per-request CSRF token that base.html carries."""
    html = response.content.decode()
    return html[html.index('<main id="main">') : html.index("</main>")]


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def ask_for_link(client: Client, email: str, channel: str = "email", **extra):
    return client.post("/accounts/link/", {"email": email, "channel": channel, **extra})


# --- issue and use ----------------------------------------------------------------------------


def test_a_patient_asks_for_a_link_opens_it_and_is_signed_in(client, settings, patient, episode):
    user = patient.user
    page = client.get("/accounts/link/")
    assert page.status_code == 200
    assert b"E-mail me a sign-in link" in page.content

    response = ask_for_link(client, "  Patient@Example.org ")
    assert response.status_code == 200
    assert b"Check your e-mail" in response.content

    note = Notification.objects.get(kind="sign_in_link")
    assert note.recipient == user and note.channel == "email" and note.address == ""
    assert note.status == "pending"
    token = token_in(note)
    assert f"{settings.SPINEPATH['BASE_URL']}/accounts/link/{token}/" in note.body
    # No clinical detail, not even the patient's name.
    for private in (patient.given_name, patient.family_name, patient.mrn):
        assert private not in note.body and private not in note.subject

    link = SignInLink.objects.get()
    assert link.user == user and link.used_at is None
    assert note.dedupe_key == f"sign-in-link:{link.public_id}"
    # Only a hash is kept; the token appears in no column of the link.
    assert token not in repr(SignInLink.objects.values().get())
    assert link.token_hash == hashlib.sha256(token.rsplit(":", 2)[0].encode()).hexdigest()
    assert link.expires_at - link.created_at == timedelta(minutes=30)
    assert link.requested_ip_hash and "127.0.0.1" not in link.requested_ip_hash

    session_before = client.session.session_key
    # Opening the link (or a mail scanner following it) changes nothing.
    for _ in range(2):
        shown = client.get(f"/accounts/link/{token}/")
        assert shown.status_code == 200
        assert b">Sign in</button>" in shown.content
        assert shown["Referrer-Policy"] == "strict-origin"
        assert "no-cache" in shown["Cache-Control"]
    link.refresh_from_db()
    assert link.used_at is None and signed_in_user_id(client) is None

    used = client.post("/accounts/link/sign-in/", {"token": token})
    assert used.status_code == 302 and used["Location"] == "/me/checkin/"
    assert signed_in_user_id(client) == str(user.pk)
    assert client.session.session_key != session_before  # the session was rotated
    link.refresh_from_db()
    assert link.used_at is not None
    assert client.get("/me/checkin/").status_code == 200

    row = AccessLog.objects.get(object_type="sign_in_link")
    assert row.user_public_id == user.public_id and row.action == "sign_in"
    assert row.outcome == "granted" and row.object_id == str(link.public_id)


# --- whose account the link is for -------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("patient@example.org", "p•••t@example.org"),
        ("ab@example.org", "a•••@example.org"),
        ("a@example.org", "a•••@example.org"),
        ("first.last@mail.example.co.uk", "f•••t@mail.example.co.uk"),
        ("", "•••"),
    ],
)
def test_addresses_are_masked(email, masked):
    assert masked_email(email) == masked


def test_the_page_names_the_account_masked_and_uses_nothing_up(client, patient):
    link = do_issue_sign_in_link(user=patient.user)
    shown = client.get(f"/accounts/link/{link.token}/")
    assert shown.status_code == 200
    text = main_text(shown)
    assert "p•••t@example.org" in text
    assert patient.user.email not in text
    assert "signed in as" not in text and "switch" not in text
    link.refresh_from_db()
    assert link.used_at is None and signed_in_user_id(client) is None


def test_someone_signed_in_is_told_the_link_switches_account(client, patient, caregiver_user):
    """An attacker sends their own link: the victim, signed in, is warned before pressing."""
    attackers_link = do_issue_sign_in_link(user=caregiver_user)
    client.force_login(patient.user)
    shown = client.get(f"/accounts/link/{attackers_link.token}/")
    assert shown.status_code == 200
    text = main_text(shown)
    assert (
        "You are signed in as <strong>patient@example.org</strong>; signing in with this "
        "link will switch to <strong>c•••r@example.org</strong>."
    ) in text
    assert caregiver_user.email not in text
    attackers_link.refresh_from_db()
    assert attackers_link.used_at is None
    assert signed_in_user_id(client) == str(patient.user.pk)

    # The owner's own link, while signed in: no warning.
    own = do_issue_sign_in_link(user=patient.user)
    text = main_text(client.get(f"/accounts/link/{own.token}/"))
    assert "will switch" not in text and "already signed in as this account" in text

    # Pressing the button anyway does what the page said.
    client.post("/accounts/link/sign-in/", {"token": attackers_link.token})
    assert signed_in_user_id(client) == str(caregiver_user.pk)


@pytest.mark.parametrize("state", ["used", "expired", "tampered"])
def test_a_link_that_cannot_sign_in_names_no_account(client, patient, state):
    link = do_issue_sign_in_link(
        user=patient.user,
        now=timezone.now() - timedelta(minutes=31) if state == "expired" else None,
    )
    token = tampered(link.token) if state == "tampered" else link.token
    if state == "used":
        do_consume_sign_in_link(token=link.token)
    client.force_login(UserFactory(role=Role.PATIENT, site=None, email="someone@example.org"))
    shown = client.get(f"/accounts/link/{token}/")
    assert shown.status_code == (400 if state == "tampered" else 410)
    text = main_text(shown)
    assert "cannot sign you in" in text
    assert "•" not in text and "will switch" not in text and ">Sign in</button>" not in text


def test_posting_to_the_link_itself_also_signs_in(client, patient):
    link = do_issue_sign_in_link(user=patient.user)
    response = client.post(f"/accounts/link/{link.token}/")
    assert response.status_code == 302 and response["Location"] == DEFAULT_NEXT_PATH
    assert signed_in_user_id(client) == str(patient.user.pk)


def test_a_second_use_is_refused_with_410_and_signs_nobody_in(client, patient):
    link = do_issue_sign_in_link(user=patient.user)
    assert client.post("/accounts/link/sign-in/", {"token": link.token}).status_code == 302

    other = Client()
    again = other.post("/accounts/link/sign-in/", {"token": link.token})
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert b'href="/accounts/link/"' in again.content  # a way to ask for a new one
    assert signed_in_user_id(other) is None
    # Opening it again says so at once.
    shown = other.get(f"/accounts/link/{link.token}/")
    assert shown.status_code == 410 and b"already been used" in shown.content
    assert b">Sign in</button>" not in shown.content
    refused = AccessLog.objects.get(object_type="sign_in_link", outcome="denied")
    assert refused.user_public_id == patient.user.public_id
    assert "used" in refused.purpose


def test_a_link_past_its_time_is_refused_with_410(client, patient):
    # Issued (and signed) 31 minutes ago: both the signature and the row have expired.
    old = do_issue_sign_in_link(user=patient.user, now=timezone.now() - timedelta(minutes=31))
    response = client.post("/accounts/link/sign-in/", {"token": old.token})
    assert response.status_code == 410
    assert b"expired" in response.content
    assert signed_in_user_id(client) is None
    assert client.get(f"/accounts/link/{old.token}/").status_code == 410
    old.refresh_from_db()
    assert old.used_at is None


def test_the_row_expiry_holds_even_when_the_signature_is_still_young(patient):
    link = do_issue_sign_in_link(user=patient.user)
    with pytest.raises(SignInLinkRefused) as refused:
        do_consume_sign_in_link(token=link.token, now=timezone.now() + timedelta(minutes=31))
    assert refused.value.status == 410 and refused.value.reason == "expired"
    link.refresh_from_db()
    assert link.used_at is None
    assert do_consume_sign_in_link(token=link.token).used_at is not None


def test_the_lifetime_is_a_setting(settings, patient):
    settings.SPINEPATH = {**settings.SPINEPATH, "SIGN_IN_LINK_MINUTES": 5}
    fresh = do_issue_sign_in_link(user=patient.user)
    assert fresh.expires_at - fresh.created_at == timedelta(minutes=5)
    six_minutes_old = do_issue_sign_in_link(
        user=patient.user, now=timezone.now() - timedelta(minutes=6)
    )
    with pytest.raises(SignInLinkRefused, match="expired"):
        do_consume_sign_in_link(token=six_minutes_old.token)


def tampered(token: str) -> str:
    value, stamp, signature = token.rsplit(":", 2)
    flipped = "A" if signature[5] != "A" else "B"
    return f"{value}:{stamp}:{signature[:5]}{flipped}{signature[6:]}"


@pytest.mark.parametrize(
    "make_bad",
    [
        tampered,
        lambda t: t[:-3],  # copied incompletely
        lambda t: "x" + t,  # another value under the same signature
        lambda t: "not-a-token",
        lambda t: "a" * 500,
    ],
)
def test_a_tampered_link_is_refused_with_400(client, patient, make_bad):
    link = do_issue_sign_in_link(user=patient.user)
    bad = make_bad(link.token)
    assert client.get(f"/accounts/link/{bad}/").status_code == 400
    response = client.post("/accounts/link/sign-in/", {"token": bad})
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert signed_in_user_id(client) is None
    link.refresh_from_db()
    assert link.used_at is None


def test_a_well_signed_token_that_was_never_issued_is_refused_with_400(client, patient):
    forged = signing.TimestampSigner(salt=SALT).sign("never-issued")
    assert client.post("/accounts/link/sign-in/", {"token": forged}).status_code == 400
    assert client.post("/accounts/link/sign-in/", {}).status_code == 400
    assert signed_in_user_id(client) is None


def test_a_token_signed_for_something_else_is_refused(client, patient):
    other_purpose = signing.TimestampSigner(salt="spinepath.screen").sign("x")
    assert client.post("/accounts/link/sign-in/", {"token": other_purpose}).status_code == 400


# --- who may have a link --------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.NURSE, Role.SURGEON, Role.COORDINATOR, Role.ADMIN, Role.ANALYST]
)
def test_staff_are_refused_a_link(client, site, role):
    staff = UserFactory(role=role, site=site, email=f"{role}@clinic.example.org")
    with pytest.raises(ActionError, match="password") as refused:
        do_issue_sign_in_link(user=staff)
    assert refused.value.status == 403
    # Through the page: the same answer as anyone else, and nothing sent.
    response = ask_for_link(client, staff.email)
    assert response.status_code == 200 and b"Check your e-mail" in response.content
    assert not Notification.objects.exists() and not SignInLink.objects.exists()


def test_a_link_of_someone_who_became_staff_is_refused(client, patient, site):
    link = do_issue_sign_in_link(user=patient.user)
    type(patient.user).objects.filter(pk=patient.user.pk).update(role=Role.NURSE, site=site)
    response = client.post("/accounts/link/sign-in/", {"token": link.token})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_inactive_users_are_refused(client, patient):
    user = patient.user
    link = do_issue_sign_in_link(user=user)
    user.is_active = False
    user.save()
    with pytest.raises(ActionError, match="not active"):
        do_issue_sign_in_link(user=user)
    response = client.post("/accounts/link/sign-in/", {"token": link.token})
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    link.refresh_from_db()
    assert link.used_at is None
    Notification.objects.all().delete()
    assert b"Check your e-mail" in ask_for_link(client, user.email).content
    assert not Notification.objects.exists()


def test_a_caregiver_can_have_a_link_by_email(client, caregiver_user):
    response = ask_for_link(client, caregiver_user.email)
    assert response.status_code == 200
    token = token_in(Notification.objects.get(recipient=caregiver_user))
    assert client.post("/accounts/link/sign-in/", {"token": token})["Location"] == "/me/checkin/"
    assert signed_in_user_id(client) == str(caregiver_user.pk)


# --- no account enumeration, rate limits ------------------------------------------------------


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_queued(client, patient):
    known = ask_for_link(client, patient.user.email)
    Notification.objects.all().delete()
    SignInLink.objects.all().delete()
    unknown = ask_for_link(client, "nobody@example.org")
    assert unknown.status_code == known.status_code == 200
    assert main_text(unknown) == main_text(known)
    assert not Notification.objects.exists() and not SignInLink.objects.exists()

    known_sms = ask_for_link(client, patient.user.email, "sms")  # the patient has no phone
    unknown_sms = ask_for_link(client, "nobody@example.org", "sms")
    assert main_text(known_sms) == main_text(unknown_sms)
    assert b"Check your phone" in known_sms.content
    assert not Notification.objects.exists()


def test_requests_per_address_are_limited(client, patient):
    for n in range(LINKS_PER_ADDRESS_PER_HOUR):
        response = client.post(
            "/accounts/link/", {"email": patient.user.email}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 200
    throttled = client.post(
        "/accounts/link/", {"email": patient.user.email}, REMOTE_ADDR="10.1.1.1"
    )
    assert throttled.status_code == 429
    assert b"Too many requests" in throttled.content
    assert Notification.objects.count() == LINKS_PER_ADDRESS_PER_HOUR
    # An unknown address is limited in exactly the same way.
    for n in range(LINKS_PER_ADDRESS_PER_HOUR):
        client.post("/accounts/link/", {"email": "nobody@example.org"}, REMOTE_ADDR=f"10.2.0.{n}")
    assert (
        client.post("/accounts/link/", {"email": "nobody@example.org"}, REMOTE_ADDR="10.3.0.1")
    ).status_code == 429


def test_requests_per_client_address_are_limited(client, patient):
    for n in range(LINK_REQUESTS_PER_CLIENT_PER_HOUR):
        assert ask_for_link(client, f"someone{n}@example.org").status_code == 200
    throttled = ask_for_link(client, patient.user.email)
    assert throttled.status_code == 429
    assert not Notification.objects.exists()
    # Another client is not held up.
    other = client.post("/accounts/link/", {"email": patient.user.email}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, b"valid email"),
        ({"email": ""}, b"required"),
        ({"email": "patient@example.org", "channel": "pigeon"}, b"Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_400_and_changes_nothing(client, patient, data, message):
    response = client.post("/accounts/link/", data)
    assert response.status_code == 400
    assert message in response.content
    assert not Notification.objects.exists()


def test_the_request_needs_a_csrf_token(patient):
    strict = Client(enforce_csrf_checks=True)
    assert ask_for_link(strict, patient.user.email).status_code == 403
    assert not Notification.objects.exists()


def test_using_a_link_needs_a_csrf_token(patient):
    link = do_issue_sign_in_link(user=patient.user)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/link/sign-in/", {"token": link.token}).status_code == 403
    link.refresh_from_db()
    assert link.used_at is None
    # With the token from the page, it works.
    page = strict.get(f"/accounts/link/{link.token}/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    response = strict.post(
        "/accounts/link/sign-in/", {"token": link.token, "csrfmiddlewaretoken": csrf.decode()}
    )
    assert response.status_code == 302


# --- where a link leads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/me/", "/me/"),
        ("/me/checkin/", "/me/checkin/"),
        ("/me/questionnaires/odi/", "/me/questionnaires/odi/"),
        ("/me/plan", "/me/plan"),
        ("", DEFAULT_NEXT_PATH),
        (None, DEFAULT_NEXT_PATH),
        ("/clinic/", DEFAULT_NEXT_PATH),
        ("/me", DEFAULT_NEXT_PATH),
        ("//evil.example/me/", DEFAULT_NEXT_PATH),
        ("https://evil.example/me/", DEFAULT_NEXT_PATH),
        ("/me/../clinic/", DEFAULT_NEXT_PATH),
        ("/me//evil.example/", DEFAULT_NEXT_PATH),
        ("/me/checkin/?next=//evil", DEFAULT_NEXT_PATH),
        ("/me/\\evil", DEFAULT_NEXT_PATH),
        ("/me/" + "a" * 300, DEFAULT_NEXT_PATH),
    ],
)
def test_next_paths_stay_under_me(asked, kept):
    assert safe_next_path(asked) == kept


def test_the_link_leads_where_it_was_asked_for(client, patient):
    ask_for_link(client, patient.user.email, next="/me/")
    ask_for_link(client, patient.user.email, next="https://evil.example/")
    first, second = Notification.objects.order_by("id")
    assert [link.next_path for link in SignInLink.objects.order_by("id")] == [
        "/me/",
        "/me/checkin/",
    ]
    assert client.post(f"/accounts/link/{token_in(first)}/")["Location"] == "/me/"
    assert Client().post(f"/accounts/link/{token_in(second)}/")["Location"] == "/me/checkin/"


def test_the_request_page_carries_a_safe_next(client):
    assert b'value="/me/"' in client.get("/accounts/link/?next=/me/").content
    page = client.get("/accounts/link/?next=https://evil.example/")
    assert b"evil.example" not in page.content


# --- by text message --------------------------------------------------------------------------


def test_a_patient_with_a_mobile_number_can_have_the_link_by_text(client, patient, settings):
    patient.phone = "+44 7700-900 123"
    patient.save()
    response = ask_for_link(client, patient.user.email, "sms")
    assert response.status_code == 200 and b"Check your phone" in response.content
    note = Notification.objects.get()
    assert note.channel == "sms" and note.address == "+447700900123"
    assert SignInLink.objects.get().channel == "sms"
    assert settings.SPINEPATH["BASE_URL"] in note.body and len(note.body) < 200
    assert client.post(f"/accounts/link/{token_in(note)}/").status_code == 302


def test_no_text_without_a_mobile_number(patient, caregiver_user):
    with pytest.raises(ActionError, match="no mobile number"):
        do_issue_sign_in_link(user=patient.user, channel="sms")
    with pytest.raises(ActionError, match="no mobile number"):
        do_issue_sign_in_link(user=caregiver_user, channel="sms")
    patient.phone = "07700 900123"  # no country code: cannot be texted as written
    patient.save()
    with pytest.raises(ActionError, match="country code"):
        do_issue_sign_in_link(user=patient.user, channel="sms")
    with pytest.raises(ActionError, match="e-mail or text"):
        do_issue_sign_in_link(user=patient.user, channel="pigeon")
    assert not Notification.objects.exists() and not SignInLink.objects.exists()


# --- nothing secret in logs -----------------------------------------------------------------


def test_no_token_reaches_a_log(client, patient, caplog):
    from axes.models import AccessLog as AxesAccessLog

    caplog.set_level(logging.DEBUG)
    link = do_issue_sign_in_link(user=patient.user)
    client.get(f"/accounts/link/{link.token}/")
    client.post(f"/accounts/link/{link.token}/")  # success
    client.post(f"/accounts/link/{link.token}/")  # 410
    client.get(f"/accounts/link/{link.token}/")  # 410
    client.get(f"/accounts/link/{tampered(link.token)}/")  # 400
    secret = link.token.rsplit(":", 2)[0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sign-in link" in logged
    assert secret not in logged
    assert not any(secret in row.path_info for row in AxesAccessLog.objects.all())
    assert AxesAccessLog.objects.filter(username=patient.user.email).exists()


def test_the_login_page_offers_a_link(client):
    assert b'href="/accounts/link/"' in client.get("/accounts/login/").content


# --- two clicks at once sign in once ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_uses_sign_in_once(patient):
    """The second click arrives while the first one's transaction is still open: it
    waits for the row lock and then finds the link used."""
    link = do_issue_sign_in_link(user=patient.user)
    first_has_it = threading.Event()
    outcomes: dict[str, str] = {}

    def use(name: str, hold: bool) -> None:
        try:
            if not hold:
                first_has_it.wait(5)
            with transaction.atomic():
                do_consume_sign_in_link(token=link.token)
                if hold:
                    first_has_it.set()
                    time.sleep(0.5)  # still inside the transaction that signs in
            outcomes[name] = "signed in"
        except SignInLinkRefused as exc:
            outcomes[name] = exc.reason
        finally:
            first_has_it.set()
            connection.close()

    threads = [
        threading.Thread(target=use, args=("first", True)),
        threading.Thread(target=use, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"first": "signed in", "second": "used"}


def test_long_expired_links_are_purged(patient):
    from spinepath.accounts.sign_in_links import purge_old_sign_in_links

    now = timezone.now()
    do_issue_sign_in_link(user=patient.user, now=now - timedelta(days=31))
    recent = do_issue_sign_in_link(user=patient.user, now=now - timedelta(days=2))
    fresh = do_issue_sign_in_link(user=patient.user)
    assert purge_old_sign_in_links() == 1
    assert set(SignInLink.objects.values_list("pk", flat=True)) == {recent.pk, fresh.pk}


def test_no_text_me_button_where_sms_is_not_configured(client, settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "SMS_BACKEND": "spinepath.sms.DisabledSmsBackend"}
    assert "Text me a sign-in link" not in client.get("/accounts/link/").content.decode()
    settings.SPINEPATH = {**settings.SPINEPATH, "SMS_BACKEND": "spinepath.sms.ConsoleSmsBackend"}
    assert "Text me a sign-in link" in client.get("/accounts/link/").content.decode()
