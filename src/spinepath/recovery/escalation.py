"""Unacknowledged alerts go up the care team's escalation order, one SLA period at a time.

The first line (lowest escalation order) is told when the alert is raised
(recovery.actions). If nobody acknowledges it within the severity's SLA
(settings SPINEPATH["ALERT_SLA_MINUTES"], configurable defaults), the next
level is told, and so on until the last level. Acknowledging stops it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import CareTeamMembership
from spinepath.recovery.alert_messages import queue_alert_messages
from spinepath.recovery.models import Alert, AlertStatus


def sla(alert: Alert) -> timedelta:
    return timedelta(minutes=settings.SPINEPATH["ALERT_SLA_MINUTES"][alert.severity])


def due_by(alert: Alert) -> datetime:
    """When the current level's time to acknowledge runs out."""
    return (alert.escalated_at or alert.raised_at) + sla(alert)


def escalate_overdue_alerts(*, now: datetime | None = None) -> int:
    """Tell the next level about every overdue open alert; return how many escalated."""
    now = now or timezone.now()
    escalated = 0
    shortest = min(settings.SPINEPATH["ALERT_SLA_MINUTES"].values())
    candidates = Alert.objects.filter(
        status=AlertStatus.OPEN,
        episode__care_team__isnull=False,
        raised_at__lte=now - timedelta(minutes=shortest),
    ).select_related("episode")
    for alert in candidates:
        if due_by(alert) > now:
            continue
        with transaction.atomic():
            locked = Alert.objects.select_for_update().get(pk=alert.pk)
            if locked.status != AlertStatus.OPEN or due_by(locked) > now:
                continue
            members = list(
                CareTeamMembership.objects.filter(
                    team_id=alert.episode.care_team_id,
                    user__is_active=True,
                    escalation_order__gt=locked.escalation_level,
                )
                .select_related("user")
                .order_by("escalation_order", "id")
            )
            if not members:
                continue  # the last level already knows
            level = members[0].escalation_order
            for member in (m for m in members if m.escalation_order == level):
                queue_alert_messages(
                    locked,
                    member.user,
                    event=f"escalated:{level}",
                    kind="alert_escalation",
                    subject=(
                        f"spinepath: {locked.get_severity_display().lower()} alert "
                        "not yet acknowledged"
                    ),
                    text=(
                        f"An alert ({locked.rule_id}) has not been acknowledged in time and "
                        "is escalated to you."
                    ),
                )
            locked.escalation_level = level
            locked.escalated_at = now
            locked.save(update_fields=["escalation_level", "escalated_at"])
            escalated += 1
    return escalated
