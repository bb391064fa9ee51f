"""The self-screen answers as plain JSON (what the signed token and the request keep)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinepath.clinical.candidacy.facts import (
    ConservativeTreatment,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.selfscreen import ScreenAnswers


def answers_from_json(data: Mapping[str, Any]) -> ScreenAnswers:
    startback = data.get("startback")
    treatments = data.get("treatments")
    red_flags = data.get("red_flags")
    # An absent key is "not answered" (None), never "no" or "nothing tried".
    return ScreenAnswers(
        back_pain=data.get("back_pain"),
        leg_pain=data.get("leg_pain"),
        pain_below_knee=data.get("pain_below_knee"),
        leg_pain_on_walking=data.get("leg_pain_on_walking"),
        pain_weeks=data.get("pain_weeks"),
        treatments=None
        if treatments is None
        else tuple(
            ConservativeTreatment(
                kind=TreatmentKind(t["kind"]),
                weeks=t.get("weeks"),
                response=TreatmentResponse(t["response"]) if t.get("response") else None,
            )
            for t in treatments
        ),
        startback=tuple(startback) if startback is not None else None,
        red_flags=None if red_flags is None else frozenset(red_flags),
    )
