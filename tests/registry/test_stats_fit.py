"""Registry statistics: the fitting machinery behind the risk-adjusted comparisons.

The logistic fit (a Newton-Raphson of our own) must give statsmodels' ``Logit`` estimates
and covariance, and refuse the same data for the same reasons; the HC3 regression must give
statsmodels' OLS; the model matrix kept by cells must give what the plain matrix gives;
and the models of several outcomes sharing one case mix (``adjusted_effects``, which the
report uses) must give exactly what separate calls give.

Pure: no database, runs with ``-p no:django``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from spinepath.registry import adjustment
from spinepath.registry.adjustment import (
    adjusted_difference,
    adjusted_effects,
    adjusted_odds_ratio,
    expected_risks,
)


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-eta))


def _cohort(n: int, seed: int, *, rate: float = -2.0, strength: float = 1.0) -> pd.DataFrame:
    """A case mix like the registry's: numbers, 0/1 flags with missing values, a
    categorical diagnosis, an exposure that depends on them, and outcomes of every kind."""
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 90, n).astype(float)
    bmi = rng.normal(28, 5, n)
    asa = rng.choice([1, 2, 3, 4], n, p=[0.2, 0.45, 0.3, 0.05]).astype(float)
    smoker = pd.Series(rng.random(n) < 0.2, dtype="boolean")
    smoker[rng.random(n) < 0.03] = pd.NA
    female = (rng.random(n) < 0.5).astype(float)
    diagnosis = pd.Categorical(
        rng.choice(
            ["stenosis", "herniation", "spondylolisthesis", "other"], n, p=[0.4, 0.35, 0.2, 0.05]
        )
    )
    baseline = np.where(rng.random(n) < 0.1, np.nan, rng.uniform(10, 90, n))
    miss = (rng.random(n) < _expit(1.0 - 0.03 * (age - 55) + 0.3 * female)).astype(float)
    eta = (
        rate
        + strength * (0.03 * (age - 55) + 0.05 * (bmi - 28) + 0.3 * (asa - 2))
        + 0.4 * smoker.fillna(False).to_numpy(dtype=float)
        + 0.5 * (np.asarray(diagnosis) == "spondylolisthesis")
        - 0.5 * miss
    )
    frame = pd.DataFrame(
        {
            "age": age,
            "bmi": bmi,
            "asa": asa,
            "smoker": smoker,
            "female": female,
            "diagnosis": diagnosis,
            "baseline": baseline,
            "miss": miss,
            "event": (rng.random(n) < _expit(eta)).astype(float),
            "rare": (rng.random(n) < _expit(eta - 3.5)).astype(float),
            "ebl": 200 + 3 * (age - 55) - 80 * miss + rng.normal(0, 1, n) * np.where(miss, 40, 90),
            "change": np.where(rng.random(n) < 0.4, np.nan, 20 + 2 * miss + rng.normal(0, 10, n)),
        }
    )
    frame.loc[rng.random(n) < 0.02, "bmi"] = np.nan
    return frame


COVARIATES = ["age", "bmi", "asa", "smoker", "female", "baseline", "diagnosis"]
CATEGORICAL = ["diagnosis"]


@pytest.fixture(params=["cells", "dense"])
def layout_kind(request, monkeypatch):
    """Every check runs with the model matrix kept by cells and kept whole."""
    monkeypatch.setattr(adjustment, "_MIN_CELL_ROWS", 1 if request.param == "cells" else 10**9)
    return request.param


def _design(df: pd.DataFrame, outcome: str, covariates: list[str], categorical: list[str]):
    covs, cats = adjustment._validate_columns(df, outcome, "miss", covariates, categorical)
    case_mix = adjustment._CaseMix(df, "miss", covs, cats)
    return case_mix.design(outcome, adjustment._numeric(df[outcome]), binary=True)


def _matrix(layout) -> np.ndarray:
    """The model matrix X itself, in layout order."""
    return np.einsum("nkd,nd->nk", layout.t[layout.cell], layout.z)


def _statsmodels_logit(y: np.ndarray, x: np.ndarray):
    """statsmodels' Logit as the registry used it before its own Newton-Raphson: the
    estimates and covariance, or which check refused the data."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = Logit(y, x, check_rank=False).fit(method="newton", maxiter=25, disp=False)
        except np.linalg.LinAlgError:
            return "singular"
    categories = {w.category for w in caught}
    params, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
    if PerfectSeparationWarning in categories:
        return "separation"
    if not fit.mle_retvals["converged"] or ConvergenceWarning in categories:
        return "did not converge"
    if not (np.isfinite(params).all() and np.isfinite(cov).all()):
        return "non-finite"
    if (np.abs(x @ params) > math.log(1e10)).any():
        return "numerically 0 or 1"
    return params, cov


