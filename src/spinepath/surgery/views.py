from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.audit.log import log_listing
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode
from spinepath.patients.models import Episode
from spinepath.surgery.access import access_surgical_case
from spinepath.surgery.actions import (
    do_discharge,
    do_record_discharge_assessment,
    do_record_pacu_assessment,
    do_record_surgery,
)
from spinepath.surgery.board import board_rows
from spinepath.surgery.forms import (
    DischargeAssessmentForm,
    DischargeDecisionForm,
    PacuAssessmentForm,
    SurgicalCaseForm,
)
from spinepath.surgery.models import SurgicalCase


def _from_candidacy(episode: Episode) -> dict[str, Any]:
    """Start from the first option of the decided recommendation, when there is one."""
    assessment = (
        episode.assessments.exclude(decision="pending").order_by("-decided_at", "-id").first()
    )
    if assessment is None or not assessment.recommendation.get("options"):
        return {}
    first = assessment.recommendation["options"][0]
    return {
        "procedure": first["procedure"],
        "approach": first["approach"],
        "level": assessment.case.get("level", ""),
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="record operation", action="create")
    form = SurgicalCaseForm(
        request.POST or None, site_id=episode.patient.site_id, initial=_from_candidacy(episode)
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = do_record_surgery(actor=request.user, episode=episode, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Operation recorded.")
            return redirect("surgery:case", case_id=case.public_id)
    return render(
        request,
        "surgery/case_form.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )


def _case_page(
    request: HttpRequest, case: SurgicalCase, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "case": case,
        "episode": case.episode,
        "patient": case.episode.patient,
        "assessments": case.discharge_assessments.select_related("assessed_by"),
        "pacu_assessments": case.pacu_assessments.select_related("assessed_by"),
        "pacu_form": forms.get("pacu_form") or PacuAssessmentForm(),
        "plan": getattr(case, "plan", None),
        "assessment_form": forms.get("assessment_form") or DischargeAssessmentForm(),
        "decision_form": forms.get("decision_form") or DischargeDecisionForm(),
    }
    return render(request, "surgery/case_detail.html", context, status=status)


@clinical_required
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access_surgical_case(request.user, case_id, purpose="view operation and discharge")
    return _case_page(request, case)


@clinical_required
@require_POST
def discharge_assessment_create(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access_surgical_case(
        request.user, case_id, purpose="assess discharge readiness", action="update"
    )
    form = DischargeAssessmentForm(request.POST)
    if form.is_valid():
        try:
            do_record_discharge_assessment(
                actor=request.user,
                case=case,
                mpadss=form.scores(),
                checklist=form.checklist(),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Readiness assessment recorded.")
            return redirect("surgery:case", case_id=case.public_id)
    return _case_page(request, case, status=400, assessment_form=form)


@clinical_required
@require_POST
def discharge(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access_surgical_case(request.user, case_id, purpose="discharge", action="update")
    form = DischargeDecisionForm(request.POST)
    if form.is_valid():
        try:
            do_discharge(actor=request.user, case=case, request=request, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Patient discharged; home recovery has started.")
            return redirect("surgery:case", case_id=case.public_id)
    return _case_page(request, case, status=400, decision_form=form)


@clinical_required
def day_surgery_board(request: HttpRequest) -> HttpResponse:
    rows = board_rows(request.user)
    log_listing(
        user=request.user,
        object_type="surgical_case",
        purpose="day-surgery board",
        patient_public_ids=[row.case.episode.patient.public_id for row in rows],
    )
    template = (
        "surgery/_board_table.html" if request.headers.get("HX-Request") else "surgery/board.html"
    )
    return render(request, template, {"rows": rows})


@clinical_required
@require_POST
def pacu_assessment_create(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access_surgical_case(
        request.user, case_id, purpose="assess recovery-room exit", action="update"
    )
    form = PacuAssessmentForm(request.POST)
    if form.is_valid():
        try:
            do_record_pacu_assessment(actor=request.user, case=case, scores=form.scores())
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Recovery-room assessment recorded.")
            return redirect("surgery:case", case_id=case.public_id)
    return _case_page(request, case, status=400, pacu_form=form)
