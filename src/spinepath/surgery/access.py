from __future__ import annotations

from typing import Any

from spinepath.patients.access import guard
from spinepath.surgery.models import DischargeAssessment, DischargePlan, SurgicalCase


def access_surgical_case(
    user: Any, case_id: object, *, purpose: str, action: str = "read"
) -> SurgicalCase:
    return guard(
        SurgicalCase.objects.select_related("episode__patient", "surgeon", "site"),
        case_id,
        user,
        purpose=purpose,
        object_type="surgical_case",
        patient_of=lambda case: case.episode.patient,
        action=action,
    )


def access_discharge_assessment(
    user: Any, assessment_id: object, *, purpose: str
) -> DischargeAssessment:
    return guard(
        DischargeAssessment.objects.select_related("case__episode__patient"),
        assessment_id,
        user,
        purpose=purpose,
        object_type="discharge_assessment",
        patient_of=lambda assessment: assessment.case.episode.patient,
    )


def access_discharge_plan(
    user: Any, case_id: object, *, purpose: str, action: str = "read"
) -> DischargePlan:
    """The plan of a case, found by the case's id."""
    return guard(
        DischargePlan.objects.select_related("case__episode__patient", "case__site"),
        case_id,
        user,
        purpose=purpose,
        object_type="discharge_plan",
        patient_of=lambda plan: plan.case.episode.patient,
        action=action,
        lookup="case__public_id",
    )
