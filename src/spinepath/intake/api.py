"""Candidacy over HTTP: evaluate a case (no patient record is read or written)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from spinepath.accounts.models import CLINICAL_ROLES, Role
from spinepath.clinical.candidacy import CaseValidationError, case_from_json, evaluate
from spinepath.errors import ActionError, require_role

router = Router(tags=["intake"])


@router.post("/assessments/evaluate", response=dict[str, Any])
def evaluate_case(request: HttpRequest, case: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Evaluate one candidacy case (schema: candidacy-case.schema.json) and explain it."""
    require_role(request.user, CLINICAL_ROLES | {Role.ANALYST}, "evaluate candidacy cases")
    try:
        facts = case_from_json(case)
    except CaseValidationError as exc:
        raise ActionError(str(exc), field=exc.field, status=422) from None
    return evaluate(facts).to_json()
