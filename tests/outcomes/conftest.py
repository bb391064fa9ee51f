"""Fixtures for follow-up questionnaires: a schedule placed around a chosen date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone


def schedule(episode, surgery_date: date):
    from spinepath.outcomes.actions import do_schedule_follow_up

    return do_schedule_follow_up(episode=episode, surgery_date=surgery_date)


def rows_at(episode, timepoint: str):
    from spinepath.outcomes.models import ScheduledQuestionnaire

    return list(ScheduledQuestionnaire.objects.filter(episode=episode, timepoint=timepoint))


def at(day: date, hour: int, minute: int = 0, zone: str = "Europe/London") -> datetime:
    """An aware moment, ``hour:minute`` on ``day`` in ``zone``."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone))


@pytest.fixture
def today(site):
    from spinepath.outcomes.followup import local_today

    return local_today(site.time_zone, timezone.now())


@pytest.fixture
def due_today(episode, today):
    """The 2-week time point due today (window open since 4 days, for 7 more)."""
    schedule(episode, today - timedelta(days=14))
    return rows_at(episode, "2w")


@pytest.fixture
def patient_client(client, patient_user):
    client.force_login(patient_user)
    return client
