"""An alert's data in words for the alert page: the facts behind the rule, readable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LABELS = {
    "repeats": "Times reported while open",
    "triage_version": "Triage rules version",
    "mme_per_day": "Opioids (MME a day)",
    "threshold": "Threshold",
    "worst_pain": "Worst pain, check-in by check-in",
    "hours_since_last": "Hours since the last check-in",
    "temperature_c": "Temperature (°C)",
    "first_raised_at": "First raised",
    "series": "Opioids by day after surgery",
    "planned_mme_per_day": "Taper plan for that day (MME a day)",
}


SCALARS = {type(None): lambda _: "—", bool: lambda v: "yes" if v else "no", float: "{:g}".format}


def _value(value: Any) -> str:
    scalar = SCALARS.get(type(value))
    if scalar is not None:
        return str(scalar(value))
    if isinstance(value, list):
        if value and all(isinstance(v, Mapping) and "day" in v for v in value):
            return ", ".join(
                f"day {v['day']}: {_value(v.get('mme_per_day', v.get('value')))}" for v in value
            )
        return " → ".join(_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k.replace('_', ' ')}: {_value(v)}" for k, v in value.items())
    return str(value)


def readable(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (LABELS.get(key, key.replace("_", " ").capitalize()), _value(value))
        for key, value in data.items()
        if key not in {"repeats", "triage_version"}
    ]
    rows.sort()
    rows.append((LABELS["repeats"], _value(data.get("repeats", 1))))
    rows.append((LABELS["triage_version"], _value(data.get("triage_version"))))
    return rows
