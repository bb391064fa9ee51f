"""Change from baseline and MCID classification, in the right direction."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.outcomes import (
    DEFAULT_CRITERION,
    MCID_PRESETS,
    ChangeClass,
    CriterionKind,
    Direction,
    McidCriterion,
    UnknownMeasureError,
    absolute_criterion,
    classify_change,
    direction_for,
)


def test_default_is_30_percent_improvement_with_a_source() -> None:
    assert DEFAULT_CRITERION.kind is CriterionKind.RELATIVE
    assert DEFAULT_CRITERION.threshold == 0.30
    assert "Ostelo" in DEFAULT_CRITERION.source


@pytest.mark.parametrize(
    ("baseline", "follow_up", "expected"),
    [
        (40, 28, ChangeClass.IMPROVED),  # exactly 30 % lower: improved
        (40, 28.04, ChangeClass.UNCHANGED),  # 29.9 %
        (35.56, 24.89, ChangeClass.IMPROVED),  # 30.006 %
        (40, 40, ChangeClass.UNCHANGED),
        (40, 52, ChangeClass.WORSE),  # 30 % higher: worse (symmetric default)
        (40, 51.9, ChangeClass.UNCHANGED),
    ],
)
def test_relative_rule_for_odi_lower_is_better(
    baseline: float, follow_up: float, expected: ChangeClass
) -> None:
    assert classify_change("odi", baseline, follow_up).classification is expected


def test_changes_are_reported_with_sign_and_relative_change() -> None:
    change = classify_change("odi", 50, 30)
    assert change.absolute_change == -20 and change.improvement == 20
    assert change.relative_change == -0.4
    assert change.direction is Direction.LOWER_IS_BETTER
    data = change.to_json()
    assert data["classification"] == "improved" and data["criterion"]["kind"] == "relative"  # type: ignore[index]


def test_higher_is_better_for_promis_and_eq5d() -> None:
    assert direction_for("promis-10.gph_t") is Direction.HIGHER_IS_BETTER
    assert direction_for("eq5d-5l") is Direction.HIGHER_IS_BETTER
    five_points = McidCriterion(CriterionKind.ABSOLUTE, 5, "test threshold")
    assert classify_change("promis-10.gph_t", 35, 40, five_points).classification is (
        ChangeClass.IMPROVED
    )
    assert classify_change("promis-10.gph_t", 40, 35, five_points).classification is (
        ChangeClass.WORSE
    )
    mic = absolute_criterion("parai2020", "eq5d-3l")
    assert classify_change("eq5d-3l", 0.5, 0.6, mic).classification is ChangeClass.IMPROVED
    assert classify_change("eq5d-3l", 0.6, 0.5, mic).classification is ChangeClass.WORSE
    assert classify_change("eq5d-3l", 0.5, 0.59, mic).classification is ChangeClass.UNCHANGED


def test_relative_rule_needs_a_positive_baseline() -> None:
    for measure, baseline in (("odi", 0), ("eq5d-5l", -0.2)):
        change = classify_change(measure, baseline, 0.5)
        assert change.classification is None and change.reason


@pytest.mark.parametrize(
    ("preset", "measure", "points"),
    [("ostelo2008", "odi", 10), ("ostelo2008", "nrs-back", 2), ("parai2020", "odi", 18),
     ("parai2020", "nrs-back", 2.7), ("parai2020", "nrs-leg", 3.2), ("parai2020", "eq5d-3l", 0.10),
     ("vernon", "ndi", 10)],
)  # fmt: skip
def test_published_presets(preset: str, measure: str, points: float) -> None:
    criterion = absolute_criterion(preset, measure)
    assert criterion.kind is CriterionKind.ABSOLUTE and criterion.threshold == points
    assert criterion.source == MCID_PRESETS[preset].source


def test_absolute_threshold_boundary_for_nrs() -> None:
    ostelo = absolute_criterion("ostelo2008", "nrs-back")
    assert classify_change("nrs-back", 7, 5, ostelo).classification is ChangeClass.IMPROVED
    assert classify_change("nrs-back", 7, 6, ostelo).classification is ChangeClass.UNCHANGED
    assert classify_change("nrs-back", 5, 7, ostelo).classification is ChangeClass.WORSE


def test_unverified_preset_is_marked() -> None:
    assert MCID_PRESETS["copay2008"].evidence is Evidence.UNVERIFIED
    assert absolute_criterion("copay2008", "odi").evidence is Evidence.UNVERIFIED


def test_unknown_preset_measure_or_bad_threshold_raise() -> None:
    with pytest.raises(ValueError, match="preset"):
        absolute_criterion("nope", "odi")
    with pytest.raises(ValueError, match="nrs-leg"):
        absolute_criterion("ostelo2008", "nrs-leg")
    with pytest.raises(UnknownMeasureError):
        classify_change("sf36", 1, 2)
    with pytest.raises(ValueError):
        McidCriterion(CriterionKind.ABSOLUTE, 0, "zero")
    with pytest.raises(ValueError):
        classify_change("odi", float("nan"), 2)


@given(
    baseline=st.integers(1, 100),
    follow_up=st.integers(0, 100),
    measure=st.sampled_from(["odi", "ndi", "nrs-back", "nrs-leg"]),
)
def test_lower_is_better_classification_matches_the_rule(
    baseline: int, follow_up: int, measure: str
) -> None:
    change = classify_change(measure, baseline, follow_up)
    reduction = Fraction(baseline - follow_up, baseline)  # exact, so 10 -> 7 is exactly 30 %
    if reduction >= Fraction(3, 10):
        assert change.classification is ChangeClass.IMPROVED
    elif reduction <= -Fraction(3, 10):
        assert change.classification is ChangeClass.WORSE
    else:
        assert change.classification is ChangeClass.UNCHANGED
    assert change.improvement == baseline - follow_up


@given(baseline=st.integers(20, 80), follow_up=st.integers(20, 80), better=st.integers(20, 80))
def test_a_better_follow_up_never_classifies_worse(
    baseline: int, follow_up: int, better: int
) -> None:
    order = [ChangeClass.WORSE, ChangeClass.UNCHANGED, ChangeClass.IMPROVED]
    criterion = McidCriterion(CriterionKind.ABSOLUTE, 5, "test")
    low, high = sorted((follow_up, better))
    a = classify_change("promis-10.gph_t", baseline, low, criterion).classification
    b = classify_change("promis-10.gph_t", baseline, high, criterion).classification
    assert a is not None and b is not None
    assert order.index(b) >= order.index(a)
