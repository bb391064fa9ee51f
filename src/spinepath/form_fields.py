"""Form fields shared by the apps."""

from __future__ import annotations

from django import forms

_TO_BOOL = {"yes": True, "no": False}


def tri_state(
    label: str, *, unknown: str = "Not recorded", yes: str = "Yes", no: str = "No"
) -> forms.TypedChoiceField:
    """Yes / no / not recorded, cleaned to True / False / None: a blank is never a "no"."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("", unknown), ("yes", yes), ("no", no)],
        required=False,
        coerce=_TO_BOOL.get,
        empty_value=None,
    )
