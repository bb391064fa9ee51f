"""The discharge plan: made from the case at discharge, then edited by staff."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from spinepath.accounts.models import Role
from spinepath.clinical.discharge_plan import (
    PlanValidationError,
    default_plan,
    medicine_lines_from_json,
    plan_from_json,
    plan_medicines,
)
from spinepath.errors import ActionError, require_role
from spinepath.surgery.models import DischargePlan, SurgicalCase

EDITED_SOURCE = "edited by the care team for this patient"

# Who may assess readiness, discharge and edit the plan.
DISCHARGING_ROLES = frozenset({Role.NURSE, Role.SURGEON})


def _surgery_date(case: SurgicalCase) -> date:
    return case.surgery_start.astimezone(ZoneInfo(case.site.time_zone)).date()


def medicine_summary(
    lines_json: list[dict[str, Any]], case: SurgicalCase
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The lines in their canonical form, and their MME/day, flags and taper."""
    try:
        lines = medicine_lines_from_json(lines_json)
        summary = plan_medicines(lines, start_date=_surgery_date(case)).to_json()
    except PlanValidationError as exc:
        raise ActionError(str(exc), field=exc.field) from None
    return [dict(line.to_json()) for line in lines], dict(summary)


def do_create_discharge_plan(*, actor: Any, case: SurgicalCase) -> DischargePlan:
    """The default plan for the procedure; the existing one if there is one."""
    existing = DischargePlan.objects.filter(case=case).first()
    if existing is not None:
        return existing
    content = default_plan(case.procedure, _surgery_date(case))
    with transaction.atomic():
        return DischargePlan.objects.create(
            case=case,
            content=content.to_json(),
            medicines=[],
            medicine_summary=medicine_summary([], case)[1],
            updated_by=actor,
        )


def do_update_discharge_plan(
    *,
    actor: Any,
    plan: DischargePlan,
    medicines: list[dict[str, Any]],
    staff_notes: str,
    wound_care: list[str] | None = None,
    activity: list[str] | None = None,
) -> DischargePlan:
    """Replace the prescribed lines (validated, MME and taper recomputed), the notes, and
    the wound-care and activity instructions when given (then marked as edited by staff)."""
    require_role(actor, DISCHARGING_ROLES, "edit discharge plans")
    lines, summary = medicine_summary(medicines, plan.case)
    content = dict(plan.content)
    for section, text in (("wound_care", wound_care), ("activity", activity)):
        if text is not None and text != content.get(section):
            if not text:
                raise ActionError("Keep at least one instruction.", field=section)
            content[section] = text
            content[f"{section}_source"] = {"source": EDITED_SOURCE, "evidence": "unverified"}
    try:
        content = dict(plan_from_json(content).to_json())
    except PlanValidationError as exc:
        raise ActionError(str(exc), field=exc.field) from None
    with transaction.atomic():
        locked = DischargePlan.objects.select_for_update().get(pk=plan.pk)
        locked.medicines = lines
        locked.content = content
        locked.medicine_summary = summary
        locked.staff_notes = staff_notes.strip()
        locked.updated_by = actor
        locked.save()
    return locked
