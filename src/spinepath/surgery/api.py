"""The operation, its readiness and the discharge plan over HTTP, through the same guards."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from spinepath.surgery.access import access_discharge_plan, access_surgical_case
from spinepath.surgery.actions import do_record_discharge_assessment
from spinepath.surgery.models import DischargeAssessment, SurgicalCase
from spinepath.surgery.schemas import CaseOut, PlanOut, ReadinessIn, ReadinessOut

router = Router(tags=["surgery"])


def _readiness(assessment: DischargeAssessment) -> ReadinessOut:
    return ReadinessOut(
        assessed_at=assessment.assessed_at,
        mpadss_total=assessment.mpadss_total,
        ready=assessment.ready,
        unmet=assessment.unmet,
    )


def _case(case: SurgicalCase) -> CaseOut:
    latest = case.discharge_assessments.order_by("-assessed_at", "-id").first()
    return CaseOut(
        id=case.public_id,
        episode_id=case.episode.public_id,
        procedure=case.procedure,
        approach=case.approach,
        level=case.level,
        side=case.side,
        surgery_start=case.surgery_start,
        estimated_blood_loss_ml=case.estimated_blood_loss_ml,
        operative_minutes=case.operative_minutes,
        discharged_at=case.discharged_at,
        length_of_stay_hours=case.length_of_stay_hours,
        length_of_stay_category=case.length_of_stay_category,
        latest_readiness=_readiness(latest) if latest else None,
    )


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: UUID) -> CaseOut:
    return _case(access_surgical_case(request.user, case_id, purpose="api: read operation"))


@router.post("/cases/{case_id}/readiness", response={201: ReadinessOut})
def post_readiness(
    request: HttpRequest, case_id: UUID, payload: ReadinessIn
) -> Status[ReadinessOut]:
    case = access_surgical_case(
        request.user, case_id, purpose="api: assess discharge readiness", action="update"
    )
    data = payload.model_dump()
    checklist = data.pop("checklist")
    assessment = do_record_discharge_assessment(
        actor=request.user, case=case, mpadss=data, checklist=checklist
    )
    return Status(201, _readiness(assessment))


@router.get("/cases/{case_id}/plan", response=PlanOut)
def get_plan(request: HttpRequest, case_id: UUID) -> PlanOut:
    plan = access_discharge_plan(request.user, case_id, purpose="api: read discharge plan")
    return PlanOut(
        case_id=plan.case.public_id,
        content=plan.content,
        medicines=plan.medicines,
        medicine_summary=plan.medicine_summary,
        staff_notes=plan.staff_notes,
        updated_at=plan.updated_at,
    )
