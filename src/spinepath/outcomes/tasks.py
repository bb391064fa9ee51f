"""Worker tick tasks for follow-up questionnaires: reminders, and closing missed windows.

Both run every tick (spinepath.tasks), so each is a couple of indexed queries over
the few rows near a date boundary, and writes in bulk:

- ``send_follow_up_reminders`` queues (never sends) at most two e-mails per episode
  and time point: one when the window opens and one on the due date, each at
  09:00 site time, and only while a questionnaire of the time point is still due.
  The outbox worker (recovery.tasks) sends them; ``dedupe_key`` makes queueing
  idempotent even with several workers.
- ``close_missed_follow_ups`` marks questionnaires still due after their window
  closed (site's calendar date) as missed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from spinepath.outcomes.followup import local_moment, local_today, possible_local_dates
from spinepath.outcomes.models import ScheduledQuestionnaire, ScheduledStatus
from spinepath.patients.models import Stage
from spinepath.recovery.models import Notification
from spinepath.recovery.outbox import queue_new

# A reminder not queued within this many days of its date (the worker was down)
# is dropped rather than sent late: the next reminder, or the overdue queue's
# phone call, takes over. It also bounds the rows each tick looks at.
REMINDER_GRACE_DAYS = 3
CLOSE_BATCH = 500

_COLUMNS = (
    "episode__public_id",
    "timepoint",
    "window_start",
    "due",
    "window_end",
    "episode__patient__site__time_zone",
    "episode__patient__user_id",
    "episode__patient__user__email",
    "episode__patient__user__is_active",
)


def _link() -> str:
    return f"{settings.SPINEPATH['BASE_URL']}{reverse('outcomes_me:list')}"


def _message(kind: str, window_end: date) -> tuple[str, str]:
    # No clinical detail in e-mail (no condition, no operation, no scores): the page
    # shows what is due after sign-in.
    closes = f"{window_end:%-d %B %Y}"
    if kind == "open":
        return (
            "spinepath: a follow-up questionnaire is ready",
            "Hello. A short follow-up questionnaire is ready for you to answer. Your answers "
            f"help your care team see how you are getting on. It is open until {closes}: "
            f"{_link()}",
        )
    return (
        "spinepath: your follow-up questionnaire is due today",
        "Hello. Your follow-up questionnaire is due today. If you have already answered it, "
        f"thank you; otherwise please answer it by {closes}: {_link()}",
    )


def send_follow_up_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders that have come due; return how many were queued."""
    now = now or timezone.now()
    earliest, latest = possible_local_dates(now)
    oldest = earliest - timedelta(days=REMINDER_GRACE_DAYS)
    due_rows = ScheduledQuestionnaire.objects.filter(status=ScheduledStatus.DUE).exclude(
        episode__stage=Stage.CLOSED
    )
    candidates = [
        ("open", row)
        for row in due_rows.filter(window_start__range=(oldest, latest), due__gt=earliest)
        .values_list(*_COLUMNS)
        .order_by()
        .distinct()
    ] + [
        ("due", row)
        for row in due_rows.filter(due__range=(oldest, latest), window_end__gte=earliest)
        .values_list(*_COLUMNS)
        .order_by()
        .distinct()
    ]
    wanted: dict[str, Notification] = {}
    for kind, (
        episode_id,
        timepoint,
        window_start,
        due,
        window_end,
        time_zone,
        user_id,
        email,
        active,
    ) in candidates:
        if user_id is None or not email or not active:
            continue  # no one to write to; the overdue queue will show the time point
        today = local_today(time_zone, now)
        day = window_start if kind == "open" else due
        moment = local_moment(day, time_zone)
        if now < moment or (today - day).days > REMINDER_GRACE_DAYS:
            continue
        # The opening reminder is for before the due date; the due-date one for the window.
        if (kind == "open" and today >= due) or (kind == "due" and today > window_end):
            continue
        key = f"followup:{episode_id}:{timepoint}:{kind}"
        subject, body = _message(kind, window_end)
        wanted[key] = Notification(
            recipient_id=user_id,
            kind="questionnaire_reminder",
            dedupe_key=key,
            due_at=moment,
            subject=subject,
            body=body,
        )
    return queue_new(wanted)


def close_missed_follow_ups(*, now: datetime | None = None) -> int:
    """Questionnaires still due after their window's last day become missed."""
    now = now or timezone.now()
    _, latest = possible_local_dates(now)
    candidates = ScheduledQuestionnaire.objects.filter(
        status=ScheduledStatus.DUE, window_end__lt=latest
    ).values_list("pk", "window_end", "episode__patient__site__time_zone")
    today_by_zone: dict[str, date] = {}
    closed_ids = []
    for pk, window_end, time_zone in candidates:
        if time_zone not in today_by_zone:
            today_by_zone[time_zone] = local_today(time_zone, now)
        if window_end < today_by_zone[time_zone]:
            closed_ids.append(pk)
    closed = 0
    for start in range(0, len(closed_ids), CLOSE_BATCH):
        # Conditional on still being due: an answer that arrived meanwhile stands.
        closed += ScheduledQuestionnaire.objects.filter(
            pk__in=closed_ids[start : start + CLOSE_BATCH], status=ScheduledStatus.DUE
        ).update(status=ScheduledStatus.MISSED)
    return closed
