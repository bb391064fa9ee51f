"""Statistics for the registry: rates with confidence intervals, summaries of continuous
measures, risk-adjusted MISS-versus-open effects and funnel plots.

Pure functions over numbers, NumPy arrays and pandas frames; no Django. Every number
returned says in its docstring what it is and where the method comes from:

* Wilson score interval for a proportion: Wilson EB. Probable inference, the law of
  succession, and statistical inference. J Am Stat Assoc 1927;22(158):209-12.
* Exact (Clopper-Pearson) interval: Clopper CJ, Pearson ES. The use of confidence or
  fiducial limits illustrated in the case of the binomial. Biometrika 1934;26(4):404-13.
* Funnel plots and their exact binomial control limits: Spiegelhalter DJ. Funnel plots for
  comparing institutional performance. Stat Med 2005;24(8):1185-1202.
* Heteroscedasticity-consistent (HC3) standard errors: MacKinnon JG, White H. J Econom
  1985;29(3):305-25.
* Logistic regression is fitted by statsmodels' ``Logit`` (Newton-Raphson) on a NumPy
  design matrix built here (no formula parsing), which keeps a million rows to seconds.
* Woolf's interval for a crude odds ratio: Woolf B. Ann Hum Genet 1955;19(4):251-3.

Where a number cannot be estimated from the data (no patients, no events, separation) the
functions say so (``None``, or ``estimable=False`` with a reason) rather than guess.
Misuse (a column that does not exist, an outcome that is not 0/1, a level outside (0, 1))
raises ``ValueError``.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

__all__ = [
    "AdjustedEffect",
    "Estimate",
    "FunnelFlag",
    "FunnelLimits",
    "FunnelPoint",
    "MeanCI",
    "MedianIQR",
    "NotEstimableError",
    "Proportion",
    "UnitCounts",
    "adjusted_difference",
    "adjusted_odds_ratio",
    "control_limits",
    "expected_risks",
    "funnel",
    "funnel_limits",
    "mean_ci",
    "median_iqr",
    "proportion_ci",
    "unit_counts",
]

FloatArray = NDArray[np.float64]

WILSON_SOURCE = "Wilson EB. J Am Stat Assoc 1927;22(158):209-12"
CLOPPER_PEARSON_SOURCE = "Clopper CJ, Pearson ES. Biometrika 1934;26(4):404-13"
SPIEGELHALTER_SOURCE = (
    "Spiegelhalter DJ. Funnel plots for comparing institutional performance. "
    "Stat Med 2005;24(8):1185-1202"
)

# A fitted probability this close to 0 or 1 means the logistic model has run off to
# infinity (separation), as in R's "fitted probabilities numerically 0 or 1 occurred".
_SEPARATION_EPS = 1e-10
# Relative tolerance under which a design column counts as a linear combination of
# the columns before it.
_COLLINEARITY_TOL = 1e-9
_LOGIT_MAXITER = 25
_WARM_START_ROWS = 100_000
_SEPARATION = "the outcome is perfectly predicted by the covariates (separation)"


class NotEstimableError(ValueError):
    """The data do not allow the requested model to be estimated (no events, separation,
    nothing left after dropping missing values). ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, int | float):
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    if not 0.0 < float(level) < 1.0 or math.isnan(level):
        raise ValueError(f"level must be in (0, 1) (e.g. 0.95), got {level!r}")
    return float(level)


def _z(level: float) -> float:
    """Two-sided standard normal critical value for a confidence level (1.959964 at 0.95)."""
    return float(sps.norm.ppf(0.5 + level / 2.0))


# --------------------------------------------------------------------------- proportions


@dataclass(frozen=True, slots=True)
class Proportion:
    """A proportion with its confidence interval.

    ``rate`` is events / n; ``low`` and ``high`` are the bounds of the two-sided ``level``
    interval by ``method`` ("wilson": Wilson 1927 score interval; "exact": Clopper-Pearson
    1934). All three are ``None`` when n == 0: a rate of nothing is not estimated.
    """

    events: int
    n: int
    rate: float | None
    low: float | None
    high: float | None
    method: str
    level: float = 0.95


def _as_count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return int(value)


def proportion_ci(events: int, n: int, level: float = 0.95, method: str = "wilson") -> Proportion:
    """The proportion ``events / n`` with a two-sided confidence interval.

    ``method="wilson"`` (default): the Wilson (1927) score interval,
    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`` with ``z`` the normal
    quantile for ``level``. Good coverage down to small n and rates near 0 or 1.

    ``method="exact"``: the Clopper-Pearson (1934) interval from beta quantiles,
    ``low = Beta(a/2; x, n-x+1)`` and ``high = Beta(1-a/2; x+1, n-x)`` with ``a = 1-level``
    (``low = 0`` when x = 0, ``high = 1`` when x = n). Guaranteed coverage, conservative.

    n == 0 gives ``rate``, ``low`` and ``high`` of ``None``. Raises ``ValueError`` for
    negative counts, events > n, a level outside (0, 1) or an unknown method.
    """
    events = _as_count(events, "events")
    n = _as_count(n, "n")
    if events > n:
        raise ValueError(f"events ({events}) cannot exceed n ({n})")
    level = _check_level(level)
    if method not in {"wilson", "exact"}:
        raise ValueError(f"method must be 'wilson' or 'exact', got {method!r}")
    if n == 0:
        return Proportion(events, n, None, None, None, method, level)
    rate = events / n
    if method == "wilson":
        z = _z(level)
        z2 = z * z
        denominator = 1.0 + z2 / n
        centre = (rate + z2 / (2 * n)) / denominator
        half = z * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / denominator
        low, high = centre - half, centre + half
    else:
        alpha = 1.0 - level
        low = 0.0 if events == 0 else float(sps.beta.ppf(alpha / 2, events, n - events + 1))
        high = 1.0 if events == n else float(sps.beta.ppf(1 - alpha / 2, events + 1, n - events))
    # Rounding must not put a bound on the wrong side of the estimate or outside [0, 1].
    low = max(0.0, min(low, rate))
    high = min(1.0, max(high, rate))
    return Proportion(events, n, rate, low, high, method, level)


