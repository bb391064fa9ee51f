"""Which questionnaires make an episode's baseline."""

from __future__ import annotations

from django.conf import settings

from spinepath.patients.models import Condition, Episode


def baseline_instruments(episode: Episode) -> list[str]:
    """ODI for the lumbar spine, NDI for the neck; NRS, PROMIS-10; EQ-5D-5L only if licensed."""
    disability = "ndi" if episode.condition == Condition.CERVICAL_RADICULOPATHY else "odi"
    instruments = [disability, "nrs-back", "nrs-leg", "promis-10"]
    if settings.SPINEPATH["EQ5D_LICENSED"]:
        instruments.append("eq5d-5l")
    return instruments
