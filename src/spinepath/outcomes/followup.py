"""Follow-up time points as people see them: site-local dates, groups, the overdue queue.

A time point (2 weeks, 6 weeks …) is several ScheduledQuestionnaire rows, one per
instrument, that share their dates. Patients answer them one by one; reminders,
calls and the overdue queue are per episode and time point.

Every date here is the calendar date at the patient's site (Site.time_zone): a
window that "opens on 3 March" opens at midnight in the clinic's time zone, not
the server's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import F, QuerySet, Window
from django.db.models.functions import DenseRank
from django.urls import reverse

from spinepath.clinical.schedule import DEFAULT_RULES
from spinepath.outcomes.models import ScheduledQuestionnaire, ScheduledStatus
from spinepath.patients.models import Episode

log = logging.getLogger(__name__)

# [U] programme default, as for the first check-in: reminders go at 09:00 site time.
REMINDER_HOUR = 9
# The overdue queue keeps time points that closed unanswered this many days, for information.
MISSED_SHOWN_DAYS = 14
TIMEPOINT_LABELS = {rule.id: rule.label for rule in DEFAULT_RULES}
TIMEPOINT_ORDER = {rule.id: n for n, rule in enumerate(DEFAULT_RULES)}


def zone(time_zone: str) -> ZoneInfo:
    """The site's zone; a misconfigured name falls back to the server's (and is logged)."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown site time zone %r; using %s", time_zone, settings.TIME_ZONE)
        return ZoneInfo(settings.TIME_ZONE)


def local_today(time_zone: str, now: datetime) -> date:
    return now.astimezone(zone(time_zone)).date()


def local_moment(day: date, time_zone: str, hour: int = REMINDER_HOUR) -> datetime:
    """``hour`` o'clock on ``day`` in the site's zone, as an aware datetime."""
    return datetime.combine(day, time(hour), tzinfo=zone(time_zone))


def possible_local_dates(now: datetime) -> tuple[date, date]:
    """The earliest and latest calendar date it can be anywhere (UTC-12 to UTC+14).

    Lets a worker query narrow rows by date before checking each site's own date.
    """
    utc = now.astimezone(UTC)
    return (utc - timedelta(hours=12)).date(), (utc + timedelta(hours=14)).date()


def timepoint_label(timepoint: str) -> str:
    return TIMEPOINT_LABELS.get(timepoint, timepoint)


@dataclass
class TimepointGroup:
    """One episode's questionnaires at one time point, and where they stand today."""

    episode_id: int
    timepoint: str
    due: date
    window_start: date
    window_end: date
    today: date
    rows: list[ScheduledQuestionnaire] = field(default_factory=list)

    @property
    def label(self) -> str:
        return timepoint_label(self.timepoint)

    @property
    def episode(self) -> Episode:
        return self.rows[0].episode

    @property
    def open_rows(self) -> list[ScheduledQuestionnaire]:
        return [r for r in self.rows if r.status == ScheduledStatus.DUE]

    @property
    def window_open(self) -> bool:
        return self.window_start <= self.today <= self.window_end

    @property
    def state(self) -> str:
        """answer_now | later | done | closed (some or all missed)."""
        if self.open_rows:
            if self.today < self.window_start:
                return "later"
            if self.today <= self.window_end:
                return "answer_now"
            return "closed"
        if all(r.status == ScheduledStatus.COMPLETED for r in self.rows):
            return "done"
        return "closed"

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due).days


def group_rows(rows: Iterable[ScheduledQuestionnaire], now: datetime) -> list[TimepointGroup]:
    """Rows (with ``episode__patient__site`` loaded) grouped per episode and time point,
    in the order first seen."""
    groups: dict[tuple[int, str], TimepointGroup] = {}
    today_by_zone: dict[str, date] = {}
    for row in rows:
        key = (row.episode_id, row.timepoint)
        group = groups.get(key)
        if group is None:
            time_zone = row.episode.patient.site.time_zone
            if time_zone not in today_by_zone:
                today_by_zone[time_zone] = local_today(time_zone, now)
            group = groups[key] = TimepointGroup(
                episode_id=row.episode_id,
                timepoint=row.timepoint,
                due=row.due,
                window_start=row.window_start,
                window_end=row.window_end,
                today=today_by_zone[time_zone],
            )
        group.rows.append(row)
    return list(groups.values())


def limit_timepoints(
    rows: QuerySet[ScheduledQuestionnaire], limit: int
) -> list[ScheduledQuestionnaire]:
    """The rows of the first ``limit`` time points (episode and time point) of ``rows``,
    oldest due date first, each time point with all its rows: in one query, ranking
    the time points in SQL (DENSE_RANK) rather than cutting the rows, which could split
    the last time point and hide some of its questionnaires.

    The rows of one time point share their due date (they are scheduled together), so
    ranking by (due, episode, time point) gives each time point one rank.
    """
    ranked = rows.annotate(
        timepoint_rank=Window(
            DenseRank(), order_by=[F("due").asc(), F("episode_id").asc(), F("timepoint").asc()]
        )
    ).filter(timepoint_rank__lte=limit)
    return list(ranked)


# --- the overdue queue -----------------------------------------------------------------------

QUEUE_LIMIT = 200  # time points shown; the oldest first, so nothing overdue hides behind newer
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class LastCall:
    outcome: str
    called_at: datetime
    called_by: str


@dataclass(frozen=True)
class QueueRow:
    group: TimepointGroup
    patient_name: str
    mrn: str
    phone: str
    episode_url: str
    call_url: str
    call_id: str  # the scheduled row the call form posts to (any row of the time point)
    missing: list[tuple[str, str]]  # instrument name, link to enter the answers by phone
    last_call: LastCall | None

    @property
    def overdue(self) -> bool:
        return self.group.state == "answer_now"


def queue_rows(
    groups: list[TimepointGroup], last_calls: dict[tuple[int, str], LastCall]
) -> list[QueueRow]:
    """The queue's rows prepared in one pass (links by string replacement, as the worklist)."""
    episode_url = reverse("patients:episode", args=[_PLACEHOLDER])
    call_url = reverse("outcomes:record_call", args=[_PLACEHOLDER])
    enter_url = reverse("outcomes:response_create", args=[_PLACEHOLDER])
    rows = []
    for group in groups:
        episode = group.episode
        patient = episode.patient
        episode_id = str(episode.public_id)
        first = group.rows[0]
        rows.append(
            QueueRow(
                group=group,
                patient_name=patient.display_name,
                mrn=patient.mrn,
                phone=patient.phone,
                episode_url=episode_url.replace(_PLACEHOLDER, episode_id),
                call_url=call_url.replace(_PLACEHOLDER, str(first.public_id)),
                call_id=str(first.public_id),
                missing=[
                    (
                        row.instrument_name,
                        enter_url.replace(_PLACEHOLDER, episode_id)
                        + f"?instrument={row.instrument}&timepoint={row.timepoint}"
                        "&return=follow-up",
                    )
                    for row in group.rows
                ],
                last_call=last_calls.get((group.episode_id, group.timepoint)),
            )
        )
    return rows
