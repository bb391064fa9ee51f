"""Registry statistics: hand-checked intervals and limits, risk adjustment that recovers
effects planted in simulated data (and finds none where none was planted), and the data
conditions that make an effect non-estimable.

Pure: no database, runs with ``-p no:django``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinepath.registry.adjustment import adjusted_difference, adjusted_odds_ratio, expected_risks
from spinepath.registry.stats import (
    NotEstimableError,
    UnitCounts,
    control_limits,
    funnel,
    funnel_limits,
    mean_ci,
    median_iqr,
    proportion_ci,
    unit_counts,
)

Z95 = 1.959963984540054  # standard normal 97.5th percentile


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-eta))


# ----------------------------------------------------------------------------- proportions


def test_wilson_interval_for_10_of_100_by_hand():
    # p = 0.1, n = 100, z = 1.959964, z² = 3.841459
    # denominator = 1 + z²/n = 1.0384146
    # centre = (p + z²/2n) / denominator = (0.1 + 0.0192073) / 1.0384146 = 0.1147974
    # half = z·sqrt(p(1-p)/n + z²/4n²) / denominator
    #      = 1.959964·sqrt(0.0009 + 0.00009604) / 1.0384146
    #      = 1.959964·0.0315600 / 1.0384146 = 0.0595683
    # interval = (0.1147974 - 0.0595683, 0.1147974 + 0.0595683) = (0.0552291, 0.1743657)
    result = proportion_ci(10, 100)
    assert result.method == "wilson"
    assert result.rate == pytest.approx(0.1)
    assert result.low == pytest.approx(0.0552291, abs=1e-6)
    assert result.high == pytest.approx(0.1743657, abs=1e-6)


def test_clopper_pearson_for_zero_of_twenty_by_hand():
    # x = 0: low = 0; high solves (1 - high)^20 = 0.025, so high = 1 - 0.025^(1/20)
    #   ln 0.025 = -3.6888795; /20 = -0.1844440; exp = 0.8315665; high = 0.1684335
    result = proportion_ci(0, 20, method="exact")
    assert result.low == 0.0
    assert result.high == pytest.approx(0.1684335, abs=1e-6)
    # Symmetric case x = n: low = 0.025^(1/20) = 0.8315665, high = 1
    full = proportion_ci(20, 20, method="exact")
    assert full.low == pytest.approx(0.8315665, abs=1e-6)
    assert full.high == 1.0


def test_clopper_pearson_for_10_of_100():
    # low = Beta quantile 0.025 with (10, 91); high = Beta quantile 0.975 with (11, 90).
    # Published exact interval for 10/100: 0.0490 to 0.1762 (e.g. R binom.test).
    result = proportion_ci(10, 100, method="exact")
    assert result.low == pytest.approx(0.04900469, abs=1e-6)
    assert result.high == pytest.approx(0.17622260, abs=1e-6)


def test_zero_patients_gives_no_rate():
    for method in ("wilson", "exact"):
        result = proportion_ci(0, 0, method=method)
        assert (result.rate, result.low, result.high) == (None, None, None)
        assert result.n == 0


@pytest.mark.parametrize(
    ("events", "n", "level", "method", "message"),
    [
        (5, 4, 0.95, "wilson", "cannot exceed"),
        (-1, 4, 0.95, "wilson", "negative"),
        (1, -4, 0.95, "wilson", "negative"),
        (1.5, 4, 0.95, "wilson", "whole number"),
        (True, 4, 0.95, "wilson", "whole number"),
        (1, 4, 1.0, "wilson", "level"),
        (1, 4, 0.0, "exact", "level"),
        (1, 4, 95, "exact", "level"),
        (1, 4, 0.95, "wald", "method"),
    ],
)
def test_proportion_inputs_are_validated(events, n, level, method, message):
    with pytest.raises(ValueError, match=message):
        proportion_ci(events, n, level, method)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=1_000_000),
    fraction=st.floats(min_value=0, max_value=1),
    level=st.floats(min_value=0.5, max_value=0.999),
    method=st.sampled_from(["wilson", "exact"]),
)
def test_interval_always_brackets_the_rate(n, fraction, level, method):
    events = round(fraction * n)
    result = proportion_ci(events, n, level, method)
    assert result.low is not None and result.high is not None and result.rate is not None
    assert 0.0 <= result.low <= result.rate <= result.high <= 1.0


def test_higher_level_gives_wider_interval():
    narrow = proportion_ci(10, 100, level=0.90)
    wide = proportion_ci(10, 100, level=0.99)
    assert wide.low < narrow.low and wide.high > narrow.high


# --------------------------------------------------------------------- continuous summaries


def test_mean_ci_by_hand():
    # 1..5: mean 3; sd = sqrt(((4+1+0+1+4)/4) = 2.5) = 1.5811388; se = sd/sqrt(5) = 0.7071068
    # t(4, 0.975) = 2.7764451; half-width = 1.9632432; interval (1.0367568, 4.9632432)
    result = mean_ci([1, 2, 3, 4, 5, None, float("nan")])
    assert result.mean == pytest.approx(3.0)
    assert result.sd == pytest.approx(1.5811388, abs=1e-6)
    assert (result.n, result.n_missing) == (5, 2)
    assert result.low == pytest.approx(1.0367568, abs=1e-6)
    assert result.high == pytest.approx(4.9632432, abs=1e-6)


def test_mean_ci_with_too_few_values():
    empty = mean_ci([])
    assert (empty.mean, empty.sd, empty.low, empty.high, empty.n) == (None, None, None, None, 0)
    single = mean_ci([7.0])
    assert single.mean == 7.0 and single.sd is None and single.low is None
    with pytest.raises(ValueError, match="infinity"):
        mean_ci([1.0, math.inf])


def test_median_iqr_by_hand():
    # 1..8, type 7: median at position 3.5 -> 4.5; q1 at 0.25·7 = 1.75 -> 2 + 0.75 = 2.75;
    # q3 at 0.75·7 = 5.25 -> 6 + 0.25 = 6.25
    result = median_iqr(np.array([8, 1, 7, 2, 6, 3, 5, 4, np.nan]))
    assert (result.median, result.q1, result.q3) == (4.5, 2.75, 6.25)
    assert (result.n, result.n_missing) == (8, 1)
    assert median_iqr([]).median is None


# ------------------------------------------------------------------------- risk adjustment


def _two_by_two(a: int, n1: int, c: int, n0: int) -> pd.DataFrame:
    """a events among n1 exposed, c events among n0 unexposed."""
    return pd.DataFrame(
        {
            "miss": [1] * n1 + [0] * n0,
            "complication": [1] * a + [0] * (n1 - a) + [1] * c + [0] * (n0 - c),
        }
    )


def test_crude_odds_ratio_by_hand():
    # MISS 10/100 events, open 20/100: OR = (10·80)/(90·20) = 800/1800 = 0.444444
    # se(log OR) = sqrt(1/10 + 1/90 + 1/20 + 1/80) = sqrt(0.1736111) = 0.4166667
    # CI = exp(ln 0.444444 ± 1.959964·0.4166667) = exp(-0.8109302 ± 0.8166517)
    #    = (exp(-1.6275819), exp(0.0057214)) = (0.196404, 1.005738)
    # z = -0.8109302/0.4166667 = -1.946233; two-sided p = 2·Φ(-1.946233) = 0.051627
    effect = adjusted_odds_ratio(_two_by_two(10, 100, 20, 100), "complication", "miss", [])
    assert effect.estimable and effect.ci_method == "wald"
    assert effect.crude is not None and effect.adjusted is not None
    assert effect.crude.value == pytest.approx(0.444444, abs=1e-6)
    assert effect.crude.low == pytest.approx(0.196404, abs=1e-6)
    assert effect.crude.high == pytest.approx(1.005738, abs=1e-6)
    assert effect.crude.p_value == pytest.approx(0.051627, abs=1e-6)
    # With no covariates, the logistic model on the exposure alone is the 2x2 table.
    assert effect.adjusted.value == pytest.approx(effect.crude.value, rel=1e-7)
    assert effect.adjusted.low == pytest.approx(effect.crude.low, rel=1e-6)
    assert (effect.n, effect.events, effect.n_exposed, effect.events_exposed) == (200, 30, 100, 10)


def _confounded_cohort(true_or: float, n: int = 20_000, seed: int = 20240607) -> pd.DataFrame:
    """Younger patients are more often operated on by MISS and have fewer complications, so
    the crude odds ratio overstates MISS's benefit; the planted effect is ``true_or``."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 86, n).astype(float)
    sex = rng.choice(["female", "male", "other"], n, p=[0.5, 0.48, 0.02])
    bmi = rng.normal(28, 5, n)
    miss = (rng.random(n) < _expit(1.0 - 0.06 * (age - 50))).astype(int)
    eta = -2.8 + 0.06 * (age - 50) + 0.4 * (sex == "male") + 0.03 * (bmi - 28)
    complication = (rng.random(n) < _expit(eta + math.log(true_or) * miss)).astype(int)
    frame = pd.DataFrame(
        {"age": age, "sex": sex, "bmi": bmi, "miss": miss, "complication": complication}
    )
    frame.loc[rng.choice(n, 150, replace=False), "bmi"] = np.nan  # not recorded
    return frame


