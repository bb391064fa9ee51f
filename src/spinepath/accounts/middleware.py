from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SiteTimeZoneMiddleware:
    """Show and read times in the staff member's own site time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        site = getattr(request.user, "site", None) if request.user.is_authenticated else None
        if site is not None:
            timezone.activate(ZoneInfo(site.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
