"""Recording an assessment, making its recommendation, and the clinician's decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import Role
from spinepath.clinical.candidacy import (
    CaseValidationError,
    Pathway,
    case_from_json,
    case_to_json,
    evaluate,
)
from spinepath.errors import ActionError, require_role
from spinepath.intake.models import Assessment, Decision
from spinepath.patients.actions import do_advance_stage
from spinepath.patients.models import Episode, Stage

ASSESSING_ROLES = {Role.SURGEON, Role.NURSE}


def do_record_assessment(
    *, actor: Any, episode: Episode, case: dict[str, Any], notes: str = ""
) -> Assessment:
    """Evaluate the case with the candidacy rules and store both, as they were."""
    require_role(actor, ASSESSING_ROLES, "record assessments")
    try:
        facts = case_from_json(case)
    except CaseValidationError as exc:
        raise ActionError(str(exc), field=exc.field) from None
    if facts.condition != episode.condition:
        raise ActionError("The case's condition must be the episode's condition.")
    recommendation = evaluate(facts)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            episode=episode,
            assessed_by=actor,
            case=case_to_json(facts),
            notes=notes,
            status=recommendation.status.value,
            pathway=recommendation.pathway.value if recommendation.pathway else "",
            recommendation=recommendation.to_json(),
            ruleset_version=recommendation.ruleset_version,
        )
        do_advance_stage(episode, Stage.ASSESSED)
    return assessment


def do_decide_assessment(
    *, actor: Any, assessment: Assessment, accept: bool, pathway: str = "", reason: str = ""
) -> Assessment:
    """Software suggests, clinicians decide; an override needs a reason."""
    require_role(actor, {Role.SURGEON}, "decide on candidacy")
    if accept:
        if not assessment.pathway:
            raise ActionError(
                "There is no recommendation to accept; record the missing information or "
                "override with a reason.",
                field="decision",
            )
        decided_pathway, decision = assessment.pathway, Decision.ACCEPTED
    else:
        if pathway not in Pathway.__members__.values():
            raise ActionError("Choose the pathway you decided on.", field="pathway")
        if not reason.strip():
            raise ActionError("An override needs a reason.", field="reason")
        decided_pathway, decision = pathway, Decision.OVERRIDDEN
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.decision != Decision.PENDING:
            raise ActionError("This assessment has already been decided.", status=409)
        assessment = locked
        assessment.decision = decision
        assessment.decided_pathway = decided_pathway
        assessment.decision_reason = reason.strip()
        assessment.decided_by = actor
        assessment.decided_at = timezone.now()
        assessment.save()
    return assessment