def test_planted_odds_ratio_is_recovered_after_adjustment():
    cohort = _confounded_cohort(true_or=0.3)
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "sex", "bmi"], ["sex"])
    assert effect.estimable, effect.reason
    assert effect.adjusted is not None and effect.crude is not None
    assert effect.adjusted.low < 0.3 < effect.adjusted.high
    assert effect.adjusted.high < 1.0
    # Confounding by age: the crude odds ratio is well away from the truth.
    assert not effect.crude.low < 0.3 < effect.crude.high
    assert effect.crude.value < 0.2
    assert effect.n_dropped == 150 and effect.n == 20_000 - 150
    assert effect.covariates == ("age", "sex", "bmi")
    assert effect.terms == ("age", "sex[male]", "sex[other]", "bmi")


def test_no_effect_is_found_where_none_was_planted():
    cohort = _confounded_cohort(true_or=1.0, seed=7)
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "sex", "bmi"], ["sex"])
    assert effect.adjusted is not None and effect.crude is not None
    assert effect.adjusted.low < 1.0 < effect.adjusted.high
    assert effect.adjusted.p_value > 0.05
    assert effect.crude.high < 1.0  # the unadjusted comparison would mislead


def test_adjusted_odds_ratio_matches_statsmodels_formula_fit():
    import statsmodels.formula.api as smf

    cohort = _confounded_cohort(true_or=0.5, n=3000, seed=3).dropna()
    reference = smf.logit("complication ~ miss + age + C(sex) + bmi", cohort).fit(disp=0)
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "sex", "bmi"], ["sex"])
    assert effect.adjusted is not None
    low, high = np.exp(reference.conf_int().loc["miss"])
    assert effect.adjusted.value == pytest.approx(math.exp(reference.params["miss"]), rel=1e-6)
    assert effect.adjusted.low == pytest.approx(low, rel=1e-6)
    assert effect.adjusted.high == pytest.approx(high, rel=1e-6)
    assert effect.adjusted.p_value == pytest.approx(reference.pvalues["miss"], rel=1e-5)


