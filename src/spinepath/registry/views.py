"""/registry/: dashboards for clinical leads and analysts over the pseudonymised dataset.

Thin: the filters are parsed by FilterForm, the figures come from report.build_report,
the charts from charts.report_charts. The dashboard's charts are images of their own
(/registry/charts/<key>.svg with the same filters): the page answers as soon as its figures
are ready, and the browser fetches the charts side by side, each drawn from its own section
of the report. No page here shows a patient; every view of the registry is still written to
the access log.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spinepath.accounts.decorators import analyst_required
from spinepath.audit.log import log_access
from spinepath.patients.models import Episode
from spinepath.pdf import pdf_response
from spinepath.registry.analytics import DatasetError, Filters, Registry
from spinepath.registry.charts import chart_section, report_charts, section_charts
from spinepath.registry.forms import FilterForm
from spinepath.registry.loader import RegistryPreparingError, current_registry, data_dir
from spinepath.registry.report import build_report, build_section, table_rows
from spinepath.surgery.models import SurgicalCase

TABLES = ("rates", "continuous", "mcid", "trajectories", "comparisons", "funnels")


def _clinic_now() -> dict[str, Any]:
    """Live counts from this clinic's own database (the dataset is an extract)."""
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
        rate = (100.0 * row["same_day"] / discharged) if discharged else None
        rows.append({**row, "same_day_rate": rate})
    return {"stages": stages, "rows": rows, "episodes": sum(stages.values())}


def _log(request: HttpRequest, purpose: str) -> None:
    log_access(
        user=request.user,
        object_type="registry_report",
        object_id=None,
        patient_public_id=None,
        purpose=purpose,
        granted=True,
    )


def _form(request: HttpRequest, registry: Registry) -> FilterForm:
    site = request.GET.get("site") or None
    choices = registry.choices()
    if site not in choices["sites"]:
        site = None
    return FilterForm(request.GET, choices=choices, surgeons=registry.surgeons_at(site))


@analyst_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _log(request, "registry dashboard")
    context: dict[str, Any] = {"clinic": _clinic_now(), "data_dir": data_dir()}
    try:
        registry = current_registry()
    except DatasetError as exc:
        context["unreadable"] = str(exc)
        return render(request, "registry/dashboard.html", context, status=503)
    except RegistryPreparingError:
        context["preparing"] = True
        response = render(request, "registry/dashboard.html", context, status=503)
        response["Retry-After"] = "30"
        return response
    if registry is None:
        return render(request, "registry/dashboard.html", context)
    form = _form(request, registry)
    context["form"] = form
    if not form.is_valid():
        return render(request, "registry/dashboard.html", context, status=400)
    report = build_report(registry, form.filters())
    context.update(
        report=report,
        charts=report_charts(report),
        query=request.GET.urlencode(),
        tables=TABLES,
    )
    return render(request, "registry/dashboard.html", context)


def _filtered(
    request: HttpRequest,
) -> tuple[tuple[Registry, Filters] | None, HttpResponse | None]:
    try:
        registry = current_registry()
    except DatasetError as exc:
        return None, HttpResponse(f"The registry dataset cannot be read: {exc}", status=503)
    except RegistryPreparingError:
        response = HttpResponse(
            "The registry dataset is being prepared; try again in a minute.", status=503
        )
        response["Retry-After"] = "30"
        return None, response
    if registry is None:
        return None, HttpResponse("No registry dataset yet.", status=404)
    form = _form(request, registry)
    if not form.is_valid():
        message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return None, HttpResponse(f"Bad filters: {message}", status=400)
    return (registry, form.filters()), None


def _filtered_report(request: HttpRequest) -> tuple[dict[str, Any] | None, HttpResponse | None]:
    chosen, problem = _filtered(request)
    if chosen is None:
        return None, problem
    return build_report(*chosen), None


@analyst_required
def chart_svg(request: HttpRequest, key: str) -> HttpResponse:
    """One chart of the dashboard, for the filters in the query string, as an SVG image."""
    section = chart_section(key)
    if section is None:
        return HttpResponse("No such chart.", status=404)
    _log(request, f"registry chart {key}")
    chosen, problem = _filtered(request)
    if chosen is None:
        assert problem is not None
        return problem
    chart = next(
        (c for c in section_charts(section, build_section(*chosen, section)) if c.key == key), None
    )
    if chart is None:  # e.g. a procedure group's rates, filtered out
        return HttpResponse("No such chart for these filters.", status=404)
    response = HttpResponse(chart.svg, content_type="image/svg+xml")
    # Drawn by us and script-free; still, an SVG opened on its own runs nothing and loads
    # nothing. Private: registry figures stay in the analyst's browser only.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    # Revalidated every time: after a new extract the same URL draws other figures.
    response["Cache-Control"] = "private, no-cache"
    return response


@analyst_required
def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in TABLES:
        return HttpResponse("No such table.", status=404)
    _log(request, f"registry table {name}")
    report, problem = _filtered_report(request)
    if problem is not None:
        return problem
    assert report is not None
    rows = table_rows(report, name)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="spinepath-{name}.csv"'
    return response


@analyst_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    _log(request, "registry report PDF")
    report, problem = _filtered_report(request)
    if problem is not None:
        return problem
    assert report is not None
    return pdf_response(
        request,
        "registry/report_pdf.html",
        {"report": report, "charts": report_charts(report)},
        "spinepath-registry-report.pdf",
    )
