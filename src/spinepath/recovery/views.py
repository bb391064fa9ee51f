"""Patient check-in and the care team's alert worklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required, patient_or_caregiver_required
from spinepath.audit.log import log_listing
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode
from spinepath.patients.me import current_episode_for
from spinepath.patients.models import Episode
from spinepath.recovery.access import access_alert, access_wound_photo, worklist_alerts
from spinepath.recovery.actions import (
    do_acknowledge_alert,
    do_add_alert_note,
    do_resolve_alert,
    do_submit_checkin,
)
from spinepath.recovery.course import prescribed_medicines
from spinepath.recovery.forms import AlertNoteForm, CheckInForm, ResolveForm
from spinepath.recovery.models import COMPLICATION_OUTCOMES
from spinepath.recovery.photos import prepare_wound_photo
from spinepath.recovery.worklist import worklist_rows

WORKLIST_LIMIT = 200


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
    episode_id = request.POST.get("episode") or request.GET.get("episode")
    if episode_id:
        episode = access_episode(
            request.user, episode_id, purpose="daily check-in", action="create"
        )
    else:
        episode = current_episode_for(request.user, purpose="daily check-in")
        if episode is None:
            return render(request, "recovery/no_episode.html", status=404)
    form = _checkin_form(request, episode)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("wound_photo", None)
        try:
            photo = prepare_wound_photo(upload, upload.size) if upload else None
            result = do_submit_checkin(
                actor=request.user,
                episode=episode,
                back_pain=data["back_pain"],
                leg_pain=data["leg_pain"],
                wound=data["wound"],
                temperature_c=data["temperature_c"],
                walking_minutes=data["walking_minutes"],
                new_leg_weakness=data["new_leg_weakness"],
                saddle_numbness=data["saddle_numbness"],
                bladder_change=data["bladder_change"],
                bowel_change=data["bowel_change"],
                notes=data["notes"],
                analgesics=form.analgesics(),
                photo=photo,
                milestones_reached=data["milestones"],
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return render(
                request,
                "recovery/checkin_done.html",
                {"result": result, "episode": episode, "care_team": episode.care_team},
                status=200,
            )
    return render(
        request,
        "recovery/checkin.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )


@login_required
def wound_photo(request: HttpRequest, photo_id: str) -> HttpResponse:
    photo = access_wound_photo(request.user, photo_id, purpose="view wound photo")
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
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
    return render(request, template, {"rows": worklist_rows(alerts), "limit": WORKLIST_LIMIT})


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
            "data": sorted(alert.data.items()),
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
    do_add_alert_note(actor=request.user, alert=alert, text=form.cleaned_data["text"])
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