# ------------------------------------------------------------------- continuous summaries


@dataclass(frozen=True, slots=True)
class MeanCI:
    """Mean of the non-missing values with a t-based confidence interval.

    ``sd`` is the sample standard deviation (n - 1 denominator); ``low``/``high`` are
    ``mean ∓ t(n-1, 1-a/2)·sd/sqrt(n)``. ``n`` counts the values used, ``n_missing`` the
    NaN/None values left out. With n == 0 everything is ``None``; with n == 1 the mean is
    given but ``sd``, ``low`` and ``high`` are ``None``.
    """

    mean: float | None
    sd: float | None
    n: int
    low: float | None
    high: float | None
    level: float = 0.95
    n_missing: int = 0


@dataclass(frozen=True, slots=True)
class MedianIQR:
    """Median and interquartile range (25th and 75th percentiles) of the non-missing
    values, by linear interpolation between order statistics (Hyndman & Fan type 7, the
    default of R and NumPy). ``None`` when there are no values."""

    median: float | None
    q1: float | None
    q3: float | None
    n: int
    n_missing: int = 0


def _finite_values(values: ArrayLike) -> tuple[FloatArray, int]:
    """Values as float64 with missing (NaN/None) values removed; infinities are errors."""
    array = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="raise")
    data = array.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(data)
    if np.isinf(data).any():
        raise ValueError("values contain an infinity; only finite numbers or missing values")
    return data[~missing], int(missing.sum())


