"""Staff pages: recording questionnaires and complications, and the follow-up queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.audit.log import log_listing
from spinepath.clinical.instruments import get_instrument
from spinepath.errors import ActionError
from spinepath.outcomes.access import access_scheduled_questionnaire, overdue_follow_ups
from spinepath.outcomes.actions import (
    do_complete_scheduled_questionnaire,
    do_confirm_event,
    do_record_complication,
    do_record_follow_up_call,
    do_record_response,
)
from spinepath.outcomes.followup import (
    MISSED_SHOWN_DAYS,
    QUEUE_LIMIT,
    LastCall,
    group_rows,
    limit_timepoints,
    local_today,
    queue_rows,
    timepoint_label,
)
from spinepath.outcomes.forms import TIMEPOINTS, ComplicationForm, FollowUpCallForm, ResponseForm
from spinepath.outcomes.instruments import available_instruments
from spinepath.outcomes.models import (
    CALL_NOTES_MAX,
    CallOutcome,
    Complication,
    ComplicationStatus,
    FollowUpCall,
    ScheduledQuestionnaire,
    ScheduledStatus,
)
from spinepath.patients.access import access_episode
from spinepath.patients.models import Episode
from spinepath.recovery.access import access_alert
from spinepath.recovery.actions import do_link_complication
from spinepath.recovery.models import AlertOutcome

_TIMEPOINT_IDS = {value for value, _ in TIMEPOINTS if value}


def _answerable_row(
    episode: Episode, instrument_id: str, timepoint: str, now: datetime
) -> ScheduledQuestionnaire | None:
    """The episode's follow-up questionnaire that a response for this instrument and time
    point completes: still due, and today (site time) inside its window."""
    row = ScheduledQuestionnaire.objects.filter(
        episode=episode, instrument=instrument_id, timepoint=timepoint, status=ScheduledStatus.DUE
    ).first()
    if row is None:
        return None
    today = local_today(episode.patient.site.time_zone, now)
    return row if row.window_start <= today <= row.window_end else None


@clinical_required
@require_http_methods(["GET", "POST"])
def response_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(
        request.user, episode_id, purpose="record questionnaire", action="create"
    )
    available = available_instruments()
    instrument_id = request.POST.get("instrument") or request.GET.get("instrument")
    if instrument_id not in available:
        return render(
            request,
            "outcomes/choose_instrument.html",
            {"episode": episode, "patient": episode.patient, "instruments": available.values()},
            status=400 if instrument_id else 200,
        )
    instrument = get_instrument(instrument_id)
    # From the follow-up queue: ?timepoint= preselects the time point being collected.
    asked = request.GET.get("timepoint", "")
    initial = {"timepoint": asked} if asked in _TIMEPOINT_IDS else {}
    from_queue = request.GET.get("return") == "follow-up"
    form = ResponseForm(request.POST or None, instrument=instrument, initial=initial)
    now = timezone.now()
    if request.method == "POST" and form.is_valid():
        timepoint = form.cleaned_data["timepoint"]
        # A response inside a scheduled window completes that follow-up questionnaire,
        # so the patient is not reminded of, nor called about, what is already done.
        scheduled = _answerable_row(episode, instrument.id, timepoint, now)
        try:
            if scheduled is not None:
                response = do_complete_scheduled_questionnaire(
                    actor=request.user, scheduled=scheduled, answers=form.answers(), now=now
                )
            else:
                response = do_record_response(
                    actor=request.user,
                    episode=episode,
                    instrument_id=instrument.id,
                    timepoint=timepoint,
                    answers=form.answers(),
                    now=now,
                )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            if response.scorable:
                messages.success(request, f"{instrument.name}: score {response.score:.2f}.")
            else:
                messages.warning(
                    request,
                    f"{instrument.name} saved, not scorable: {response.not_scorable_reason}",
                )
            if scheduled is not None:
                messages.info(
                    request,
                    f"The {timepoint_label(timepoint)} follow-up {instrument.name} is complete.",
                )
            if from_queue:
                return redirect("outcomes:follow_up_queue")
            return redirect("patients:episode", episode_id=episode.public_id)
    scheduled = (
        _answerable_row(episode, instrument.id, initial["timepoint"], now) if initial else None
    )
    return render(
        request,
        "outcomes/response_form.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "instrument": instrument,
            "scheduled": scheduled,
            "scheduled_label": timepoint_label(scheduled.timepoint) if scheduled else "",
        },
        status=400 if form.is_bound else 200,
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def complication_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(
        request.user, episode_id, purpose="record complication", action="create"
    )
    # Resolving an alert as "readmitted" brings the clinician here with ?alert=…: the
    # complication is prefilled from it and linked to it.
    alert = None
    if request.GET.get("alert"):
        alert = access_alert(request.user, request.GET["alert"], purpose="record complication")
        if alert.episode_id != episode.pk:
            raise Http404("No alert with that id.")
    # A wound or fever alert made a patient-reported event: recording the complication
    # from the alert confirms that report rather than counting the event twice.
    pending = (
        Complication.objects.filter(alert=alert, status=ComplicationStatus.PENDING).first()
        if alert is not None
        else None
    )
    initial = None
    if alert is not None:
        time_zone = episode.patient.site.time_zone
        readmitted = alert.outcome == AlertOutcome.READMITTED and alert.resolved_at is not None
        initial = {
            "description": f"{alert.get_outcome_display() or 'Alert'}: {alert.reason}"[:300],
            "onset_date": (
                pending.onset_date
                if pending is not None
                else local_today(time_zone, alert.raised_at)
            ),
            "related_to_surgery": "",
            # Resolved as a readmission: that day is the likely date; the clinician checks.
            "readmitted": readmitted,
            "readmitted_on": local_today(time_zone, alert.resolved_at) if readmitted else None,
        }
    form = ComplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if pending is not None:
                    complication = do_confirm_event(
                        actor=request.user,
                        event=pending,
                        details=form.details(),
                        description=data["description"],
                        onset_date=data["onset_date"],
                    )
                else:
                    complication = do_record_complication(
                        actor=request.user, episode=episode, alert=alert, **data
                    )
                if alert is not None:
                    do_link_complication(actor=request.user, alert=alert, complication=complication)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Complication recorded.")
            return redirect("patients:episode", episode_id=episode.public_id)
    return render(
        request,
        "outcomes/complication_form.html",
        {
            "form": form,
            "episode": episode,
            "patient": episode.patient,
            "alert": alert,
            "pending": pending,
        },
        status=400 if form.is_bound else 200,
    )


def _last_calls(episode_ids: set[int], timepoints: set[str]) -> dict[tuple[int, str], LastCall]:
    last: dict[tuple[int, str], LastCall] = {}
    calls = (
        FollowUpCall.objects.filter(episode_id__in=episode_ids, timepoint__in=timepoints)
        .select_related("called_by")
        .order_by("-called_at", "-id")
    )
    for call in calls:
        key = (call.episode_id, call.timepoint)
        if key not in last:
            last[key] = LastCall(
                outcome=call.get_outcome_display(),
                called_at=call.called_at,
                called_by=str(call.called_by),
            )
    return last


@clinical_required
def follow_up_queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    site = request.user.site
    today = local_today(site.time_zone if site else settings.TIME_ZONE, now)
    rows = limit_timepoints(
        overdue_follow_ups(
            request.user, today, missed_since=today - timedelta(days=MISSED_SHOWN_DAYS)
        ),
        QUEUE_LIMIT,
    )
    groups = group_rows(rows, now)
    log_listing(
        user=request.user,
        object_type="scheduled_questionnaire",
        purpose="follow-up queue",
        patient_public_ids=[group.episode.patient.public_id for group in groups],
    )
    prepared = queue_rows(
        groups,
        _last_calls({g.episode_id for g in groups}, {g.timepoint for g in groups}),
    )
    overdue = [row for row in prepared if row.overdue]
    missed = [row for row in prepared if not row.overdue]
    return render(
        request,
        "outcomes/follow_up_queue.html",
        {
            "overdue": overdue,
            "missed": missed,
            "today": today,
            "limit": QUEUE_LIMIT,
            "truncated": len(groups) >= QUEUE_LIMIT,
            "missed_days": MISSED_SHOWN_DAYS,
            # Rendered once, not once per row: the page lists up to hundreds of rows.
            "outcome_options": format_html_join(
                "", '<option value="{}">{}</option>', CallOutcome.choices
            ),
            "notes_max": CALL_NOTES_MAX,
        },
    )


@clinical_required
@require_POST
def record_call(request: HttpRequest, scheduled_id: str) -> HttpResponse:
    scheduled = access_scheduled_questionnaire(
        request.user, scheduled_id, purpose="record follow-up call", action="create"
    )
    form = FollowUpCallForm(request.POST)
    if form.is_valid():
        try:
            do_record_follow_up_call(actor=request.user, scheduled=scheduled, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Call recorded for {scheduled.episode.patient.display_name} "
                f"({timepoint_label(scheduled.timepoint)}).",
            )
            return redirect("outcomes:follow_up_queue")
    return render(
        request,
        "outcomes/call_form.html",
        {
            "form": form,
            "scheduled": scheduled,
            "patient": scheduled.episode.patient,
            "timepoint": timepoint_label(scheduled.timepoint),
        },
        status=400,
    )
