from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from spinepath.outcomes.models import (
    Complication,
    ComplicationStatus,
    QuestionnaireResponse,
    ScheduledQuestionnaire,
    ScheduledStatus,
)
from spinepath.patients.access import guard, patient_visibility
from spinepath.patients.models import Stage


def access_questionnaire_response(
    user: Any, response_id: object, *, purpose: str
) -> QuestionnaireResponse:
    return guard(
        QuestionnaireResponse.objects.select_related("episode__patient"),
        response_id,
        user,
        purpose=purpose,
        object_type="questionnaire_response",
        patient_of=lambda response: response.episode.patient,
    )


def access_complication(
    user: Any, complication_id: object, *, purpose: str, action: str = "read"
) -> Complication:
    return guard(
        Complication.objects.select_related(
            "episode__patient__site",
            "episode__surgical_case__site",
            "alert__checkin",
            "reviewed_by",
        ),
        complication_id,
        user,
        purpose=purpose,
        object_type="complication",
        patient_of=lambda complication: complication.episode.patient,
        action=action,
    )


def pending_events_visible_to(user: Any) -> models.QuerySet[Complication]:
    """Patient-reported events waiting for review, of the patients the user may see (one
    rule: patients.access.patient_visibility), oldest report first."""
    return (
        Complication.objects.filter(
            patient_visibility(user, "episode__patient__"), status=ComplicationStatus.PENDING
        )
        .select_related("episode__patient__site", "episode__surgical_case__site", "alert__checkin")
        .order_by("recorded_at", "id")
    )


def access_scheduled_questionnaire(
    user: Any, public_id: object, *, purpose: str, action: str = "read"
) -> ScheduledQuestionnaire:
    return guard(
        ScheduledQuestionnaire.objects.select_related(
            "episode__patient__site", "episode__patient__user", "response"
        ),
        public_id,
        user,
        purpose=purpose,
        object_type="scheduled_questionnaire",
        patient_of=lambda scheduled: scheduled.episode.patient,
        action=action,
    )


def scheduled_questionnaires_visible_to(user: Any) -> models.QuerySet[ScheduledQuestionnaire]:
    """Every scheduled questionnaire of the patients the user may see (one rule:
    patients.access.patient_visibility)."""
    return ScheduledQuestionnaire.objects.filter(
        patient_visibility(user, "episode__patient__")
    ).select_related("episode__patient__site", "response")


def overdue_follow_ups(
    user: Any, today: date, *, missed_since: date
) -> models.QuerySet[ScheduledQuestionnaire]:
    """For the overdue queue: questionnaires the user may see that are past their due
    date and still unanswered, and those missed with a window closed on or after
    ``missed_since``; oldest due date first. Closed episodes are left out."""
    return (
        ScheduledQuestionnaire.objects.filter(patient_visibility(user, "episode__patient__"))
        .filter(
            models.Q(status=ScheduledStatus.DUE, due__lt=today)
            | models.Q(status=ScheduledStatus.MISSED),
            window_end__gte=missed_since,
        )
        .exclude(episode__stage=Stage.CLOSED)
        .select_related("episode__patient__site")
        .order_by("due", "episode_id", "timepoint", "instrument")
    )
