"""The outbox worker against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.utils import timezone

from spinepath.recovery.models import Notification, NotificationStatus
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
