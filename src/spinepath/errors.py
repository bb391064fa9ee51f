"""Errors shared by actions, views and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied


class ActionError(Exception):
    """A state change was refused for a reason the user can act on.

    Views show ``message`` (against ``field`` when given); the API answers 400
    (or ``status``) with it as JSON. Raised before anything is written, or
    inside the action's transaction so that nothing is.
    """

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


def require_role(user: Any, roles: Iterable[str], what: str) -> None:
    allowed = set(roles)
    if getattr(user, "role", None) not in allowed:
        raise PermissionDenied(f"Your role may not {what}.")
