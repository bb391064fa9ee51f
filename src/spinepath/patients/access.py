"""Who may see which patient, and the guards for patients and episodes.

The rule, in one place: clinical staff see the patients of their own site; a
patient sees their own record; a caregiver sees the patients they are linked
to; analysts and everyone else see no patient record at all (the registry
gives analysts pseudonymised data instead).

Every guard answers 404 on denial (so ids cannot be probed) and writes an
access-log row either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from spinepath.accounts.models import CLINICAL_ROLES, Role
from spinepath.audit.log import log_access
from spinepath.patients.models import Episode, Patient

M = TypeVar("M", bound=models.Model)


def patient_visibility(user: Any, prefix: str = "") -> models.Q:
    """A filter for rows whose patient (at ``prefix``) the user may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return models.Q(pk__in=[])
    if user.role in CLINICAL_ROLES:
        return models.Q(**{f"{prefix}site_id": user.site_id})
    if user.role == Role.PATIENT:
        return models.Q(**{f"{prefix}user_id": user.pk})
    if user.role == Role.CAREGIVER:
        return models.Q(**{f"{prefix}caregivers__caregiver_id": user.pk})
    return models.Q(pk__in=[])


def can_see_patient(user: Any, patient: Patient) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in CLINICAL_ROLES:
        return bool(patient.site_id == user.site_id)
    if user.role == Role.PATIENT:
        return bool(patient.user_id == user.pk)
    if user.role == Role.CAREGIVER:
        return patient.caregivers.filter(caregiver_id=user.pk).exists()
    return False


def parse_public_id(raw: object) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def guard(
    queryset: models.QuerySet[M],
    public_id: object,
    user: Any,
    *,
    purpose: str,
    object_type: str,
    patient_of: Callable[[M], Patient],
    action: str = "read",
    lookup: str = "public_id",
) -> M:
    """Fetch one object, check the user may see its patient, log, and return it.

    The single mechanism behind every ``access_*`` function.
    """
    parsed = parse_public_id(public_id)
    obj = queryset.filter(**{lookup: parsed}).first() if parsed is not None else None
    patient = patient_of(obj) if obj is not None else None
    granted = patient is not None and can_see_patient(user, patient)
    log_access(
        user=user if getattr(user, "is_authenticated", False) else None,
        object_type=object_type,
        # A malformed id is whatever someone typed; it is not logged.
        object_id=parsed if parsed is not None else "malformed",
        patient_public_id=patient.public_id if patient is not None else None,
        purpose=purpose,
        granted=granted,
        action=action,
    )
    if not granted or obj is None:
        raise Http404(f"No {object_type} with that id.")
    return obj


def access_patient(user: Any, public_id: object, *, purpose: str, action: str = "read") -> Patient:
    return guard(
        Patient.objects.select_related("site"),
        public_id,
        user,
        purpose=purpose,
        object_type="patient",
        patient_of=lambda patient: patient,
        action=action,
    )


def access_episode(user: Any, public_id: object, *, purpose: str, action: str = "read") -> Episode:
    return guard(
        Episode.objects.select_related("patient", "patient__site", "care_team", "lead_surgeon"),
        public_id,
        user,
        purpose=purpose,
        object_type="episode",
        patient_of=lambda episode: episode.patient,
        action=action,
    )


def patients_visible_to(user: Any) -> models.QuerySet[Patient]:
    return Patient.objects.filter(patient_visibility(user)).distinct()


def episodes_visible_to(user: Any) -> models.QuerySet[Episode]:
    return Episode.objects.filter(patient_visibility(user, "patient__")).distinct()
