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

WHOLE_NUMBERS = frozenset(
    {
        "rising_pain_checkins",
        "rising_pain_min_rise",
        "silent_hours",
        "opioid_not_falling_days",
        "physio_grace_days",
        "persistent_opioid_from_day",
        "persistent_opioid_to_day",
    }
)
AT_LEAST_ONE = WHOLE_NUMBERS - {"physio_grace_days"} | {"opioid_high_mme", "fever_celsius"}


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
        if name in WHOLE_NUMBERS and not isinstance(value, int):
            raise ImproperlyConfigured(f"SPINEPATH['TRIAGE'][{name!r}] must be a whole number")
        if name in AT_LEAST_ONE and value < 1:
            raise ImproperlyConfigured(f"SPINEPATH['TRIAGE'][{name!r}] must be at least 1")
    chosen = TriageSettings(**overrides)
    if chosen.persistent_opioid_from_day > chosen.persistent_opioid_to_day:
        raise ImproperlyConfigured(
            "SPINEPATH['TRIAGE']: persistent_opioid_from_day is after persistent_opioid_to_day"
        )
    return chosen
