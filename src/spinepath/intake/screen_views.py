"""The public self-screen at /screen/: no sign-in, nothing stored without consent.

Step 1 asks only the red-flag questions; any "yes" shows what to do today
before anything else. Step 2 asks about pain, time, treatments and STarT
Back, and shows the result. The answers travel between steps in a signed,
time-limited token in the form (never in a URL, never in the database) until
the person asks for a consultation and agrees to keep them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.clinical.selfscreen import QUESTIONS, SCREEN_VERSION, screen
from spinepath.errors import ActionError
from spinepath.intake.consultations import do_create_consultation_request
from spinepath.intake.ratelimit import allow, client_key
from spinepath.intake.screen_forms import ConsultationForm, RedFlagForm, ScreenQuestionsForm
from spinepath.intake.screen_input import answers_from_json
from spinepath.intake.wording import STARTBACK_COPYRIGHT

TOKEN_SALT = "spinepath.screen"  # noqa: S105 - a signing namespace, not a secret
TOKEN_MAX_AGE = 60 * 60 * 2  # two hours to finish the screen


def _sign(payload: dict[str, Any]) -> str:
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def _unsign(token: str) -> dict[str, Any] | None:
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/screen_expired.html", status=400)


def _questions_page(
    request: HttpRequest, form: ScreenQuestionsForm, token: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "intake/screen_questions.html",
        {
            "form": form,
            "token": token,
            "treatments_question": QUESTIONS["treatments"],
            "startback_copyright": STARTBACK_COPYRIGHT,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def red_flags(request: HttpRequest) -> HttpResponse:
    form = RedFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flags = form.present_flags()
        if flags:
            result = screen(answers_from_json({"red_flags": sorted(flags)}))
            return render(request, "intake/screen_red_flag.html", {"result": result})
        return _questions_page(request, ScreenQuestionsForm(), _sign({"red_flags": []}))
    return render(
        request, "intake/screen_start.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_POST
def questions(request: HttpRequest) -> HttpResponse:
    step1 = _unsign(request.POST.get("token", ""))
    if step1 is None:
        return _expired(request)
    form = ScreenQuestionsForm(request.POST)
    if not form.is_valid():
        return _questions_page(request, form, request.POST.get("token", ""), status=400)
    payload = {
        "red_flags": step1.get("red_flags", []),
        "back_pain": form.cleaned_data["back_pain"],
        "leg_pain": form.cleaned_data["leg_pain"],
        "pain_below_knee": form.cleaned_data["pain_below_knee"],
        "leg_pain_on_walking": form.cleaned_data["leg_pain_on_walking"],
        "pain_weeks": form.cleaned_data["pain_weeks"],
        "treatments": form.treatments(),
        "startback": form.startback(),
    }
    result = screen(answers_from_json(payload))
    return render(
        request,
        "intake/screen_result.html",
        {
            "result": result,
            "consult_form": ConsultationForm(initial={"token": _sign(payload)}),
        },
    )


@require_POST
def consultation(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST)
    payload = _unsign(request.POST.get("token", ""))
    if payload is None:
        return _expired(request)
    answers = answers_from_json(payload)
    result = screen(answers)
    if not form.is_valid():
        return render(
            request,
            "intake/screen_result.html",
            {"result": result, "consult_form": form},
            status=400,
        )
    if form.cleaned_data["website"]:
        # A robot filled the hidden field: answer as if all went well, keep nothing.
        return render(request, "intake/screen_requested.html", {"robot": True})
    limit = settings.SPINEPATH["CONSULTATION_REQUESTS_PER_HOUR"]
    if not allow(client_key(request, "consultation"), limit=limit, window=timedelta(hours=1)):
        return render(request, "intake/screen_throttled.html", status=429)
    data = form.cleaned_data
    try:
        do_create_consultation_request(
            site=data["site"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            preferred_contact=data["preferred_contact"],
            phone=data["phone"],
            email=data["email"],
            preferred_times=data["preferred_times"],
            consent_contact=data["consent_contact"],
            consent_keep_answers=data["consent_keep_answers"],
            answers=payload,
            result=result.to_json(),
            screen_version=SCREEN_VERSION,
        )
    except ActionError as exc:
        form.add_error(exc.field, exc.message)
        return render(
            request,
            "intake/screen_result.html",
            {"result": result, "consult_form": form},
            status=400,
        )
    return render(request, "intake/screen_requested.html", {"site": data["site"]})