REASONS = {
    "separation": "perfectly predicted",
    "did not converge": "did not converge",
    "singular": "singular",
    "non-finite": "non-finite",
    "numerically 0 or 1": "numerically 0 or 1",
}


def _same_fit(design) -> None:
    ours = adjustment._fit_logit(design)
    theirs = _statsmodels_logit(design.y, _matrix(design.layout))
    if isinstance(theirs, str):
        assert isinstance(ours, str), f"statsmodels refused ({theirs}), we fitted"
        assert REASONS[theirs] in ours
        return
    assert not isinstance(ours, str), ours
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-8, atol=1e-14)


# ---------------------------------------------------------------- logistic: statsmodels


@pytest.mark.parametrize(
    ("n", "seed", "outcome", "rate", "strength"),
    [
        (400, 1, "event", -1.0, 1.0),  # small
        (3_000, 2, "event", -2.0, 1.0),
        (20_000, 3, "rare", -2.0, 1.0),  # about 1 % events
        (8_000, 4, "event", -1.0, 6.0),  # large coefficients, probabilities near 0 and 1
        (60_000, 5, "event", -2.0, 1.0),  # big enough to start from a subsample's fit
    ],
)
def test_logistic_fit_matches_statsmodels(layout_kind, n, seed, outcome, rate, strength):
    df = _cohort(n, seed, rate=rate, strength=strength)
    _same_fit(_design(df, outcome, COVARIATES, CATEGORICAL))


def _separated(case: str) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(12)
    miss = rng.integers(0, 2, 1_000).astype(float)
    if case in {"threshold", "gap"}:  # everyone above 50 had the outcome, nobody below
        gap = 20 if case == "gap" else 0
        age = np.concatenate([rng.uniform(20, 50, 500), rng.uniform(50 + gap, 90, 500)])
        y = (age > 50) * 1.0
    elif case == "tie":  # the same, except at exactly 60, where half had it
        age = np.round(rng.uniform(20, 90, 1_000))
        y = np.where(age == 60, rng.integers(0, 2, 1_000), age > 60) * 1.0
    elif case == "combination":  # age and the exposure together decide
        age = rng.uniform(20, 90, 1_000)
        y = (age + 30 * miss > 70) * 1.0
    else:  # estimable, but one patient's covariate puts the fit at probability 1
        age = rng.normal(0, 1, 1_000)
        age[0] = 14.0
        y = (rng.random(1_000) < _expit(-3 + 2 * age)) * 1.0
        y[0] = 1.0
    return pd.DataFrame({"age": age, "miss": miss, "y": y}), ["age"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("threshold", "did not converge"),
        ("gap", "perfectly predicted"),  # statsmodels' PerfectSeparationWarning
        ("tie", "did not converge"),
        ("combination", "did not converge"),
        ("extreme", "numerically 0 or 1"),
    ],
)
def test_separation_is_refused_as_statsmodels_refuses_it(layout_kind, case, reason):
    df, covariates = _separated(case)
    design = _design(df, "y", covariates, [])
    fitted = adjustment._fit_logit(design)
    assert isinstance(fitted, str) and reason in fitted
    _same_fit(design)
    effect = adjusted_odds_ratio(df, "y", "miss", covariates)
    assert not effect.estimable and effect.reason == fitted


def test_a_level_without_events_is_excluded_before_the_fit(layout_kind):
    df = _cohort(5_000, 10)
    df.loc[df["diagnosis"] == "other", "event"] = 0.0
    design = _design(df, "event", COVARIATES, CATEGORICAL)
    complete = df[[*COVARIATES, "miss", "event"]].notna().all(axis=1)
    assert design.n_excluded == (complete & (df["diagnosis"] == "other")).sum() > 0
    assert "diagnosis[other]" not in design.terms
    _same_fit(design)


