"""Keele STarT Back Screening Tool (9 items).

Source: Hill JC, Dunn KM, Lewis M, et al. A primary care back pain screening
tool: identifying patient subgroups for initial treatment. Arthritis Rheum
2008;59(5):632-41; Keele University scoring guide (reference clinical.md §4).
NICE NG59 1.1.2 recommends it for risk stratification at first contact.
"""

from __future__ import annotations

from enum import StrEnum

from spinepath.clinical.instruments.base import (
    Answers,
    Instrument,
    Item,
    Options,
    ScoreResult,
    integer_choices,
)

ID = "startback"
VERSION = "9-item"
SOURCE = "Hill JC et al. Arthritis Rheum 2008;59(5):632-41; Keele University STarT Back scoring"

_AGREE = ("Disagree", "Agree")
BOTHERSOME_LABELS = ("Not at all", "Slightly", "Moderately", "Very much", "Extremely")
# Source: SOURCE. Item 9 is answered 0-4 and scores 1 only for "Very much" or "Extremely".
BOTHERSOME_POINTS = (0, 0, 0, 1, 1)

_LABELS = (
    "Back pain spread down the leg(s)",
    "Pain in the shoulder or neck",
    "Only walked short distances because of back pain",
    "Dressed more slowly than usual because of back pain",
    "Not really safe to be physically active (fear)",
    "Worrying thoughts a lot of the time (anxiety)",
    "Back pain terrible and never going to get better (catastrophising)",
    "Not enjoyed things I used to enjoy (depression)",
    "How bothersome back pain has been in the last 2 weeks",
)

ITEMS: tuple[Item, ...] = tuple(
    Item(
        id=f"startback.{number}",
        label=label,
        text=None,
        choices=integer_choices(0, 4, BOTHERSOME_LABELS)
        if number == 9
        else integer_choices(0, 1, _AGREE),
    )
    for number, label in enumerate(_LABELS, start=1)
)

PSYCHOSOCIAL_ITEMS = ("startback.5", "startback.6", "startback.7", "startback.8", "startback.9")


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def classify_risk(total: int, subscale: int) -> Risk:
    """Source: SOURCE. Subscale >= 4 high; else total <= 3 low; else medium."""
    if subscale >= 4:
        return Risk.HIGH
    if total <= 3:
        return Risk.LOW
    return Risk.MEDIUM


def _score(answers: Answers, options: Options) -> ScoreResult:
    missing = [item.id for item, a in zip(ITEMS, answers, strict=True) if a is None]
    if missing:
        # [U] No published missing-item rule was retrieved; a risk group is
        # never guessed from a partial response.
        return ScoreResult(
            ID,
            VERSION,
            None,
            reason=f"all nine items are needed; missing {', '.join(missing)}",
            extra={"total": None, "subscale": None, "risk": None, "missing": missing},
        )
    points = [a for a in answers if a is not None]
    points[8] = BOTHERSOME_POINTS[points[8]]
    total = sum(points)
    subscale = sum(points[4:9])
    risk = classify_risk(total, subscale)
    return ScoreResult(
        ID,
        VERSION,
        float(total),
        extra={"total": total, "subscale": subscale, "risk": risk.value, "missing": []},
    )


STARTBACK = Instrument(
    id=ID,
    name="Keele STarT Back Screening Tool",
    version=VERSION,
    items=ITEMS,
    licence=(
        "© Keele University; free for clinical use, commercial terms not verified. Item "
        "wording is not shipped: the deployment supplies it."
    ),
    source=SOURCE,
    scoring_rule=(
        "Items 1-8: disagree 0, agree 1. Item 9 answered 0-4 (not at all … extremely), scored "
        "0,0,0,1,1. Total = items 1-9 (0-9); psychosocial subscale = items 5-9 (0-5). Risk: "
        "subscale >= 4 high; otherwise total <= 3 low, total >= 4 medium. Primary score = total."
    ),
    missing_rule="Any item missing: not scorable, no risk group.",
    scorer=_score,
    unverified=("missing-item rule (none published in the stored sources)",),
)
