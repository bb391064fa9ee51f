"""Red flags: every catalogued flag is sourced, and none is ever dropped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.redflags import (
    RED_FLAGS,
    RED_FLAGS_BY_ID,
    Group,
    UnknownRedFlagError,
    Urgency,
    evaluate_red_flags,
)

RANK = {Urgency.EMERGENCY: 0, Urgency.URGENT: 1, Urgency.RISK_FACTOR: 2}


def test_catalogue_is_complete_and_sourced() -> None:
    assert len(RED_FLAGS_BY_ID) == len(RED_FLAGS)
    for flag in RED_FLAGS:
        assert flag.source and flag.label and flag.plain_language
    assert {f.group for f in RED_FLAGS} == set(Group)


def test_every_cauda_equina_flag_is_an_emergency() -> None:
    cauda = [f for f in RED_FLAGS if f.group is Group.CAUDA_EQUINA]
    assert cauda and all(f.urgency is Urgency.EMERGENCY for f in cauda)
    for flag in cauda:
        outcome = evaluate_red_flags([flag.id])
        assert outcome.stops_pathway and outcome.urgency is Urgency.EMERGENCY


def test_unknown_id_raises_even_beside_known_ones() -> None:
    with pytest.raises(UnknownRedFlagError, match="saddle"):
        evaluate_red_flags(["cauda_equina.saddle_anaesthesia", "saddle"])
    assert issubclass(UnknownRedFlagError, ValueError)


def test_nothing_positive_means_no_stop() -> None:
    outcome = evaluate_red_flags([])
    assert outcome.urgency is None and not outcome.stops_pathway and outcome.flags == ()


def test_risk_factor_alone_does_not_stop_but_is_shown() -> None:
    outcome = evaluate_red_flags(["tumour_infection.age_over_50_or_under_20"])
    assert not outcome.stops_pathway and len(outcome.flags) == 1


@given(st.lists(st.sampled_from(sorted(RED_FLAGS_BY_ID)), max_size=10))
def test_no_flag_is_ever_dropped_and_the_most_urgent_wins(ids: list[str]) -> None:
    outcome = evaluate_red_flags(ids)
    assert {f.id for f in outcome.flags} == set(ids)
    assert len(outcome.flags) == len(set(ids))
    ranks = [RANK[f.urgency] for f in outcome.flags]
    assert ranks == sorted(ranks)
    stopping = [
        RED_FLAGS_BY_ID[i] for i in ids if RED_FLAGS_BY_ID[i].urgency is not Urgency.RISK_FACTOR
    ]
    assert outcome.stops_pathway == bool(stopping)
    if stopping:
        assert outcome.urgency == min((f.urgency for f in stopping), key=RANK.__getitem__)
        assert set(outcome.pathway_flags) == set(stopping)
