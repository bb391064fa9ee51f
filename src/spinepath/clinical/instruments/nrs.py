"""Pain numeric rating scales, 0-10, separately for back pain and leg pain.

Source: 11-point NRS with separate back and leg items as used by the Quality
Outcomes Database (Asher AM et al. Spine J 2020, doi 10.1016/j.spinee.2020.01.010;
https://www.acemap.info/paper/56595038), reference clinical.md §2.
"""

from __future__ import annotations

from spinepath.clinical.instruments.base import (
    Answers,
    Instrument,
    Item,
    Options,
    ScoreResult,
    integer_choices,
)

VERSION = "11-point"
SOURCE = (
    "11-point pain NRS, separate back and leg items (Asher AM et al. Spine J 2020, "
    "doi 10.1016/j.spinee.2020.01.010)"
)
_ANCHORS = ("0 = no pain", "10 = worst pain imaginable")


# The wording is ours and carries no recall period: a programme that wants one
# ("in the last week") states it in its own form text.
def make_nrs(instrument_id: str, name: str, label: str, text: str) -> Instrument:
    item = Item(
        id=instrument_id,
        label=label,
        text=text,
        choices=integer_choices(0, 10),
    )

    def score(answers: Answers, options: Options) -> ScoreResult:
        (answer,) = answers
        if answer is None:
            return ScoreResult(instrument_id, VERSION, None, reason=f"{item.id} not answered")
        return ScoreResult(instrument_id, VERSION, float(answer))

    return Instrument(
        id=instrument_id,
        name=name,
        version=VERSION,
        items=(item,),
        licence="Public domain rating scale; wording is spinepath's own.",
        source=SOURCE,
        scoring_rule=f"The answer itself, 0-10 ({'; '.join(_ANCHORS)}); lower is better.",
        missing_rule="Not answered: not scorable.",
        scorer=score,
    )


NRS_BACK = make_nrs(
    "nrs-back",
    "Back pain NRS",
    "Back pain",
    "On a scale from 0 (no pain) to 10 (worst pain imaginable), how would you rate your back pain?",
)
NRS_LEG = make_nrs(
    "nrs-leg",
    "Leg pain NRS",
    "Leg pain",
    "On a scale from 0 (no pain) to 10 (worst pain imaginable), how would you rate your leg pain?",
)
# A pain rating not tied to a site, for the command line (`spinepath score nrs`);
# not in the registry, whose instruments each name the site of the pain.
NRS_ANY = make_nrs(
    "nrs",
    "Pain NRS",
    "Pain",
    "On a scale from 0 (no pain) to 10 (worst pain imaginable), how would you rate your pain?",
)
