from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode
from spinepath.surgery.access import access_surgical_case
from spinepath.surgery.actions import (
    do_discharge,
    do_record_discharge_assessment,
    do_record_surgery,
)
from spinepath.surgery.forms import DischargeAssessmentForm, DischargeDecisionForm, SurgicalCaseForm
from spinepath.surgery.models import SurgicalCase


@clinical_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="record operation", action="create")
    form = SurgicalCaseForm(request.POST or None)
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
        data = form.cleaned_data
        try:
            do_record_discharge_assessment(
                actor=request.user,
                case=case,
                mpadss={name: data[name] for name in form.MPADSS_FIELDS},
                checklist={name: data[name] for name in form.CHECKLIST_FIELDS},
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
