"""MME per line and per day with the CDC 2022 and 2016 factor tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.opioid_factors import CDC_2016, CDC_2022
from spinepath.clinical.opioids import (
    INCOMPLETE_FLAG,
    InvalidMedicationLineError,
    MedicationLine,
    MMEStatus,
    UnknownDrugError,
    UnknownFactorTableError,
    mme_for_lines,
)

# CDC 2022 table, typed in from reference clinical.md §6.
CDC_2022_FACTORS = {
    "codeine": 0.15, "hydrocodone": 1.0, "hydromorphone": 5.0, "methadone": 4.7,
    "morphine": 1.0, "oxycodone": 1.5, "oxymorphone": 3.0, "tapentadol": 0.4, "tramadol": 0.2,
}  # fmt: skip


def line(drug: str, dose: float, per_day: float) -> dict[str, object]:
    return {"drug": drug, "dose_mg": dose, "doses_per_day": per_day}


def test_cdc_worked_examples() -> None:
    assert mme_for_lines([line("hydrocodone", 5, 4)]).total_mme_per_day == 20
    assert mme_for_lines([line("oxycodone", 10, 2)]).total_mme_per_day == 30


@pytest.mark.parametrize(("drug", "factor"), sorted(CDC_2022_FACTORS.items()))
def test_every_cdc_2022_factor(drug: str, factor: float) -> None:
    result = mme_for_lines([line(drug, 10, 3)])
    (only,) = result.lines
    assert only.factor == factor and only.daily_dose == 30
    assert only.mme_per_day == pytest.approx(30 * factor)
    assert only.status is MMEStatus.CALCULATED
    assert result.factors == "cdc2022" and "MMWR" in result.source


def test_fentanyl_patch_is_in_mcg_per_hour() -> None:
    result = mme_for_lines([{"drug": "fentanyl-patch", "mcg_per_hour": 25}])
    assert result.total_mme_per_day == 60  # 25 mcg/h x 2.4
    assert result.lines[0].unit == "mcg/h"


@pytest.mark.parametrize(
    "bad",
    [
        {"drug": "fentanyl-patch", "dose_mg": 25, "doses_per_day": 1},  # mg for a patch
        {"drug": "fentanyl-patch", "mcg_per_hour": 25, "dose_mg": 1},
        {"drug": "oxycodone", "mcg_per_hour": 25},  # mcg/h for a tablet
        {"drug": "oxycodone", "dose_mg": 10},  # no frequency
        {"drug": "oxycodone", "dose_mg": 0, "doses_per_day": 2},
        {"drug": "oxycodone", "dose_mg": -5, "doses_per_day": 2},
        {"drug": "oxycodone", "dose_mg": "10", "doses_per_day": 2},
        {"drug": "oxycodone", "dose_mg": float("inf"), "doses_per_day": 2},
        {"drug": "oxycodone", "dose": 10, "doses_per_day": 2},  # typo in a field name
        {"dose_mg": 10, "doses_per_day": 2},
    ],
)
def test_mixed_up_or_missing_dose_fields_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(InvalidMedicationLineError):
        mme_for_lines([bad])


@pytest.mark.parametrize("drug", ["fentanyl", "heroin", "oxycodone-ish", ""])
def test_unknown_drug_is_an_error(drug: str) -> None:
    with pytest.raises((UnknownDrugError, InvalidMedicationLineError)) as info:
        mme_for_lines([line(drug, 1, 1)])
    assert isinstance(info.value, ValueError)


def test_plain_fentanyl_points_to_the_patch() -> None:
    with pytest.raises(UnknownDrugError, match="fentanyl-patch"):
        mme_for_lines([line("fentanyl", 100, 1)])


def test_names_are_normalised() -> None:
    assert mme_for_lines([line(" Oxycodone ", 5, 2)]).lines[0].drug == "oxycodone"
    assert mme_for_lines([{"drug": "Fentanyl transdermal", "mcg_per_hour": 12}]).lines[
        0
    ].mme_per_day == pytest.approx(28.8)


def test_buprenorphine_is_not_calculated_and_never_summed() -> None:
    result = mme_for_lines([line("oxycodone", 5, 4), line("buprenorphine", 8, 2)])
    bup = result.lines[1]
    assert bup.status is MMEStatus.NOT_CALCULATED and bup.mme_per_day is None
    assert bup.reason and "buprenorphine" in bup.reason
    assert result.total_mme_per_day == 30
    assert INCOMPLETE_FLAG in result.flags and not result.complete


def test_unknown_factor_table() -> None:
    with pytest.raises(UnknownFactorTableError):
        mme_for_lines([line("morphine", 10, 1)], factors="cdc2019")


def test_cdc_2016_differences() -> None:
    assert mme_for_lines([line("hydromorphone", 2, 4)], "cdc2016").total_mme_per_day == 32
    assert mme_for_lines([line("hydromorphone", 2, 4)], "cdc2022").total_mme_per_day == 40
    for drug in ("tramadol", "tapentadol"):
        result = mme_for_lines([line(drug, 50, 4)], "cdc2016")
        assert result.lines[0].status is MMEStatus.NOT_CALCULATED
        assert "2016" in (result.lines[0].reason or "")
        assert result.total_mme_per_day == 0 and INCOMPLETE_FLAG in result.flags


@pytest.mark.parametrize(
    ("daily_mg", "factor"),
    [(1, 4), (20, 4), (20.5, 8), (21, 8), (40, 8), (41, 10), (60, 10), (61, 12), (200, 12)],
)
def test_cdc_2016_methadone_tiers(daily_mg: float, factor: int) -> None:
    result = mme_for_lines([line("methadone", daily_mg, 1)], "cdc2016")
    assert result.lines[0].factor == factor
    assert result.total_mme_per_day == pytest.approx(daily_mg * factor)


def test_methadone_tier_uses_the_total_daily_methadone() -> None:
    # two 15 mg/day lines: 30 mg/day in all -> tier 8, not 4
    result = mme_for_lines([line("methadone", 15, 1), line("methadone", 5, 3)], "cdc2016")
    assert [x.factor for x in result.lines] == [8, 8]
    assert result.total_mme_per_day == 240
    assert mme_for_lines([line("methadone", 10, 3)]).lines[0].factor == 4.7


@pytest.mark.parametrize(
    ("total_oxy_mg", "flags"),
    [(33, ()), (33.4, ("mme_ge_50",)), (59.9, ("mme_ge_50",)), (60, ("mme_ge_50", "mme_ge_90"))],
)
def test_threshold_flags_at_50_and_90(total_oxy_mg: float, flags: tuple[str, ...]) -> None:
    # oxycodone x 1.5: 33.4 mg -> 50.1; 60 mg -> exactly 90
    assert mme_for_lines([line("oxycodone", total_oxy_mg, 1)]).flags == flags


def test_exactly_50_is_flagged_and_thresholds_are_configurable() -> None:
    assert mme_for_lines([line("morphine", 50, 1)]).flags == ("mme_ge_50",)
    assert mme_for_lines([line("morphine", 50, 1)], thresholds=(40,)).flags == ("mme_ge_40",)
    assert mme_for_lines([line("morphine", 50, 1)], thresholds=()).flags == ()
    with pytest.raises(ValueError):
        mme_for_lines([line("morphine", 50, 1)], thresholds=(90, 50))


def test_medication_line_objects_are_accepted() -> None:
    result = mme_for_lines([MedicationLine("codeine", 30, 4, label="Codeine 30 mg")])
    assert result.total_mme_per_day == 18 and result.lines[0].label == "Codeine 30 mg"


def test_tables_carry_sources() -> None:
    for table in (CDC_2022, CDC_2016):
        assert table.source and table.conversions["buprenorphine"].not_calculated


drugs = st.sampled_from([*CDC_2022_FACTORS, "buprenorphine", "fentanyl-patch"])
lines_strategy = st.lists(
    st.tuples(drugs, st.integers(1, 400) | st.floats(0.5, 400), st.integers(1, 6)),
    max_size=8,
)


def to_lines(items: list[tuple[str, float, int]]) -> list[dict[str, object]]:
    return [
        {"drug": d, "mcg_per_hour": dose} if d == "fentanyl-patch" else line(d, dose, n)
        for d, dose, n in items
    ]


@given(items=lines_strategy, factors=st.sampled_from(["cdc2022", "cdc2016"]))
def test_total_is_the_sum_of_calculated_lines(
    items: list[tuple[str, float, int]], factors: str
) -> None:
    result = mme_for_lines(to_lines(items), factors)
    calculated = [x.mme_per_day for x in result.lines if x.status is MMEStatus.CALCULATED]
    assert result.total_mme_per_day == pytest.approx(math.fsum(x or 0 for x in calculated))
    for entry in result.lines:
        if entry.drug == "buprenorphine":
            assert entry.status is MMEStatus.NOT_CALCULATED and entry.mme_per_day is None
        assert (entry.mme_per_day is None) == (entry.status is MMEStatus.NOT_CALCULATED)
    assert result.complete == (INCOMPLETE_FLAG not in result.flags)
    assert ("mme_ge_90" in result.flags) == (result.total_mme_per_day >= 90)


@given(items=lines_strategy, extra_bup=st.integers(1, 32))
def test_adding_buprenorphine_never_changes_the_total(
    items: list[tuple[str, float, int]], extra_bup: int
) -> None:
    base = mme_for_lines(to_lines(items))
    more = mme_for_lines([*to_lines(items), line("buprenorphine", extra_bup, 1)])
    assert more.total_mme_per_day == base.total_mme_per_day
    assert INCOMPLETE_FLAG in more.flags
