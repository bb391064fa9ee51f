"""The coordinator's queue of consultation requests at /clinic/requests/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from spinepath.accounts.decorators import clinical_required
from spinepath.audit.log import log_listing
from spinepath.errors import ActionError
from spinepath.intake.access import access_consultation_request, requests_visible_to
from spinepath.intake.consultations import (
    do_accept_consultation_request,
    do_decline_consultation_request,
)
from spinepath.intake.models import RequestStatus
from spinepath.intake.request_forms import AcceptRequestForm, DeclineRequestForm


@clinical_required
def request_queue(request: HttpRequest) -> HttpResponse:
    pending = list(requests_visible_to(request.user).filter(status=RequestStatus.NEW)[:200])
    log_listing(
        user=request.user,
        object_type="consultation_request",
        purpose="consultation queue",
        object_ids=[item.public_id for item in pending],
    )
    return render(request, "intake/request_queue.html", {"requests": pending})


def _detail(request: HttpRequest, item, status: int = 200, **forms) -> HttpResponse:  # type: ignore[no-untyped-def]
    return render(
        request,
        "intake/request_detail.html",
        {
            "item": item,
            "accept_form": forms.get("accept_form") or AcceptRequestForm(site_id=item.site_id),
            "decline_form": forms.get("decline_form") or DeclineRequestForm(),
        },
        status=status,
    )


@clinical_required
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    item = access_consultation_request(
        request.user, request_id, purpose="review consultation request"
    )
    return _detail(request, item)


@clinical_required
@require_POST
def request_accept(request: HttpRequest, request_id: str) -> HttpResponse:
    item = access_consultation_request(
        request.user, request_id, purpose="accept consultation request", action="update"
    )
    form = AcceptRequestForm(request.POST, site_id=item.site_id)
    if form.is_valid():
        try:
            episode = do_accept_consultation_request(
                actor=request.user, request=item, **form.cleaned_data
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Request accepted: patient registered, episode opened.")
            return redirect("patients:episode", episode_id=episode.public_id)
    return _detail(request, item, status=400, accept_form=form)


@clinical_required
@require_POST
def request_decline(request: HttpRequest, request_id: str) -> HttpResponse:
    item = access_consultation_request(
        request.user, request_id, purpose="decline consultation request", action="update"
    )
    form = DeclineRequestForm(request.POST)
    if form.is_valid():
        try:
            do_decline_consultation_request(
                actor=request.user, request=item, reason=form.cleaned_data["reason"]
            )
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Request declined.")
            return redirect("intake:requests")
    return _detail(request, item, status=400, decline_form=form)
