"""The discharge plan: staff edit it at /clinic/cases/<id>/plan/; patients read it at /me/plan/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from spinepath.accounts.decorators import clinical_required, patient_or_caregiver_required
from spinepath.errors import ActionError
from spinepath.patients.me import episode_for_request
from spinepath.pdf import pdf_response
from spinepath.surgery.access import access_discharge_plan
from spinepath.surgery.models import DischargePlan
from spinepath.surgery.plan_forms import MedicineFormSet, PlanNotesForm
from spinepath.surgery.plans import do_update_discharge_plan


def plan_context(plan: DischargePlan) -> dict[str, Any]:
    case = plan.case
    return {
        "plan": plan,
        "content": plan.content,
        "medicines": plan.medicine_summary,
        "case": case,
        "episode": case.episode,
        "patient": case.episode.patient,
    }


@clinical_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, case_id: str) -> HttpResponse:
    plan = access_discharge_plan(
        request.user,
        case_id,
        purpose="edit discharge plan" if request.method == "POST" else "view discharge plan",
        action="update" if request.method == "POST" else "read",
    )
    initial = [
        {key: value for key, value in line.items() if value is not None} for line in plan.medicines
    ]
    formset = MedicineFormSet(request.POST or None, prefix="medicine", initial=initial or None)
    notes = PlanNotesForm(
        request.POST or None,
        initial={
            "staff_notes": plan.staff_notes,
            "wound_care": "\n".join(plan.content.get("wound_care", [])),
            "activity": "\n".join(plan.content.get("activity", [])),
        },
    )
    status = 200
    if request.method == "POST":
        if formset.is_valid() and notes.is_valid():
            lines = [line for form in formset.forms if (line := form.line()) is not None]
            try:
                do_update_discharge_plan(
                    actor=request.user,
                    plan=plan,
                    medicines=lines,
                    staff_notes=notes.cleaned_data["staff_notes"],
                    wound_care=notes.section("wound_care"),
                    activity=notes.section("activity"),
                )
            except ActionError as exc:
                notes.add_error(None, exc.message)
            else:
                messages.success(request, "Discharge plan saved.")
                return redirect("surgery:plan", case_id=plan.case.public_id)
        status = 400
    return render(
        request,
        "surgery/plan_edit.html",
        {**plan_context(plan), "formset": formset, "notes_form": notes},
        status=status,
    )


@clinical_required
def plan_pdf(request: HttpRequest, case_id: str) -> HttpResponse:
    plan = access_discharge_plan(request.user, case_id, purpose="print discharge plan")
    return pdf_response(
        request, "surgery/plan_print.html", plan_context(plan), "discharge-plan.pdf"
    )


def _my_plan(request: HttpRequest, purpose: str) -> DischargePlan | None:
    episode = episode_for_request(request.user, request.GET.get("episode"), purpose=purpose)
    case = getattr(episode, "surgical_case", None) if episode else None
    if case is None:
        return None
    return access_discharge_plan(request.user, case.public_id, purpose=purpose)


@patient_or_caregiver_required
def my_plan(request: HttpRequest) -> HttpResponse:
    plan = _my_plan(request, "own discharge plan")
    if plan is None:
        return render(request, "surgery/no_plan.html", status=404)
    return render(request, "surgery/my_plan.html", plan_context(plan))


@patient_or_caregiver_required
def my_plan_pdf(request: HttpRequest) -> HttpResponse:
    plan = _my_plan(request, "own discharge plan PDF")
    if plan is None:
        return render(request, "surgery/no_plan.html", status=404)
    return pdf_response(request, "surgery/plan_print.html", plan_context(plan), "my-plan.pdf")
