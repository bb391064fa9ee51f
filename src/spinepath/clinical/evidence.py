"""How sure we are of a clinical fact, as tagged in the reference (clinical.md).

Data objects carry one of these next to their ``source`` so that the UI and the
docs can show that a number is a configurable placeholder rather than a
checked fact.
"""

from __future__ import annotations

from enum import StrEnum


class Evidence(StrEnum):
    VERIFIED = "verified"  # [V]/[V2]: read in a stored source cited beside it
    DERIVED = "derived"  # [D]: arithmetic or synthesis on verified inputs
    UNVERIFIED = "unverified"  # [U]: a configurable default until someone checks the primary paper
