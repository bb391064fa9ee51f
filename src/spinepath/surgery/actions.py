"""Recording the operation, readiness assessments and the discharge decision."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, Role
from spinepath.clinical.discharge import evaluate_same_day_readiness, score_aldrete
from spinepath.clinical.procedures import PROCEDURES_BY_ID, Approach
from spinepath.errors import ActionError, require_role
from spinepath.patients.actions import do_advance_stage
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.enrolment import do_start_recovery
from spinepath.surgery.models import (
    DischargeAssessment,
    LengthOfStay,
    PacuAssessment,
    SurgicalCase,
)
from spinepath.surgery.plans import DISCHARGING_ROLES, do_create_discharge_plan


def do_record_surgery(*, actor: Any, episode: Episode, **record: Any) -> SurgicalCase:
    require_role(actor, {Role.SURGEON}, "record operations")
    procedure = PROCEDURES_BY_ID.get(record.get("procedure", ""))
    if procedure is None:
        raise ActionError("Choose a procedure.", field="procedure")
    if record.get("approach") == "miss" and procedure.approach is Approach.OPEN:
        raise ActionError("An open procedure cannot have a MISS approach.", field="approach")
    if hasattr(episode, "surgical_case"):
        raise ActionError("This episode already has an operation recorded.", status=409)
    try:
        with transaction.atomic():
            case = SurgicalCase(
                episode=episode,
                site_id=episode.patient.site_id,
                surgeon=actor,
                recorded_by=actor,
                **record,
            )
            case.full_clean()
            case.save()
            do_advance_stage(episode, Stage.SURGERY)
    except IntegrityError:
        raise ActionError("This episode already has an operation recorded.", status=409) from None
    return case


def do_record_discharge_assessment(
    *, actor: Any, case: SurgicalCase, mpadss: dict[str, int], checklist: dict[str, bool | None]
) -> DischargeAssessment:
    require_role(actor, DISCHARGING_ROLES, "assess discharge readiness")
    if case.discharged_at is not None:
        raise ActionError("The patient has already been discharged.", status=409)
    try:
        readiness = evaluate_same_day_readiness(mpadss, checklist)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    with transaction.atomic():
        return DischargeAssessment.objects.create(
            case=case,
            assessed_by=actor,
            mpadss=mpadss,
            checklist=checklist,
            mpadss_total=readiness.mpadss_total or 0,
            ready=readiness.ready,
            unmet=[{"id": u.id, "label": u.label, "reason": u.reason} for u in readiness.unmet],
        )


def do_record_pacu_assessment(
    *, actor: Any, case: SurgicalCase, scores: dict[str, int]
) -> PacuAssessment:
    """Modified Aldrete; ready to leave the recovery room at 9 or more."""
    require_role(actor, DISCHARGING_ROLES, "assess recovery-room exit")
    if case.discharged_at is not None:
        raise ActionError("The patient has already been discharged.", status=409)
    try:
        result = score_aldrete(scores)
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    with transaction.atomic():
        return PacuAssessment.objects.create(
            case=case,
            assessed_by=actor,
            items=dict(result.items),
            total=result.total,
            ready=result.ready,
        )


def length_of_stay(start: datetime, end: datetime, time_zone: str) -> tuple[Decimal, LengthOfStay]:
    """Hours, and same day / next day / longer by the site's own calendar."""
    hours = Decimal((end - start).total_seconds() / 3600).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    zone = ZoneInfo(time_zone)
    days = (timezone.localdate(end, zone) - timezone.localdate(start, zone)).days
    category = (
        LengthOfStay.SAME_DAY
        if days <= 0
        else LengthOfStay.NEXT_DAY
        if days == 1
        else LengthOfStay.LONGER
    )
    return hours, category


def do_discharge(
    *,
    actor: Any,
    case: SurgicalCase,
    override_reason: str = "",
    cosigner_email: str = "",
    cosigner_password: str = "",
    request: Any = None,
    now: datetime | None = None,
) -> SurgicalCase:
    """Discharge against the latest readiness assessment.

    A patient who is not ready may still go home, but only with a reason and
    the sign-off of a second clinical staff member of the same site, who
    proves it with their own password.
    """
    require_role(actor, DISCHARGING_ROLES, "discharge patients")
    now = now or timezone.now()
    latest = case.discharge_assessments.order_by("-assessed_at", "-id").first()
    cosigner = None
    if latest is None or not latest.ready:
        if not override_reason.strip():
            raise ActionError(
                "The patient is not ready for discharge; give a reason to discharge anyway.",
                field="override_reason",
            )
        cosigner = authenticate(request, username=cosigner_email, password=cosigner_password)
        if (
            cosigner is None
            or cosigner.pk == actor.pk
            or getattr(cosigner, "role", None) not in CLINICAL_ROLES
            or cosigner.site_id != case.site_id
        ):
            raise ActionError(
                "A second clinical staff member of this site must sign off with their password.",
                field="cosigner_email",
            )
    with transaction.atomic():
        locked = SurgicalCase.objects.select_for_update().get(pk=case.pk)
        if locked.discharged_at is not None:
            raise ActionError("The patient has already been discharged.", status=409)
        if now < locked.surgery_start:
            raise ActionError("Discharge cannot be before the operation started.")
        hours, category = length_of_stay(locked.surgery_start, now, case.site.time_zone)
        locked.discharged_at = now
        locked.discharged_by = actor
        locked.discharge_override_reason = override_reason.strip() if cosigner else ""
        locked.discharge_cosigned_by = cosigner
        locked.length_of_stay_hours = hours
        locked.length_of_stay_category = category
        locked.save()
        do_create_discharge_plan(actor=actor, case=locked)
        do_advance_stage(locked.episode, Stage.RECOVERY)
        do_start_recovery(
            actor=actor,
            episode=locked.episode,
            surgery_start=locked.surgery_start,
            discharged_at=now,
        )
    return locked