def _blood_loss_cohort(n: int = 6000, seed: int = 11) -> pd.DataFrame:
    """MISS is chosen more for one- and two-level cases, and blood loss grows with levels;
    the planted MISS effect is -260 mL, with more spread after open surgery."""
    rng = np.random.default_rng(seed)
    levels = rng.integers(1, 5, n)
    age = rng.normal(60, 12, n)
    asa = rng.choice(["1", "2", "3", "4"], n, p=[0.2, 0.45, 0.3, 0.05])
    miss = (rng.random(n) < _expit(2.0 - 0.9 * levels)).astype(int)
    noise = rng.normal(0, 1, n) * np.where(miss == 1, 90, 160)
    ebl = 150 + 180 * levels + 2 * (age - 60) + 40 * (asa == "3") - 260 * miss + noise
    return pd.DataFrame({"levels": levels, "age": age, "asa": asa, "miss": miss, "ebl_ml": ebl})


def test_planted_blood_loss_difference_is_recovered():
    cohort = _blood_loss_cohort()
    effect = adjusted_difference(cohort, "ebl_ml", "miss", ["levels", "age", "asa"], ["asa"])
    assert effect.estimable and effect.ci_method == "wald-hc3-t"
    assert effect.adjusted is not None and effect.crude is not None
    assert effect.adjusted.low < -260 < effect.adjusted.high
    assert effect.crude.high < -300  # confounded by levels: MISS looks better than it is
    assert effect.events is None


