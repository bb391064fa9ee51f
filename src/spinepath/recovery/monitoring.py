"""Watching monitored patients who have gone quiet."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from spinepath.clinical.triage import silent_patient
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.actions import raise_alert
from spinepath.recovery.models import Alert, AlertStatus, Monitoring
from spinepath.recovery.programme import triage_settings

log = logging.getLogger(__name__)


def flag_silent_patients(*, now: datetime | None = None) -> int:
    """Raise one alert per monitored patient with no check-in for too long."""
    now = now or timezone.now()
    raised = 0
    # Only during the daily-check-in weeks after discharge (SPINEPATH["MONITORING_DAYS"]).
    since_enrolled = now - timedelta(days=settings.SPINEPATH["MONITORING_DAYS"])
    monitored = (
        Monitoring.objects.filter(
            active=True, episode__stage=Stage.RECOVERY, enrolled_at__gte=since_enrolled
        )
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
        proposal = silent_patient((now - since).total_seconds() / 3600, triage_settings())
        if proposal is None:
            continue
        try:
            with transaction.atomic():
                episode = Episode.objects.select_for_update().get(pk=monitoring.episode_id)
                raise_alert(episode, None, proposal)
        except Exception:
            log.exception("silent-patient alert for monitoring %s failed", monitoring.pk)
            continue
        raised += 1
    return raised