def test_newton_from_a_subsample_reaches_the_same_maximum():
    df = _cohort(60_000, 11)
    design = _design(df, "event", COVARIATES, CATEGORICAL)
    start = adjustment._warm_start(design.y, design.layout)
    assert start is not None
    warm = adjustment._newton(design.y, design.layout, start)
    cold = adjustment._newton(design.y, design.layout, None)
    np.testing.assert_allclose(warm.params, cold.params, rtol=1e-9, atol=1e-12)
    assert warm.cov is not None and cold.cov is not None
    np.testing.assert_allclose(warm.cov, cold.cov, rtol=1e-9, atol=1e-15)


# ------------------------------------------------------------------- HC3: statsmodels


@pytest.mark.parametrize(
    ("n", "seed", "outcome"), [(300, 1, "ebl"), (5_000, 2, "ebl"), (9_000, 3, "change")]
)
def test_hc3_difference_matches_statsmodels(layout_kind, n, seed, outcome):
    import statsmodels.api as sm

    df = _cohort(n, seed)
    effect = adjusted_difference(df, outcome, "miss", COVARIATES, CATEGORICAL)
    covs, cats = adjustment._validate_columns(df, outcome, "miss", COVARIATES, CATEGORICAL)
    design = adjustment._CaseMix(df, "miss", covs, cats).design(
        outcome, adjustment._numeric(df[outcome]), binary=False
    )
    # An outcome missing on some rows may be fitted on the matrix of all rows, weighted.
    analysed = slice(None) if design.weights is None else design.weights > 0
    y, x = design.y[analysed], _matrix(design.layout)[analysed]
    assert y.size == effect.n
    reference = sm.OLS(y, x).fit(cov_type="HC3", use_t=True)
    low, high = reference.conf_int()[1]
    assert effect.adjusted is not None
    assert effect.adjusted.value == pytest.approx(reference.params[1], rel=1e-8)
    assert effect.adjusted.low == pytest.approx(low, rel=1e-8)
    assert effect.adjusted.high == pytest.approx(high, rel=1e-8)
    assert effect.adjusted.p_value == pytest.approx(reference.pvalues[1], rel=1e-6)
    crude = sm.OLS(y, x[:, :2]).fit(cov_type="HC3", use_t=True)
    assert effect.crude is not None
    assert effect.crude.value == pytest.approx(crude.params[1], rel=1e-8)
    assert effect.crude.low == pytest.approx(crude.conf_int()[1][0], rel=1e-8)


# ------------------------------------------------------------ one case mix, many outcomes


def _awkward_cohort() -> pd.DataFrame:
    """Outcomes that each leave the shared rows in their own way."""
    df = _cohort(12_000, 21)
    rng = np.random.default_rng(22)
    df["perfect"] = df["event"]
    df.loc[df["diagnosis"] == "other", "perfect"] = 0.0  # a level that predicts it
    df["partly"] = df["event"].where(rng.random(len(df)) > 0.3)  # known for 70 %
    df.loc[df.index[:40], "ebl"] = np.nan
    df["flag"] = df["female"].where(df["female"] == 1, rng.integers(0, 2, len(df)) * 1.0)
    df["alone"] = df["ebl"]
    return df


def test_shared_case_mix_gives_exactly_the_separate_results():
    df = _awkward_cohort()
    rates, means = ["event", "rare", "perfect", "partly"], ["ebl", "change", "alone"]
    for workers in (1, 2):
        shared = adjusted_effects(
            df,
            "miss",
            COVARIATES,
            CATEGORICAL,
            odds_ratios=rates,
            differences=means,
            workers=workers,
        )
        assert list(shared) == rates + means
        for outcome in rates:
            assert shared[outcome] == adjusted_odds_ratio(
                df, outcome, "miss", COVARIATES, CATEGORICAL
            )
        for outcome in means:
            assert shared[outcome] == adjusted_difference(
                df, outcome, "miss", COVARIATES, CATEGORICAL
            )
    assert shared["perfect"].n_excluded > 0 and shared["perfect"].notes
    assert shared["partly"].n_dropped > shared["event"].n_dropped
    missing = df[[*COVARIATES, "miss"]].isna().any(axis=1)
    assert shared["event"].n_dropped == missing.sum()
    assert shared["ebl"].n_dropped == (missing | df["ebl"].isna()).sum() > missing.sum()


