"""The daily course review of monitored patients: a physiotherapy start that is late,
and opioids still taken 90 days after surgery. Each rule alerts once per episode."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from spinepath.clinical.triage import ProposedAlert, missed_physio, persistent_opioid_use
from spinepath.outcomes.followup import zone
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.actions import raise_alert
from spinepath.recovery.course import opioid_history, planned_milestones, surgery_date
from spinepath.recovery.models import Alert, MilestoneRecord, Monitoring
from spinepath.recovery.programme import triage_settings

log = logging.getLogger(__name__)
ONCE_PER_EPISODE = ("TR-PHYSIO-MISSED", "TR-OPIOID-PERSISTENT")


def _proposals(episode: Episode, day: int) -> list[ProposedAlert]:
    programme = triage_settings()
    proposals = []
    physio = next((m for m in planned_milestones(episode) if m.id == "physio_start"), None)
    if physio is not None:
        started = MilestoneRecord.objects.filter(
            episode=episode, milestone_id="physio_start"
        ).exists()
        late = missed_physio(physio.by_day, day, started, programme)
        if late is not None:
            proposals.append(late)
    if day >= programme.persistent_opioid_from_day:
        persistent = persistent_opioid_use(opioid_history(episode), programme)
        if persistent is not None:
            proposals.append(persistent)
    return proposals


def review_recovery_course(*, now: datetime | None = None) -> int:
    """Run once a day per monitored episode (site-local day); return alerts raised."""
    now = now or timezone.now()
    raised = 0
    monitored = Monitoring.objects.filter(
        active=True, episode__stage=Stage.RECOVERY
    ).select_related("episode__patient__site", "episode__surgical_case__plan")
    for monitoring in monitored:
        try:
            raised += _review(monitoring, now)
        except Exception:
            # One patient's bad data must not stop the review of everyone else.
            log.exception("course review of monitoring %s failed", monitoring.pk)
    return raised


def _review(monitoring: Monitoring, now: datetime) -> int:
    episode = monitoring.episode
    today = now.astimezone(zone(episode.patient.site.time_zone)).date()
    if monitoring.course_reviewed_on == today:
        return 0
    operated = surgery_date(episode)
    proposals = _proposals(episode, (today - operated).days) if operated else []
    raised = 0
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        seen = set(
            Alert.objects.filter(episode=locked, rule_id__in=ONCE_PER_EPISODE).values_list(
                "rule_id", flat=True
            )
        )
        for proposal in proposals:
            if proposal.rule_id not in seen:
                raise_alert(locked, None, proposal)
                raised += 1
        Monitoring.objects.filter(pk=monitoring.pk).update(course_reviewed_on=today)
    return raised
