"""Which questionnaires an episode collects, and which the clinic may use."""

from __future__ import annotations

from django.conf import settings

from spinepath.clinical.instruments import INSTRUMENTS, Instrument
from spinepath.patients.models import Condition, Episode


def available_instruments() -> dict[str, Instrument]:
    """Every instrument, less EQ-5D unless the clinic holds a EuroQol licence."""
    licensed = settings.SPINEPATH["EQ5D_LICENSED"]
    return {
        key: value for key, value in INSTRUMENTS.items() if licensed or not key.startswith("eq5d")
    }


def outcome_instruments(episode: Episode) -> list[str]:
    """Baseline and follow-up set: ODI (NDI for the neck), NRS back and leg, PROMIS-10,
    and EQ-5D-5L only where licensed."""
    disability = "ndi" if episode.condition == Condition.CERVICAL_RADICULOPATHY else "odi"
    return [
        key
        for key in (disability, "nrs-back", "nrs-leg", "promis-10", "eq5d-5l")
        if key in available_instruments()
    ]
