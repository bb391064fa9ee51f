"""Forms of the public self-screen. Plain words; every question needs an answer.

The red-flag questions come from the catalogue (spinepath.clinical.redflags),
the STarT Back items from the instrument definition, so the wording lives in
one place.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from spinepath.accounts.models import Site
from spinepath.clinical.candidacy.facts import TreatmentResponse
from spinepath.clinical.instruments import get_instrument
from spinepath.clinical.selfscreen import QUESTIONS, SELF_REPORTABLE_RED_FLAGS
from spinepath.intake.wording import STARTBACK_WORDING

YES_NO = [("yes", "Yes"), ("no", "No")]
TREATMENTS = tuple(
    (kind, QUESTIONS[f"treatments.kind.{kind}"])
    for kind in ("medication", "physiotherapy", "injection", "other")
)
RESPONSES = [
    (response.value, QUESTIONS[f"treatments.response.{response.value}"])
    for response in (
        TreatmentResponse.GOOD,
        TreatmentResponse.PARTIAL,
        TreatmentResponse.NONE,
        TreatmentResponse.WORSE,
    )
]


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )


class RedFlagForm(forms.Form):
    """Step 1: the questions that decide whether to go to hospital today."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for flag in SELF_REPORTABLE_RED_FLAGS:
            self.fields[self.field_name(flag.id)] = _yes_no(flag.plain_language)

    @staticmethod
    def field_name(flag_id: str) -> str:
        return "flag_" + flag_id.replace(".", "__")

    def present_flags(self) -> frozenset[str]:
        return frozenset(
            flag.id
            for flag in SELF_REPORTABLE_RED_FLAGS
            if self.cleaned_data.get(self.field_name(flag.id))
        )


NRS = [(str(i), str(i)) for i in range(11)]


class ScreenQuestionsForm(forms.Form):
    """Step 2: pain, how long, what has been tried, and STarT Back."""

    leg_pain = forms.TypedChoiceField(
        label=QUESTIONS["leg_pain"],
        choices=NRS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "nrs"}),
    )
    back_pain = forms.TypedChoiceField(
        label=QUESTIONS["back_pain"],
        choices=NRS,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "nrs"}),
    )
    pain_below_knee = _yes_no(QUESTIONS["pain_below_knee"])
    leg_pain_on_walking = _yes_no(QUESTIONS["leg_pain_on_walking"])
    pain_weeks = forms.IntegerField(
        label=QUESTIONS["pain_weeks"],
        min_value=0,
        max_value=1000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in TREATMENTS:
            self.fields[f"{kind}_tried"] = _yes_no(f"{label}: have you tried this?")
            self.fields[f"{kind}_weeks"] = forms.IntegerField(
                label=QUESTIONS["treatments.weeks"], min_value=0, max_value=1000, required=False
            )
            self.fields[f"{kind}_response"] = forms.ChoiceField(
                label=QUESTIONS["treatments.response"],
                choices=[("", "—"), *RESPONSES],
                required=False,
            )
        startback = get_instrument("startback")
        for number, (item, wording) in enumerate(
            zip(startback.items, STARTBACK_WORDING, strict=True), start=1
        ):
            self.fields[f"startback_{number}"] = forms.TypedChoiceField(
                label=item.text or wording,
                choices=[(str(c.value), c.label or str(c.value)) for c in item.choices],
                coerce=int,
                widget=forms.RadioSelect,
            )

    def treatment_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (label, [self[f"{kind}_tried"], self[f"{kind}_weeks"], self[f"{kind}_response"]])
            for kind, label in TREATMENTS
        ]

    def startback_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("startback_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind, _ in TREATMENTS:
            if data.get(f"{kind}_tried"):
                if data.get(f"{kind}_weeks") is None:
                    self.add_error(f"{kind}_weeks", "Say for how many weeks (a guess is fine).")
                if not data.get(f"{kind}_response"):
                    self.add_error(f"{kind}_response", "Say whether it helped.")
        return data

    def treatments(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "weeks": self.cleaned_data[f"{kind}_weeks"],
                "response": self.cleaned_data[f"{kind}_response"],
            }
            for kind, _ in TREATMENTS
            if self.cleaned_data.get(f"{kind}_tried")
        ]

    def startback(self) -> list[int]:
        return [self.cleaned_data[f"startback_{n}"] for n in range(1, 10)]


class ConsultationForm(forms.Form):
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    site = forms.ModelChoiceField(
        label="Which clinic would you like to see?", queryset=Site.objects.all(), empty_label=None
    )
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("phone", "Phone"), ("email", "E-mail")],
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(label="Phone number", max_length=32, required=False)
    email = forms.EmailField(label="E-mail address", required=False)
    preferred_times = forms.CharField(
        label="Good times to call you (for example: weekday mornings)",
        max_length=200,
        required=False,
    )
    consent_contact = forms.BooleanField(
        label="I agree that the clinic may contact me about a consultation."
    )
    consent_keep_answers = forms.BooleanField(
        label="I agree that the clinic may keep my answers to this check, so I am not asked again.",
        required=False,
    )
    # Honeypot: people do not see this field; form-filling robots fill it in.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        today = date.today()
        if born > today or born.year < today.year - 120:
            raise forms.ValidationError("Enter your real date of birth.")
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("preferred_contact")
        if method == "phone" and not (data.get("phone") or "").strip():
            self.add_error("phone", "Enter a phone number, or choose e-mail.")
        if method == "email" and not data.get("email"):
            self.add_error("email", "Enter an e-mail address, or choose phone.")
        return data
