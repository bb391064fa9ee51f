from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from spinepath.accounts.models import CLINICAL_ROLES, Role

View = Callable[..., HttpResponse]


def role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Anonymous visitors go to sign in; signed-in users of other roles get 403."""
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request.user, "role", None) not in allowed:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


clinical_required = role_required(CLINICAL_ROLES)
patient_or_caregiver_required = role_required({Role.PATIENT, Role.CAREGIVER})
analyst_required = role_required({Role.ANALYST, Role.ADMIN})
