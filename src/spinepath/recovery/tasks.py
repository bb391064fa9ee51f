"""Work the background worker does on each tick.

Messages are rows in the outbox (Notification). Each tick claims a batch of
due rows, sends them and records the attempt. On PostgreSQL the claim uses
SELECT … FOR UPDATE SKIP LOCKED, so several workers never take the same row;
SQLite serialises writers (IMMEDIATE transactions), which gives the same
guarantee on one machine.
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
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    )


def send_due_notifications(*, now: datetime | None = None, batch: int = 50) -> int:
    """Send what is due; return how many were sent."""
    now = now or timezone.now()
    max_attempts = settings.SPINEPATH["NOTIFICATION_MAX_ATTEMPTS"]
    sent = 0
    with transaction.atomic():
        due = (
            Notification.objects.select_related("recipient")
            .filter(status=NotificationStatus.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due[:batch])
        if not claimed:
            return 0
        mail = get_connection(fail_silently=False)
        try:
            for note in claimed:
                note.attempts += 1
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
                    note.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    if note.attempts >= max_attempts:
                        note.status = NotificationStatus.FAILED
                    else:
                        note.due_at = now + backoff(note.attempts)
                    log.warning(
                        "notification %s attempt %s failed: %s",
                        note.pk,
                        note.attempts,
                        type(exc).__name__,
                    )
                else:
                    note.status = NotificationStatus.SENT
                    note.sent_at = timezone.now()
                    note.last_error = ""
                    sent += 1
                note.save(update_fields=["attempts", "status", "due_at", "sent_at", "last_error"])
        finally:
            mail.close()
    return sent


# The worker runs each of these on every tick.
TICK_TASKS = (send_due_notifications,)
