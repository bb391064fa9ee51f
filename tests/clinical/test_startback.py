"""STarT Back: total, psychosocial subscale, risk groups at their boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.instruments import get_instrument

SBST = get_instrument("startback")


def test_item_9_scores_only_very_much_and_extremely() -> None:
    totals = [SBST.score([0] * 8 + [answer]).extra["total"] for answer in range(5)]
    assert totals == [0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("answers", "total", "subscale", "risk"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 0, "low"),
        ([1, 1, 1, 0, 0, 0, 0, 0, 2], 3, 0, "low"),  # total 3: low
        ([1, 1, 1, 1, 0, 0, 0, 0, 2], 4, 0, "medium"),  # total 4: medium
        ([0, 0, 0, 0, 1, 1, 1, 0, 2], 3, 3, "low"),  # subscale 3 but total 3: low
        ([1, 0, 0, 0, 1, 1, 1, 0, 2], 4, 3, "medium"),  # subscale 3: not high
        ([0, 0, 0, 0, 1, 1, 1, 1, 0], 4, 4, "high"),  # subscale 4: high
        ([0, 0, 0, 0, 1, 1, 1, 0, 3], 4, 4, "high"),  # item 9 "very much" counts
        ([1, 1, 1, 1, 1, 1, 1, 1, 4], 9, 5, "high"),
    ],
)
def test_risk_boundaries(answers: list[int], total: int, subscale: int, risk: str) -> None:
    result = SBST.score(answers)
    assert (result.extra["total"], result.extra["subscale"], result.extra["risk"]) == (
        total,
        subscale,
        risk,
    )
    assert result.score == total


def test_missing_item_gives_no_risk_group() -> None:
    result = SBST.score([1, 1, 1, 1, 1, 1, 1, 1, None])
    assert result.score is None and result.extra["risk"] is None
    assert "startback.9" in (result.reason or "")


def test_items_1_to_8_accept_only_0_or_1() -> None:
    with pytest.raises(ValueError, match=r"startback\.1"):
        SBST.score([2, 0, 0, 0, 0, 0, 0, 0, 0])


@given(
    items=st.lists(st.integers(0, 1), min_size=8, max_size=8),
    bother=st.integers(0, 4),
)
def test_rule_holds_for_every_response(items: list[int], bother: int) -> None:
    result = SBST.score([*items, bother])
    point = 1 if bother >= 3 else 0
    total, subscale = sum(items) + point, sum(items[4:]) + point
    expected = "high" if subscale >= 4 else "low" if total <= 3 else "medium"
    assert (result.extra["total"], result.extra["subscale"]) == (total, subscale)
    assert result.extra["risk"] == expected
