"""Oswestry Disability Index, version 2.1a.

Source: Fairbank JCT, Pynsent PB. The Oswestry Disability Index. Spine
2000;25(22):2940-53; scoring sheet reproduced at
https://riunitedformarriage.org/how-do-you-score-modified-oswestry-for-lower-back-pain/
and https://www.idcafe.net/how-is-the-oswestry-disability-scale-scored/
(reference clinical.md §1.1-1.3).

Not the *modified* ODI (Fritz & Irrgang; Employment/homemaking instead of Sex
life): a different instrument, which is why the version is stored with every
response.
"""

from __future__ import annotations

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.instruments.base import (
    Answers,
    Instrument,
    Item,
    Options,
    ScoreResult,
    integer_choices,
)
from spinepath.clinical.instruments.section_index import (
    Band,
    classify,
    max_missing_option,
    not_scorable,
    percent,
    sum_sections,
)

ID = "odi"
VERSION = "2.1a"
SOURCE = (
    "Fairbank JCT, Pynsent PB. Spine 2000;25(22):2940-53 (ODI v2.1a); scoring sheet: "
    "sum / (5 x sections answered) x 100"
)
BAND_SOURCE = (
    "Fairbank interpretation bands, "
    "https://asir-journal.biomedcentral.com/articles/10.1186/1750-1164-7-12/tables/1"
)

# Source: BAND_SOURCE (reference clinical.md §1.3). Upper bounds are inclusive.
BANDS: tuple[Band, ...] = (
    Band("minimal", "minimal disability", 0, 20, BAND_SOURCE),
    Band("moderate", "moderate disability", 21, 40, BAND_SOURCE),
    Band("severe", "severe disability", 41, 60, BAND_SOURCE),
    Band("crippled", "crippled", 61, 80, BAND_SOURCE),
    Band("bed_bound", "bed-bound or exaggerating symptoms", 81, None, BAND_SOURCE),
)

_SECTIONS = (
    "Pain intensity",
    "Personal care (washing, dressing etc.)",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life (if applicable)",
    "Social life",
    "Travelling",
)

# Statement wording is the copyrighted v2.1a form; the deployment supplies it.
ITEMS: tuple[Item, ...] = tuple(
    Item(
        id=f"odi.{number}",
        label=label,
        text=None,
        choices=integer_choices(0, 5),
        required=label != "Sex life (if applicable)",
    )
    for number, label in enumerate(_SECTIONS, start=1)
)

_NULL_WHEN_NOT_SCORABLE = ("band", "band_label")


def _score(answers: Answers, options: Options) -> ScoreResult:
    max_missing = max_missing_option(ID, options, len(ITEMS))
    sums = sum_sections(ITEMS, answers)
    refused = not_scorable(ID, VERSION, sums, max_missing, _NULL_WHEN_NOT_SCORABLE)
    if refused is not None:
        return refused
    band = classify(sums.fraction * 100, BANDS)
    return ScoreResult(
        instrument=ID,
        version=VERSION,
        score=percent(sums),
        extra={
            "band": band.id,
            "band_label": band.label,
            "raw_sum": sums.total,
            "answered": sums.answered,
            "missing": sums.missing,
            "max_missing": max_missing,
        },
    )


ODI = Instrument(
    id=ID,
    name="Oswestry Disability Index",
    version=VERSION,
    items=ITEMS,
    licence=(
        "ODI v2.1a © J. Fairbank, distributed by Mapi Research Trust (ePROVIDE). Spine 2000 "
        "states no permission is needed to use the reproduced form; commercial-software "
        "terms are not verified. Statement wording is not shipped: the deployment supplies it."
    ),
    source=SOURCE,
    scoring_rule=(
        "Each section 0-5. Score % = sum / (5 x sections answered) x 100, rounded to two "
        "decimals half up (16/45 -> 35.56). Band (Fairbank) on the unrounded %: <=20 minimal, "
        "<=40 moderate, <=60 severe, <=80 crippled, above 80 bed-bound or exaggerating."
    ),
    missing_rule=(
        "At most max_missing sections may be missing (default 1, configurable); beyond that "
        "the response is not scorable (score null with a reason). If two statements are marked "
        "in one section, record the higher one (entry rule, not enforced here)."
    ),
    scorer=_score,
    options=("max_missing",),
    evidence=Evidence.VERIFIED,
    unverified=(
        "max_missing default 1 (AWELL implementation, no primary text)",
        "two statements marked: record the higher (Fairbank 2000 instruction, not seen)",
        "licence terms for commercial software",
    ),
)
