"""The outbox worker against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.utils import timezone

from spinepath.recovery.models import Notification, NotificationAttempt, NotificationStatus
from spinepath.recovery.tasks import backoff, send_due_notifications

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@pytest.fixture(autouse=True)
def real_smtp_backend(settings):
    # The Django test environment swaps in the in-memory backend; these tests talk SMTP.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    controller.start()
    yield inbox, controller
    controller.stop()


def queue(nurse, key: str = "k1") -> Notification:
    return Notification.objects.create(
        recipient=nurse,
        subject="spinepath: new Urgent alert",
        body="Open the worklist",
        kind="alert",
        dedupe_key=key,
    )


def test_due_messages_are_delivered_once(smtp, nurse):
    inbox, _ = smtp
    note = queue(nurse)
    assert send_due_notifications() == 1
    assert send_due_notifications() == 0
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == nurse.email
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and note.attempts == 1


def test_server_down_then_back_loses_nothing_and_sends_nothing_twice(settings, nurse):
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    note = queue(nurse)
    start = timezone.now()
    assert send_due_notifications(now=start) == 0  # nobody listens on the port
    note.refresh_from_db()
    assert note.status == NotificationStatus.PENDING
    assert note.attempts == 1 and note.last_error
    assert note.due_at == start + backoff(1)
    # Not due again before its backoff.
    assert send_due_notifications(now=start + timedelta(seconds=1)) == 0
    note.refresh_from_db()
    assert note.attempts == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_due_notifications(now=start + backoff(1)) == 1
        assert send_due_notifications(now=start + timedelta(hours=2)) == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and note.attempts == 2 and note.last_error == ""


def test_gives_up_after_the_maximum_attempts(settings, nurse):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.SPINEPATH = {**settings.SPINEPATH, "NOTIFICATION_MAX_ATTEMPTS": 2}
    note = queue(nurse)
    now = timezone.now()
    send_due_notifications(now=now)
    send_due_notifications(now=now + timedelta(days=1))
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and note.attempts == 2


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50).total_seconds() == 3600


class TransactionSpyBackend:
    """An e-mail backend that records whether a database transaction was open while sending."""

    seen: list[bool] = []

    def __init__(self, **kwargs) -> None:
        pass

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages) -> int:
        from django.db import connection

        TransactionSpyBackend.seen.append(connection.in_atomic_block)
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_talking_to_the_mail_server(settings, nurse):
    settings.EMAIL_BACKEND = "tests.recovery.test_worker.TransactionSpyBackend"
    TransactionSpyBackend.seen = []
    queue(nurse, "a")
    queue(nurse, "b")
    assert send_due_notifications() == 2
    assert TransactionSpyBackend.seen == [False, False]


# --- every attempt is recorded; SMS through the webhook backend ------------------------------


def attempts_of(note: Notification) -> list[NotificationAttempt]:
    return list(NotificationAttempt.objects.filter(notification=note).order_by("number"))


def test_every_attempt_is_recorded_down_down_then_delivered(settings, nurse):
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    note = queue(nurse)
    start = timezone.now()
    assert send_due_notifications(now=start) == 0
    assert send_due_notifications(now=start + backoff(1)) == 0
    failed = attempts_of(note)
    assert [(a.number, a.succeeded) for a in failed] == [(1, False), (2, False)]
    assert all("ConnectionRefusedError" in a.error for a in failed)
    assert all(a.attempted_at is not None and a.duration_ms >= 0 for a in failed)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = start + backoff(1) + backoff(2)
        assert send_due_notifications(now=later) == 1
        assert send_due_notifications(now=later + timedelta(hours=2)) == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    rows = attempts_of(note)
    assert [(a.number, a.succeeded, a.error) for a in rows][2:] == [(3, True, "")]
    assert sum(a.succeeded for a in rows) == 1
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and note.attempts == 3


def test_the_attempt_and_the_outcome_are_recorded_together(smtp, nurse):
    note = queue(nurse)
    send_due_notifications()
    note.refresh_from_db()
    [attempt] = attempts_of(note)
    assert attempt.succeeded and attempt.number == note.attempts == 1
    assert attempt.attempted_at <= note.sent_at


def test_an_address_on_the_message_wins_over_the_recipients(smtp, nurse):
    inbox, _ = smtp
    note = queue(nurse)
    note.address = "ward-phone@example.org"
    note.save()
    assert send_due_notifications() == 1
    assert inbox.messages[0]["To"] == "ward-phone@example.org"


def test_an_unknown_channel_fails_that_message_and_the_batch_goes_on(smtp, nurse):
    inbox, _ = smtp
    pigeon = queue(nurse, "pigeon")
    pigeon.channel = "pigeon"
    pigeon.save()
    mail = queue(nurse, "mail")
    assert send_due_notifications() == 1
    assert len(inbox.messages) == 1
    pigeon.refresh_from_db()
    assert pigeon.status == NotificationStatus.FAILED and pigeon.attempts == 1
    assert "pigeon" in pigeon.last_error
    [attempt] = attempts_of(pigeon)
    assert not attempt.succeeded and "pigeon" in attempt.error
    mail.refresh_from_db()
    assert mail.status == NotificationStatus.SENT


def queue_sms(user, key: str = "s1", address: str = "+44 7700 900123") -> Notification:
    return Notification.objects.create(
        recipient=user,
        channel="sms",
        address=address,
        subject="spinepath",
        body="spinepath: please do your check-in",
        kind="checkin_reminder",
        dedupe_key=key,
    )


@pytest.fixture
def webhook_sms(settings, sms_gateway):
    settings.SPINEPATH = {
        **settings.SPINEPATH,
        "SMS_BACKEND": "spinepath.sms.WebhookSmsBackend",
        "SMS_WEBHOOK_URL": sms_gateway.url,
    }
    return sms_gateway


def test_an_sms_goes_through_the_webhook_backend(webhook_sms, patient_user):
    note = queue_sms(patient_user)
    assert send_due_notifications() == 1
    assert webhook_sms.bodies() == [
        {"to": "+447700900123", "body": "spinepath: please do your check-in"}
    ]
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT
    assert [(a.number, a.succeeded) for a in attempts_of(note)] == [(1, True)]


def test_a_failing_sms_gateway_is_retried_and_every_try_recorded(webhook_sms, patient_user):
    webhook_sms.status = 503
    note = queue_sms(patient_user)
    start = timezone.now()
    assert send_due_notifications(now=start) == 0
    note.refresh_from_db()
    assert note.status == NotificationStatus.PENDING and "HTTP 503" in note.last_error
    assert note.due_at == start + backoff(1)
    webhook_sms.status = 200
    assert send_due_notifications(now=start + backoff(1)) == 1
    assert [(a.number, a.succeeded) for a in attempts_of(note)] == [(1, False), (2, True)]
    assert "HTTP 503" in attempts_of(note)[0].error
    assert len(webhook_sms.requests) == 2  # one refused, one accepted


@pytest.mark.parametrize("address", ["", "07700 900123"])
def test_an_sms_without_a_usable_number_fails_at_once(webhook_sms, patient_user, address):
    note = queue_sms(patient_user, address=address)
    assert send_due_notifications() == 0
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and "phone number" in note.last_error
    assert webhook_sms.requests == []
    assert len(attempts_of(note)) == 1


def test_a_sign_in_link_is_removed_from_the_outbox_once_sent(smtp, patient_user):
    inbox, _ = smtp
    note = Notification.objects.create(
        recipient=patient_user,
        subject="spinepath: your sign-in link",
        body="https://spinepath.example/accounts/link/secret-token/",
        kind="sign_in_link",
        dedupe_key="sign-in-link:x",
    )
    assert send_due_notifications() == 1
    assert "secret-token" in inbox.messages[0].get_payload()
    note.refresh_from_db()
    assert "secret-token" not in note.body


def queue_sign_in_link(user, key: str = "sign-in-link:x") -> Notification:
    return Notification.objects.create(
        recipient=user,
        subject="spinepath: your sign-in link",
        body="https://spinepath.example/accounts/link/secret-token/",
        kind="sign_in_link",
        dedupe_key=key,
    )


def test_a_sign_in_link_delayed_past_its_lifetime_is_never_sent(settings, patient_user):
    """The mail server is down for longer than a link lasts: when it is back, the
    expired link is given up, recorded, its text blanked; nothing is sent late."""
    port = free_port()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    note = queue_sign_in_link(patient_user)
    fresh = queue_sign_in_link(patient_user, "sign-in-link:fresh")
    alert = queue(patient_user, "alert")
    start = note.created_at
    assert send_due_notifications(now=start) == 0  # nobody listens on the port
    note.refresh_from_db()
    assert note.status == NotificationStatus.PENDING and "ConnectionRefused" in note.last_error
    assert "secret-token" in note.body  # still to be sent

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # Back up 29 minutes later: the links still work and go out.
        Notification.objects.filter(pk=fresh.pk).update(due_at=start)
        assert send_due_notifications(now=start + timedelta(minutes=29), batch=1) == 1
        fresh.refresh_from_db()
        assert fresh.status == NotificationStatus.SENT
        # 31 minutes: the link in the other message has expired.
        assert send_due_notifications(now=start + timedelta(minutes=31)) == 1  # the alert
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.messages] == [
        "spinepath: your sign-in link",
        "spinepath: new Urgent alert",
    ]
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and note.attempts == 2
    assert "expired before it could be sent" in note.last_error
    assert "secret-token" not in note.body
    assert [(a.number, a.succeeded) for a in attempts_of(note)] == [(1, False), (2, False)]
    assert "expired" in attempts_of(note)[1].error
    alert.refresh_from_db()
    assert alert.status == NotificationStatus.SENT


def test_the_expiry_follows_the_link_lifetime_setting(smtp, settings, patient_user):
    inbox, _ = smtp
    settings.SPINEPATH = {**settings.SPINEPATH, "SIGN_IN_LINK_MINUTES": 5}
    note = queue_sign_in_link(patient_user)
    assert send_due_notifications(now=note.created_at + timedelta(minutes=6)) == 0
    assert inbox.messages == []
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and note.attempts == 1
    # Other kinds are not held to it.
    old_alert = queue(patient_user)
    assert send_due_notifications(now=old_alert.created_at + timedelta(days=1)) == 1


def test_without_an_sms_backend_in_production_texts_fail_at_once(settings, patient_user):
    settings.PRODUCTION = True
    settings.SPINEPATH = {k: v for k, v in settings.SPINEPATH.items() if k != "SMS_BACKEND"}
    note = queue_sms(patient_user)
    assert send_due_notifications() == 0
    note.refresh_from_db()
    assert note.status == NotificationStatus.FAILED and note.attempts == 1
    assert note.last_error == (
        "PermanentSmsError: SMS is not configured (set SPINEPATH_SMS_BACKEND)"
    )
    [attempt] = attempts_of(note)
    assert not attempt.succeeded and "not configured" in attempt.error
    # Not retried later.
    assert send_due_notifications(now=timezone.now() + timedelta(days=1)) == 0
    assert len(attempts_of(note)) == 1


class SmsTransactionSpy:
    seen: list[bool] = []

    def send(self, to: str, body: str) -> None:
        from django.db import connection

        SmsTransactionSpy.seen.append(connection.in_atomic_block)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_talking_to_the_sms_gateway(settings, patient_user):
    settings.SPINEPATH = {
        **settings.SPINEPATH,
        "SMS_BACKEND": "tests.recovery.test_worker.SmsTransactionSpy",
    }
    SmsTransactionSpy.seen = []
    queue_sms(patient_user, "a")
    queue_sms(patient_user, "b")
    assert send_due_notifications() == 2
    assert SmsTransactionSpy.seen == [False, False]
