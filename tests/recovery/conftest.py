"""Shared fixtures for the recovery tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

OXY = {
    "drug": "oxycodone",
    "strength_mg": 5,
    "dose_mg": 5,
    "doses_per_day": 4,
    "days": 5,
    "as_needed": True,
}


@pytest.fixture
def operated(episode, surgeon):
    """A patient at home the day after a tubular microdiscectomy, with oxycodone 5 mg."""
    from spinepath.recovery.models import Monitoring
    from spinepath.surgery.plans import do_create_discharge_plan, do_update_discharge_plan
    from tests.factories import SurgicalCaseFactory

    case = SurgicalCaseFactory(
        episode=episode,
        surgeon=surgeon,
        recorded_by=surgeon,
        surgery_start=timezone.now() - timedelta(days=1),
        discharged_at=timezone.now() - timedelta(hours=20),
    )
    plan = do_create_discharge_plan(actor=surgeon, case=case)
    do_update_discharge_plan(actor=surgeon, plan=plan, medicines=[OXY], staff_notes="")
    Monitoring.objects.create(
        episode=episode,
        enrolled_at=case.discharged_at,
        enrolled_by=surgeon,
        first_checkin_due=timezone.now(),
    )
    return episode
