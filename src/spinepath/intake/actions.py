"""Recording an assessment, making its recommendation, and the clinician's decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import Role
from spinepath.clinical.candidacy import CaseFacts, Deficit, Pathway, evaluate
from spinepath.clinical.redflags import RED_FLAGS_BY_ID
from spinepath.errors import ActionError, require_role
from spinepath.intake.models import Assessment, Decision
from spinepath.patients.actions import do_advance_stage
from spinepath.patients.models import Episode, Stage

ASSESSING_ROLES = {Role.SURGEON, Role.NURSE}


def facts_for(episode: Episode, findings: dict[str, Any]) -> CaseFacts:
    def number(name: str) -> float | None:
        value = findings.get(name)
        return float(value) if value is not None else None

    deficit = findings.get("neurological_deficit") or None
    asa = findings.get("asa_class")
    return CaseFacts(
        condition=episode.condition,
        red_flags=frozenset(findings.get("red_flags") or ()),
        symptom_weeks=findings.get("symptom_weeks"),
        conservative_care_weeks=findings.get("conservative_care_weeks"),
        neurological_deficit=Deficit(deficit) if deficit else None,
        imaging_concordant=findings.get("imaging_concordant"),
        level=findings.get("level") or None,
        slip_percent=number("slip_percent"),
        instability=findings.get("instability"),
        osteoporosis=findings.get("osteoporosis"),
        asa_class=int(asa) if asa is not None else None,
        bmi=number("bmi"),
        anticoagulated=findings.get("anticoagulated"),
        age=episode.patient.age_on(date.today()),
    )


def do_record_assessment(*, actor: Any, episode: Episode, **findings: Any) -> Assessment:
    require_role(actor, ASSESSING_ROLES, "record assessments")
    unknown = [flag for flag in findings.get("red_flags") or () if flag not in RED_FLAGS_BY_ID]
    if unknown:
        raise ActionError("Unknown red flag.", field="red_flags")
    recommendation = evaluate(facts_for(episode, findings))
    with transaction.atomic():
        assessment = Assessment(
            episode=episode,
            assessed_by=actor,
            symptom_weeks=findings.get("symptom_weeks"),
            conservative_care_weeks=findings.get("conservative_care_weeks"),
            neurological_deficit=findings.get("neurological_deficit") or "",
            red_flags=sorted(findings.get("red_flags") or []),
            imaging_concordant=findings.get("imaging_concordant"),
            level=findings.get("level") or "",
            slip_percent=_decimal(findings.get("slip_percent")),
            instability=findings.get("instability"),
            bmi=_decimal(findings.get("bmi")),
            asa_class=findings.get("asa_class"),
            smoker=findings.get("smoker"),
            diabetes=findings.get("diabetes"),
            anticoagulated=findings.get("anticoagulated"),
            osteoporosis=findings.get("osteoporosis"),
            notes=findings.get("notes") or "",
            status=recommendation.status.value,
            pathway=recommendation.pathway.value if recommendation.pathway else "",
            recommendation=recommendation.to_json(),
            ruleset_version=recommendation.ruleset_version,
        )
        assessment.full_clean()
        assessment.save()
        do_advance_stage(episode, Stage.ASSESSED)
    return assessment


def _decimal(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def do_decide_assessment(
    *, actor: Any, assessment: Assessment, accept: bool, pathway: str = "", reason: str = ""
) -> Assessment:
    """Software suggests, clinicians decide; an override needs a reason."""
    require_role(actor, {Role.SURGEON}, "decide on candidacy")
    if assessment.decision != Decision.PENDING:
        raise ActionError("This assessment has already been decided.", status=409)
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
        assessment.decision = decision
        assessment.decided_pathway = decided_pathway
        assessment.decision_reason = reason.strip()
        assessment.decided_by = actor
        assessment.decided_at = timezone.now()
        assessment.save()
    return assessment
