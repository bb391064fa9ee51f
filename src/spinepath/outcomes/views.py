from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from spinepath.accounts.decorators import clinical_required
from spinepath.clinical.instruments import get_instrument
from spinepath.errors import ActionError
from spinepath.outcomes.actions import do_record_complication, do_record_response
from spinepath.outcomes.forms import ComplicationForm, ResponseForm
from spinepath.outcomes.instruments import available_instruments
from spinepath.patients.access import access_episode


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
    form = ResponseForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            response = do_record_response(
                actor=request.user,
                episode=episode,
                instrument_id=instrument.id,
                timepoint=form.cleaned_data["timepoint"],
                answers=form.answers(),
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
            return redirect("patients:episode", episode_id=episode.public_id)
    return render(
        request,
        "outcomes/response_form.html",
        {"form": form, "episode": episode, "patient": episode.patient, "instrument": instrument},
        status=400 if form.is_bound else 200,
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def complication_create(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(
        request.user, episode_id, purpose="record complication", action="create"
    )
    form = ComplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_record_complication(actor=request.user, episode=episode, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Complication recorded.")
            return redirect("patients:episode", episode_id=episode.public_id)
    return render(
        request,
        "outcomes/complication_form.html",
        {"form": form, "episode": episode, "patient": episode.patient},
        status=400 if form.is_bound else 200,
    )
