"""The worklist's rows, prepared in one pass.

The page lists up to 200 alerts and refreshes every 30 seconds, so each row's
links, local time and age are computed here with plain string work rather
than by per-row URL reversal and date filters in the template (measured in
benchmarks/: the template was most of the page's time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from spinepath.recovery.escalation import due_by
from spinepath.recovery.models import Alert, AlertStatus

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class WorklistRow:
    alert: Alert
    patient_name: str
    episode_url: str
    action_url: str
    detail_url: str
    raised: str
    age: str
    acknowledged_by: str
    due: str
    overdue: bool

    @property
    def open(self) -> bool:
        return self.alert.status == AlertStatus.OPEN


def _age(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def worklist_rows(alerts: list[Alert]) -> list[WorklistRow]:
    episode_url = reverse("patients:episode", args=[_PLACEHOLDER])
    acknowledge_url = reverse("recovery:acknowledge", args=[_PLACEHOLDER])
    detail_url = reverse("recovery:alert", args=[_PLACEHOLDER])
    now = timezone.now()
    zone = timezone.get_current_timezone()
    rows = []
    for alert in alerts:
        alert_id = str(alert.public_id)
        rows.append(
            WorklistRow(
                alert=alert,
                patient_name=alert.episode.patient.display_name,
                episode_url=episode_url.replace(_PLACEHOLDER, str(alert.episode.public_id)),
                action_url=acknowledge_url.replace(_PLACEHOLDER, alert_id),
                detail_url=detail_url.replace(_PLACEHOLDER, alert_id),
                raised=alert.raised_at.astimezone(zone).strftime("%-d %b %H:%M"),
                age=_age(alert.raised_at, now),
                acknowledged_by=str(alert.acknowledged_by) if alert.acknowledged_by else "",
                due=due_by(alert).astimezone(zone).strftime("%H:%M"),
                overdue=alert.status == AlertStatus.OPEN and due_by(alert) <= now,
            )
        )
    return rows