def test_cells_and_whole_matrix_give_the_same_effects(monkeypatch):
    df = _awkward_cohort()
    results = {}
    for kind, rows in (("cells", 1), ("dense", 10**9)):
        monkeypatch.setattr(adjustment, "_MIN_CELL_ROWS", rows)
        results[kind] = adjusted_effects(
            df,
            "miss",
            COVARIATES,
            CATEGORICAL,
            odds_ratios=["event", "perfect"],
            differences=["ebl", "change"],
            workers=1,
        )
    for outcome, cells in results["cells"].items():
        dense = results["dense"][outcome]
        assert (cells.n, cells.n_dropped, cells.n_excluded, cells.terms, cells.notes) == (
            dense.n,
            dense.n_dropped,
            dense.n_excluded,
            dense.terms,
            dense.notes,
        )
        for part in ("crude", "adjusted"):
            a, b = getattr(cells, part), getattr(dense, part)
            assert a is not None and b is not None
            for field in ("value", "low", "high", "p_value"):
                assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-9)


def test_adjusted_effects_misuse():
    df = _cohort(200, 1)
    with pytest.raises(ValueError, match="only once"):
        adjusted_effects(df, "miss", ["age"], odds_ratios=["event"], differences=["event"])
    with pytest.raises(ValueError, match="lists of column names"):
        adjusted_effects(df, "miss", ["age"], odds_ratios="event")
    with pytest.raises(ValueError, match="0/1"):
        adjusted_effects(df, "miss", ["age"], odds_ratios=["event", "ebl"])
    assert adjusted_effects(df, "miss", ["age"]) == {}


# ------------------------------------------------------------------------- expected risks


def test_expected_risks_match_statsmodels_predictions(layout_kind):
    from statsmodels.discrete.discrete_model import Logit

    df = _cohort(6_000, 31)
    covariates = ["age", "bmi", "asa", "smoker", "female", "diagnosis"]
    risks = expected_risks(df, "event", covariates, CATEGORICAL)
    covs, cats = adjustment._validate_columns(df, "event", None, covariates, CATEGORICAL)
    design = adjustment._CaseMix(df, None, covs, cats).design(
        "event", adjustment._numeric(df["event"]), binary=True
    )
    x = _matrix(design.layout)
    fit = Logit(design.y, x).fit(method="newton", disp=False)
    order = design.layout.order
    positions = design.positions if order is None else design.positions[order]
    np.testing.assert_allclose(risks[positions], fit.predict(x), rtol=1e-9)
    assert np.isnan(np.delete(risks, positions)).all()


def test_threads_only_when_blas_keeps_to_one_thread(monkeypatch):
    monkeypatch.setattr(adjustment.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(adjustment.importlib.util, "find_spec", lambda name: None)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert adjustment._workers() == 1  # BLAS may start threads of its own in each
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    assert adjustment._workers() == 2
    monkeypatch.setattr(adjustment.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert adjustment._workers() == 1


def test_outcome_missing_on_some_rows_fitted_on_the_weighted_matrix_of_all(monkeypatch):
    """A continuous outcome known on fewer rows than the case mix is fitted on the model
    matrix of all complete rows with the others weighted 0, unless its own rows would
    change the terms; either way the effect is that of its own matrix."""
    df = _awkward_cohort()
    df.loc[df["diagnosis"] == "other", "alone"] = np.nan  # a level absent from its rows
    means = ["ebl", "change", "alone"]
    covs, cats = adjustment._validate_columns(df, "ebl", "miss", COVARIATES, CATEGORICAL)
    case_mix = adjustment._CaseMix(df, "miss", covs, cats)
    weighted = {o: case_mix.design(o, adjustment._numeric(df[o]), binary=False) for o in means}
    assert weighted["ebl"].weights is not None and weighted["change"].weights is not None
    assert weighted["alone"].weights is None  # diagnosis[other] is not a term there
    shared = adjusted_effects(df, "miss", COVARIATES, CATEGORICAL, differences=means)
    monkeypatch.setattr(adjustment._CaseMix, "_same_design", lambda self, rows: False)
    own = adjusted_effects(df, "miss", COVARIATES, CATEGORICAL, differences=means)
    for outcome in means:
        a, b = shared[outcome], own[outcome]
        assert (a.n, a.n_dropped, a.n_exposed, a.terms, a.notes) == (
            b.n,
            b.n_dropped,
            b.n_exposed,
            b.terms,
            b.notes,
        )
        for part in ("crude", "adjusted"):
            x, y = getattr(a, part), getattr(b, part)
            assert x is not None and y is not None
            for field in ("value", "low", "high", "p_value"):
                assert getattr(x, field) == pytest.approx(getattr(y, field), rel=1e-10)
    assert "diagnosis[other]" not in shared["alone"].terms
