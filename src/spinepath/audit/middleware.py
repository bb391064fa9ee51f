from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from spinepath.audit.context import RequestOrigin, reset_origin, set_origin


class RequestContextMiddleware:
    """Record the channel and client address of each request for the access log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith(("/api/", "/fhir/")) else "web"
        token = set_origin(
            RequestOrigin(
                channel=channel,
                # Behind a proxy, gunicorn's --forwarded-allow-ips makes REMOTE_ADDR the
                # client's; we never trust X-Forwarded-For ourselves.
                ip_address=request.META.get("REMOTE_ADDR") or None,
                request_id=uuid.uuid4().hex,
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)
