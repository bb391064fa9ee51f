from __future__ import annotations

from typing import Any

from django import forms

from spinepath.clinical.discharge_plan import MILESTONE_IDS
from spinepath.clinical.triage import Wound
from spinepath.recovery.models import AlertOutcome

NRS_CHOICES = [(i, str(i)) for i in range(11)]
WOUND_CHOICES = [
    (Wound.DRY.value, "Dry and closed"),
    (Wound.REDNESS.value, "Red around the cut"),
    (Wound.DISCHARGE.value, "Fluid or pus coming out"),
    (Wound.OPENING.value, "The cut is opening"),
]


class _MilestonesField(forms.MultipleChoiceField):
    """Shows the milestones not yet reached, but accepts any patient milestone: one the care
    team recorded while the form was open is not an error (it is recorded once anyway)."""

    def valid_value(self, value: Any) -> bool:
        return value in {"physio_start", "driving", "desk_work", "heavy_work"}


class CheckInForm(forms.Form):
    back_pain = forms.TypedChoiceField(
        label="Back pain now (0 = none, 10 = worst imaginable)",
        choices=NRS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "nrs"}),
    )
    leg_pain = forms.TypedChoiceField(
        label="Leg pain now (0 = none, 10 = worst imaginable)",
        choices=NRS_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "nrs"}),
    )
    wound = forms.ChoiceField(label="Your wound", choices=WOUND_CHOICES, widget=forms.RadioSelect)
    temperature_c = forms.DecimalField(
        label="Temperature in °C, if you measured it",
        required=False,
        min_value=30,
        max_value=44,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    walking_minutes = forms.IntegerField(
        label="Minutes you walked today",
        required=False,
        min_value=0,
        max_value=1440,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    new_leg_weakness = forms.BooleanField(
        label="A leg is newly weak, or getting weaker", required=False
    )
    saddle_numbness = forms.BooleanField(
        label="New numbness between the legs or around the bottom", required=False
    )
    bladder_change = forms.BooleanField(
        label="New trouble passing urine, or leaking urine", required=False
    )
    bowel_change = forms.BooleanField(label="New loss of bowel control", required=False)
    notes = forms.CharField(
        label="Anything else you want us to know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    wound_photo = forms.FileField(
        label="A photo of your wound (optional)",
        required=False,
        help_text="JPEG, PNG or WebP, up to 10 MB. Only your care team sees it.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    # Opioids a patient may have at home besides the plan's lines (CDC 2022 table).
    OTHER_DRUGS = [
        ("", "None"),
        ("codeine", "Codeine"),
        ("hydrocodone", "Hydrocodone"),
        ("hydromorphone", "Hydromorphone"),
        ("morphine", "Morphine"),
        ("oxycodone", "Oxycodone"),
        ("tapentadol", "Tapentadol"),
        ("tramadol", "Tramadol"),
    ]

    def __init__(
        self,
        *args: Any,
        medicines: list[dict[str, Any]] | None = None,
        open_milestones: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.medicines = medicines or []
        for index, line in enumerate(self.medicines):
            self.fields[f"taken_{index}"] = forms.IntegerField(
                label=f"{line['label']}: how many since your last check-in?",
                required=False,
                min_value=0,
                max_value=100,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.fields["other_drug"] = forms.ChoiceField(
            label="Any other strong painkiller?", choices=self.OTHER_DRUGS, required=False
        )
        self.fields["other_strength_mg"] = forms.DecimalField(
            label="Its strength in mg (on the box)",
            required=False,
            min_value=0.1,
            max_value=1000,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        )
        self.fields["other_count"] = forms.IntegerField(
            label="How many since your last check-in?",
            required=False,
            min_value=0,
            max_value=100,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        self.open_milestones = open_milestones or []
        self.fields["milestones"] = _MilestonesField(
            label="Since your operation, have you… (tick any that are new)",
            choices=self.open_milestones,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )

    @property
    def medicine_fields(self) -> list[forms.BoundField]:
        return [self[f"taken_{index}"] for index in range(len(self.medicines))]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        drug = data.get("other_drug")
        if drug:
            if data.get("other_strength_mg") is None:
                self.add_error("other_strength_mg", "Give the strength in mg.")
            if data.get("other_count") is None:
                self.add_error("other_count", "Say how many you took.")
        return data

    def analgesics(self) -> list[dict[str, Any]] | None:
        """What was taken, or None when no painkiller question was answered."""
        data = self.cleaned_data
        lines = [
            {"drug": line["drug"], "strength_mg": line["strength_mg"], "count": data[f"taken_{i}"]}
            for i, line in enumerate(self.medicines)
            if data.get(f"taken_{i}") is not None
        ]
        if data.get("other_drug"):
            lines.append(
                {
                    "drug": data["other_drug"],
                    "strength_mg": float(data["other_strength_mg"]),
                    "count": data["other_count"],
                }
            )
        return lines or None


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=AlertOutcome.choices)
    resolution = forms.CharField(max_length=300, label="What was done", required=False)


class AlertNoteForm(forms.Form):
    text = forms.CharField(
        max_length=2000, label="New note", widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestoneForm(forms.Form):
    milestone_id = forms.ChoiceField(
        label="Milestone", choices=[(m, m.replace("_", " ").capitalize()) for m in MILESTONE_IDS]
    )
    achieved_on = forms.DateField(
        label="Reached on", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(max_length=300, required=False, label="Note")
