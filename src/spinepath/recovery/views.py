"""Patient check-in and the care team's alert worklist."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required, patient_or_caregiver_required
from spinepath.audit.log import log_listing
from spinepath.clinical.triage import CHECKIN_RED_FLAGS
from spinepath.errors import ActionError
from spinepath.patients.me import episode_for_request
from spinepath.patients.models import Episode
from spinepath.recovery.access import (
    access_alert,
    access_wound_photo,
    complications_owed,
    worklist_alerts,
)
from spinepath.recovery.actions import (
    CheckInResult,
    do_acknowledge_alert,
    do_add_alert_note,
    do_report_red_flags,
    do_resolve_alert,
    do_submit_checkin,
)
from spinepath.recovery.alert_data import readable
from spinepath.recovery.course import prescribed_medicines
from spinepath.recovery.forms import AlertNoteForm, CheckInForm, ResolveForm
from spinepath.recovery.models import COMPLICATION_OUTCOMES
from spinepath.recovery.photos import prepare_wound_photo
from spinepath.recovery.worklist import worklist_rows

WORKLIST_LIMIT = 200
log = logging.getLogger(__name__)


# What a patient can tell us they have done; walking comes from the minutes walked.
PATIENT_MILESTONES = {
    "physio_start": "Started physiotherapy",
    "driving": "Driven a car again",
    "desk_work": "Gone back to desk or light work",
    "heavy_work": "Gone back to heavy or manual work",
}


def _checkin_form(request: HttpRequest, episode: Episode) -> CheckInForm:
    reached = set(episode.milestones.values_list("milestone_id", flat=True))
    return CheckInForm(
        request.POST or None,
        request.FILES or None,
        medicines=prescribed_medicines(episode),
        open_milestones=[(k, v) for k, v in PATIENT_MILESTONES.items() if k not in reached],
    )


@patient_or_caregiver_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    episode = episode_for_request(
        request.user,
        request.POST.get("episode") or request.GET.get("episode"),
        purpose="daily check-in",
        action="create",
    )
    if episode is None:
        return render(request, "recovery/no_episode.html", status=404)
    form = _checkin_form(request, episode)
    if request.method == "POST":
        flags = _red_flags_ticked(request)
        if form.is_valid():
            try:
                result = _submit_checkin(request, episode, form, optional=True)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return _checkin_done(request, episode, result)
        if flags:
            # Never lose a red flag to a mistake elsewhere in the form: send what can be
            # sent (the core answers, or the red flags alone) and say what was not.
            return _checkin_done(request, episode, _salvage(request, episode, form, flags), form)
    return render(
        request,
        "recovery/checkin.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )


CORE_FIELDS = ("back_pain", "leg_pain", "wound")


def _red_flags_ticked(request: HttpRequest) -> list[str]:
    box = forms.CheckboxInput()
    return [name for name in CHECKIN_RED_FLAGS if box.value_from_datadict(request.POST, {}, name)]


def _submit_checkin(
    request: HttpRequest, episode: Episode, form: CheckInForm, *, optional: bool
) -> CheckInResult:
    """The check-in from the form's valid answers; ``optional=False`` leaves out the
    painkillers, the photo and the milestones."""
    data = form.cleaned_data
    upload = data.get("wound_photo") if optional else None
    return do_submit_checkin(
        actor=request.user,
        episode=episode,
        back_pain=data["back_pain"],
        leg_pain=data["leg_pain"],
        wound=data["wound"],
        temperature_c=data.get("temperature_c"),
        walking_minutes=data.get("walking_minutes"),
        new_leg_weakness=bool(data.get("new_leg_weakness")),
        saddle_numbness=bool(data.get("saddle_numbness")),
        bladder_change=bool(data.get("bladder_change")),
        bowel_change=bool(data.get("bowel_change")),
        notes=data.get("notes", ""),
        analgesics=form.analgesics() if optional else None,
        photo=prepare_wound_photo(upload, upload.size) if upload else None,
        milestones_reached=data.get("milestones", ()) if optional else (),
    )


def _salvage(
    request: HttpRequest, episode: Episode, form: CheckInForm, flags: list[str]
) -> CheckInResult:
    if all(name in form.cleaned_data for name in CORE_FIELDS):
        try:
            return _submit_checkin(request, episode, form, optional=False)
        except ActionError:
            pass
    return do_report_red_flags(actor=request.user, episode=episode, flags=flags)


def _checkin_done(
    request: HttpRequest,
    episode: Episode,
    result: CheckInResult,
    form: CheckInForm | None = None,
) -> HttpResponse:
    not_saved = []
    if form is not None:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            not_saved.extend(f"{label}: {error}" if label else str(error) for error in errors)
    return render(
        request,
        "recovery/checkin_done.html",
        {
            "result": result,
            "episode": episode,
            "care_team": episode.care_team,
            "not_saved": not_saved,
        },
        status=200,
    )


@login_required
def wound_photo(request: HttpRequest, photo_id: str) -> HttpResponse:
    photo = access_wound_photo(request.user, photo_id, purpose="view wound photo")
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        # The row outlived its file (storage not shared between hosts, a lost volume).
        log.error("wound photo %s: file missing from storage", photo.public_id)
        raise Http404("The photo file is missing.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@clinical_required
def worklist(request: HttpRequest) -> HttpResponse:
    alerts = list(worklist_alerts(request.user)[:WORKLIST_LIMIT])
    log_listing(
        user=request.user,
        object_type="alert",
        purpose="alert worklist",
        patient_public_ids=[alert.episode.patient.public_id for alert in alerts],
    )
    template = (
        "recovery/_worklist_table.html"
        if request.headers.get("HX-Request")
        else "recovery/worklist.html"
    )
    owed = list(complications_owed(request.user)[:50]) if template.endswith("worklist.html") else []
    if owed:
        log_listing(
            user=request.user,
            object_type="alert",
            purpose="complications to record",
            patient_public_ids=[alert.episode.patient.public_id for alert in owed],
        )
    return render(
        request,
        template,
        {"rows": worklist_rows(alerts), "limit": WORKLIST_LIMIT, "owed": owed},
    )


@clinical_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id, purpose="acknowledge alert", action="update")
    try:
        do_acknowledge_alert(actor=request.user, alert=alert)
    except ActionError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect("recovery:worklist")


@clinical_required
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id, purpose="review alert")
    checkin = alert.checkin
    photo = getattr(checkin, "photo", None) if checkin is not None else None
    return render(
        request,
        "recovery/alert_detail.html",
        {
            "alert": alert,
            "patient": alert.episode.patient,
            "checkin": checkin,
            "photo": photo,
            "notes": alert.notes.select_related("author"),
            "note_form": AlertNoteForm(),
            "resolve_form": ResolveForm(),
            "data": readable(alert.data),
        },
    )


@clinical_required
@require_POST
def add_note(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id, purpose="add alert note", action="update")
    form = AlertNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the note (up to 2,000 characters).")
        return redirect("recovery:alert", alert_id=alert.public_id)
    try:
        do_add_alert_note(actor=request.user, alert=alert, text=form.cleaned_data["text"])
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Note added.")
    return redirect("recovery:alert", alert_id=alert.public_id)


@clinical_required
@require_POST
def resolve(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id, purpose="resolve alert", action="update")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the outcome of the alert.")
        return redirect("recovery:alert", alert_id=alert.public_id)
    try:
        resolved = do_resolve_alert(actor=request.user, alert=alert, **form.cleaned_data)
    except ActionError as exc:
        messages.warning(request, exc.message)
        return redirect("recovery:alert", alert_id=alert.public_id)
    if resolved.outcome in COMPLICATION_OUTCOMES:
        messages.info(
            request,
            f"Alert resolved ({resolved.get_outcome_display().lower()}). Record the "
            "complication now, so it reaches the outcomes and the registry.",
        )
        url = reverse("outcomes:complication_create", args=[alert.episode.public_id])
        return redirect(f"{url}?alert={alert.public_id}")
    messages.success(request, "Alert resolved.")
    return redirect("recovery:worklist")
