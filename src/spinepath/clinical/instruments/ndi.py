"""Neck Disability Index (Vernon & Mior 1991).

Source: Vernon H, Mior S. J Manipulative Physiol Ther 1991;14:409-15; author's
scoring note https://chiro.org/forms/NDI_Explain.shtml ; interpretation of the
raw /50 score (reference clinical.md §1.5).

The primary score is the percentage, like the ODI, so the two read alike on a
chart; the bands are defined on the raw /50 score, which is reported beside it
(raw = percentage / 2, with a missing item replaced by the mean of the others
as Vernon describes).
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
from spinepath.clinical.rounding import rounded_float

ID = "ndi"
VERSION = "vernon-1991"
SOURCE = (
    "Vernon H, Mior S. J Manipulative Physiol Ther 1991;14:409-15; scoring note "
    "https://chiro.org/forms/NDI_Explain.shtml"
)
BAND_SOURCE = (
    "Vernon NDI interpretation of the raw /50 score, https://chiro.org/forms/NDI_Explain.shtml"
)

# Source: BAND_SOURCE (reference clinical.md §1.5). Bounds on the raw /50 score,
# upper bounds inclusive.
BANDS: tuple[Band, ...] = (
    Band("none", "no disability", 0, 4, BAND_SOURCE),
    Band("mild", "mild disability", 5, 14, BAND_SOURCE),
    Band("moderate", "moderate disability", 15, 24, BAND_SOURCE),
    Band("severe", "severe disability", 25, 34, BAND_SOURCE),
    Band("complete", "complete disability", 35, None, BAND_SOURCE),
)

_SECTIONS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Reading",
    "Headaches",
    "Concentration",
    "Work",
    "Driving",
    "Sleeping",
    "Recreation",
)

ITEMS: tuple[Item, ...] = tuple(
    Item(id=f"ndi.{number}", label=label, text=None, choices=integer_choices(0, 5))
    for number, label in enumerate(_SECTIONS, start=1)
)

_NULL_WHEN_NOT_SCORABLE = ("raw", "band", "band_label")


def _score(answers: Answers, options: Options) -> ScoreResult:
    max_missing = max_missing_option(ID, options, len(ITEMS))
    sums = sum_sections(ITEMS, answers)
    refused = not_scorable(ID, VERSION, sums, max_missing, _NULL_WHEN_NOT_SCORABLE)
    if refused is not None:
        return refused
    raw = sums.fraction * 50  # the mean-imputed raw score out of 50
    band = classify(raw, BANDS)
    return ScoreResult(
        instrument=ID,
        version=VERSION,
        score=percent(sums),
        extra={
            "raw": rounded_float(raw, 2),
            "band": band.id,
            "band_label": band.label,
            "raw_sum": sums.total,
            "answered": sums.answered,
            "missing": sums.missing,
            "max_missing": max_missing,
        },
    )


NDI = Instrument(
    id=ID,
    name="Neck Disability Index",
    version=VERSION,
    items=ITEMS,
    licence=(
        "NDI © H. Vernon. Terms for commercial software are not verified. Item wording is "
        "not shipped: the deployment supplies it."
    ),
    source=SOURCE,
    scoring_rule=(
        "Each item 0-5. Score % = sum / (5 x items answered) x 100, two decimals half up. "
        "Raw /50 = score % / 2 (a missing item counts as the mean of the others). Band on the "
        "unrounded raw score: <=4 none, <=14 mild, <=24 moderate, <=34 severe, above 34 "
        "complete."
    ),
    missing_rule=(
        "Missing items take the mean of the answered ones (Vernon). At most max_missing "
        "(default 1, configurable) may be missing; beyond that not scorable."
    ),
    scorer=_score,
    options=("max_missing",),
    evidence=Evidence.VERIFIED,
    unverified=(
        "max_missing default 1 (Vernon gives no limit; we follow the ODI rule)",
        "licence terms for commercial software",
    ),
)