def test_adjusted_difference_matches_statsmodels_hc3():
    import statsmodels.formula.api as smf

    cohort = _blood_loss_cohort(n=800, seed=5)
    reference = smf.ols("ebl_ml ~ miss + levels + age + C(asa)", cohort).fit(
        cov_type="HC3", use_t=True
    )
    effect = adjusted_difference(cohort, "ebl_ml", "miss", ["levels", "age", "asa"], ["asa"])
    assert effect.adjusted is not None
    low, high = reference.conf_int().loc["miss"]
    assert effect.adjusted.value == pytest.approx(reference.params["miss"], rel=1e-8)
    assert effect.adjusted.low == pytest.approx(low, rel=1e-8)
    assert effect.adjusted.high == pytest.approx(high, rel=1e-8)
    assert effect.adjusted.p_value == pytest.approx(reference.pvalues["miss"], rel=1e-6)


def test_crude_difference_by_hand():
    # MISS [2, 4, 6]: mean 4, s² = 4; open [1, 2, 3]: mean 2, s² = 1; difference 2.
    # HC3 with one binary regressor: leverage 1/n_g, so var = s1²/(n1-1) + s0²/(n0-1)
    #   = 4/2 + 1/2 = 2.5, se = 1.5811388; t(4, 0.975) = 2.7764451
    # CI = 2 ± 2.7764451·1.5811388 = 2 ± 4.3899452 = (-2.3899452, 6.3899452)
    frame = pd.DataFrame({"miss": [1, 1, 1, 0, 0, 0], "los_hours": [2, 4, 6, 1, 2, 3]})
    effect = adjusted_difference(frame, "los_hours", "miss", [])
    assert effect.crude is not None
    assert effect.crude.value == pytest.approx(2.0)
    assert effect.crude.low == pytest.approx(-2.3899452, abs=1e-6)
    assert effect.crude.high == pytest.approx(6.3899452, abs=1e-6)


# ------------------------------------------------------------------- not estimable, misuse


def test_no_events_is_not_estimable_and_does_not_raise():
    cohort = _confounded_cohort(true_or=0.3, n=500).assign(complication=0)
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "sex"], ["sex"])
    assert not effect.estimable
    assert effect.reason == "no patient had the outcome"
    assert effect.adjusted is None and effect.crude is None
    assert effect.events == 0 and effect.n == 500


def test_exposure_group_without_events_is_not_estimable():
    frame = _two_by_two(0, 50, 10, 50).assign(age=np.linspace(30, 80, 100))
    effect = adjusted_odds_ratio(frame, "complication", "miss", ["age"])
    assert not effect.estimable and "zero cell" in (effect.reason or "")
    assert effect.crude is None


def test_separation_by_a_continuous_covariate_is_not_estimable():
    rng = np.random.default_rng(1)
    age = rng.uniform(20, 90, 400)
    frame = pd.DataFrame(
        {"age": age, "miss": rng.integers(0, 2, 400), "complication": (age > 70).astype(int)}
    )
    effect = adjusted_odds_ratio(frame, "complication", "miss", ["age"])
    assert not effect.estimable
    assert "separation" in (effect.reason or "")
    assert effect.adjusted is None
    assert effect.crude is not None  # the 2x2 table itself is fine
    with pytest.raises(NotEstimableError, match="separation"):
        expected_risks(frame, "complication", ["age"])


