"""The clinician's assessment: findings that become a candidacy case.

The form produces the case as JSON (the shape of spinepath.clinical.candidacy
case_from_json, the same parser the CLI and the API use), so there is one
definition of a valid case.
"""

from __future__ import annotations

from typing import Any

from django import forms

from spinepath.clinical.candidacy.facts import (
    LUMBAR_LEVELS,
    Deficit,
    DominantSymptom,
    Herniation,
    HerniationZone,
    Migration,
    Side,
    StenosisGrade,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.redflags import RED_FLAGS
from spinepath.form_fields import tri_state


def _choice(label: str, enum: Any, *, required: bool = False) -> forms.ChoiceField:
    choices = [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]
    return forms.ChoiceField(
        label=label, choices=[("", "Not recorded"), *choices], required=required
    )


def _level(label: str = "Level") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Not recorded")] + [(lv, lv) for lv in LUMBAR_LEVELS],
        required=False,
    )


class AssessmentForm(forms.Form):
    red_flags = forms.MultipleChoiceField(
        label="Red flags present",
        choices=[(flag.id, flag.label) for flag in RED_FLAGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dominant_symptom = _choice("Dominant symptom", DominantSymptom)
    side = _choice("Side", Side)
    level = _level("Symptomatic (index) level")
    symptom_weeks = forms.IntegerField(
        label="Weeks since symptoms began", min_value=0, max_value=2000, required=False
    )
    neurological_deficit = _choice("Neurological deficit", Deficit)
    disabling_pain = tri_state(
        "Severe pain that stops work or daily life and did not respond to an injection"
    )
    no_conservative_care = forms.BooleanField(
        label="No conservative care tried yet", required=False
    )
    imaging_concordant = tri_state("Imaging consistent with the symptoms")
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
    smoker = tri_state("Current smoker")
    diabetes = tri_state("Diabetes")
    anticoagulated = tri_state("Taking anticoagulants")
    osteoporosis = tri_state("Osteoporosis")
    prior_surgery_at_level = tri_state("Previous surgery at this level")
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class TreatmentForm(forms.Form):
    kind = _choice("Treatment", TreatmentKind)
    weeks = forms.IntegerField(label="Weeks", min_value=0, max_value=2000, required=False)
    response = _choice("Response", TreatmentResponse)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("weeks") is not None or data.get("response")) and not data.get("kind"):
            self.add_error("kind", "Say which treatment this was.")
        return data


class LevelFindingForm(forms.Form):
    level = _level()
    herniation = _choice("Disc herniation", Herniation)
    herniation_zone = _choice("Herniation location", HerniationZone)
    migration = _choice("Fragment migration", Migration)
    central_stenosis = _choice("Central stenosis", StenosisGrade)
    lateral_recess_stenosis = _choice("Lateral-recess stenosis", StenosisGrade)
    foraminal_stenosis = _choice("Foraminal stenosis", StenosisGrade)
    slip_percent = forms.DecimalField(
        label="Slip, % of the endplate (Meyerding grade follows)",
        min_value=0,
        max_value=200,
        decimal_places=1,
        required=False,
    )
    instability = tri_state("Instability on flexion-extension")
    fracture = tri_state("Fracture")
    posterior_wall_disrupted = tri_state("Posterior wall disrupted (fracture)")
    retropulsion = tri_state("Retropulsed fragment (fracture)")
    deformity = tri_state("Deformity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        recorded = [
            name for name, value in data.items() if name != "level" and value not in (None, "")
        ]
        if recorded and not data.get("level"):
            self.add_error("level", "Say which level these findings are at.")
        return data


TreatmentFormSet = forms.formset_factory(TreatmentForm, extra=3, max_num=12, validate_max=True)
LevelFindingFormSet = forms.formset_factory(
    LevelFindingForm, extra=2, max_num=len(LUMBAR_LEVELS), validate_max=True
)


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop unrecorded answers: absent means "not recorded" to the case parser."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def case_json(
    condition: str,
    form: AssessmentForm,
    treatments: Any,
    findings: Any,
    age: int | None,
) -> dict[str, Any]:
    """The candidacy case, as JSON, from the three bound and valid forms."""
    data = form.cleaned_data
    case: dict[str, Any] = _compact(
        {
            "condition": condition,
            "dominant_symptom": data["dominant_symptom"],
            "side": data["side"],
            "level": data["level"],
            "symptom_weeks": data["symptom_weeks"],
            "neurological_deficit": data["neurological_deficit"],
            "disabling_pain": data["disabling_pain"],
            "imaging_concordant": data["imaging_concordant"],
            "age": age,
            "bmi": float(data["bmi"]) if data["bmi"] is not None else None,
            "asa_class": data["asa_class"],
            "smoker": data["smoker"],
            "diabetes": data["diabetes"],
            "anticoagulated": data["anticoagulated"],
            "osteoporosis": data["osteoporosis"],
            "prior_surgery_at_level": data["prior_surgery_at_level"],
        }
    )
    case["red_flags"] = sorted(data["red_flags"])
    courses = [
        _compact(t) for t in (f.cleaned_data for f in treatments.forms) if t and t.get("kind")
    ]
    if courses or data["no_conservative_care"]:
        case["conservative_care"] = courses
    imaging = []
    for finding in (f.cleaned_data for f in findings.forms):
        if finding and finding.get("level"):
            entry = _compact(finding)
            if "slip_percent" in entry:
                entry["slip_percent"] = float(entry["slip_percent"])
            imaging.append(entry)
    if imaging:
        case["imaging"] = imaging
    return case


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
