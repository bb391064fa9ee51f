from __future__ import annotations

from typing import Any

from spinepath.intake.models import Assessment
from spinepath.patients.access import guard


def access_assessment(
    user: Any, assessment_id: object, *, purpose: str, action: str = "read"
) -> Assessment:
    return guard(
        Assessment.objects.select_related("episode__patient", "assessed_by", "decided_by"),
        assessment_id,
        user,
        purpose=purpose,
        object_type="assessment",
        patient_of=lambda assessment: assessment.episode.patient,
        action=action,
    )
