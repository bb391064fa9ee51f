"""The JSON API at /api/v1/ (OpenAPI document at /api/v1/openapi.json).

Session authentication with CSRF for browsers. Every error is JSON:
404 for unknown or foreign ids, 403 for a role that may not act, 400/409
for refused actions, 422 for malformed input.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from spinepath.errors import ActionError

api = NinjaAPI(
    title="spinepath API",
    version="1",
    description="Run a minimally invasive spine surgery programme: intake to outcomes.",
    auth=django_auth,
    urls_namespace="api-v1",
)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Your role may not do this."}, status=403
    )


api.add_router("/", "spinepath.patients.api.router")
api.add_router("/", "spinepath.recovery.api.router")
api.add_router("/", "spinepath.intake.api.router")
api.add_router("/", "spinepath.surgery.api.router")
