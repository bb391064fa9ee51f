from __future__ import annotations

from typing import Any

from django import forms

from spinepath.patients.forms import EpisodeForm


class AcceptRequestForm(EpisodeForm):
    """Accepting opens an episode: the same choices as opening one by hand."""

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, site_id=site_id, **kwargs)
        self.fields["condition"].label = "Provisional condition"


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason (kept with the request)")