def test_level_without_events_is_excluded_and_reported():
    cohort = _confounded_cohort(true_or=0.3, n=5000, seed=9)
    cohort.loc[cohort["sex"] == "other", "complication"] = 0
    n_other = int((cohort["sex"] == "other").sum())
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "sex"], ["sex"])
    assert effect.estimable, effect.reason
    assert effect.n_excluded == n_other
    assert effect.n == 5000 - n_other
    assert "sex[other]" not in effect.terms
    assert any(note.startswith("sex=other: none of") for note in effect.notes)


def test_constant_or_collinear_exposure_is_not_estimable():
    frame = _two_by_two(10, 100, 20, 100)
    all_miss = frame.assign(miss=1)
    assert "does not vary" in (
        adjusted_odds_ratio(all_miss, "complication", "miss", []).reason or ""
    )
    copy = frame.assign(surgeon_prefers_miss=frame["miss"])
    effect = adjusted_odds_ratio(copy, "complication", "miss", ["surgeon_prefers_miss"])
    assert not effect.estimable and "collinear" in (effect.reason or "")
    difference = adjusted_difference(
        copy.assign(los=np.arange(200.0)), "los", "miss", ["surgeon_prefers_miss"]
    )
    assert not difference.estimable and "collinear" in (difference.reason or "")


def test_collinear_covariate_is_dropped_with_a_note():
    cohort = _confounded_cohort(true_or=0.3, n=3000).assign(age_months=lambda f: f["age"] * 12 + 6)
    effect = adjusted_odds_ratio(cohort, "complication", "miss", ["age", "age_months"])
    assert effect.estimable
    assert effect.terms == ("age",)
    assert any("age_months is collinear" in note for note in effect.notes)


def test_no_complete_rows_is_not_estimable():
    frame = _two_by_two(10, 100, 20, 100).assign(bmi=np.nan)
    effect = adjusted_odds_ratio(frame, "complication", "miss", ["bmi"])
    assert not effect.estimable and effect.n == 0 and effect.n_dropped == 200
    difference = adjusted_difference(frame.assign(los=1.0), "los", "miss", ["bmi"])
    assert not difference.estimable


def test_boolean_covariate_with_missing_values_is_accepted():
    cohort = _confounded_cohort(true_or=0.3, n=3000)
    smoker = pd.Series(np.random.default_rng(2).random(3000) < 0.2, dtype=object)
    smoker[::10] = None  # how Parquet booleans with nulls arrive in pandas
    effect = adjusted_odds_ratio(cohort.assign(smoker=smoker), "complication", "miss", ["smoker"])
    assert effect.estimable and effect.n_dropped == 300 and effect.terms == ("smoker",)


@pytest.mark.parametrize(
    ("outcome", "covariates", "categorical", "message"),
    [
        ("nope", [], [], "no such column"),
        ("complication", ["sex"], [], "not numeric"),
        ("complication", ["age"], ["sex"], "not among the covariates"),
        ("age", [], [], "0/1"),
        ("complication", "age", [], "lists of column names"),
        ("complication", ["miss"], [], "distinct"),
    ],
)
def test_misuse_raises_value_error(outcome, covariates, categorical, message):
    cohort = _confounded_cohort(true_or=0.3, n=200)
    with pytest.raises(ValueError, match=message):
        adjusted_odds_ratio(cohort, outcome, "miss", covariates, categorical)


# --------------------------------------------------------------------- expected risks, funnel


def test_expected_risks_are_calibrated_to_the_population():
    cohort = _confounded_cohort(true_or=0.3, n=5000, seed=4)
    cohort.loc[cohort["sex"] == "other", "complication"] = 0
    risks = expected_risks(cohort, "complication", ["age", "sex", "bmi"], ["sex"])
    assert risks.shape == (5000,)
    missing = cohort["bmi"].isna().to_numpy()
    assert np.isnan(risks[missing]).all() and np.isfinite(risks[~missing]).all()
    # Maximum likelihood with an intercept: expected events equal observed events.
    assert risks[~missing].sum() == pytest.approx(cohort["complication"][~missing].sum())
    # A level in which nobody had the outcome gets its observed rate, 0.
    other = (cohort["sex"] == "other").to_numpy() & ~missing
    assert (risks[other] == 0).all()


