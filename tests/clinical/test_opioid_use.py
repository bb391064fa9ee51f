"""MME/day from the tablets a patient says they took since the last check-in."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.opioid_use import (
    DEFAULT_MAX_DAYS,
    DEFAULT_MIN_DAYS,
    ReportedUse,
    TakenDose,
    reported_use,
)
from spinepath.clinical.opioids import MMEStatus

# --- worked examples (CDC 2022 factors, reference clinical.md §6) -----------


def test_hydrocodone_5mg_four_in_24h_is_20_mme() -> None:
    # CDC worked example: hydrocodone 5 mg QID = 20 MME/day.
    use = reported_use([TakenDose("hydrocodone", 5, 4)], 24)
    assert use.days == 1.0
    assert use.total_mme_per_day == 20.0
    assert use.complete
    (line,) = use.lines
    assert (line.drug, line.status, line.factor, line.daily_dose) == (
        "hydrocodone",
        MMEStatus.CALCULATED,
        1.0,
        20.0,
    )


def test_oxycodone_5mg_six_in_48h_is_22_5_mme() -> None:
    # 5 mg x 6 / 2 days = 15 mg/day x 1.5 = 22.5 MME/day.
    use = reported_use([TakenDose("oxycodone", 5, 6)], 48)
    assert use.days == 2.0
    assert use.total_mme_per_day == 22.5


def test_tramadol_50mg_four_in_24h_is_40_mme() -> None:
    # CDC 2022 factor 0.2: 200 mg/day x 0.2 = 40 MME/day.
    assert reported_use([TakenDose("tramadol", 50, 4)], 24).total_mme_per_day == 40.0


def test_lines_add_up_and_aliases_and_spelling_are_accepted() -> None:
    use = reported_use(
        [
            TakenDose("Oxycodone", 5, 2),
            TakenDose("paracetamol", 500, 8),
            TakenDose("morphine", 10, 1),
        ],
        24,
    )
    assert [line.drug for line in use.lines] == ["oxycodone", "morphine"]  # opioid lines only
    assert use.total_mme_per_day == 25.0  # 15 + 10
    patch_alias = reported_use([TakenDose("transdermal fentanyl", 25, 1)], 24)
    assert patch_alias.lines[0].drug == "fentanyl-patch"


# --- the period: min / max clamp -------------------------------------------


def test_first_checkin_counts_one_day() -> None:
    assert reported_use([TakenDose("hydrocodone", 5, 4)], None).days == DEFAULT_MIN_DAYS == 1.0


def test_a_checkin_after_6_hours_is_one_days_use() -> None:
    use = reported_use([TakenDose("hydrocodone", 5, 4)], 6)
    assert use.days == 1.0
    assert use.total_mme_per_day == 20.0


def test_period_just_above_a_day_spreads_the_count() -> None:
    use = reported_use([TakenDose("hydrocodone", 5, 5)], 30)  # 1.25 days
    assert use.days == 1.25
    assert use.total_mme_per_day == 20.0


def test_period_is_capped_at_seven_days() -> None:
    assert reported_use([TakenDose("hydrocodone", 5, 14)], 7 * 24).days == DEFAULT_MAX_DAYS
    capped = reported_use([TakenDose("hydrocodone", 5, 14)], 20 * 24)
    assert capped.days == 7.0
    assert capped.total_mme_per_day == 10.0  # 70 mg over 7 days


def test_clamp_limits_are_configurable() -> None:
    assert reported_use([], 6, min_days=0.25).days == 0.25
    assert reported_use([], 100 * 24, max_days=14).days == 14.0
    with pytest.raises(ValueError, match=r"min_days \(3\) must not be above max_days \(2\)"):
        reported_use([], 24, min_days=3, max_days=2)
    with pytest.raises(ValueError, match="min_days must be a finite number above 0"):
        reported_use([], 24, min_days=0)
    with pytest.raises(ValueError, match="hours_since_last"):
        reported_use([], float("nan"))
    with pytest.raises(ValueError, match="hours_since_last"):
        reported_use([], -1)


# --- totals: 0, None, incomplete -------------------------------------------


def test_nothing_taken_is_zero_not_none() -> None:
    for taken in (
        [],
        [TakenDose("paracetamol", 500, 6), TakenDose("ibuprofen", 400, 3)],
        [TakenDose("oxycodone", 5, 0)],
        [TakenDose("buprenorphine", 0.2, 0)],
    ):
        use = reported_use(taken, 24)
        assert use.total_mme_per_day == 0.0
        assert use.lines == ()
        assert use.complete


def test_buprenorphine_alone_is_not_calculated() -> None:
    use = reported_use([TakenDose("buprenorphine", 0.2, 3)], 24)
    assert use.total_mme_per_day is None
    assert not use.complete
    (line,) = use.lines
    assert line.status is MMEStatus.NOT_CALCULATED
    assert line.reason is not None and "buprenorphine" in line.reason


def test_buprenorphine_beside_oxycodone_marks_the_total_incomplete() -> None:
    use = reported_use([TakenDose("buprenorphine", 0.2, 3), TakenDose("oxycodone", 5, 4)], 24)
    assert use.total_mme_per_day == 30.0  # the oxycodone alone
    assert not use.complete
    assert [line.status for line in use.lines] == [MMEStatus.NOT_CALCULATED, MMEStatus.CALCULATED]


def test_fentanyl_patch_and_other_opioids_are_kept_as_not_calculated() -> None:
    use = reported_use([TakenDose("fentanyl-patch", 25, 1)], 24)
    assert use.total_mme_per_day is None and not use.complete
    assert use.lines[0].unit == "mcg/h"
    for name in ("fentanyl", "Fentanyl buccal", "pethidine", "dihydrocodeine"):
        other = reported_use([TakenDose(name, 10, 1), TakenDose("morphine", 10, 2)], 24)
        assert other.total_mme_per_day == 20.0
        assert not other.complete, name


def test_2016_table_leaves_tramadol_not_calculated() -> None:
    use = reported_use([TakenDose("tramadol", 50, 4)], 24, factors="cdc2016")
    assert use.total_mme_per_day is None and not use.complete


def test_to_json() -> None:
    data = reported_use([TakenDose("oxycodone", 5, 6)], 48).to_json()
    assert data["days"] == 2.0
    assert data["total_mme_per_day"] == 22.5
    assert data["complete"] is True
    assert data["lines"] == [
        {
            "drug": "oxycodone",
            "label": None,
            "daily_dose": 15.0,
            "unit": "mg/day",
            "factor": 1.5,
            "mme_per_day": 22.5,
            "status": "calculated",
            "reason": None,
        }
    ]


# --- bad input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "message"),
    [
        (TakenDose("oxycodone", 5, -1), r"taken\[0\] \(oxycodone\): count must be 0 or more"),
        (TakenDose("oxycodone", 5, math.nan), r"count must be a finite number"),
        (TakenDose("oxycodone", 5, math.inf), r"count must be a finite number"),
        (TakenDose("oxycodone", -5, 1), r"strength_mg must be 0 or more"),
        (TakenDose("oxycodone", math.inf, 1), r"strength_mg must be a finite number"),
        (TakenDose("oxycodone", 5, 101), r"count must be at most 100 doses per check-in, got 101"),
        (TakenDose("paracetamol", 500, 101), r"count must be at most 100"),
        (TakenDose("", 5, 1), r"taken\[0\]: every medicine taken needs a drug name"),
        (TakenDose("   ", 5, 1), r"needs a drug name"),
        (TakenDose("oxycodone", 0, 2), r"strength_mg must be above 0 for an opioid taken"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(dose: TakenDose, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        reported_use([dose], 24)


def test_error_names_the_line() -> None:
    with pytest.raises(ValueError, match=r"taken\[1\] \(morphine\)"):
        reported_use([TakenDose("oxycodone", 5, 1), TakenDose("morphine", 10, -2)], 24)


def test_count_of_exactly_100_is_accepted() -> None:
    use = reported_use([TakenDose("codeine", 30, 100)], 7 * 24)
    assert use.total_mme_per_day is not None
    assert math.isclose(use.total_mme_per_day, 30 * 100 / 7 * 0.15)


# --- properties -----------------------------------------------------------

CALCULABLE = ("codeine", "hydrocodone", "hydromorphone", "methadone", "morphine", "oxycodone",
              "oxymorphone", "tapentadol", "tramadol")  # fmt: skip
counts = st.floats(0, 100, allow_nan=False)
strengths = st.sampled_from([2.0, 5.0, 7.5, 10.0, 15.0, 30.0, 50.0, 100.0])
hours = st.none() | st.floats(0, 24 * 30, allow_nan=False)


@given(
    st.sampled_from(CALCULABLE),
    strengths,
    counts,
    counts,
    hours,
    st.lists(st.tuples(st.sampled_from(CALCULABLE), strengths, counts), max_size=3),
)
def test_total_is_monotone_non_decreasing_in_count(
    drug: str,
    strength: float,
    a: float,
    b: float,
    hours_since_last: float | None,
    others: list[tuple[str, float, float]],
) -> None:
    low, high = sorted((a, b))
    rest = [TakenDose(*other) for other in others]
    fewer = reported_use([TakenDose(drug, strength, low), *rest], hours_since_last)
    more = reported_use([TakenDose(drug, strength, high), *rest], hours_since_last)
    assert fewer.total_mme_per_day is not None and more.total_mme_per_day is not None
    assert fewer.total_mme_per_day <= more.total_mme_per_day
    assert fewer.complete and more.complete


@given(st.lists(st.tuples(st.sampled_from(CALCULABLE), strengths, counts), max_size=4), hours)
def test_days_within_the_clamp_and_total_is_the_sum_of_lines(
    taken: list[tuple[str, float, float]], hours_since_last: float | None
) -> None:
    use: ReportedUse = reported_use([TakenDose(*t) for t in taken], hours_since_last)
    assert DEFAULT_MIN_DAYS <= use.days <= DEFAULT_MAX_DAYS
    assert use.total_mme_per_day is not None and use.total_mme_per_day >= 0
    assert math.isclose(
        use.total_mme_per_day,
        sum(line.mme_per_day or 0 for line in use.lines),
        rel_tol=1e-9,
        abs_tol=1e-9,
    )
