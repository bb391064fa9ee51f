"""What the background worker runs on every tick, gathered from the apps that own the work."""

from __future__ import annotations

from collections.abc import Callable

from spinepath.intake.ratelimit import purge_old_hits
from spinepath.recovery.escalation import escalate_overdue_alerts
from spinepath.recovery.monitoring import flag_silent_patients
from spinepath.recovery.tasks import send_due_notifications

TICK_TASKS: tuple[Callable[[], int], ...] = (
    flag_silent_patients,
    escalate_overdue_alerts,
    send_due_notifications,
    purge_old_hits,
)
