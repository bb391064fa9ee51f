"""A programme's own thresholds for triage, from settings.SPINEPATH["TRIAGE"].

Every threshold in clinical.triage.TriageSettings is a default; a deployment
overrides any of them by name, e.g. SPINEPATH["TRIAGE"] = {"fever_celsius": 37.8}.
An unknown name or a bad value stops the app at start-up, not at the first check-in.
"""

from __future__ import annotations

from dataclasses import fields
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from spinepath.clinical.triage import TriageSettings


@cache
def triage_settings() -> TriageSettings:
    overrides = dict(settings.SPINEPATH.get("TRIAGE", {}))
    known = {f.name: f for f in fields(TriageSettings)}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ImproperlyConfigured(
            f"SPINEPATH['TRIAGE'] has unknown thresholds: {', '.join(unknown)} "
            f"(known: {', '.join(known)})"
        )
    for name, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ImproperlyConfigured(f"SPINEPATH['TRIAGE'][{name!r}] must be a number >= 0")
    return TriageSettings(**overrides)
