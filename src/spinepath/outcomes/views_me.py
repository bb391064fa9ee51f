"""/me/questionnaires/: a patient (or their caregiver) answers follow-up questionnaires."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from spinepath.accounts.decorators import patient_or_caregiver_required
from spinepath.audit.log import log_listing
from spinepath.clinical.instruments import INSTRUMENTS
from spinepath.errors import ActionError
from spinepath.outcomes.access import (
    access_scheduled_questionnaire,
    scheduled_questionnaires_visible_to,
)
from spinepath.outcomes.actions import do_complete_scheduled_questionnaire
from spinepath.outcomes.followup import group_rows, local_today, timepoint_label
from spinepath.outcomes.forms import PatientResponseForm
from spinepath.outcomes.models import ScheduledStatus
from spinepath.outcomes.results import plain_result
from spinepath.patients.models import Stage


@patient_or_caregiver_required
def my_questionnaires(request: HttpRequest) -> HttpResponse:
    rows = list(
        scheduled_questionnaires_visible_to(request.user)
        .exclude(episode__stage=Stage.CLOSED)
        .order_by("due", "episode_id", "timepoint", "instrument")
    )
    groups = group_rows(rows, timezone.now())
    log_listing(
        user=request.user,
        object_type="scheduled_questionnaire",
        purpose="own follow-up questionnaires",
        patient_public_ids=[group.episode.patient.public_id for group in groups],
    )
    return render(
        request,
        "outcomes/me_questionnaires.html",
        {
            "now_groups": [g for g in groups if g.state == "answer_now"],
            "later_groups": [g for g in groups if g.state == "later"],
            "past_groups": [g for g in groups if g.state in {"done", "closed"}][::-1],
        },
    )


@patient_or_caregiver_required
@require_http_methods(["GET", "POST"])
def answer_questionnaire(request: HttpRequest, scheduled_id: str) -> HttpResponse:
    scheduled = access_scheduled_questionnaire(
        request.user,
        scheduled_id,
        purpose="answer follow-up questionnaire",
        action="create" if request.method == "POST" else "read",
    )
    instrument = INSTRUMENTS.get(scheduled.instrument)
    if instrument is None:  # rows are made from the known instruments; never guess
        raise Http404("Unknown questionnaire.")
    form = PatientResponseForm(request.POST or None, instrument=instrument)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_complete_scheduled_questionnaire(
                    actor=request.user, scheduled=scheduled, answers=form.answers()
                )
            except ActionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
                scheduled.refresh_from_db(fields=["status", "response"])
            else:
                messages.success(request, "Thank you, your answers are saved.")
                return redirect("outcomes_me:answer", scheduled_id=scheduled.public_id)
        else:
            status = 400
    today = local_today(scheduled.episode.patient.site.time_zone, timezone.now())
    if scheduled.status != ScheduledStatus.DUE:
        state = scheduled.status
    elif today < scheduled.window_start:
        state = "later"
    elif today > scheduled.window_end:
        state = ScheduledStatus.MISSED
    else:
        state = "open"
    return render(
        request,
        "outcomes/me_answer.html",
        {
            "scheduled": scheduled,
            "instrument": instrument,
            "patient": scheduled.episode.patient,
            "timepoint": timepoint_label(scheduled.timepoint),
            "form": form,
            "state": state,
            "wording_missing": any(item.text is None for item in instrument.items),
            "result": plain_result(scheduled.response) if scheduled.response else None,
        },
        status=status,
    )