def mean_ci(values: ArrayLike, level: float = 0.95) -> MeanCI:
    """Mean, standard deviation and t-interval (Student 1908) of ``values``; missing
    values (NaN/None) are left out and counted in ``n_missing``."""
    level = _check_level(level)
    data, n_missing = _finite_values(values)
    n = int(data.size)
    if n == 0:
        return MeanCI(None, None, 0, None, None, level, n_missing)
    mean = float(data.mean())
    if n == 1:
        return MeanCI(mean, None, 1, None, None, level, n_missing)
    sd = float(data.std(ddof=1))
    half = float(sps.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(mean, sd, n, mean - half, mean + half, level, n_missing)


def median_iqr(values: ArrayLike) -> MedianIQR:
    """Median with the 25th and 75th percentiles (type-7 interpolation) of ``values``;
    missing values are left out and counted."""
    data, n_missing = _finite_values(values)
    if data.size == 0:
        return MedianIQR(None, None, None, 0, n_missing)
    q1, median, q3 = (float(q) for q in np.quantile(data, [0.25, 0.5, 0.75]))
    return MedianIQR(median, q1, q3, int(data.size), n_missing)


# ------------------------------------------------------------------------ risk adjustment


@dataclass(frozen=True, slots=True)
class Estimate:
    """One effect estimate: ``value`` (an odds ratio or a mean difference), the bounds
    of its two-sided confidence interval and the two-sided p-value against no effect
    (odds ratio 1, difference 0)."""

    value: float
    low: float
    high: float
    p_value: float


@dataclass(frozen=True, slots=True)
class AdjustedEffect:
    """A crude and a case-mix-adjusted effect of ``exposure`` (1 = MISS) on ``outcome``.

    ``measure`` is "odds_ratio" (logistic regression) or "mean_difference" (linear
    regression, exposed minus unexposed). ``ci_method`` says how the intervals were made:
    "wald" (odds ratios: exp(b ± z·se) from the maximum-likelihood information matrix;
    the crude odds ratio is Woolf's, which is the same number) or "wald-hc3-t" (mean
    differences: b ± t(n-k)·se with HC3 robust standard errors).

    ``estimable`` refers to the adjusted effect; when it is False ``reason`` says why,
    ``adjusted`` is ``None`` and ``crude`` is given only if the 2x2 table allows it.

    Counts: ``n`` rows were analysed; ``n_dropped`` rows had a missing value in the
    outcome, the exposure or a covariate; ``n_excluded`` rows belonged to a covariate level
    in which every patient had (or no patient had) the outcome, which predicts it
    perfectly: like Stata's ``logit``, those rows and that level are left out (see
    ``notes``) and the other estimates are the limit of the full model's. Crude and adjusted
    effects are computed on the same ``n`` rows. ``events``/``events_exposed`` are outcome
    counts (odds ratios only). ``covariates`` are the columns adjusted for; ``terms`` the
    model's design terms after dummy coding (``var[level]``, reference = most frequent
    level) and after dropping constant or collinear terms.
    """

    measure: Literal["odds_ratio", "mean_difference"]
    outcome: str
    exposure: str
    estimable: bool
    reason: str | None
    crude: Estimate | None
    adjusted: Estimate | None
    level: float
    ci_method: str
    n: int
    n_dropped: int
    n_excluded: int
    n_exposed: int
    events: int | None
    events_exposed: int | None
    covariates: tuple[str, ...]
    terms: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _Design:
    """A model matrix (Fortran order, intercept first) over the analysed rows."""

    y: FloatArray
    x: FloatArray
    terms: list[str]
    rows: NDArray[np.bool_]  # over the input frame: which rows are analysed
    n_dropped: int
    n_excluded: int
    notes: list[str]
    # Over the input frame: NaN, or for rows excluded as perfectly predicted by their
    # level, the outcome value they all share (used for expected risks).
    predicted: FloatArray
    exposure_collinear: bool = False


def _validate_columns(
    df: pd.DataFrame,
    outcome: str,
    exposure: str | None,
    covariates: Sequence[str],
    categorical: Iterable[str],
) -> tuple[tuple[str, ...], frozenset[str]]:
    if not isinstance(df, pd.DataFrame):
        raise ValueError("df must be a pandas DataFrame")
    if isinstance(covariates, str) or isinstance(categorical, str):
        raise ValueError("covariates and categorical must be lists of column names")
    covs = tuple(covariates)
    cats = frozenset(categorical)
    named = [outcome, *([exposure] if exposure is not None else []), *covs]
    missing = [c for c in named if c not in df.columns]
    if missing:
        raise ValueError(f"no such column(s) in the data: {', '.join(map(str, missing))}")
    if len(set(named)) != len(named):
        raise ValueError("outcome, exposure and covariates must be distinct columns")
    if not cats <= set(covs):
        extra = ", ".join(sorted(map(str, cats - set(covs))))
        raise ValueError(f"categorical column(s) not among the covariates: {extra}")
    for c in covs:
        if c not in cats and not _numeric_like(df[c]):
            raise ValueError(
                f"covariate {c!r} is not numeric; list it in categorical to dummy-code it"
            )
    return covs, cats


def _numeric_like(series: pd.Series) -> bool:
    """Numbers or booleans, possibly with missing values (Parquet booleans with nulls
    arrive as an object column of True/False/None)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return True
    if series.dtype != object:
        return False
    kinds = (bool, int, float, np.bool_, np.number)
    return bool(series.dropna().map(lambda v: isinstance(v, kinds)).all())


def _numeric(series: pd.Series) -> FloatArray:
    return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def _complete(df: pd.DataFrame, columns: Sequence[str], cats: frozenset[str]) -> NDArray[np.bool_]:
    """Rows with a value in every column (infinite numbers count as missing)."""
    mask = np.ones(len(df), dtype=bool)
    for c in columns:
        if c in cats:
            mask &= df[c].notna().to_numpy()
        else:
            mask &= np.isfinite(_numeric(df[c]))
    return mask


def _binary(values: FloatArray, name: str) -> FloatArray:
    if not np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
        raise ValueError(f"column {name!r} must hold only 0/1 (or True/False) and missing")
    return values


@dataclass(slots=True)
class _Factor:
    name: str
    codes: NDArray[np.intp]
    levels: list[str]
    is_categorical: bool


def _factors(
    df: pd.DataFrame, rows: NDArray[np.bool_], covs: Sequence[str], cats: frozenset[str]
) -> dict[str, _Factor]:
    """Categorical covariates, and numeric covariates taking only the values 0 and 1, as
    integer codes over ``rows``."""
    factors: dict[str, _Factor] = {}
    for c in covs:
        if c in cats:
            codes, uniques = pd.factorize(df[c].to_numpy()[rows], sort=True)
            factors[c] = _Factor(c, codes.astype(np.intp), [str(u) for u in uniques], True)
        else:
            v = _numeric(df[c])[rows]
            if v.size and np.isin(v, (0.0, 1.0)).all():
                factors[c] = _Factor(c, v.astype(np.intp), ["0", "1"], False)
    return factors


def _exclude_perfect_levels(
    y: FloatArray, factors: dict[str, _Factor], keep: NDArray[np.bool_], notes: list[str]
) -> FloatArray:
    """Drop (in place, from ``keep``) the rows of any level whose patients all had, or all
    did not have, the outcome; return the outcome those rows share (NaN elsewhere)."""
    predicted = np.full(y.size, np.nan)
    for _ in range(10):  # excluding rows can empty another level; repeat until stable
        changed = False
        for factor in factors.values():
            codes = factor.codes[keep]
            n_levels = len(factor.levels)
            counts = np.bincount(codes, minlength=n_levels)
            events = np.bincount(codes, weights=y[keep], minlength=n_levels)
            bad = (counts > 0) & ((events == 0) | (events == counts))
            if not bad.any() or bad.sum() == (counts > 0).sum():
                continue
            for level in np.flatnonzero(bad):
                hit = keep & (factor.codes == level)
                value = float(events[level] > 0)
                predicted[hit] = value
                keep &= ~hit
                had = "all" if value else "none"
                notes.append(
                    f"{factor.name}={factor.levels[level]}: {had} of {int(counts[level])} "
                    "had the outcome, which predicts it perfectly; those rows are excluded"
                )
            changed = True
        if not changed:
            break
    return predicted


def _independent_columns(x: FloatArray, exposure: bool) -> list[int]:
    """Greedily keep each column that is not (numerically) a linear combination of the
    columns kept before it, in the order intercept, covariates, exposure: a covariate that
    repeats another is dropped, an exposure that the covariates determine is not kept
    (its effect cannot be separated from theirs)."""
    gram = x.T @ x
    order = [0, *range(2, x.shape[1]), 1] if exposure else list(range(x.shape[1]))
    kept: list[int] = []
    for j in order:
        own = gram[j, j]
        if own <= 0:
            continue
        if kept:
            sub = gram[np.ix_(kept, kept)]
            cross = gram[kept, j]
            residual = own - cross @ np.linalg.solve(sub, cross)
        else:
            residual = own
        if residual > _COLLINEARITY_TOL * own:
            kept.append(j)
    return sorted(kept)


def _build_design(
    df: pd.DataFrame,
    outcome: str,
    exposure: str | None,
    covs: tuple[str, ...],
    cats: frozenset[str],
    *,
    binary: bool,
) -> _Design:
    """The model matrix: intercept, exposure (0/1, unscaled so its coefficient is the
    effect), numeric covariates centred and scaled (which leaves the exposure coefficient
    unchanged), and treatment-coded dummies (reference = most frequent level)."""
    columns = [outcome, *([exposure] if exposure else []), *covs]
    rows = _complete(df, columns, cats)
    n_dropped = int(len(df) - rows.sum())
    notes: list[str] = []
    y = _numeric(df[outcome])[rows]
    if binary:
        _binary(y, outcome)
    exp = _binary(_numeric(df[exposure])[rows], exposure) if exposure else None
    factors = _factors(df, rows, covs, cats)
    keep = np.ones(int(rows.sum()), dtype=bool)
    predicted = np.full(len(df), np.nan)
    if binary:
        predicted[rows] = _exclude_perfect_levels(y, factors, keep, notes)
    elif factors:
        _exclude_singletons(factors, keep, notes)
    n_excluded = int((~keep).sum())
    analysed = rows.copy()
    analysed[rows] = keep
    y = y[keep]
    selected = np.flatnonzero(analysed)
    x, terms = _model_matrix(
        df,
        selected,
        exposure,
        exp[keep] if exp is not None else None,
        covs,
        cats,
        {c: f.codes[keep] for c, f in factors.items()},
        factors,
        notes,
    )
    exposure_collinear = False
    if y.size:
        kept = _independent_columns(x, exposure=exp is not None)
        exposure_collinear = exp is not None and 1 not in kept
        if not exposure_collinear and len(kept) < x.shape[1]:
            first_covariate = 2 if exp is not None else 1
            for j in range(first_covariate, x.shape[1]):
                if j not in kept:
                    notes.append(f"{terms[j]} is collinear with other terms; not adjusted for")
            x = np.asfortranarray(x[:, kept])
            terms = [terms[j] for j in kept]
    return _Design(
        y, x, terms, analysed, n_dropped, n_excluded, notes, predicted, exposure_collinear
    )


def _model_matrix(
    df: pd.DataFrame,
    selected: NDArray[np.intp],
    exposure: str | None,
    exp: FloatArray | None,
    covs: tuple[str, ...],
    cats: frozenset[str],
    codes: dict[str, NDArray[np.intp]],
    factors: dict[str, _Factor],
    notes: list[str],
) -> tuple[FloatArray, list[str]]:
    """Columns over the ``selected`` rows, in Fortran order (fast X'WX): intercept,
    exposure, then covariates."""
    blocks: list[FloatArray] = [np.ones(selected.size)]
    terms = ["Intercept"]
    if exp is not None and exposure is not None:
        blocks.append(exp)
        terms.append(exposure)
    for c in covs:
        if c in cats:
            counts = np.bincount(codes[c], minlength=len(factors[c].levels))
            reference = int(np.argmax(counts))
            for level in np.flatnonzero(counts):
                if level != reference:
                    blocks.append((codes[c] == level).astype(np.float64))
                    terms.append(f"{c}[{factors[c].levels[level]}]")
            continue
        v = _numeric(df[c])[selected]
        sd = float(v.std()) if v.size else 0.0
        if sd == 0.0:
            notes.append(f"{c} is constant in the analysed rows; not adjusted for")
            continue
        blocks.append((v - v.mean()) / sd)
        terms.append(c)
    x = np.empty((selected.size, len(blocks)), order="F")
    for j, block in enumerate(blocks):
        x[:, j] = block
    return x, terms


def _exclude_singletons(
    factors: dict[str, _Factor], keep: NDArray[np.bool_], notes: list[str]
) -> None:
    """A categorical level holding a single row is fitted exactly by its dummy (leverage 1,
    so its HC3 weight is 0/0); the row carries no information on the other coefficients and
    is left out."""
    for factor in factors.values():
        if not factor.is_categorical:
            continue
        counts = np.bincount(factor.codes[keep], minlength=len(factor.levels))
        for level in np.flatnonzero(counts == 1):
            keep &= ~(factor.codes == level)
            notes.append(
                f"{factor.name}={factor.levels[level]} has a single row; that row is excluded"
            )


@functools.cache
def _logit_model() -> Any:
    """statsmodels' ``Logit`` with the Hessian computed as -(X·sqrt(w))'(X·sqrt(w)),
    w = p(1-p): the same matrix as ``Logit.hessian`` (-X' diag(w) X), formed so that BLAS
    sees one Fortran-ordered n x k operand. At 850,000 rows x 22 terms on a busy 2-core
    machine statsmodels' own product (k x n by n x k) took 0.15 to 6 s per call, this one
    0.1 to 1 s. Everything else (Newton steps, convergence and separation checks,
    covariance) is statsmodels'."""
    from statsmodels.discrete.discrete_model import Logit

    class _Logit(Logit):  # type: ignore[misc]
        def hessian(self, params: FloatArray) -> FloatArray:
            x = self.exog
            p = self.cdf(x @ params)
            weighted = x * np.sqrt(p * (1.0 - p))[:, None]
            return np.asarray(-(weighted.T @ weighted), dtype=np.float64)

    return _Logit


def _warm_start(y: FloatArray, x: FloatArray) -> FloatArray | None:
    """Starting values for a large logistic fit: the fit on a fixed random subsample of
    ``_WARM_START_ROWS`` rows, which leaves about four full-data Newton steps instead of
    seven. Only a starting point: the final estimates are the full-data maximum."""
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    if y.size < 4 * _WARM_START_ROWS:
        return None
    logit = _logit_model()
    sample = np.sort(np.random.default_rng(0).choice(y.size, _WARM_START_ROWS, replace=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = logit(y[sample], np.asfortranarray(x[sample]), check_rank=False).fit(
                method="newton", maxiter=_LOGIT_MAXITER, disp=False
            )
        except (ValueError, np.linalg.LinAlgError, PerfectSeparationError):
            return None
    start = np.asarray(fit.params, dtype=np.float64)
    converged = bool(fit.mle_retvals.get("converged", False))
    return start if converged and np.isfinite(start).all() else None


def _fit_logit(y: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray] | str:
    """Maximum-likelihood logistic regression (statsmodels ``Logit``, Newton-Raphson);
    (coefficients, covariance) or the reason it cannot be estimated."""
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
        PerfectSeparationError,
        PerfectSeparationWarning,
    )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = _logit_model()(y, x, check_rank=False).fit(
                start_params=_warm_start(y, x),
                method="newton",
                maxiter=_LOGIT_MAXITER,
                disp=False,
            )
        except PerfectSeparationError:
            return _SEPARATION
        except np.linalg.LinAlgError:
            return "the model's information matrix is singular (separation or collinearity)"
    categories = {w.category for w in caught}
    params = np.asarray(fit.params, dtype=np.float64)
    cov = np.asarray(fit.cov_params(), dtype=np.float64)
    reason: str | None = None
    if PerfectSeparationWarning in categories:
        reason = _SEPARATION
    elif not fit.mle_retvals.get("converged", False) or ConvergenceWarning in categories:
        reason = "the logistic model did not converge (probably separation by a covariate)"
    elif HessianInversionWarning in categories:
        reason = "the model's information matrix could not be inverted"
    elif not (np.isfinite(params).all() and np.isfinite(cov).all()):
        reason = "the logistic model gave non-finite estimates"
    elif (np.abs(x @ params) > math.log(1 / _SEPARATION_EPS)).any():
        reason = "fitted probabilities numerically 0 or 1 (separation by a covariate)"
    return (params, cov) if reason is None else reason


def _wald(b: float, se: float, level: float, *, exp: bool) -> Estimate:
    z = _z(level)
    p = float(2 * sps.norm.sf(abs(b / se)))
    if exp:
        return Estimate(math.exp(b), math.exp(b - z * se), math.exp(b + z * se), p)
    return Estimate(b, b - z * se, b + z * se, p)


def _woolf(a: int, b: int, c: int, d: int, level: float) -> Estimate | None:
    """Crude odds ratio ad/bc of a 2x2 table (a, b: exposed with and without the outcome;
    c, d: unexposed) with Woolf's log-scale interval, se = sqrt(1/a+1/b+1/c+1/d). This is
    exactly the maximum-likelihood logistic regression on the exposure alone."""
    if min(a, b, c, d) == 0:
        return None
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return _wald(log_or, se, level, exp=True)


def adjusted_odds_ratio(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    categorical: Iterable[str] = (),
    *,
    level: float = 0.95,
) -> AdjustedEffect:
    """Crude and case-mix-adjusted odds ratio of a 0/1 ``outcome`` for ``exposure`` = 1
    (MISS) against 0 (open), by logistic regression on the exposure plus ``covariates``
    (``categorical`` ones dummy-coded). Intervals are Wald intervals at ``level``; the
    p-value is the Wald test of OR = 1. See ``AdjustedEffect`` for every field.

    Never raises because of the data: no events, an exposure group without (or with only)
    events, an exposure that does not vary or is collinear with the covariates, and
    separation by a covariate all give ``estimable=False`` with the reason.
    """
    level = _check_level(level)
    covs, cats = _validate_columns(df, outcome, exposure, covariates, categorical)
    design = _build_design(df, outcome, exposure, covs, cats, binary=True)
    y, x = design.y, design.x
    exposed = x[:, 1] == 1.0 if x.shape[1] > 1 else np.zeros(y.size, dtype=bool)
    n, n1 = int(y.size), int(exposed.sum())
    events, events1 = int(y.sum()), int(y[exposed].sum())
    a, b = events1, n1 - events1
    c, d = events - events1, (n - n1) - (events - events1)
    crude = _woolf(a, b, c, d, level)
    reason: str | None = None
    if n == 0:
        reason = "no rows with complete data"
    elif events in {0, n}:
        reason = "no patient had the outcome" if events == 0 else "every patient had the outcome"
    elif n1 in {0, n}:
        reason = "the exposure does not vary (all exposed or none)"
    elif crude is None:
        reason = "an exposure group has no events or only events (2x2 table has a zero cell)"
    elif design.exposure_collinear:
        reason = "the exposure is collinear with the covariates"
    adjusted: Estimate | None = None
    if reason is None:
        fitted = _fit_logit(y, x)
        if isinstance(fitted, str):
            reason = fitted
        else:
            params, cov = fitted
            adjusted = _wald(float(params[1]), math.sqrt(cov[1, 1]), level, exp=True)
    return AdjustedEffect(
        measure="odds_ratio",
        outcome=outcome,
        exposure=exposure,
        estimable=adjusted is not None,
        reason=reason,
        crude=crude,
        adjusted=adjusted,
        level=level,
        ci_method="wald",
        n=n,
        n_dropped=design.n_dropped,
        n_excluded=design.n_excluded,
        n_exposed=n1,
        events=events,
        events_exposed=events1,
        covariates=covs,
        terms=tuple(design.terms[2:]),
        notes=tuple(design.notes),
    )


def _fit_ols_hc3(y: FloatArray, x: FloatArray, level: float) -> Estimate | str:
    """Ordinary least squares with HC3 standard errors, for the coefficient of column 1.

    b = (X'X)^-1 X'y; HC3 covariance (X'X)^-1 X' diag(e_i² / (1 - h_i)²) X (X'X)^-1 with
    h_i the leverages (MacKinnon & White 1985); interval b ± t(n-k)·se. Computed with
    NumPy from the k x k cross-products (statsmodels' OLS gives the same numbers, the
    tests check, but its pseudo-inverse of the n x k matrix is ~10 times slower at a
    million rows).
    """
    from scipy.linalg import cho_factor, cho_solve

    n, k = x.shape
    if n <= k:
        return "too few rows for the number of model terms"
    try:
        factor = cho_factor(x.T @ x)
    except np.linalg.LinAlgError:
        return "the model's cross-product matrix is singular (collinear terms)"
    beta = cho_solve(factor, x.T @ y)
    inverse = cho_solve(factor, np.eye(k))
    residuals = y - x @ beta
    leverage = np.einsum("ij,ij->i", x @ inverse, x)
    if (leverage > 1.0 - 1e-10).any():
        return "a row is fitted exactly (leverage 1), so HC3 is undefined"
    omega = (residuals / (1.0 - leverage)) ** 2
    meat = (x * omega[:, None]).T @ x
    cov = inverse @ meat @ inverse
    b, se = float(beta[1]), math.sqrt(max(float(cov[1, 1]), 0.0))
    if not (math.isfinite(b) and math.isfinite(se)) or se <= 0:
        return "the robust standard error could not be computed"
    df_resid = n - k
    t = float(sps.t.ppf(0.5 + level / 2, df_resid))
    p = float(2 * sps.t.sf(abs(b / se), df_resid))
    return Estimate(b, b - t * se, b + t * se, p)


def adjusted_difference(
    df: pd.DataFrame,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    categorical: Iterable[str] = (),
    *,
    level: float = 0.95,
) -> AdjustedEffect:
    """Crude and case-mix-adjusted mean difference (exposed minus unexposed, in the
    outcome's units: hours, mL, minutes, ODI points) by ordinary least squares with HC3
    heteroscedasticity-consistent standard errors (MacKinnon & White 1985) and
    t(n-k) intervals at ``level``. The crude difference is the same regression on the
    exposure alone (the difference in means). See ``AdjustedEffect`` for every field;
    data that do not allow the estimate give ``estimable=False`` and a reason.
    """
    level = _check_level(level)
    covs, cats = _validate_columns(df, outcome, exposure, covariates, categorical)
    design = _build_design(df, outcome, exposure, covs, cats, binary=False)
    y, x = design.y, design.x
    n = int(y.size)
    n1 = int((x[:, 1] == 1.0).sum()) if x.shape[1] > 1 else 0
    crude: Estimate | None = None
    reason: str | None = None
    if n1 < 2 or n - n1 < 2:  # a variance needs two rows in each group
        reason = "each exposure group needs at least two rows with complete data"
    else:
        fitted = _fit_ols_hc3(y, np.asfortranarray(x[:, :2]), level)
        crude = fitted if isinstance(fitted, Estimate) else None
        if design.exposure_collinear:
            reason = "the exposure is collinear with the covariates"
    adjusted: Estimate | None = None
    if reason is None:
        fitted = _fit_ols_hc3(y, x, level)
        if isinstance(fitted, str):
            reason = fitted
        else:
            adjusted = fitted
    return AdjustedEffect(
        measure="mean_difference",
        outcome=outcome,
        exposure=exposure,
        estimable=adjusted is not None,
        reason=reason,
        crude=crude,
        adjusted=adjusted,
        level=level,
        ci_method="wald-hc3-t",
        n=n,
        n_dropped=design.n_dropped,
        n_excluded=design.n_excluded,
        n_exposed=n1,
        events=None,
        events_exposed=None,
        covariates=covs,
        terms=tuple(design.terms[2:]),
        notes=tuple(design.notes),
    )


def expected_risks(
    df: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    categorical: Iterable[str] = (),
) -> FloatArray:
    """Each patient's expected probability of the 0/1 ``outcome`` given case mix alone:
    a logistic regression of the outcome on ``covariates`` over the whole population (no
    surgeon, site or approach terms), the basis of indirect standardisation (Spiegelhalter
    2005, section 4). Summed over a unit's patients it gives the unit's expected events E.

    Returns an array aligned with ``df``'s rows: NaN where the outcome or a covariate is
    missing. Patients in a covariate level in which all or none had the outcome get that
    level's observed rate (1 or 0), which is the maximum-likelihood limit. Raises
    ``NotEstimableError`` when no model can be fitted (no rows, separation by a continuous
    covariate).
    """
    covs, cats = _validate_columns(df, outcome, None, covariates, categorical)
    design = _build_design(df, outcome, None, covs, cats, binary=True)
    risks = design.predicted.copy()
    if design.y.size == 0:
        if np.isfinite(risks).any():
            return risks
        raise NotEstimableError("no rows with complete data")
    events = float(design.y.sum())
    if events in {0.0, float(design.y.size)}:
        risks[design.rows] = events / design.y.size
        return risks
    fitted = _fit_logit(design.y, design.x)
    if isinstance(fitted, str):
        raise NotEstimableError(fitted)
    params, _ = fitted
    risks[design.rows] = 1.0 / (1.0 + np.exp(-(design.x @ params)))
    return risks


# ---------------------------------------------------------------------------- funnel plots

FunnelFlag = Literal["inside", "above_95", "above_998", "below_95", "below_998", "no_expected"]

_QUANTILES = {"lower998": 0.001, "lower95": 0.025, "upper95": 0.975, "upper998": 0.999}


@dataclass(frozen=True, slots=True)
class UnitCounts:
    """One unit (surgeon or site): ``n`` patients, ``observed`` events O and ``expected``
    events E (the sum of its patients' expected risks)."""

    unit: str
    n: int
    observed: int
    expected: float


@dataclass(frozen=True, slots=True)
class FunnelPoint:
    """A unit on the funnel plot.

    ``oe_ratio`` is O/E (the standardised ratio); ``adjusted_rate`` the indirectly
    standardised rate O/E x overall rate, plotted against ``n``. The limits are the
    95 % and 99.8 % control limits for a unit of size n when its true rate is the overall
    rate (Spiegelhalter 2005); ``flag`` places ``adjusted_rate`` against them ("above_998"
    is above the upper 99.8 % limit, "above_95" above the 95 % but not the 99.8 % one;
    likewise below; on a limit counts as inside). With E = 0 the ratio and rate are ``None``
    and the flag is "no_expected".
    """

    unit: str
    n: int
    observed: int
    expected: float
    oe_ratio: float | None
    adjusted_rate: float | None
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    flag: FunnelFlag


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Control limits over ``n_grid`` for drawing the funnel around ``overall_rate``."""

    overall_rate: float
    n_grid: NDArray[np.int64]
    lower95: FloatArray
    upper95: FloatArray
    lower998: FloatArray
    upper998: FloatArray
    method: str = "exact"


def control_limits(
    overall_rate: float, n: ArrayLike, quantile: float, method: str = "exact"
) -> FloatArray:
    """The ``quantile`` control limit of an observed proportion for units of size ``n``
    whose true rate is ``overall_rate`` (p0).

    ``method="exact"`` (default) is Spiegelhalter (2005), Stat Med 24:1185-1202, appendix
    A.1.1: with r_p the p-th quantile of Binomial(n, p0) (the smallest r with
    P(R <= r) >= p), the limit is (r_p - a)/n where
    a = (P(R <= r_p) - p) / (P(R <= r_p) - P(R <= r_p - 1)), which interpolates the
    discrete quantile so the funnel is smooth. Limits are kept inside [0, 1] (for small n
    the lower interpolated limit can fall below 0). Being built on a discrete distribution
    they are not strictly monotone from one n to the next, most visibly while n·p0 < 1;
    beyond that, a unit half the size always has limits at least as wide.

    ``method="normal"`` is the normal approximation p0 + z_p·sqrt(p0(1-p0)/n), clipped to
    [0, 1]; adequate only when n·p0 is large.
    """
    if not 0.0 <= overall_rate <= 1.0 or math.isnan(overall_rate):
        raise ValueError(f"overall_rate must be in [0, 1], got {overall_rate!r}")
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1), got {quantile!r}")
    sizes = np.asarray(n, dtype=np.float64)
    if (sizes < 1).any() or (sizes != np.round(sizes)).any():
        raise ValueError("unit sizes n must be whole numbers >= 1")
    if overall_rate in {0.0, 1.0}:
        return np.full(sizes.shape, overall_rate)
    if method == "normal":
        z = float(sps.norm.ppf(quantile))
        limit = overall_rate + z * np.sqrt(overall_rate * (1 - overall_rate) / sizes)
    elif method == "exact":
        r = sps.binom.ppf(quantile, sizes, overall_rate)
        at = sps.binom.cdf(r, sizes, overall_rate)
        below = sps.binom.cdf(r - 1, sizes, overall_rate)
        limit = (r - (at - quantile) / (at - below)) / sizes
    else:
        raise ValueError(f"method must be 'exact' or 'normal', got {method!r}")
    return np.clip(np.asarray(limit, dtype=np.float64), 0.0, 1.0)


def _flag(
    rate: float, lower95: float, upper95: float, lower998: float, upper998: float
) -> FunnelFlag:
    if rate > upper998:
        return "above_998"
    if rate > upper95:
        return "above_95"
    if rate < lower998:
        return "below_998"
    if rate < lower95:
        return "below_95"
    return "inside"


def funnel(
    units: Iterable[UnitCounts], overall_rate: float | None = None, method: str = "exact"
) -> list[FunnelPoint]:
    """Funnel-plot points for indirectly standardised rates (Spiegelhalter 2005).

    For each unit: O/E, the risk-adjusted rate O/E x ``overall_rate`` and the 95 % and
    99.8 % control limits at the unit's n around ``overall_rate`` (see ``control_limits``),
    with a flag. ``overall_rate`` defaults to total O / total n over the units (with the
    expected risks from ``expected_risks`` total E equals total O, so this is the rate the
    expectations are calibrated to).
    """
    items = list(units)
    for u in items:
        _as_count(u.n, "n")
        _as_count(u.observed, "observed")
        if u.n < 1 or u.observed > u.n:
            raise ValueError(f"unit {u.unit!r}: need 0 <= observed <= n and n >= 1")
        if not math.isfinite(u.expected) or u.expected < 0:
            raise ValueError(f"unit {u.unit!r}: expected must be a finite number >= 0")
    if overall_rate is None:
        total = sum(u.n for u in items)
        overall_rate = sum(u.observed for u in items) / total if total else 0.0
    sizes = np.array([u.n for u in items], dtype=np.float64)
    limits = {
        name: control_limits(overall_rate, sizes, q, method) if items else np.empty(0)
        for name, q in _QUANTILES.items()
    }
    points: list[FunnelPoint] = []
    for i, u in enumerate(items):
        bounds = {name: float(values[i]) for name, values in limits.items()}
        ratio: float | None = None
        rate: float | None = None
        flag: FunnelFlag = "no_expected"
        if u.expected > 0:
            ratio = u.observed / u.expected
            rate = ratio * overall_rate
            flag = _flag(rate, **bounds)
        points.append(
            FunnelPoint(u.unit, u.n, u.observed, u.expected, ratio, rate, flag=flag, **bounds)
        )
    return points


def funnel_limits(
    overall_rate: float,
    n_grid: ArrayLike | None = None,
    *,
    n_max: int = 1000,
    points: int = 200,
    method: str = "exact",
) -> FunnelLimits:
    """The 95 % and 99.8 % control limits (see ``control_limits``) over ``n_grid``, for
    drawing the funnel; by default about ``points`` sizes spaced geometrically from 1 to
    ``n_max``."""
    if n_grid is None:
        if n_max < 1:
            raise ValueError("n_max must be >= 1")
        grid = np.unique(np.round(np.geomspace(1, n_max, points))).astype(np.int64)
    else:
        grid = np.unique(np.asarray(n_grid, dtype=np.int64))
    values = {name: control_limits(overall_rate, grid, q, method) for name, q in _QUANTILES.items()}
    return FunnelLimits(overall_rate, grid, method=method, **values)


def unit_counts(df: pd.DataFrame, unit: str, outcome: str, expected: ArrayLike) -> list[UnitCounts]:
    """Per-unit n, observed events and expected events from patient rows: ``expected`` is
    aligned with ``df`` (e.g. from ``expected_risks``); rows missing the unit, the outcome
    or an expected risk are left out of n, O and E alike."""
    if unit not in df.columns or outcome not in df.columns:
        raise ValueError(f"no such column(s): {unit!r} / {outcome!r}")
    risks = np.asarray(expected, dtype=np.float64)
    if risks.shape != (len(df),):
        raise ValueError("expected must have one value per row of df")
    y = _binary(_numeric(df[outcome]), outcome) if len(df) else np.empty(0)
    frame = pd.DataFrame({"unit": df[unit].to_numpy(), "o": y, "e": risks})
    frame = frame[frame["unit"].notna() & np.isfinite(frame["o"]) & np.isfinite(frame["e"])]
    grouped = frame.groupby("unit", sort=True).agg(n=("o", "size"), o=("o", "sum"), e=("e", "sum"))
    return [
        UnitCounts(str(key), int(row.n), round(row.o), float(row.e))
        for key, row in grouped.iterrows()
    ]
