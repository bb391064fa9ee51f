from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from spinepath.accounts.models import CLINICAL_ROLES
from spinepath.audit.log import log_access
from spinepath.intake.models import Assessment, ConsultationRequest
from spinepath.patients.access import guard, parse_public_id


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


def access_consultation_request(
    user: Any, request_id: object, *, purpose: str, action: str = "read"
) -> ConsultationRequest:
    """Clinical staff of the request's site only; 404 otherwise; logged either way."""
    parsed = parse_public_id(request_id)
    found = (
        ConsultationRequest.objects.select_related("site", "episode__patient")
        .filter(public_id=parsed)
        .first()
        if parsed is not None
        else None
    )
    granted = (
        found is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in CLINICAL_ROLES
        and found.site_id == user.site_id
    )
    log_access(
        user=user if getattr(user, "is_authenticated", False) else None,
        object_type="consultation_request",
        object_id=parsed if parsed is not None else "malformed",
        patient_public_id=found.episode.patient.public_id if found and found.episode else None,
        purpose=purpose,
        granted=bool(granted),
        action=action,
    )
    if not granted or found is None:
        raise Http404("No consultation request with that id.")
    return found


def requests_visible_to(user: Any) -> models.QuerySet[ConsultationRequest]:
    if getattr(user, "role", None) not in CLINICAL_ROLES:
        return ConsultationRequest.objects.none()
    return ConsultationRequest.objects.filter(site_id=user.site_id)
