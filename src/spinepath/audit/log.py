"""Writing to the access log. Every access_* guard ends here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from spinepath.audit.context import current_origin
from spinepath.audit.models import AccessLog


def _row(
    *,
    user: object,
    object_type: str,
    object_id: str | uuid.UUID | None,
    patient_public_id: uuid.UUID | None,
    purpose: str,
    granted: bool,
    action: str,
) -> AccessLog:
    origin = current_origin()
    if user is None:
        role = "anonymous" if origin.channel in {"web", "api"} else "system"
    else:
        role = getattr(user, "role", "") or "unknown"
    return AccessLog(
        user_public_id=getattr(user, "public_id", None),
        role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        patient_public_id=patient_public_id,
        purpose=purpose[:120],
        outcome=AccessLog.Outcome.GRANTED if granted else AccessLog.Outcome.DENIED,
        channel=origin.channel,
        ip_address=origin.ip_address,
        request_id=origin.request_id,
    )


def log_access(
    *,
    user: object,
    object_type: str,
    object_id: str | uuid.UUID | None,
    patient_public_id: uuid.UUID | None,
    purpose: str,
    granted: bool,
    action: str = "read",
) -> None:
    _row(
        user=user,
        object_type=object_type,
        object_id=object_id,
        patient_public_id=patient_public_id,
        purpose=purpose,
        granted=granted,
        action=action,
    ).save()


def log_listing(
    *,
    user: object,
    object_type: str,
    purpose: str,
    patient_public_ids: Iterable[uuid.UUID] = (),
    object_ids: Iterable[uuid.UUID] = (),
) -> None:
    """Granted "list" rows, written in one statement: one per patient shown, or, for
    objects that belong to no patient yet (consultation requests), one per object."""
    rows = [
        _row(
            user=user,
            object_type=object_type,
            object_id=None,
            patient_public_id=patient_public_id,
            purpose=purpose,
            granted=True,
            action="list",
        )
        for patient_public_id in dict.fromkeys(patient_public_ids)
    ] + [
        _row(
            user=user,
            object_type=object_type,
            object_id=object_id,
            patient_public_id=None,
            purpose=purpose,
            granted=True,
            action="list",
        )
        for object_id in dict.fromkeys(object_ids)
    ]
    AccessLog.objects.bulk_create(rows)
