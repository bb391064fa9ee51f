"""PROMIS Global Health v1.2: summary raw scores, T-scores and SEs from the tables."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.instruments import get_instrument

PROMIS = get_instrument("promis-10")

# Raw -> (T, SE), typed in from reference clinical.md §3.1 (Hays 2009 / HealthMeasures).
GPH = dict(zip(range(4, 21), zip(
    [16.2, 19.9, 23.5, 26.7, 29.6, 32.4, 34.9, 37.4, 39.8, 42.3, 44.9, 47.7, 50.8, 54.1, 57.7,
     61.9, 67.7],
    [4.8, 4.7, 4.5, 4.3, 4.2, 4.2, 4.1, 4.1, 4.1, 4.2, 4.3, 4.4, 4.6, 4.7, 4.9, 5.2, 5.9],
    strict=True), strict=True))  # fmt: skip
GMH = dict(zip(range(4, 21), zip(
    [21.2, 25.1, 28.4, 31.3, 33.8, 36.3, 38.8, 41.1, 43.5, 45.8, 48.3, 50.8, 53.3, 56.0, 59.0,
     62.5, 67.6],
    [4.6, 4.1, 3.9, 3.7, 3.7, 3.7, 3.6, 3.6, 3.6, 3.6, 3.7, 3.7, 3.7, 3.8, 3.9, 4.2, 5.3],
    strict=True), strict=True))  # fmt: skip

# Global07 0-10 -> 1-5, from the reference: 0->5; 1,2,3->4; 4,5,6->3; 7,8,9->2; 10->1.
RECODE_07 = {0: 5, 1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 2, 8: 2, 9: 2, 10: 1}


def response(**items: int | None) -> list[int | None]:
    """Global01..Global10r, each 3 (Global07: 5) unless given."""
    base: dict[str, int | None] = {
        "Global01": 3, "Global02": 3, "Global03": 3, "Global04": 3, "Global05": 3,
        "Global06": 3, "Global07": 5, "Global08r": 3, "Global09r": 3, "Global10r": 3,
    }  # fmt: skip
    base.update(items)
    return list(base.values())


def test_best_and_worst_responses() -> None:
    best = PROMIS.score(response(**{f"Global{n:02d}": 5 for n in range(1, 7)}, Global07=0,
                                 Global08r=5, Global09r=5, Global10r=5))  # fmt: skip
    assert (best.extra["gph_raw"], best.extra["gph_t"], best.extra["gph_se"]) == (20, 67.7, 5.9)
    assert (best.extra["gmh_raw"], best.extra["gmh_t"], best.extra["gmh_se"]) == (20, 67.6, 5.3)
    assert best.score == 67.7  # primary score: GPH T
    worst = PROMIS.score(response(**{f"Global{n:02d}": 1 for n in range(1, 7)}, Global07=10,
                                  Global08r=1, Global09r=1, Global10r=1))  # fmt: skip
    assert (worst.extra["gph_raw"], worst.extra["gph_t"]) == (4, 16.2)
    # 21.2, not the 21.1 of Hays' 2009 working paper (reference §3.1).
    assert (worst.extra["gmh_raw"], worst.extra["gmh_t"], worst.extra["gmh_se"]) == (4, 21.2, 4.6)


def test_worked_mid_scale_example() -> None:
    result = PROMIS.score(response(Global03=3, Global06=4, Global07=5, Global08r=2,
                                   Global02=4, Global04=3, Global05=5, Global10r=4))  # fmt: skip
    assert result.extra["gph_raw"] == 3 + 4 + 3 + 2 == 12
    assert (result.extra["gph_t"], result.extra["gph_se"]) == (39.8, 4.1)
    assert result.extra["gmh_raw"] == 4 + 3 + 5 + 4 == 16
    assert (result.extra["gmh_t"], result.extra["gmh_se"]) == (53.3, 3.7)


def test_every_gph_combination_matches_the_table() -> None:
    for g03, g06, g07, g08 in itertools.product(range(1, 6), range(1, 6), range(11), range(1, 6)):
        result = PROMIS.score(response(Global03=g03, Global06=g06, Global07=g07, Global08r=g08))
        raw = g03 + g06 + RECODE_07[g07] + g08
        assert result.extra["gph_raw"] == raw
        assert (result.extra["gph_t"], result.extra["gph_se"]) == GPH[raw]


def test_every_gmh_combination_matches_the_table() -> None:
    for g02, g04, g05, g10 in itertools.product(range(1, 6), repeat=4):
        result = PROMIS.score(response(Global02=g02, Global04=g04, Global05=g05, Global10r=g10))
        raw = g02 + g04 + g05 + g10
        assert result.extra["gmh_raw"] == raw
        assert (result.extra["gmh_t"], result.extra["gmh_se"]) == GMH[raw]


@pytest.mark.parametrize("item", ["Global03", "Global06", "Global07", "Global08r"])
def test_missing_gph_item_gives_no_gph_t_but_keeps_gmh(item: str) -> None:
    result = PROMIS.score(response(**{item: None}))
    assert result.score is None and result.extra["gph_t"] is None
    assert result.extra["gph_raw"] is None and result.extra["gph_se"] is None
    assert result.reason is not None and item in result.reason
    assert result.extra["gmh_t"] == GMH[12][0]


@pytest.mark.parametrize("item", ["Global02", "Global04", "Global05", "Global10r"])
def test_missing_gmh_item_gives_no_gmh_t_but_keeps_gph(item: str) -> None:
    result = PROMIS.score(response(**{item: None}))
    assert result.extra["gmh_t"] is None and item in str(result.extra["gmh_reason"])
    assert result.score == GPH[12][0]


def test_single_items_outside_the_summaries_may_be_missing() -> None:
    result = PROMIS.score(response(Global01=None, Global09r=None))
    assert result.extra["gph_t"] == GPH[12][0] and result.extra["gmh_t"] == GMH[12][0]
    assert result.extra["missing"] == ["Global01", "Global09r"]


items_strategy = st.tuples(
    *[st.integers(0, 10) if n == 7 else st.integers(1, 5) for n in range(1, 11)]
)


@given(answers=items_strategy, position=st.integers(0, 9))
def test_a_worse_answer_never_gives_a_better_t_score(
    answers: tuple[int, ...], position: int
) -> None:
    worse = list(answers)
    if position == 6:  # Global07 is pain: higher is worse
        worse[6] = min(worse[6] + 1, 10)
    else:  # every other item as stored in v1.2: lower is worse
        worse[position] = max(worse[position] - 1, 1)
    before, after = PROMIS.score(list(answers)), PROMIS.score(worse)
    for key in ("gph_t", "gmh_t"):
        b, a = before.extra[key], after.extra[key]
        assert isinstance(b, float) and isinstance(a, float)
        assert a <= b
        assert 16.2 <= a <= 67.7
