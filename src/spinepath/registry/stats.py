"""Statistics for the registry: rates with confidence intervals, summaries of continuous
measures and funnel plots (risk-adjusted effects and expected risks are in
spinepath.registry.adjustment).

Pure functions over numbers, NumPy arrays and pandas frames; no Django. Every number
returned says in its docstring what it is and where the method comes from:

* Wilson score interval for a proportion: Wilson EB. Probable inference, the law of
  succession, and statistical inference. J Am Stat Assoc 1927;22(158):209-12.
* Exact (Clopper-Pearson) interval: Clopper CJ, Pearson ES. The use of confidence or
  fiducial limits illustrated in the case of the binomial. Biometrika 1934;26(4):404-13.
* Funnel plots and their exact binomial control limits: Spiegelhalter DJ. Funnel plots for
  comparing institutional performance. Stat Med 2005;24(8):1185-1202.

Where a number cannot be estimated from the data the functions say so (``None``, or
``NotEstimableError`` with a reason) rather than guess. Misuse (a column that does not
exist, an outcome that is not 0/1, a level outside (0, 1)) raises ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

__all__ = [
    "FunnelFlag",
    "FunnelLimits",
    "FunnelPoint",
    "MeanCI",
    "MedianIQR",
    "NotEstimableError",
    "Proportion",
    "UnitCounts",
    "control_limits",
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


# ------------------------------------------------------------------ shared column helpers


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


def _binary(values: FloatArray, name: str) -> FloatArray:
    """``values`` (0/1 or NaN) or ValueError."""
    if not (_zero_one(values) | np.isnan(values)).all():
        raise ValueError(f"column {name!r} must hold only 0/1 (or True/False) and missing")
    return values


def _zero_one(values: FloatArray) -> NDArray[np.bool_]:
    return np.asarray((values == 0.0) | (values == 1.0))


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
