"""The day-surgery board: today's patients with their live readiness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q
from django.utils import timezone

from spinepath.surgery.models import DischargeAssessment, PacuAssessment, SurgicalCase


@dataclass(frozen=True)
class BoardRow:
    case: SurgicalCase
    pacu: PacuAssessment | None
    readiness: DischargeAssessment | None

    @property
    def status(self) -> str:
        if self.case.discharged_at is not None:
            return "discharged"
        if self.readiness is not None:
            return "ready" if self.readiness.ready else "not ready"
        if self.pacu is None or not self.pacu.ready:
            return "in recovery room"
        return "not assessed"


def board_rows(user: Any, *, now: datetime | None = None) -> list[BoardRow]:
    """Cases of the user's site operated today, and any earlier ones still in hospital."""
    now = now or timezone.now()
    zone = ZoneInfo(user.site.time_zone)
    start_of_day = datetime.combine(now.astimezone(zone).date(), time.min, tzinfo=zone)
    cases = (
        SurgicalCase.objects.filter(site_id=user.site_id)
        .filter(
            Q(surgery_start__gte=start_of_day, surgery_start__lt=start_of_day + timedelta(days=1))
            | Q(discharged_at__isnull=True, surgery_start__lt=start_of_day)
        )
        .select_related("episode__patient", "surgeon")
        .prefetch_related(
            Prefetch(
                "pacu_assessments",
                queryset=PacuAssessment.objects.order_by("-assessed_at", "-id"),
            ),
            Prefetch(
                "discharge_assessments",
                queryset=DischargeAssessment.objects.order_by("-assessed_at", "-id"),
            ),
        )
        .order_by("surgery_start", "id")
    )
    return [
        BoardRow(
            case=case,
            pacu=next(iter(case.pacu_assessments.all()), None),
            readiness=next(iter(case.discharge_assessments.all()), None),
        )
        for case in cases
    ]
