from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from spinepath.accounts.models import CareTeam, Role, User
from spinepath.patients.models import Condition, Patient


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Patient
        fields = ["given_name", "family_name", "date_of_birth", "sex", "mrn", "email", "phone"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        today = date.today()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future.")
        if born.year < today.year - 120:
            raise forms.ValidationError("The date of birth is more than 120 years ago.")
        return born


class EpisodeForm(forms.Form):
    condition = forms.ChoiceField(choices=Condition.choices)
    care_team = forms.ModelChoiceField(queryset=CareTeam.objects.none(), required=False)
    lead_surgeon = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = self.fields["care_team"]
        surgeon_field = self.fields["lead_surgeon"]
        assert isinstance(team_field, forms.ModelChoiceField)
        assert isinstance(surgeon_field, forms.ModelChoiceField)
        team_field.queryset = CareTeam.objects.filter(site_id=site_id)
        surgeon_field.queryset = User.objects.filter(
            site_id=site_id, role=Role.SURGEON, is_active=True
        ).order_by("full_name")


class PatientSearchForm(forms.Form):
    """Posted, never a query string: names and MRNs must not appear in URLs."""

    q = forms.CharField(label="Name or hospital number", max_length=100, min_length=2)
