"""Work the background worker does on each tick.

Messages are rows in the outbox (Notification). A tick claims a batch of due
rows in one short transaction, leasing them (``due_at`` moves past the send
timeout and the attempt is counted) so that no other worker takes them;
sends them with no transaction open, so a slow or hung mail server or SMS
gateway never holds a database lock; and records each outcome, with a
NotificationAttempt row for the try, in its own short transaction. On
PostgreSQL the claim uses SELECT … FOR UPDATE SKIP LOCKED; SQLite serialises
the claim with its IMMEDIATE write lock.

Channels: "email" goes over Django's mail connection to ``address`` or, when
that is blank, the recipient's e-mail address at send time; "sms" goes through
``spinepath.sms.get_sms_backend()`` to ``address``. A message that can never be
sent as written (an unknown channel, an SMS without a valid number) fails at
once, recorded; a transport error is retried with backoff up to
NOTIFICATION_MAX_ATTEMPTS. One message's failure never stops the batch. An SMS
backend that cannot send at all (production without one configured) raises
spinepath.sms.PermanentSmsError: failed at once, too.

A sign-in link message that could not go out while its link worked (an SMTP
outage longer than SIGN_IN_LINK_MINUTES) is never sent late: once
``created_at`` + SIGN_IN_LINK_MINUTES has passed it fails, recorded, without
being sent, and its body is blanked as for a sent one. The person asks again.

Delivery is at least once: if the worker dies between sending and recording,
the lease expires and the message is sent again. Nothing is ever lost. (The
attempt that died leaves no NotificationAttempt row; the next one is numbered
by the attempts counter, so the log shows the gap.)
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from spinepath.recovery.models import Notification, NotificationAttempt, NotificationStatus
from spinepath.sms import (
    InvalidPhoneNumber,
    PermanentSmsError,
    SmsBackend,
    get_sms_backend,
    normalise_phone,
)

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 60 * 60

# Kinds whose body holds a secret (a sign-in link): once the message has been sent, or
# given up on, the stored body is replaced so the outbox does not keep a live credential.
REDACT_BODY_AFTER_SENDING = frozenset({"sign_in_link"})
REDACTED_BODY = "(removed after sending: this message carried a one-time sign-in link)"


class PermanentSendError(Exception):
    """Trying again cannot help (unknown channel, no valid address): give up at once."""


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


def _record(
    note: Notification,
    error: Exception | None,
    now: datetime,
    *,
    attempted_at: datetime,
    duration_ms: int,
) -> None:
    max_attempts = settings.SPINEPATH["NOTIFICATION_MAX_ATTEMPTS"]
    fields = ["status", "sent_at", "last_error", "due_at"]
    if error is None:
        note.status = NotificationStatus.SENT
        note.sent_at = timezone.now()
        note.last_error = ""
    else:
        note.last_error = f"{type(error).__name__}: {error}"[:500]
        if isinstance(error, PermanentSendError | PermanentSmsError) or (
            note.attempts >= max_attempts
        ):
            note.status = NotificationStatus.FAILED
        else:
            note.due_at = now + backoff(note.attempts)
        log.warning(
            "notification %s attempt %s failed: %s", note.pk, note.attempts, type(error).__name__
        )
    if note.kind in REDACT_BODY_AFTER_SENDING and note.status != NotificationStatus.PENDING:
        note.body = REDACTED_BODY
        fields.append("body")
    with transaction.atomic():
        note.save(update_fields=fields)
        NotificationAttempt.objects.create(
            notification=note,
            number=note.attempts,
            attempted_at=attempted_at,
            succeeded=error is None,
            error=note.last_error if error is not None else "",
            duration_ms=duration_ms,
        )


def _expired_sign_in_link(note: Notification, now: datetime) -> bool:
    """A sign-in link message whose link no longer works (SIGN_IN_LINK_MINUTES)."""
    if note.kind != "sign_in_link":
        return False
    from spinepath.accounts.sign_in_links import link_minutes

    return bool(note.created_at + timedelta(minutes=link_minutes()) < now)


class _Channels:
    """Opens each transport on first use within a batch and closes what it opened."""

    def __init__(self) -> None:
        self._mail: Any = None
        self._sms: SmsBackend | None = None

    def send(self, note: Notification) -> None:
        if note.channel == "email":
            self._send_email(note)
        elif note.channel == "sms":
            self._send_sms(note)
        else:
            raise PermanentSendError(f"no backend for channel {note.channel!r}")

    def _send_email(self, note: Notification) -> None:
        to = note.address or note.recipient.email
        if not to:
            raise PermanentSendError("no e-mail address for this message")
        if self._mail is None:
            self._mail = get_connection(fail_silently=False)
        EmailMessage(
            subject=note.subject,
            body=note.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            connection=self._mail,
        ).send()

    def _send_sms(self, note: Notification) -> None:
        try:
            to = normalise_phone(note.address)
        except InvalidPhoneNumber as exc:
            raise PermanentSendError(f"no valid phone number for this SMS: {exc}") from None
        if self._sms is None:
            self._sms = get_sms_backend()
        self._sms.send(to, note.body)

    def close(self) -> None:
        if self._mail is not None:
            self._mail.close()


def send_due_notifications(*, now: datetime | None = None, batch: int = 50) -> int:
    """Send what is due; return how many were sent."""
    now = now or timezone.now()
    claimed = _claim(now, batch)
    if not claimed:
        return 0
    sent = 0
    channels = _Channels()
    try:
        for note in claimed:
            error: Exception | None = None
            attempted_at = timezone.now()
            started = time.monotonic()
            try:
                # The tick's ``now``, or the clock if sending the batch took longer.
                if _expired_sign_in_link(note, max(now, attempted_at)):
                    raise PermanentSendError("the sign-in link expired before it could be sent")
                channels.send(note)
            except Exception as exc:
                error = exc
            else:
                sent += 1
            duration_ms = round((time.monotonic() - started) * 1000)
            _record(note, error, now, attempted_at=attempted_at, duration_ms=duration_ms)
    finally:
        channels.close()
    return sent
