"""Aldrete, PADSS, modified PADSS and the same-day spine checklist."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.discharge import (
    ALDRETE_ITEMS,
    MPADSS_ITEMS,
    PADSS_ITEMS,
    SPINE_CHECKLIST,
    InvalidCriteriaScoreError,
    evaluate_same_day_readiness,
    score_aldrete,
    score_mpadss,
    score_padss,
)

MPADSS_IDS = ["vital_signs", "ambulation", "nausea_vomiting", "pain", "surgical_bleeding"]
CHECKLIST_IDS = [
    "ambulating", "voided", "tolerating_oral", "pain_controlled_oral", "neuro_unchanged",
    "wound_dry", "no_orthostatic_intolerance", "responsible_adult",
]  # fmt: skip
ALL_MET = dict.fromkeys(CHECKLIST_IDS, True)
FULL_MPADSS = dict.fromkeys(MPADSS_IDS, 2)


def test_item_ids_and_order() -> None:
    assert [i.id for i in MPADSS_ITEMS] == MPADSS_IDS
    assert [i.id for i in PADSS_ITEMS] == [
        "vital_signs", "activity_mental_status", "pain_nausea_vomiting", "surgical_bleeding",
        "intake_output",
    ]  # fmt: skip
    assert [i.id for i in ALDRETE_ITEMS] == [
        "activity", "respiration", "circulation", "consciousness", "oxygen_saturation",
    ]  # fmt: skip
    assert [c.id for c in SPINE_CHECKLIST] == CHECKLIST_IDS
    for item in (*MPADSS_ITEMS, *PADSS_ITEMS, *ALDRETE_ITEMS):
        assert sorted(item.levels) == [0, 1, 2] and item.source
    assert all(c.source and c.mandatory for c in SPINE_CHECKLIST)


@pytest.mark.parametrize("scorer", [score_mpadss, score_padss, score_aldrete])
def test_nine_is_ready_and_eight_is_not(scorer) -> None:  # type: ignore[no-untyped-def]
    nine = scorer([2, 2, 2, 2, 1])
    assert (nine.total, nine.ready) == (9, True)
    eight = scorer([2, 2, 2, 1, 1])
    assert (eight.total, eight.ready) == (8, False)
    assert scorer([2, 2, 2, 2, 2]).total == 10


def test_mapping_and_sequence_give_the_same_result() -> None:
    by_id = score_mpadss({"vital_signs": 2, "ambulation": 1, "nausea_vomiting": 2, "pain": 2,
                          "surgical_bleeding": 2})  # fmt: skip
    assert by_id == score_mpadss([2, 1, 2, 2, 2])
    assert dict(by_id.items)["ambulation"] == 1
    assert by_id.to_json()["ready"] is True and by_id.to_json()["score"] == 9


@pytest.mark.parametrize(
    "bad",
    [[2, 2, 2, 2], [2, 2, 2, 2, 3], [2, 2, 2, 2, -1], [2, 2, 2, 2, True], [2, 2, 2, 2, None],
     {"vital_signs": 2}, {**dict.fromkeys(MPADSS_IDS, 2), "mood": 2}, "22222"],
)  # fmt: skip
def test_incomplete_or_invalid_scores_are_refused(bad: object) -> None:
    with pytest.raises(InvalidCriteriaScoreError):
        score_mpadss(bad)  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 2), min_size=5, max_size=5))
def test_total_is_the_sum_and_ready_at_nine(values: list[int]) -> None:
    for scorer in (score_mpadss, score_padss, score_aldrete):
        result = scorer(values)
        assert result.total == sum(values)
        assert result.ready == (sum(values) >= 9)


def test_ready_when_everything_is_met() -> None:
    readiness = evaluate_same_day_readiness(FULL_MPADSS, ALL_MET)
    assert readiness.ready and readiness.unmet == () and readiness.mpadss_total == 10
    assert readiness.source


def test_mpadss_below_nine_is_unmet() -> None:
    readiness = evaluate_same_day_readiness({**FULL_MPADSS, "pain": 1, "ambulation": 1}, ALL_MET)
    assert not readiness.ready and readiness.mpadss_total == 8
    assert [u.id for u in readiness.unmet] == ["mpadss"]
    assert "8" in readiness.unmet[0].reason


def test_mpadss_of_exactly_nine_is_met() -> None:
    readiness = evaluate_same_day_readiness({**FULL_MPADSS, "pain": 1}, ALL_MET)
    assert readiness.ready and readiness.mpadss_total == 9


def test_unrecorded_and_failed_criteria_are_listed_with_reasons() -> None:
    checklist: dict[str, bool | None] = {**ALL_MET, "voided": False, "neuro_unchanged": None}
    del checklist["responsible_adult"]
    readiness = evaluate_same_day_readiness(FULL_MPADSS, checklist)
    assert not readiness.ready
    assert [(u.id, u.reason) for u in readiness.unmet] == [
        ("voided", "not met"),
        ("neuro_unchanged", "not recorded"),
        ("responsible_adult", "not recorded"),
    ]
    assert all(u.label for u in readiness.unmet)


def test_nothing_recorded_lists_everything() -> None:
    readiness = evaluate_same_day_readiness({}, {})
    assert not readiness.ready and readiness.mpadss_total is None
    assert [u.id for u in readiness.unmet] == ["mpadss", *CHECKLIST_IDS]
    assert all(u.reason == "not recorded" for u in readiness.unmet)


def test_partly_scored_mpadss_is_unmet_not_summed() -> None:
    readiness = evaluate_same_day_readiness({**FULL_MPADSS, "pain": None}, ALL_MET)  # type: ignore[dict-item]
    assert readiness.mpadss_total is None
    assert readiness.unmet[0].id == "mpadss" and "pain" in readiness.unmet[0].reason


@pytest.mark.parametrize(
    ("mpadss", "checklist"),
    [({**FULL_MPADSS, "pain": 3}, ALL_MET), ({**FULL_MPADSS, "mood": 2}, ALL_MET),
     (FULL_MPADSS, {**ALL_MET, "voided_twice": True}), (FULL_MPADSS, {**ALL_MET, "voided": 1})],
)  # fmt: skip
def test_typos_and_bad_values_raise_rather_than_drop_a_criterion(
    mpadss: dict[str, int], checklist: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        evaluate_same_day_readiness(mpadss, checklist)  # type: ignore[arg-type]


@given(
    scores=st.lists(st.integers(0, 2), min_size=5, max_size=5),
    answers=st.lists(st.sampled_from([True, False, None]), min_size=8, max_size=8),
)
def test_ready_if_and_only_if_nothing_is_unmet(
    scores: list[int], answers: list[bool | None]
) -> None:
    readiness = evaluate_same_day_readiness(
        dict(zip(MPADSS_IDS, scores, strict=True)), dict(zip(CHECKLIST_IDS, answers, strict=True))
    )
    expected_unmet = (["mpadss"] if sum(scores) < 9 else []) + [
        cid for cid, answer in zip(CHECKLIST_IDS, answers, strict=True) if answer is not True
    ]
    assert [u.id for u in readiness.unmet] == expected_unmet
    assert readiness.ready == (not expected_unmet)


def test_every_single_unmet_criterion_blocks_discharge() -> None:
    for cid, value in itertools.product(CHECKLIST_IDS, (False, None)):
        readiness = evaluate_same_day_readiness(FULL_MPADSS, {**ALL_MET, cid: value})
        assert not readiness.ready and [u.id for u in readiness.unmet] == [cid]