# Control limits for p0 = 0.1, n = 100 from Binomial(100, 0.1), computed by hand:
#   P(R <= 4) = 0.023711, P(R <= 5) = 0.057577, P(R = 5) = 0.033866
#     2.5 %: r = 5, a = (0.057577 - 0.025)/0.033866 = 0.961940, limit (5 - 0.961940)/100
#   P(R <= 15) = 0.960109, P(R <= 16) = 0.979401, P(R = 16) = 0.019292
#     97.5 %: r = 16, a = (0.979401 - 0.975)/0.019292 = 0.228139, limit (16 - 0.228139)/100
#   P(R <= 1) = 0.000322, P(R <= 2) = 0.001945, P(R = 2) = 0.001623
#     0.1 %: r = 2, a = (0.001945 - 0.001)/0.001623 = 0.582113, limit (2 - 0.582113)/100
#   P(R <= 19) = 0.998021, P(R <= 20) = 0.999192, P(R = 20) = 0.001171
#     99.9 %: r = 20, a = (0.999192 - 0.999)/0.001171 = 0.164328, limit (20 - 0.164328)/100
HAND_LIMITS_P10_N100 = {0.025: 0.0403806, 0.975: 0.1577186, 0.001: 0.0141789, 0.999: 0.1983567}


@pytest.mark.parametrize(("quantile", "expected"), sorted(HAND_LIMITS_P10_N100.items()))
def test_funnel_limits_against_hand_computed_binomial_quantiles(quantile, expected):
    assert control_limits(0.1, [100], quantile)[0] == pytest.approx(expected, abs=1e-6)


def test_funnel_limits_recomputed_from_the_binomial_formula():
    # The same interpolation from pmf sums with math.comb, independently of SciPy.
    n, p0 = 100, 0.1
    pmf = [math.comb(n, k) * p0**k * (1 - p0) ** (n - k) for k in range(n + 1)]
    cdf = np.cumsum(pmf)
    for q in (0.001, 0.025, 0.975, 0.999):
        r = int(np.argmax(cdf >= q))
        a = (cdf[r] - q) / (cdf[r] - cdf[r - 1])
        assert control_limits(p0, [n], q)[0] == pytest.approx((r - a) / n, abs=1e-12)


def test_normal_approximation_limits():
    # 0.1 ± 1.959964·sqrt(0.1·0.9/100) = 0.1 ± 0.0587989
    low, high = (control_limits(0.1, [100], q, method="normal")[0] for q in (0.025, 0.975))
    assert low == pytest.approx(0.1 - Z95 * 0.03)
    assert high == pytest.approx(0.1 + Z95 * 0.03)


def test_funnel_points_flags_and_ratios():
    units = [
        UnitCounts("a", 100, 30, 10.0),  # rate 3·0.1 = 0.30 > 0.1984 upper 99.8 %
        UnitCounts("b", 100, 17, 10.0),  # 0.17 between 0.1577 and 0.1984
        UnitCounts("c", 100, 10, 10.0),  # 0.10 inside
        UnitCounts("d", 100, 3, 10.0),  # 0.03 between 0.0142 and 0.0404
        UnitCounts("e", 100, 0, 10.0),  # 0.00 < 0.0142
        UnitCounts("f", 100, 0, 0.0),  # no expected events: no ratio
    ]
    points = funnel(units, overall_rate=0.1)
    assert [p.flag for p in points] == [
        "above_998",
        "above_95",
        "inside",
        "below_95",
        "below_998",
        "no_expected",
    ]
    first = points[0]
    assert first.oe_ratio == pytest.approx(3.0) and first.adjusted_rate == pytest.approx(0.3)
    assert first.upper95 == pytest.approx(HAND_LIMITS_P10_N100[0.975], abs=1e-6)
    assert first.lower998 == pytest.approx(HAND_LIMITS_P10_N100[0.001], abs=1e-6)
    assert points[-1].oe_ratio is None and points[-1].adjusted_rate is None
    # Default overall rate: total O / total n = 60/600.
    assert funnel(units)[2].adjusted_rate == pytest.approx(0.1)


