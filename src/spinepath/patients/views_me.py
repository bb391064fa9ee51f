"""/me/: what a patient or caregiver sees of their own care."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spinepath.accounts.decorators import patient_or_caregiver_required
from spinepath.audit.log import log_listing
from spinepath.patients.access import episodes_visible_to
from spinepath.patients.models import Stage


@patient_or_caregiver_required
def me_home(request: HttpRequest) -> HttpResponse:
    episodes = list(
        episodes_visible_to(request.user)
        .exclude(stage=Stage.CLOSED)
        .select_related("patient", "care_team", "surgical_case")
        .prefetch_related("checkins", "alerts", "assessments")
        .order_by("-opened_at")
    )
    log_listing(
        user=request.user,
        object_type="episode",
        purpose="own care overview",
        patient_public_ids=[episode.patient.public_id for episode in episodes],
    )
    cards = [
        {
            "episode": episode,
            "case": getattr(episode, "surgical_case", None),
            "last_checkin": next(iter(episode.checkins.all()), None),
            "open_alerts": [a for a in episode.alerts.all() if a.status != "resolved"],
        }
        for episode in episodes
    ]
    return render(request, "patients/me_home.html", {"cards": cards})
