"""The shared-decision summary: the options in plain language, as a page and a PDF."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spinepath.clinical.patient_info import NOT_HAVING_SURGERY, option_info
from spinepath.clinical.procedures import PROCEDURES_BY_ID
from spinepath.intake.access import access_assessment
from spinepath.intake.models import Assessment
from spinepath.pdf import pdf_response


def summary_context(assessment: Assessment) -> dict[str, Any]:
    recommendation = assessment.recommendation
    options = [
        {"option": option, "info": option_info(option["procedure"])}
        for option in recommendation.get("options", [])
        if option["procedure"] in PROCEDURES_BY_ID
    ]
    return {
        "assessment": assessment,
        "patient": assessment.episode.patient,
        "episode": assessment.episode,
        "recommendation": recommendation,
        "options": options,
        "not_having_surgery": NOT_HAVING_SURGERY,
    }


@login_required
def decision_summary(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = access_assessment(request.user, assessment_id, purpose="shared-decision summary")
    return render(request, "intake/decision_summary.html", summary_context(assessment))


@login_required
def decision_summary_pdf(request: HttpRequest, assessment_id: str) -> HttpResponse:
    assessment = access_assessment(
        request.user, assessment_id, purpose="shared-decision summary PDF"
    )
    return pdf_response(
        request,
        "intake/decision_summary_print.html",
        summary_context(assessment),
        filename="shared-decision-summary.pdf",
    )