def test_funnel_rejects_impossible_units():
    with pytest.raises(ValueError, match="observed"):
        funnel([UnitCounts("a", 10, 11, 1.0)], 0.1)
    with pytest.raises(ValueError, match="expected"):
        funnel([UnitCounts("a", 10, 1, -1.0)], 0.1)
    with pytest.raises(ValueError, match="overall_rate"):
        funnel([UnitCounts("a", 10, 1, 1.0)], 1.5)


def test_funnel_limits_grid_for_drawing():
    limits = funnel_limits(0.05, n_max=5000)
    assert limits.n_grid[0] == 1 and limits.n_grid[-1] == 5000
    assert (np.diff(limits.n_grid) > 0).all()
    assert (limits.lower998 <= limits.lower95).all()
    assert (limits.lower95 <= limits.upper95).all()
    assert (limits.upper95 <= limits.upper998).all()
    explicit = funnel_limits(0.05, [100, 10, 100])
    assert explicit.n_grid.tolist() == [10, 100]
    degenerate = funnel_limits(0.0, [10, 100])
    assert (degenerate.upper998 == 0).all()


@settings(max_examples=200, deadline=None)
@given(
    p0=st.floats(min_value=0.001, max_value=0.999),
    n1=st.integers(min_value=1, max_value=20_000),
    ratio=st.floats(min_value=1.5, max_value=20),
)
def test_limits_widen_as_n_falls(p0, n1, ratio):
    """Exact limits move in steps (the binomial is discrete) and Spiegelhalter's
    interpolation smooths but does not make them strictly monotone from one n to the next;
    once a unit expects at least one event (and one non-event), halving its size or more
    never narrows them. The normal approximation narrows strictly."""
    n2 = math.ceil(n1 * ratio)
    if n1 * min(p0, 1 - p0) >= 1:
        for q in (0.975, 0.999):
            small, large = control_limits(p0, [n1, n2], q)
            assert small >= large - 1e-12
        for q in (0.025, 0.001):
            small, large = control_limits(p0, [n1, n2], q)
            assert small <= large + 1e-12
    small, large = control_limits(p0, [n1, n2], 0.975, method="normal")
    assert small >= large
    bands = [control_limits(p0, [n1], q)[0] for q in (0.001, 0.025, 0.975, 0.999)]
    assert bands == sorted(bands)


def test_unit_counts_from_patient_rows():
    frame = pd.DataFrame(
        {
            "surgeon": ["s1", "s1", "s1", "s2", "s2", None],
            "complication": [1, 0, np.nan, 0, 1, 1],
        }
    )
    risks = np.array([0.2, 0.1, 0.5, 0.3, np.nan, 0.4])
    units = unit_counts(frame, "surgeon", "complication", risks)
    assert units == [UnitCounts("s1", 2, 1, pytest.approx(0.3)), UnitCounts("s2", 1, 0, 0.3)]


def test_end_to_end_funnel_finds_the_planted_outlier():
    rng = np.random.default_rng(12)
    n = 30_000
    surgeon = rng.integers(0, 30, n)
    age = rng.uniform(20, 90, n)
    eta = -3 + 0.04 * (age - 55) + np.where(surgeon == 0, math.log(3.0), 0.0)
    frame = pd.DataFrame(
        {
            "surgeon": surgeon.astype(str),
            "age": age,
            "complication": (rng.random(n) < _expit(eta)).astype(int),
        }
    )
    risks = expected_risks(frame, "complication", ["age"])
    points = {p.unit: p for p in funnel(unit_counts(frame, "surgeon", "complication", risks))}
    assert points["0"].flag == "above_998"
    others = [p.flag for unit, p in points.items() if unit != "0"]
    assert others.count("inside") >= 25
    assert "above_998" not in others
