"""Clinic pages for patients and episodes. Thin: parse, guard, act, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from spinepath.accounts.decorators import clinical_required
from spinepath.audit.log import log_listing
from spinepath.errors import ActionError
from spinepath.patients.access import access_episode, access_patient, patients_visible_to
from spinepath.patients.actions import do_create_episode, do_create_patient
from spinepath.patients.forms import EpisodeForm, PatientForm, PatientSearchForm

PAGE_SIZE = 50
SEARCH_LIMIT = 100


@clinical_required
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    patients = patients_visible_to(request.user).order_by("family_name", "given_name", "id")
    search = PatientSearchForm(request.POST or None)
    if request.method == "POST" and search.is_valid():
        q = search.cleaned_data["q"].strip()
        patients = patients.filter(
            Q(family_name__icontains=q) | Q(given_name__icontains=q) | Q(mrn__iexact=q)
        )
        # Search results are one page: paging links are GETs and would drop the search.
        page = Paginator(patients[:SEARCH_LIMIT], SEARCH_LIMIT).get_page(1)
    else:
        page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    log_listing(
        user=request.user,
        object_type="patient",
        purpose="patient list",
        patient_public_ids=[p.public_id for p in page],
    )
    return render(request, "patients/patient_list.html", {"page": page, "search": search})


@clinical_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = do_create_patient(actor=request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Patient registered.")
            return redirect("patients:patient", patient_id=patient.public_id)
    return render(request, "patients/patient_form.html", {"form": form})


@clinical_required
def patient_detail(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request.user, patient_id, purpose="view patient record")
    episodes = patient.episodes.select_related("care_team", "lead_surgeon")
    return render(
        request, "patients/patient_detail.html", {"patient": patient, "episodes": episodes}
    )


@clinical_required
@require_http_methods(["GET", "POST"])
def episode_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = access_patient(request.user, patient_id, purpose="open episode", action="create")
    form = EpisodeForm(request.POST or None, site_id=patient.site_id)
    if request.method == "POST" and form.is_valid():
        try:
            episode = do_create_episode(actor=request.user, patient=patient, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Episode opened.")
            return redirect("patients:episode", episode_id=episode.public_id)
    return render(request, "patients/episode_form.html", {"form": form, "patient": patient})


@clinical_required
def episode_detail(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = access_episode(request.user, episode_id, purpose="view episode")
    case = getattr(episode, "surgical_case", None)
    context = {
        "episode": episode,
        "patient": episode.patient,
        "assessments": episode.assessments.select_related("assessed_by", "decided_by"),
        "case": case,
        "discharge_assessments": (
            case.discharge_assessments.select_related("assessed_by") if case else []
        ),
        "checkins": episode.checkins.all()[:14],
        "alerts": episode.alerts.select_related("acknowledged_by")[:20],
        "responses": episode.questionnaire_responses.all(),
        "complications": episode.complications.all(),
    }
    return render(request, "patients/episode_detail.html", context)
