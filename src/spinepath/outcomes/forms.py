from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
from spinepath.clinical.instruments import Instrument
from spinepath.clinical.schedule import DEFAULT_RULES
from spinepath.form_fields import tri_state
from spinepath.outcomes.actions import ComplicationDetails
from spinepath.outcomes.models import CALL_NOTES_MAX, REVIEW_NOTE_MAX, CallOutcome

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


class PatientResponseForm(ResponseForm):
    """The same questions for a patient at home: the time point is the scheduled row's,
    each question is a set of radio buttons, and any question may be left out."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, instrument=instrument, **kwargs)
        del self.fields["timepoint"]
        for number, item in enumerate(instrument.items, start=1):
            field = self.fields[f"item_{number}"]
            assert isinstance(field, forms.TypedChoiceField)
            field.label = item.text or item.label
            field.choices = [c for c in field.choices if c[0] != NOT_ANSWERED]
            field.widget = forms.RadioSelect(
                choices=field.choices, attrs={"class": "nrs"} if len(item.choices) > 6 else {}
            )


class FollowUpCallForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome of the call", choices=[("", "Choose…"), *CallOutcome.choices]
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=CALL_NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _date(label: str, *, required: bool = True) -> forms.DateField:
    # ISO in the value: a type="date" input reads nothing else.
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


GRADE_CHOICES = [(g.value, g.value) for g in ClavienDindoGrade]
SSI_CHOICES = [("", "Not an SSI")] + [(d.value, d.value.replace("_", "/")) for d in SSIDepth]


class ComplicationDetailsForm(forms.Form):
    """The grade and what followed: shared by staff entries and the review of a patient's
    report. The checks that need the episode (dates against the surgery, a reoperation
    graded IIIa or worse) are the action's."""

    clavien_dindo = forms.ChoiceField(label="Clavien-Dindo grade", choices=GRADE_CHOICES)
    disability_at_discharge = forms.BooleanField(
        label='Still present at discharge ("d" suffix)', required=False
    )
    ssi_depth = forms.ChoiceField(
        label="Surgical site infection depth (NHSN)", choices=SSI_CHOICES, required=False
    )
    related_to_surgery = tri_state("Related to the surgery", unknown="Not known")
    readmitted = forms.BooleanField(label="Readmitted to hospital", required=False)
    readmitted_on = _date("Date of readmission", required=False)
    reoperated = forms.BooleanField(label="Returned to theatre (reoperation)", required=False)
    reoperated_on = _date("Date of reoperation", required=False)

    def details(self) -> ComplicationDetails:
        data = self.cleaned_data
        return ComplicationDetails(**{f.name: data[f.name] for f in fields(ComplicationDetails)})


class ComplicationForm(ComplicationDetailsForm):
    description = forms.CharField(max_length=300)
    onset_date = _date("Onset date")
    field_order = ["description", "onset_date"]


class ConfirmEventForm(ComplicationDetailsForm):
    clavien_dindo = forms.ChoiceField(
        label="Clavien-Dindo grade", choices=[("", "Choose…"), *GRADE_CHOICES]
    )
    review_note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=REVIEW_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectEventForm(forms.Form):
    reason = forms.CharField(
        label="Why this is not a complication",
        max_length=REVIEW_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
