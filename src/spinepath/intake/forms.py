from __future__ import annotations

from django import forms

from spinepath.clinical.candidacy.facts import LUMBAR_LEVELS, Deficit
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.redflags import RED_FLAGS

TRI_STATE = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _tri_state(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=TRI_STATE,
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )


class AssessmentForm(forms.Form):
    red_flags = forms.MultipleChoiceField(
        label="Red flags present",
        choices=[(flag.id, flag.label) for flag in RED_FLAGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    symptom_weeks = forms.IntegerField(
        label="Weeks since symptoms began", min_value=0, max_value=2000, required=False
    )
    conservative_care_weeks = forms.IntegerField(
        label="Weeks of conservative care (medicines, physiotherapy, injections)",
        min_value=0,
        max_value=2000,
        required=False,
    )
    neurological_deficit = forms.ChoiceField(
        label="Neurological deficit",
        choices=[("", "Not recorded")] + [(d.value, d.value.capitalize()) for d in Deficit],
        required=False,
    )
    imaging_concordant = _tri_state("Imaging consistent with the symptoms")
    level = forms.ChoiceField(
        label="Symptomatic level",
        choices=[("", "Not recorded")] + [(lv, lv) for lv in LUMBAR_LEVELS],
        required=False,
    )
    slip_percent = forms.DecimalField(
        label="Slip (spondylolisthesis), % of the endplate (0 if none)",
        min_value=0,
        max_value=200,
        decimal_places=1,
        required=False,
    )
    instability = _tri_state("Instability on flexion-extension views")
    bmi = forms.DecimalField(
        label="BMI (kg/m²)", min_value=10, max_value=90, decimal_places=1, required=False
    )
    asa_class = forms.TypedChoiceField(
        label="ASA class",
        choices=[("", "Not recorded")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    smoker = _tri_state("Current smoker")
    diabetes = _tri_state("Diabetes")
    anticoagulated = _tri_state("Taking anticoagulants")
    osteoporosis = _tri_state("Osteoporosis")
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept the recommendation"), ("override", "Override it")],
        widget=forms.RadioSelect,
    )
    pathway = forms.ChoiceField(
        label="Decided pathway (when overriding)",
        choices=[("", "—")] + [(p.value, p.value) for p in Pathway],
        required=False,
    )
    reason = forms.CharField(
        label="Reason (required when overriding)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
