"""EQ-5D-5L and EQ-5D-3L: descriptive profile and index.

Source: EuroQol Research Foundation; licensing and digital-reproduction rules
at https://euroqol.org/register/instrument-delivery/digital-reproduction-requirements/
(reference clinical.md §3.2). Value sets: spinepath.clinical.instruments.eq5d_value_sets.

The questionnaire wording is EuroQol's copyright: no item text or level label
ships with spinepath. A licensed deployment supplies it.
"""

from __future__ import annotations

from collections.abc import Callable

from spinepath.clinical.instruments.base import (
    Answers,
    Instrument,
    InvalidOptionError,
    Item,
    Options,
    ScoreResult,
    integer_choices,
)
from spinepath.clinical.instruments.eq5d_value_sets import (
    DEFAULT_VALUE_SET,
    DIMENSIONS,
    VALUE_SETS_3L,
    VALUE_SETS_5L,
    value_set,
)

LICENCE = (
    "EQ-5D © 1990 EuroQol Group; EQ-5D™ is a trade mark of the EuroQol Group. Use requires "
    "registration with EuroQol and, for commercial use, a licence fee; digital versions must "
    "follow EuroQol's digital representation guidelines. spinepath ships no item wording: "
    "the licensed deployment supplies it. Value-set coefficients are published in journals."
)
SOURCE = "EuroQol Research Foundation, https://euroqol.org"

_DIMENSION_LABELS = {
    "MO": "Mobility",
    "SC": "Self-care",
    "UA": "Usual activities",
    "PD": "Pain / discomfort",
    "AD": "Anxiety / depression",
}


def _items(levels: int) -> tuple[Item, ...]:
    return tuple(
        Item(id=dim, label=_DIMENSION_LABELS[dim], text=None, choices=integer_choices(1, levels))
        for dim in DIMENSIONS
    )


def _scorer(instrument_id: str, version: str) -> Callable[[Answers, Options], ScoreResult]:
    def score(answers: Answers, options: Options) -> ScoreResult:
        chosen = options.get("value_set", DEFAULT_VALUE_SET)
        if not isinstance(chosen, str):
            raise InvalidOptionError(f"{instrument_id}: value_set must be a value set id")
        vs = value_set(instrument_id, chosen)
        missing = [dim for dim, level in zip(DIMENSIONS, answers, strict=True) if level is None]
        extra: dict[str, object] = {
            "index": None,
            "profile": None,
            "value_set": vs.id,
            "value_set_name": vs.name,
            "value_set_source": vs.source,
            "missing": missing,
        }
        if missing:
            return ScoreResult(
                instrument_id,
                version,
                None,
                reason=f"the index needs all five dimensions; missing {', '.join(missing)}",
                extra=extra,
            )
        levels = tuple(level for level in answers if level is not None)
        index = float(vs.index(levels))
        extra.update(index=index, profile="".join(str(level) for level in levels))
        return ScoreResult(instrument_id, version, index, extra=extra)

    return score


def _instrument(instrument_id: str, name: str, levels: int, value_sets: str) -> Instrument:
    version = f"{levels}L"
    return Instrument(
        id=instrument_id,
        name=name,
        version=version,
        items=_items(levels),
        licence=LICENCE,
        source=SOURCE,
        scoring_rule=(
            f"Profile = the five levels MO SC UA PD AD (1-{levels}). Index from the chosen value "
            f"set ({value_sets}), exact decimal arithmetic, three decimals half up. Higher is "
            "better; 1 = full health."
        ),
        missing_rule="Any dimension missing: no profile and no index (not scorable).",
        scorer=_scorer(instrument_id, version),
        options=("value_set",),
        unverified=(f"default value set {DEFAULT_VALUE_SET!r} when none is named (site decision)",),
    )


EQ5D_5L = _instrument("eq5d-5l", "EQ-5D-5L", 5, ", ".join(VALUE_SETS_5L))
EQ5D_3L = _instrument("eq5d-3l", "EQ-5D-3L", 3, ", ".join(VALUE_SETS_3L))
