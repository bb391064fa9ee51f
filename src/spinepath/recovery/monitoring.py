"""Watching monitored patients who have gone quiet."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from spinepath.clinical.triage import silent_patient
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.actions import raise_alert
from spinepath.recovery.models import Alert, AlertStatus, Monitoring


def flag_silent_patients(*, now: datetime | None = None) -> int:
    """Raise one alert per monitored patient with no check-in for too long."""
    now = now or timezone.now()
    raised = 0
    monitored = (
        Monitoring.objects.filter(active=True, episode__stage=Stage.RECOVERY)
        .annotate(last_checkin=Max("episode__checkins__submitted_at"))
        .select_related("episode__patient")
    )
    already = set(
        Alert.objects.filter(
            rule_id="TR-SILENT", status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        ).values_list("episode_id", flat=True)
    )
    for monitoring in monitored:
        if monitoring.episode_id in already:
            continue
        # Counting starts when the first check-in was due, not at discharge.
        since = monitoring.last_checkin or monitoring.first_checkin_due
        proposal = silent_patient((now - since).total_seconds() / 3600)
        if proposal is None:
            continue
        with transaction.atomic():
            episode = Episode.objects.select_for_update().get(pk=monitoring.episode_id)
            raise_alert(episode, None, proposal)
        raised += 1
    return raised
