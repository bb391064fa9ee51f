"""The messages that tell staff about an alert: always an e-mail, and for urgent alerts a
text message too when the person has a phone number. No patient details in either: the
worklist shows them after sign-in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from spinepath.clinical.triage import Severity
from spinepath.recovery.models import Alert, Notification


def queue_alert_messages(
    alert: Alert, user: Any, *, event: str, kind: str, subject: str, text: str
) -> None:
    """Idempotent per alert, event and person (the dedupe key)."""
    worklist = settings.SPINEPATH["BASE_URL"] + reverse("recovery:worklist")
    body = f"{text} Open the worklist: {worklist}"
    Notification.objects.get_or_create(
        dedupe_key=f"alert:{alert.public_id}:{event}:{user.pk}",
        defaults={"recipient": user, "kind": kind, "subject": subject, "body": body},
    )
    if alert.severity == Severity.URGENT and user.phone:
        Notification.objects.get_or_create(
            dedupe_key=f"alert:{alert.public_id}:{event}:{user.pk}:sms",
            defaults={
                "recipient": user,
                "channel": "sms",
                "address": user.phone,
                "kind": kind,
                "subject": subject,
                "body": f"spinepath: {text} {worklist}",
            },
        )
