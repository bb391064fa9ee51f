"""Patient check-in and the care team's alert worklist."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.decorators import clinical_required, patient_or_caregiver_required
from spinepath.audit.log import log_listing
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode
from spinepath.patients.me import current_episode_for
from spinepath.recovery.access import access_alert, worklist_alerts
from spinepath.recovery.actions import do_acknowledge_alert, do_resolve_alert, do_submit_checkin
from spinepath.recovery.forms import CheckInForm, ResolveForm
from spinepath.recovery.worklist import worklist_rows

WORKLIST_LIMIT = 200


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
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = do_submit_checkin(actor=request.user, episode=episode, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            return render(
                request,
                "recovery/checkin_done.html",
                {"result": result, "episode": episode},
                status=200,
            )
    return render(
        request,
        "recovery/checkin.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )


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
@require_POST
def resolve(request: HttpRequest, alert_id: str) -> HttpResponse:
    alert = access_alert(request.user, alert_id, purpose="resolve alert", action="update")
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say how the alert was resolved.")
        return redirect("recovery:worklist")
    try:
        do_resolve_alert(actor=request.user, alert=alert, **form.cleaned_data)
    except ActionError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, "Alert resolved.")
    return redirect("recovery:worklist")
