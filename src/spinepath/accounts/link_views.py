"""Sign-in links for patients and caregivers who keep no password.

/accounts/link/           asks for a link (by e-mail, or by text to the number on record).
                          The answer is the same whether or not the address is known.
/accounts/link/<token>/   GET shows a "Sign in" button and changes nothing (mail scanners
                          follow links); POST uses the link up and signs in.
/accounts/link/sign-in/   where that button posts, with the token in the form body, so that
                          no request that uses a link carries its token in the path (request
                          logs, CSRF failure logs and django-axes record paths).

The GET page names the account the link is for, masked ("p•••t@example.org"), and
says so when someone else is signed in in this browser: a link someone sends you may be
for their account, not yours.

Refused links get a page saying why (400 never valid, 410 expired or used) and a way to
ask for a new one.

Where the token is logged: the GET (and a POST to the token URL) carries it in the path.
Our own logs leave it out: our 4xx answers on token paths are marked as logged so that
django.request does not write the path, and django-axes records AXES_PATH. Web server
access logs record request paths: ``spinepath serve`` runs gunicorn with
spinepath.gunicorn_logging.RedactingLogger, which writes /accounts/link/[redacted]/;
``serve --dev`` (Django's runserver) logs the path as it is; and a reverse proxy in front
must be configured not to log paths or query strings under /accounts/link/.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from spinepath.accounts.actions import do_consume_sign_in_link, do_issue_sign_in_link
from spinepath.accounts.forms import SignInLinkRequestForm
from spinepath.accounts.models import SignInLinkChannel, User
from spinepath.accounts.sign_in_links import (
    LINK_REQUESTS_PER_CLIENT_PER_HOUR,
    LINKS_PER_ADDRESS_PER_HOUR,
    SignInLinkRefused,
    address_key,
    link_minutes,
    masked_email,
    read_sign_in_link,
    safe_next_path,
)
from spinepath.audit.log import log_access
from spinepath.errors import ActionError
from spinepath.intake.ratelimit import allow, client_key
from spinepath.sms import DisabledSmsBackend, get_sms_backend

log = logging.getLogger(__name__)

# A link proves the mailbox or phone, not a password: sign in with Django's model
# backend (it is in AUTHENTICATION_BACKENDS; django-axes' backend checks passwords only).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# What django-axes records as the path of a sign-in by link (it would record the URL).
AXES_PATH = "/accounts/link/sign-in/"


def _private(response: HttpResponse) -> HttpResponse:
    # Token pages: a Referer names only the origin, never the path with the token.
    # (Not "no-referrer": browsers then send "Origin: null" and the CSRF check refuses
    # the Sign in button's POST.)
    response["Referrer-Policy"] = "strict-origin"
    if response.status_code >= 400:
        # django.request would log "Gone: /accounts/link/<token>/"; we log without it.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _request_page(
    request: HttpRequest, form: SignInLinkRequestForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/link_request.html",
        {
            "form": form,
            "minutes": link_minutes(),
            # No "text me" button where no SMS gateway is configured: it could not arrive.
            "sms_available": not isinstance(get_sms_backend(), DisabledSmsBackend),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = SignInLinkRequestForm(initial={"next": safe_next_path(request.GET.get("next"))})
        return _request_page(request, form)
    form = SignInLinkRequestForm(request.POST)
    if not form.is_valid():
        return _request_page(request, form, status=400)
    email = form.cleaned_data["email"]
    channel = form.cleaned_data["channel"]
    hour = timedelta(hours=1)
    ip_key = client_key(request, "sign-in-link")
    # Counted before the address is looked up, so the limits say nothing about accounts.
    if not allow(ip_key, limit=LINK_REQUESTS_PER_CLIENT_PER_HOUR, window=hour) or not allow(
        address_key(email), limit=LINKS_PER_ADDRESS_PER_HOUR, window=hour
    ):
        return render(request, "accounts/link_throttled.html", status=429)
    user = User.objects.filter(email=email).first()
    if user is not None:
        try:
            do_issue_sign_in_link(
                user=user,
                channel=channel,
                next_path=safe_next_path(form.cleaned_data["next"]),
                requested_ip_hash=ip_key.partition(":")[2],
            )
        except ActionError as exc:
            # Staff, inactive, no mobile number: the same answer as for an unknown address.
            log.info("sign-in link not issued to user %s: status %s", user.public_id, exc.status)
    return render(
        request,
        "accounts/link_sent.html",
        {"channel": channel, "minutes": link_minutes(), "sms": channel == SignInLinkChannel.SMS},
    )


def _refused(request: HttpRequest, exc: SignInLinkRefused) -> HttpResponse:
    return _private(
        render(
            request,
            "accounts/link_refused.html",
            {"message": exc.message, "reason": exc.reason, "minutes": link_minutes()},
            status=exc.status,
        )
    )


def _consume(request: HttpRequest, token: str) -> HttpResponse:
    try:
        # One transaction: the link is used up if, and only if, the sign-in happens.
        with transaction.atomic():
            link = do_consume_sign_in_link(token=token)
            # django-axes records each sign-in with its request path; keep the token out.
            AxesProxyHandler.update_request(request)
            request.axes_path_info = AXES_PATH  # type: ignore[attr-defined]
            login(request, link.user, backend=MODEL_BACKEND)  # rotates the session key
            log_access(
                user=link.user,
                object_type="sign_in_link",
                object_id=link.public_id,
                patient_public_id=None,
                purpose="sign in with a one-time link",
                granted=True,
                action="sign_in",
            )
    except SignInLinkRefused as exc:
        user = exc.link.user if exc.link is not None else None
        log_access(
            user=user,
            object_type="sign_in_link",
            object_id=exc.link.public_id if exc.link is not None else None,
            patient_public_id=None,
            purpose=f"sign in with a one-time link: refused, {exc.reason}",
            granted=False,
            action="sign_in",
        )
        log.info(
            "sign-in link %s refused: %s",
            exc.link.public_id if exc.link is not None else "-",
            exc.reason,
        )
        return _refused(request, exc)
    log.info("sign-in link %s used by user %s", link.public_id, link.user.public_id)
    return _private(redirect(safe_next_path(link.next_path)))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_with_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _consume(request, token)
    try:
        # Read only: verifies the signature and looks the link up, using nothing up.
        link = read_sign_in_link(token)
    except SignInLinkRefused as exc:
        return _refused(request, exc)
    current = request.user if request.user.is_authenticated else None
    return _private(
        render(
            request,
            "accounts/link_confirm.html",
            {
                "token": token,
                "account": masked_email(link.user.email),
                "signed_in_as": current.email if current is not None else "",
                "switches_account": current is not None and current.pk != link.user_id,
            },
        )
    )


@never_cache
@require_POST
def sign_in_with_link_form(request: HttpRequest) -> HttpResponse:
    return _consume(request, request.POST.get("token", ""))
