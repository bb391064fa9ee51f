from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, User
from spinepath.clinical.discharge import (
    ALDRETE_ITEMS,
    MPADSS_ITEMS,
    SPINE_CHECKLIST,
    CriterionItem,
)
from spinepath.form_fields import tri_state
from spinepath.surgery.models import SurgicalCase

# The empty first choice keeps the browser from pre-selecting a perfect 2.
SCORE_0_2 = [("", "Choose…"), (2, "2"), (1, "1"), (0, "0")]


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
            "fluoroscopy_dose_mgy_cm2",
            "durotomy",
            "intraoperative_events",
            "implants",
            "drain",
            "anaesthesia",
            "asa_class",
            "assistant",
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

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assistant = self.fields["assistant"]
        assert isinstance(assistant, forms.ModelChoiceField)
        assistant.queryset = User.objects.filter(
            site_id=site_id, role__in=CLINICAL_ROLES, is_active=True
        ).order_by("full_name")

    def clean_surgery_start(self):  # type: ignore[no-untyped-def]
        start = self.cleaned_data["surgery_start"]
        if start > timezone.now() + timedelta(hours=1):
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


def _score_field(item: CriterionItem) -> forms.TypedChoiceField:
    """A 0-2 criterion, its level descriptions from the clinical definition."""
    described = "; ".join(
        f"{score}: {text}" for score, text in sorted(item.levels.items(), reverse=True)
    )
    return forms.TypedChoiceField(
        label=f"{item.label} ({described})",
        choices=SCORE_0_2,
        coerce=int,
    )


class _ScoreForm(forms.Form):
    ITEMS: tuple[CriterionItem, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in self.ITEMS:
            self.fields[item.id] = _score_field(item)

    def scores(self) -> dict[str, int]:
        return {item.id: self.cleaned_data[item.id] for item in self.ITEMS}


class PacuAssessmentForm(_ScoreForm):
    """Modified Aldrete, for leaving the recovery room."""

    ITEMS = ALDRETE_ITEMS


class DischargeAssessmentForm(_ScoreForm):
    """Modified PADSS and the spine same-day checklist, one field per clinical criterion."""

    ITEMS = MPADSS_ITEMS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in SPINE_CHECKLIST:
            self.fields[criterion.id] = tri_state(
                criterion.label, unknown="Not checked", yes="Met", no="Not met"
            )

    def checklist(self) -> dict[str, bool | None]:
        return {c.id: self.cleaned_data[c.id] for c in SPINE_CHECKLIST}

    def mpadss_fields(self) -> list[forms.BoundField]:
        return [self[item.id] for item in MPADSS_ITEMS]

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[c.id] for c in SPINE_CHECKLIST]


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
