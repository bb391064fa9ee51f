from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.errors import ActionError
from spinepath.intake.access import access_assessment
from spinepath.intake.actions import do_decide_assessment, do_record_assessment
from spinepath.intake.forms import AssessmentForm, DecisionForm
from spinepath.patients.access import access_episode


@clinical_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="record assessment")
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = do_record_assessment(
                actor=request.user, episode=episode, **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Assessment recorded.")
            return redirect("intake:assessment", assessment_id=assessment.public_id)
    return render(
        request,
        "intake/assessment_form.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )


@clinical_required
def assessment_detail(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, purpose="view assessment")
    return render(
        request,
        "intake/assessment_detail.html",
        {
            "assessment": assessment,
            "episode": assessment.episode,
            "patient": assessment.episode.patient,
            "recommendation": assessment.recommendation,
            "decision_form": DecisionForm(),
        },
    )


@clinical_required
@require_POST
def assessment_decide(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = access_assessment(
        request.user, assessment_id, purpose="decide candidacy", action="update"
    )
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            do_decide_assessment(
                actor=request.user,
                assessment=assessment,
                accept=form.cleaned_data["decision"] == "accept",
                pathway=form.cleaned_data["pathway"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("intake:assessment", assessment_id=assessment.public_id)
    return render(
        request,
        "intake/assessment_detail.html",
        {
            "assessment": assessment,
            "episode": assessment.episode,
            "patient": assessment.episode.patient,
            "recommendation": assessment.recommendation,
            "decision_form": form,
        },
        status=400,
    )
