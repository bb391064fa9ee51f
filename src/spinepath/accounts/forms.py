"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms

from spinepath.accounts.models import SignInLinkChannel


class SignInLinkRequestForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    # Set by the button pressed: "E-mail me a sign-in link" or "Text me a sign-in link".
    channel = forms.ChoiceField(
        choices=SignInLinkChannel.choices, required=False, initial=SignInLinkChannel.EMAIL
    )
    next = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_channel(self) -> str:
        return self.cleaned_data["channel"] or SignInLinkChannel.EMAIL
