"""The reconciliation queue at /clinic/events/: events patients reported through check-in
alerts (wound, fever), for staff to confirm with a grade or reject with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.audit.log import log_listing
from spinepath.clinical.procedures import PROCEDURES_BY_ID
from spinepath.errors import ActionError
from spinepath.outcomes.access import access_complication, pending_events_visible_to
from spinepath.outcomes.actions import do_confirm_event, do_reject_event
from spinepath.outcomes.forms import ConfirmEventForm, RejectEventForm
from spinepath.outcomes.models import Complication

EVENTS_PER_PAGE = 25


@dataclass(frozen=True)
class EventRow:
    event: Complication
    surgery_date: date | None
    procedure: str
    confirm_form: ConfirmEventForm
    reject_form: RejectEventForm

    @property
    def anchor(self) -> str:
        return _anchor(self.event)

    @property
    def day(self) -> int | None:
        return self.event.days_from_surgery(operated=self.surgery_date)


def _anchor(event: Complication) -> str:
    # Field ids unique per event (several forms on one page); field names stay plain.
    return f"e{event.public_id.hex[:12]}"


def _row(
    event: Complication,
    confirm_form: ConfirmEventForm | None = None,
    reject_form: RejectEventForm | None = None,
) -> EventRow:
    prefix = _anchor(event)
    case = event.surgical_case()
    procedure = PROCEDURES_BY_ID.get(case.procedure) if case is not None else None
    return EventRow(
        event=event,
        surgery_date=event.surgery_date(),
        procedure=(
            f"{procedure.label} ({case.get_approach_display().lower()})"
            if procedure is not None and case is not None
            else (case.procedure if case is not None else "not operated")
        ),
        confirm_form=confirm_form or ConfirmEventForm(auto_id=f"{prefix}-c-%s"),
        reject_form=reject_form or RejectEventForm(auto_id=f"{prefix}-r-%s"),
    )


@clinical_required
@require_GET
def event_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(pending_events_visible_to(request.user), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    events = list(page.object_list)
    log_listing(
        user=request.user,
        object_type="complication",
        purpose="patient-reported events queue",
        patient_public_ids=[event.episode.patient.public_id for event in events],
    )
    return render(
        request,
        "outcomes/event_queue.html",
        {"rows": [_row(event) for event in events], "page": page},
    )


@clinical_required
@require_GET
def event_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    event = access_complication(request.user, event_id, purpose="review patient-reported event")
    return _review_page(request, event)


def _review_page(
    request: HttpRequest,
    event: Complication,
    *,
    confirm_form: ConfirmEventForm | None = None,
    reject_form: RejectEventForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "outcomes/event_review.html",
        {
            "row": _row(event, confirm_form, reject_form),
            "patient": event.episode.patient,
        },
        status=status,
    )


@clinical_required
@require_POST
def event_confirm(request: HttpRequest, event_id: str) -> HttpResponse:
    event = access_complication(
        request.user, event_id, purpose="confirm patient-reported event", action="update"
    )
    form = ConfirmEventForm(request.POST, auto_id=f"{_anchor(event)}-c-%s")
    status = 400
    if form.is_valid():
        try:
            do_confirm_event(
                actor=request.user,
                event=event,
                details=form.details(),
                note=form.cleaned_data["review_note"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
            event.refresh_from_db()
        else:
            messages.success(
                request,
                f"Confirmed: {event.episode.patient.display_name}, {event.description} "
                f"(Clavien-Dindo {form.cleaned_data['clavien_dindo']}).",
            )
            return redirect("outcomes:events")
    return _review_page(request, event, confirm_form=form, status=status)


@clinical_required
@require_POST
def event_reject(request: HttpRequest, event_id: str) -> HttpResponse:
    event = access_complication(
        request.user, event_id, purpose="reject patient-reported event", action="update"
    )
    form = RejectEventForm(request.POST, auto_id=f"{_anchor(event)}-r-%s")
    status = 400
    if form.is_valid():
        try:
            do_reject_event(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        except ActionError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
            status = exc.status
            event.refresh_from_db()
        else:
            messages.success(
                request,
                f"Rejected: {event.episode.patient.display_name}, {event.description}.",
            )
            return redirect("outcomes:events")
    return _review_page(request, event, reject_form=form, status=status)
