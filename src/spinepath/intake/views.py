from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.clinical.instruments import INSTRUMENTS
from spinepath.errors import ActionError
from spinepath.intake.access import access_assessment
from spinepath.intake.actions import do_decide_assessment, do_record_assessment
from spinepath.intake.forms import (
    AssessmentForm,
    DecisionForm,
    LevelFindingFormSet,
    TreatmentFormSet,
    case_json,
)
from spinepath.outcomes.instruments import outcome_instruments
from spinepath.patients.access import access_episode
from spinepath.patients.models import Episode


def _initial_from_intake(episode: Episode) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the patient told the self-screen, so the clinician does not ask it twice."""
    request = getattr(episode, "consultation_request", None)
    answers = request.answers if request is not None and request.answers else None
    if answers is None:
        return {}, []
    if answers.get("pain_below_knee"):
        dominant = "leg_pain"
    elif answers.get("leg_pain_on_walking"):
        dominant = "neurogenic_claudication"
    else:
        dominant = "back_pain"
    initial = {"dominant_symptom": dominant, "symptom_weeks": answers.get("pain_weeks")}
    treatments = [
        {"kind": t["kind"], "weeks": t.get("weeks"), "response": t.get("response") or ""}
        for t in answers.get("treatments") or []
    ]
    if not treatments:
        initial["no_conservative_care"] = True
    return initial, treatments


def _baseline_status(episode: Episode) -> list[dict[str, Any]]:
    recorded = {
        r.instrument: r
        for r in episode.questionnaire_responses.filter(timepoint="baseline").order_by(
            "submitted_at"
        )
    }
    return [
        {
            "id": instrument_id,
            "name": INSTRUMENTS[instrument_id].name,
            "response": recorded.get(instrument_id),
        }
        for instrument_id in outcome_instruments(episode)
    ]


@clinical_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="record assessment", action="create")
    initial, treatment_initial = _initial_from_intake(episode)
    form = AssessmentForm(request.POST or None, initial=initial)
    treatments = TreatmentFormSet(
        request.POST or None, prefix="treatment", initial=treatment_initial or None
    )
    findings = LevelFindingFormSet(request.POST or None, prefix="imaging")
    if (
        request.method == "POST"
        and form.is_valid()
        and treatments.is_valid()
        and findings.is_valid()
    ):
        age = episode.patient.age_on(timezone.localdate())
        case = case_json(episode.condition, form, treatments, findings, age)
        try:
            assessment = do_record_assessment(
                actor=request.user, episode=episode, case=case, notes=form.cleaned_data["notes"]
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Assessment recorded.")
            return redirect("intake:assessment", assessment_id=assessment.public_id)
    return render(
        request,
        "intake/assessment_form.html",
        {
            "form": form,
            "treatments": treatments,
            "findings": findings,
            "episode": episode,
            "patient": episode.patient,
            "baseline": _baseline_status(episode),
            "from_intake": bool(initial),
        },
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
