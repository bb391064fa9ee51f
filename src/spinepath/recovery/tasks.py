"""Work the background worker does on each tick.

Messages are rows in the outbox (Notification). A tick claims a batch of due
rows in one short transaction, leasing them (``due_at`` moves past the send
timeout and the attempt is counted) so that no other worker takes them;
sends them with no transaction open, so a slow or hung mail server never
holds a database lock; and records each outcome in its own short
transaction. On PostgreSQL the claim uses SELECT … FOR UPDATE SKIP LOCKED;
SQLite serialises the claim with its IMMEDIATE write lock.

Delivery is at least once: if the worker dies between sending and recording,
the lease expires and the message is sent again. Nothing is ever lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from spinepath.recovery.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 120 s … capped at an hour."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_CAP_SECONDS))


def _lease() -> timedelta:
    # Longer than one batch can take to send, so a live worker never loses its claim.
    return timedelta(seconds=max(60, settings.EMAIL_TIMEOUT * 10))


def _claim(now: datetime, batch: int) -> list[Notification]:
    with transaction.atomic():
        due = (
            Notification.objects.filter(status=NotificationStatus.PENDING, due_at__lte=now)
            .select_related("recipient")
            .order_by("due_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            # Lock the outbox rows only, not the recipients' user rows.
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due[:batch])
        lease_until = now + _lease()
        for note in claimed:
            note.attempts += 1
            note.due_at = lease_until
        Notification.objects.bulk_update(claimed, ["attempts", "due_at"])
    return claimed


def _record(note: Notification, error: Exception | None, now: datetime) -> None:
    max_attempts = settings.SPINEPATH["NOTIFICATION_MAX_ATTEMPTS"]
    if error is None:
        note.status = NotificationStatus.SENT
        note.sent_at = timezone.now()
        note.last_error = ""
    else:
        note.last_error = f"{type(error).__name__}: {error}"[:500]
        if note.attempts >= max_attempts:
            note.status = NotificationStatus.FAILED
        else:
            note.due_at = now + backoff(note.attempts)
        log.warning(
            "notification %s attempt %s failed: %s", note.pk, note.attempts, type(error).__name__
        )
    with transaction.atomic():
        note.save(update_fields=["status", "sent_at", "last_error", "due_at"])


def send_due_notifications(*, now: datetime | None = None, batch: int = 50) -> int:
    """Send what is due; return how many were sent."""
    now = now or timezone.now()
    claimed = _claim(now, batch)
    if not claimed:
        return 0
    sent = 0
    mail = get_connection(fail_silently=False)
    try:
        for note in claimed:
            error: Exception | None = None
            try:
                if note.channel != "email":
                    raise RuntimeError(f"no backend for channel {note.channel!r}")
                EmailMessage(
                    subject=note.subject,
                    body=note.body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[note.recipient.email],
                    connection=mail,
                ).send()
            except Exception as exc:
                error = exc
            else:
                sent += 1
            _record(note, error, now)
    finally:
        mail.close()
    return sent
