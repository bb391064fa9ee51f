from __future__ import annotations

from django import forms
from django.utils import timezone

from spinepath.surgery.models import SurgicalCase

# The empty first choice keeps the browser from pre-selecting a perfect 2.
SCORE_0_2 = [("", "Choose…"), (2, "2"), (1, "1"), (0, "0")]
YES_NO_UNRECORDED = [("", "Not checked"), ("yes", "Met"), ("no", "Not met")]


class SurgicalCaseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SurgicalCase
        fields = [
            "procedure",
            "approach",
            "conversion_reason",
            "level",
            "side",
            "surgery_start",
            "incision_length_mm",
            "estimated_blood_loss_ml",
            "operative_minutes",
            "fluoroscopy_seconds",
            "durotomy",
            "intraoperative_events",
            "asa_class",
        ]
        widgets = {
            "surgery_start": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "intraoperative_events": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "incision_length_mm": "Incision length (mm)",
            "estimated_blood_loss_ml": "Estimated blood loss (mL)",
            "operative_minutes": "Operative time (minutes)",
            "fluoroscopy_seconds": "Fluoroscopy time (seconds)",
            "asa_class": "ASA class",
        }

    def clean_surgery_start(self):  # type: ignore[no-untyped-def]
        start = self.cleaned_data["surgery_start"]
        if start > timezone.now() + timezone.timedelta(hours=1):
            raise forms.ValidationError("The operation cannot start in the future.")
        return start

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if (
            data.get("approach") == "converted"
            and not (data.get("conversion_reason") or "").strip()
        ):
            self.add_error("conversion_reason", "Say why the operation was converted to open.")
        return data


def _criterion(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNRECORDED,
        required=False,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
    )


class DischargeAssessmentForm(forms.Form):
    vital_signs = forms.TypedChoiceField(
        label="Vital signs (2: within 20% of pre-op; 1: 20-40%; 0: more than 40%)",
        choices=SCORE_0_2,
        coerce=int,
    )
    ambulation = forms.TypedChoiceField(
        label="Ambulation (2: steady gait; 1: needs assistance; 0: unable)",
        choices=SCORE_0_2,
        coerce=int,
    )
    nausea_vomiting = forms.TypedChoiceField(
        label="Nausea and vomiting (2: minimal; 1: moderate; 0: severe)",
        choices=SCORE_0_2,
        coerce=int,
    )
    pain = forms.TypedChoiceField(
        label="Pain (2: NRS 0-3; 1: NRS 4-6; 0: NRS 7-10)", choices=SCORE_0_2, coerce=int
    )
    surgical_bleeding = forms.TypedChoiceField(
        label="Surgical bleeding (2: minimal; 1: moderate; 0: severe)",
        choices=SCORE_0_2,
        coerce=int,
    )
    ambulating = _criterion("Walking independently, or cleared by physiotherapy")
    voided = _criterion("Passed urine")
    tolerating_oral = _criterion("Drinking without vomiting")
    pain_controlled_oral = _criterion("Pain controlled on oral analgesics")
    neuro_unchanged = _criterion("Neurological examination unchanged from before surgery")
    wound_dry = _criterion("Wound dry, no expanding haematoma")
    no_orthostatic_intolerance = _criterion("No dizziness on standing")
    responsible_adult = _criterion("A responsible adult at home tonight")

    MPADSS_FIELDS = ("vital_signs", "ambulation", "nausea_vomiting", "pain", "surgical_bleeding")
    CHECKLIST_FIELDS = (
        "ambulating",
        "voided",
        "tolerating_oral",
        "pain_controlled_oral",
        "neuro_unchanged",
        "wound_dry",
        "no_orthostatic_intolerance",
        "responsible_adult",
    )


class DischargeDecisionForm(forms.Form):
    override_reason = forms.CharField(
        label="Reason for discharging before every criterion is met",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cosigner_email = forms.EmailField(label="Second staff member's e-mail", required=False)
    cosigner_password = forms.CharField(
        label="Second staff member's password", required=False, widget=forms.PasswordInput
    )
