"""A questionnaire result in plain words, for the patient who just answered it.

The numbers and bands are the instrument's own (spinepath.clinical.instruments);
this only says them in everyday language. No comparison with earlier answers and
no advice: the care team interprets results.
"""

from __future__ import annotations

from decimal import Decimal

from spinepath.outcomes.models import QuestionnaireResponse

NOT_SCORED = (
    "Your answers are saved, but they could not be scored because too many answers were "
    "missing. Your care team can still see them."
)


def _number(value: Decimal | float, places: int = 0) -> str:
    text = f"{float(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain_result(response: QuestionnaireResponse) -> str:
    if not response.scorable or response.score is None:
        return NOT_SCORED
    score = response.score
    details = response.details or {}
    instrument = response.instrument
    if instrument in {"odi", "ndi"}:
        part = "back" if instrument == "odi" else "neck"
        band = details.get("band_label")
        return (
            # Two decimals as stored: rounding further could contradict the band.
            f"Your score is {_number(score, 2)} out of 100"
            + (f" ({band})" if band else "")
            + f". It shows how much your {part} problem gets in the way of everyday life: "
            "0 means not at all, and lower is better."
        )
    if instrument in {"nrs-back", "nrs-leg"}:
        where = "back" if instrument == "nrs-back" else "leg"
        return (
            f"You rated your {where} pain {_number(score)} out of 10 "
            "(0 is no pain, 10 the worst pain you can imagine)."
        )
    if instrument == "promis-10":
        return (
            f"Your physical health score is {_number(score, 1)}. On this scale 50 is the "
            "average for the general population (in the United States), and higher is better."
        )
    if instrument.startswith("eq5d"):
        return (
            f"Your health index is {_number(score, 3)}. 1 means full health, and higher is better."
        )
    return f"Your score is {_number(score, 2)}."
