"""Pain NRS, back and leg: 0-10, the answer is the score."""

from __future__ import annotations

import pytest

from spinepath.clinical.instruments import InvalidAnswerError, get_instrument


@pytest.mark.parametrize("instrument_id", ["nrs-back", "nrs-leg"])
def test_nrs_scores_the_answer_and_refuses_11(instrument_id: str) -> None:
    nrs = get_instrument(instrument_id)
    assert [nrs.score([v]).score for v in range(11)] == [float(v) for v in range(11)]
    assert nrs.items[0].text is not None  # our own wording, free to ship
    with pytest.raises(InvalidAnswerError, match="0-10"):
        nrs.score([11])


def test_unanswered_nrs_is_not_scorable() -> None:
    result = get_instrument("nrs-leg").score([None])
    assert result.score is None and result.reason == "nrs-leg not answered"
