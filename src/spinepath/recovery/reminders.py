"""The daily check-in reminder: at 09:00 site time, to a monitored patient who has not
checked in yet that day. The first morning's reminder is queued at discharge
(enrolment.py) under the same key, so it is never sent twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from spinepath.outcomes.followup import zone as site_zone
from spinepath.patients.models import Stage
from spinepath.recovery.enrolment import FIRST_CHECKIN_HOUR, checkin_reminder_key
from spinepath.recovery.models import Monitoring, Notification
from spinepath.recovery.outbox import queue_new
from spinepath.recovery.programme import triage_settings


def _body() -> str:
    base = settings.SPINEPATH["BASE_URL"]
    # No clinical detail in a message; the page shows it after sign-in.
    return (
        "Good morning. Please do today's check-in; it takes under a minute: "
        f"{base}{reverse('recovery_me:checkin')}\n"
        f"No password? Ask for a sign-in link: {base}{reverse('accounts:link_request')}"
    )


def queue_checkin_reminders(*, now: datetime | None = None) -> int:
    """Queue today's reminder for each monitored patient due one; return how many."""
    now = now or timezone.now()
    window_start = now - timedelta(days=settings.SPINEPATH["MONITORING_DAYS"])
    opioid_day = triage_settings().persistent_opioid_from_day
    monitored = (
        Monitoring.objects.filter(
            active=True, episode__stage=Stage.RECOVERY, first_checkin_due__lte=now
        )
        .annotate(last_checkin=Max("episode__checkins__submitted_at"))
        .select_related(
            "episode__patient__site", "episode__patient__user", "episode__surgical_case"
        )
    )
    wanted: dict[str, Notification] = {}
    body = _body()
    for monitoring in monitored:
        patient = monitoring.episode.patient
        user = patient.user
        if user is None or not user.is_active:
            continue
        zone = site_zone(patient.site.time_zone)
        local = now.astimezone(zone)
        if local.hour < FIRST_CHECKIN_HOUR:
            continue
        if monitoring.enrolled_at < window_start:
            # After the daily weeks, one more reminder on the day opioid use is checked.
            case = getattr(monitoring.episode, "surgical_case", None)
            operated = case.surgery_start.astimezone(zone).date() if case else None
            if operated is None or (local.date() - operated).days != opioid_day:
                continue
        last = monitoring.last_checkin
        if last is not None and last.astimezone(zone).date() == local.date():
            continue  # already checked in today
        if user.email:
            channel, address = "email", ""
        elif patient.phone:
            channel, address = "sms", patient.phone
        else:
            continue
        key = checkin_reminder_key(monitoring.episode.public_id, local.date())
        wanted[key] = Notification(
            channel=channel,
            address=address,
            recipient=user,
            kind="checkin_reminder",
            subject="spinepath: today's check-in",
            body=body,
            dedupe_key=key,
            due_at=now,
        )
    return queue_new(wanted)
