"""Guards for check-ins and alerts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from spinepath.patients.access import guard, patient_visibility
from spinepath.recovery.models import (
    COMPLICATION_OUTCOMES,
    Alert,
    AlertStatus,
    CheckIn,
    WoundPhoto,
)


def access_checkin(user: Any, checkin_id: object, *, purpose: str) -> CheckIn:
    return guard(
        CheckIn.objects.select_related("episode__patient"),
        checkin_id,
        user,
        purpose=purpose,
        object_type="checkin",
        patient_of=lambda checkin: checkin.episode.patient,
    )


def access_alert(user: Any, alert_id: object, *, purpose: str, action: str = "read") -> Alert:
    return guard(
        Alert.objects.select_related("episode__patient"),
        alert_id,
        user,
        purpose=purpose,
        object_type="alert",
        patient_of=lambda alert: alert.episode.patient,
        action=action,
    )


def access_wound_photo(user: Any, photo_id: object, *, purpose: str) -> WoundPhoto:
    return guard(
        WoundPhoto.objects.select_related("checkin__episode__patient"),
        photo_id,
        user,
        purpose=purpose,
        object_type="wound_photo",
        patient_of=lambda photo: photo.checkin.episode.patient,
    )


def worklist_alerts(user: Any) -> models.QuerySet[Alert]:
    """Open and acknowledged alerts the user may see, most urgent and oldest first."""
    return (
        Alert.objects.filter(patient_visibility(user, "episode__patient__"))
        .filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        .select_related("episode__patient", "acknowledged_by")
        .order_by("severity_rank", "raised_at", "id")
    )


def complications_owed(user: Any, days: int = 30) -> models.QuerySet[Alert]:
    """Alerts resolved as a readmission or an emergency visit whose complication is still to
    be recorded: the prompt at resolution is one redirect, this list keeps it in view."""
    since = timezone.now() - timedelta(days=days)
    return (
        Alert.objects.filter(patient_visibility(user, "episode__patient__"))
        .filter(
            status=AlertStatus.RESOLVED,
            outcome__in=COMPLICATION_OUTCOMES,
            complication__isnull=True,
            resolved_at__gte=since,
        )
        .select_related("episode__patient")
        .order_by("resolved_at")
    )
