"""/registry/: programme figures for clinical leads and analysts.

Aggregates only; no row here identifies a patient. The full pseudonymised
extract and analytics arrive with the registry stage.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spinepath.accounts.decorators import analyst_required
from spinepath.patients.models import Episode
from spinepath.surgery.models import SurgicalCase


@analyst_required
def dashboard(request: HttpRequest) -> HttpResponse:
    stages = dict(Episode.objects.values_list("stage").annotate(n=Count("id")))
    by_approach = (
        SurgicalCase.objects.values("approach")
        .annotate(
            cases=Count("id"),
            discharged=Count("id", filter=Q(discharged_at__isnull=False)),
            same_day=Count("id", filter=Q(length_of_stay_category="same_day")),
            mean_blood_loss=Avg("estimated_blood_loss_ml"),
            mean_minutes=Avg("operative_minutes"),
            mean_los_hours=Avg("length_of_stay_hours"),
        )
        .order_by("approach")
    )
    rows = []
    for row in by_approach:
        discharged = row["discharged"] or 0
        rows.append(
            {
                **row,
                "same_day_rate": (100.0 * row["same_day"] / discharged) if discharged else None,
            }
        )
    return render(
        request,
        "registry/dashboard.html",
        {"stages": stages, "rows": rows, "episodes": sum(stages.values())},
    )
