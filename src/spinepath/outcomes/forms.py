from __future__ import annotations

from typing import Any

from django import forms

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
from spinepath.clinical.instruments import Instrument
from spinepath.clinical.schedule import DEFAULT_RULES
from spinepath.form_fields import tri_state

# The time points are the clinical schedule's; the empty choice keeps the browser from
# pre-selecting one.
TIMEPOINTS = [("", "Choose…")] + [(rule.id, rule.label) for rule in DEFAULT_RULES]
NOT_ANSWERED = ""


class ResponseForm(forms.Form):
    """One field per item of the instrument, in the published order."""

    timepoint = forms.ChoiceField(choices=TIMEPOINTS)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, start=1):
            label = (
                item.text or f"Item {number} ({item.id}; licensed wording supplied by the clinic)"
            )
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=label,
                choices=[(NOT_ANSWERED, "Not answered")]
                + [
                    (
                        str(choice.value),
                        f"{choice.value}: {choice.label}" if choice.label else str(choice.value),
                    )
                    for choice in item.choices
                ],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def answers(self) -> list[int | None]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(self.instrument.items) + 1)]


class ComplicationForm(forms.Form):
    description = forms.CharField(max_length=300)
    onset_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    clavien_dindo = forms.ChoiceField(
        label="Clavien-Dindo grade", choices=[(g.value, g.value) for g in ClavienDindoGrade]
    )
    disability_at_discharge = forms.BooleanField(
        label='Still present at discharge ("d" suffix)', required=False
    )
    ssi_depth = forms.ChoiceField(
        label="Surgical site infection depth (NHSN)",
        choices=[("", "Not an SSI")] + [(d.value, d.value.replace("_", "/")) for d in SSIDepth],
        required=False,
    )
    related_to_surgery = tri_state("Related to the surgery", unknown="Not known")
