"""What the background worker runs on every tick, gathered from the apps that own the work."""

from __future__ import annotations

from collections.abc import Callable

from spinepath.accounts.sign_in_links import purge_old_sign_in_links
from spinepath.intake.ratelimit import purge_old_hits
from spinepath.outcomes.tasks import close_missed_follow_ups, send_follow_up_reminders
from spinepath.recovery.escalation import escalate_overdue_alerts
from spinepath.recovery.monitoring import flag_silent_patients
from spinepath.recovery.reminders import queue_checkin_reminders
from spinepath.recovery.review import review_recovery_course
from spinepath.recovery.tasks import send_due_notifications

TICK_TASKS: tuple[Callable[[], int], ...] = (
    flag_silent_patients,
    review_recovery_course,
    queue_checkin_reminders,
    escalate_overdue_alerts,
    close_missed_follow_ups,
    send_follow_up_reminders,
    send_due_notifications,
    purge_old_hits,
    purge_old_sign_in_links,
)
