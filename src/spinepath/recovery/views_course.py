"""An episode's recovery: the clinic's page (check-ins, milestones, opioids against the
taper, charts) and the patient's own progress at /me/progress/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from spinepath.accounts.decorators import clinical_required, patient_or_caregiver_required
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode
from spinepath.patients.me import episode_for_request
from spinepath.patients.models import Episode
from spinepath.recovery.actions import do_record_milestone
from spinepath.recovery.course import day_after_surgery, planned_milestones, reached_milestones
from spinepath.recovery.forms import MilestoneForm
from spinepath.recovery.progress import episode_progress, progress_charts

CHECKINS_SHOWN = 60


def _milestone_rows(episode: Episode, day: int | None) -> list[dict[str, object]]:
    reached = reached_milestones(episode)
    rows = []
    for milestone in planned_milestones(episode):
        record = reached.get(milestone.id)
        rows.append(
            {
                "milestone": milestone,
                "record": record,
                "late": record is None and day is not None and day > milestone.by_day,
            }
        )
    return rows


@clinical_required
def episode_recovery(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="recovery review")
    progress = episode_progress(episode)
    checkins = list(
        episode.checkins.select_related("photo").order_by("-submitted_at", "-id")[:CHECKINS_SHOWN]
    )
    today = day_after_surgery(episode, timezone.now())
    return render(
        request,
        "recovery/episode_recovery.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "checkins": checkins,
            "charts": progress_charts(episode, progress),
            "milestones": _milestone_rows(episode, today),
            "milestone_form": MilestoneForm(),
            "alerts": episode.alerts.order_by("-raised_at")[:50],
        },
    )


@clinical_required
@require_POST
def record_milestone(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="record milestone", action="update")
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the milestone and the date it was reached.")
        return redirect("recovery:episode", episode_id=episode.public_id)
    try:
        do_record_milestone(actor=request.user, episode=episode, **form.cleaned_data)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Milestone recorded.")
    return redirect("recovery:episode", episode_id=episode.public_id)


@patient_or_caregiver_required
def my_progress(request: HttpRequest) -> HttpResponse:
    episode = episode_for_request(request.user, request.GET.get("episode"), purpose="own progress")
    if episode is None:
        return render(request, "recovery/no_episode.html", status=404)
    progress = episode_progress(episode)
    return render(
        request,
        "recovery/my_progress.html",
        {
            "episode": episode,
            "patient": episode.patient,
            "progress": progress,
            "charts": progress_charts(episode, progress),
            "milestones": _milestone_rows(episode, day_after_surgery(episode, timezone.now())),
        },
    )
