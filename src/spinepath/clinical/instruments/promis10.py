"""PROMIS Global Health v1.2 (PROMIS-10): physical and mental summary scores.

Source: Hays RD, Bjorner JB, Revicki DA, Spritzer KL, Cella D. Development of
physical and mental health summary scores from the PROMIS global items. Qual
Life Res 2009;18:873-80; HealthMeasures "Scoring PROMIS Global short form"
raw-to-T tables (reference clinical.md §3.1).

Answers are stored as v1.2 stores them: Global08r and Global10r already
reversed (5 = none … 1 = very severe), Global07 as the 0-10 pain rating; every
other item 1-5 with 5 the best. So for every item except Global07 a higher
answer is better.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from spinepath.clinical.instruments.base import (
    Answers,
    Instrument,
    Item,
    Options,
    ScoreResult,
    integer_choices,
)

ID = "promis-10"
VERSION = "1.2"
SOURCE = (
    "Hays RD et al. Qual Life Res 2009;18:873-80; HealthMeasures PROMIS Global Health v1.2 "
    "scoring manual raw-to-T tables"
)
TABLE_SOURCE = (
    "Hays et al. 2009 / HealthMeasures 'Scoring PROMIS Global short form' raw-to-T tables "
    "(reference clinical.md §3.1)"
)

_ITEM_LABELS = (
    ("Global01", "General health"),
    ("Global02", "Quality of life"),
    ("Global03", "Physical health"),
    ("Global04", "Mental health, mood and ability to think"),
    ("Global05", "Satisfaction with social activities and relationships"),
    ("Global06", "Ability to carry out everyday physical activities"),
    ("Global07", "Average pain (0-10)"),
    ("Global08r", "Average fatigue (stored reversed: 5 = none)"),
    ("Global09r", "Carrying out usual social activities and roles"),
    ("Global10r", "Emotional problems (stored reversed: 5 = none)"),
)

ITEMS: tuple[Item, ...] = tuple(
    Item(
        id=item_id,
        label=label,
        text=None,
        choices=integer_choices(0, 10) if item_id == "Global07" else integer_choices(1, 5),
    )
    for item_id, label in _ITEM_LABELS
)
_INDEX = {item.id: position for position, item in enumerate(ITEMS)}

GPH_ITEMS = ("Global03", "Global06", "Global07", "Global08r")
GMH_ITEMS = ("Global02", "Global04", "Global05", "Global10r")


def recode_global07(pain: int) -> int:
    """Global07rc. Source: HealthMeasures scoring manual via reference §3.1 [V2]:
    0 -> 5; 1-3 -> 4; 4-6 -> 3; 7-9 -> 2; 10 -> 1."""
    if pain == 0:
        return 5
    if pain <= 3:
        return 4
    if pain <= 6:
        return 3
    if pain <= 9:
        return 2
    return 1


def _table(values: tuple[float, ...]) -> Mapping[int, float]:
    return MappingProxyType(dict(zip(range(4, 21), values, strict=True)))


# Source: TABLE_SOURCE. Raw sums 4..20.
GPH_T = _table((16.2, 19.9, 23.5, 26.7, 29.6, 32.4, 34.9, 37.4, 39.8, 42.3, 44.9, 47.7, 50.8,
                54.1, 57.7, 61.9, 67.7))  # fmt: skip
GPH_SE = _table((4.8, 4.7, 4.5, 4.3, 4.2, 4.2, 4.1, 4.1, 4.1, 4.2, 4.3, 4.4, 4.6, 4.7, 4.9,
                 5.2, 5.9))  # fmt: skip
# Raw 4 = 21.2 as in the HealthMeasures table and three independent
# implementations; Hays' 2009 working paper prints 21.1.
GMH_T = _table((21.2, 25.1, 28.4, 31.3, 33.8, 36.3, 38.8, 41.1, 43.5, 45.8, 48.3, 50.8, 53.3,
                56.0, 59.0, 62.5, 67.6))  # fmt: skip
GMH_SE = _table((4.6, 4.1, 3.9, 3.7, 3.7, 3.7, 3.6, 3.6, 3.6, 3.6, 3.7, 3.7, 3.7, 3.8, 3.9,
                 4.2, 5.3))  # fmt: skip


def _summary(
    name: str, item_ids: tuple[str, ...], answers: Answers
) -> tuple[int | None, str | None]:
    values = [answers[_INDEX[item_id]] for item_id in item_ids]
    missing = [item_id for item_id, v in zip(item_ids, values, strict=True) if v is None]
    if missing:
        # [U] The manual's missing-item rule was not retrieved; the tables are
        # defined only for complete sums, so a T-score is never estimated.
        return None, f"{name} not scorable: {', '.join(missing)} missing"
    return sum(
        recode_global07(v) if item_id == "Global07" else v
        for item_id, v in zip(item_ids, values, strict=True)
        if v is not None
    ), None


def _score(answers: Answers, options: Options) -> ScoreResult:
    gph_raw, gph_reason = _summary("GPH", GPH_ITEMS, answers)
    gmh_raw, gmh_reason = _summary("GMH", GMH_ITEMS, answers)
    gph_t = None if gph_raw is None else GPH_T[gph_raw]
    gmh_t = None if gmh_raw is None else GMH_T[gmh_raw]
    return ScoreResult(
        instrument=ID,
        version=VERSION,
        score=gph_t,
        reason=gph_reason,
        extra={
            "gph_raw": gph_raw,
            "gph_t": gph_t,
            "gph_se": None if gph_raw is None else GPH_SE[gph_raw],
            "gmh_raw": gmh_raw,
            "gmh_t": gmh_t,
            "gmh_se": None if gmh_raw is None else GMH_SE[gmh_raw],
            "gmh_reason": gmh_reason,
            "global01": answers[_INDEX["Global01"]],
            "global09r": answers[_INDEX["Global09r"]],
            "missing": [item.id for item, a in zip(ITEMS, answers, strict=True) if a is None],
        },
    )


PROMIS_10 = Instrument(
    id=ID,
    name="PROMIS Global Health v1.2 (PROMIS-10)",
    version=VERSION,
    items=ITEMS,
    licence=(
        "PROMIS instruments are available free from HealthMeasures under its terms of use "
        "(terms not verified here). Item wording is not shipped: the deployment supplies it."
    ),
    source=SOURCE,
    scoring_rule=(
        "GPH raw = Global03 + Global06 + Global07rc + Global08r; GMH raw = Global02 + Global04 "
        "+ Global05 + Global10r (each 4-20); Global07rc: 0->5, 1-3->4, 4-6->3, 7-9->2, 10->1. "
        "T-score and SE from the raw-to-T tables. The primary score is the GPH T-score; "
        "higher is better."
    ),
    missing_rule=(
        "No T-score for a summary with any of its four items missing (the other summary is "
        "still reported). Global01 and Global09r are single items outside both summaries."
    ),
    scorer=_score,
    unverified=(
        "missing-item rule (manual not retrieved): no T-score when an item is missing",
        "licence terms of use",
    ),
)
