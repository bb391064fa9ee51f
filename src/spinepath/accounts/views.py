from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """After sign-in, send each role to its own home page."""
    return redirect(request.user.home_url)  # type: ignore[union-attr]
