from __future__ import annotations

from typing import Any

from django import forms

from spinepath.registry.analytics import Filters


class FilterForm(forms.Form):
    """The dashboard's filters: every choice comes from the dataset itself."""

    year_from = forms.TypedChoiceField(label="From", coerce=int, required=False, empty_value=None)
    year_to = forms.TypedChoiceField(label="To", coerce=int, required=False, empty_value=None)
    site = forms.ChoiceField(label="Site", required=False)
    surgeon = forms.ChoiceField(label="Surgeon (pseudonym)", required=False)
    procedure = forms.ChoiceField(label="Procedure", required=False)
    approach = forms.ChoiceField(label="Approach", required=False)

    def __init__(self, data: Any, *, choices: dict[str, list[Any]], surgeons: list[str]) -> None:
        super().__init__(data)
        years = [("", "Any")] + [(str(y), str(y)) for y in choices["years"]]
        self.fields["year_from"].choices = years
        self.fields["year_to"].choices = years
        self.fields["site"].choices = [("", "All sites")] + [(s, s) for s in choices["sites"]]
        self.fields["surgeon"].choices = [("", "All surgeons")] + [(s, s) for s in surgeons]
        self.fields["procedure"].choices = [("", "All procedures")] + [
            (p, p.replace("_", " ")) for p in choices["procedures"]
        ]
        self.fields["approach"].choices = [("", "Both")] + [(a, a) for a in choices["approaches"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            raise forms.ValidationError("The period starts after it ends.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            site=data.get("site") or None,
            surgeon=data.get("surgeon") or None,
            procedure=data.get("procedure") or None,
            approach=data.get("approach") or None,
        )
