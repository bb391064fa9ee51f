from __future__ import annotations

from django import forms

from spinepath.clinical.triage import Wound

NRS_CHOICES = [(i, str(i)) for i in range(11)]
WOUND_CHOICES = [
    (Wound.DRY.value, "Dry and closed"),
    (Wound.REDNESS.value, "Red around the cut"),
    (Wound.DISCHARGE.value, "Fluid or pus coming out"),
    (Wound.OPENING.value, "The cut is opening"),
]


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


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=300, label="Outcome")
