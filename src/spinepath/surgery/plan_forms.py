from __future__ import annotations

from typing import Any

from django import forms

from spinepath.clinical.discharge_plan import DEFAULT_NON_OPIOIDS
from spinepath.clinical.opioid_factors import CDC_2022

OPIOIDS = sorted({*CDC_2022.conversions, "buprenorphine"})
DRUG_CHOICES = [
    ("", "—"),
    ("Opioids", [(drug, drug) for drug in OPIOIDS]),
    ("Other medicines", [(drug, drug) for drug in sorted(DEFAULT_NON_OPIOIDS)]),
]


class MedicineLineForm(forms.Form):
    drug = forms.ChoiceField(choices=DRUG_CHOICES, required=False)
    strength_mg = forms.DecimalField(label="Tablet strength (mg)", min_value=0, required=False)
    dose_mg = forms.DecimalField(label="Dose (mg)", min_value=0, required=False)
    doses_per_day = forms.DecimalField(label="Doses a day (maximum)", min_value=0, required=False)
    days = forms.IntegerField(label="Days", min_value=0, max_value=365, required=False)
    as_needed = forms.BooleanField(label="As needed", required=False)
    mcg_per_hour = forms.DecimalField(label="Patch (mcg/h)", min_value=0, required=False)
    note = forms.CharField(label="Note (brand, form)", max_length=200, required=False)

    def line(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or not data.get("drug"):
            return None
        line: dict[str, Any] = {"drug": data["drug"], "as_needed": data["as_needed"]}
        for key in ("strength_mg", "dose_mg", "doses_per_day", "mcg_per_hour"):
            if data.get(key) is not None:
                line[key] = float(data[key])
        if data.get("days") is not None:
            line["days"] = data["days"]
        if data.get("note"):
            line["note"] = data["note"]
        return line


MedicineFormSet = forms.formset_factory(MedicineLineForm, extra=2, max_num=20, validate_max=True)


def _lines(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One instruction a line.",
    )


class PlanNotesForm(forms.Form):
    wound_care = _lines("Wound care")
    activity = _lines("Activity")
    staff_notes = forms.CharField(
        label="Notes for the patient from the team",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def section(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data[name].splitlines() if line.strip()]
