"""Discharge starts home recovery: monitoring, follow-up questionnaires, the first check-in.

Called by surgery.actions.do_discharge inside its transaction, so either the
patient is discharged with all of these in place, or nothing happened.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from spinepath.outcomes.actions import do_schedule_follow_up
from spinepath.patients.models import Episode
from spinepath.recovery.models import Monitoring, Notification

# [U] programme default: the morning after discharge, site time; not a clinical threshold.
FIRST_CHECKIN_HOUR = 9


def checkin_reminder_key(episode_public_id: object, day: date) -> str:
    """One check-in reminder per episode and site-local day (see reminders.py)."""
    return f"episode:{episode_public_id}:checkin:{day.isoformat()}"


def first_checkin_due(discharged_at: datetime, time_zone: str) -> datetime:
    zone = ZoneInfo(time_zone)
    next_day = discharged_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(next_day, time(FIRST_CHECKIN_HOUR), tzinfo=zone)


def do_start_recovery(
    *, actor: Any, episode: Episode, surgery_start: datetime, discharged_at: datetime
) -> Monitoring:
    site = episode.patient.site
    due = first_checkin_due(discharged_at, site.time_zone)
    monitoring, _ = Monitoring.objects.get_or_create(
        episode=episode,
        defaults={"enrolled_at": discharged_at, "enrolled_by": actor, "first_checkin_due": due},
    )
    surgery_date = surgery_start.astimezone(ZoneInfo(site.time_zone)).date()
    do_schedule_follow_up(episode=episode, surgery_date=surgery_date)
    user = episode.patient.user
    if user is not None and user.email:
        Notification.objects.get_or_create(
            dedupe_key=checkin_reminder_key(
                episode.public_id, due.astimezone(ZoneInfo(site.time_zone)).date()
            ),
            defaults={
                "recipient": user,
                "kind": "checkin_reminder",
                "due_at": due,
                "subject": "spinepath: your first check-in",
                # No clinical detail in e-mail; the page shows it after sign-in.
                "body": (
                    "Good morning. Please do your first daily check-in; it takes under a "
                    f"minute: {settings.SPINEPATH['BASE_URL']}{reverse('recovery_me:checkin')}"
                ),
            },
        )
    return monitoring
