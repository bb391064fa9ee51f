"""Risk-adjusted MISS-versus-open effects and expected risks for the registry.

Crude and case-mix-adjusted odds ratios (logistic regression) and mean differences (linear
regression with HC3 errors), several outcomes at once over a shared case mix, and each
episode's expected risk from a national case-mix model (for the funnel plots in
spinepath.registry.stats). Pure functions over pandas frames; no Django.

* Logistic regression is fitted by Newton-Raphson in NumPy, step for step the algorithm
  of statsmodels' ``Logit.fit(method="newton")`` (the tests check the two agree), on a
  design matrix built here and stored by cells of the 0/1 and categorical terms (see
  ``_Layout``), which keeps the models of a million rows to a fraction of a second.
* Heteroscedasticity-consistent (HC3) standard errors: MacKinnon JG, White H. J Econom
  1985;29(3):305-25.
* Woolf's interval for a crude odds ratio: Woolf B. Ann Hum Genet 1955;19(4):251-3.

Where a number cannot be estimated from the data (no patients, no events, separation) the
functions say so (``estimable=False`` with a reason, or ``NotEstimableError``) rather than
guess. Misuse (a column that does not exist, an outcome that is not 0/1, a level outside
(0, 1)) raises ``ValueError``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as sps

from spinepath.registry.stats import (
    FloatArray,
    NotEstimableError,
    _binary,
    _check_level,
    _numeric,
    _numeric_like,
    _z,
    _zero_one,
)

__all__ = [
    "AdjustedEffect",
    "Estimate",
    "adjusted_difference",
    "adjusted_effects",
    "adjusted_odds_ratio",
    "expected_risks",
]

# A fitted probability this close to 0 or 1 means the logistic model has run off to
# infinity (separation), as in R's "fitted probabilities numerically 0 or 1 occurred".
_SEPARATION_EPS = 1e-10
# Relative tolerance under which a design column counts as a linear combination of
# the columns before it.
_COLLINEARITY_TOL = 1e-9
# Newton-Raphson as statsmodels' Logit.fit(method="newton", maxiter=25): at most 25 steps,
# converged when no coefficient moves by more than 1e-8, and 1e-10 added to the diagonal
# of the mean information matrix (X'WX / n) that each step solves with.
_LOGIT_MAXITER = 25
_LOGIT_TOL = 1e-8
_LOGIT_RIDGE = 1e-10
# The information matrix of the last step's starting point serves for the covariance when
# that step moved no linear predictor by more than this (see _newton).
_REUSE_MOVE = 1e-10
# Logistic fits on at least this many rows start from a fit to within _WARM_START_TOL on
# about _WARM_START_ROWS of them.
_WARM_START_MIN_ROWS = 50_000
_WARM_START_ROWS = 20_000
_WARM_START_TOL = 1e-3
# adjusted_effects fits outcomes in threads (see _workers) from this many complete rows.
_THREADS_MIN_ROWS = 20_000
_SEPARATION = "the outcome is perfectly predicted by the covariates (separation)"


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


def _factorize(series: pd.Series, index: NDArray[np.intp]) -> tuple[NDArray[np.intp], list[str]]:
    """Integer codes of a categorical column over the rows ``index`` (which hold a value)
    and the levels present there, sorted: what ``pd.factorize(values, sort=True)`` gives,
    computed from the column's own codes when it is a pandas Categorical."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        all_codes = series.cat.codes.to_numpy()
        categories = series.cat.categories
    else:
        all_codes, categories = pd.factorize(series)
    codes = np.asarray(all_codes[index], dtype=np.intp)
    present = np.flatnonzero(np.bincount(codes, minlength=len(categories)))
    values = np.asarray(categories[present], dtype=object)
    ranks, uniques = pd.factorize(values, sort=True)
    lookup = np.zeros(len(categories), dtype=np.intp)
    lookup[present] = ranks
    return lookup[codes], [str(u) for u in uniques]


def _not_zero_one(v: FloatArray, few: int = 8) -> NDArray[np.intp]:
    """The positions of (up to) ``few`` values of ``v`` that are not 0 or 1, looking at
    the first thousand first."""
    found = np.flatnonzero(~_zero_one(v[:1024]))[:few]
    if found.size < few and v.size > 1024:
        found = np.flatnonzero(~_zero_one(v))[:few]
    return found


def _only_zero_one(v: FloatArray, index: NDArray[np.intp]) -> bool:
    """Whether ``v`` holds only 0 and 1 at the positions ``index`` (at least one),
    looking at the first few first."""
    if not index.size or not _zero_one(v[index[:64]]).all():
        return False
    return bool(_zero_one(v[index]).all())


@dataclass(slots=True)
class _Factor:
    name: str
    codes: NDArray[np.intp]
    levels: list[str]
    is_categorical: bool


def _exclude_perfect_levels(
    y: FloatArray,
    factors: dict[str, _Factor],
    keep: NDArray[np.bool_],
    notes: list[str],
    counts: dict[str, NDArray[np.intp]] | None = None,
) -> FloatArray | None:
    """Drop (in place, from ``keep``) the rows of any level whose patients all had, or all
    did not have, the outcome (0/1); return the outcome those rows share (NaN elsewhere),
    or None when no row is dropped. ``counts`` may hold each factor's level counts over
    all of ``y``'s rows."""
    predicted: FloatArray | None = None
    events_at = np.flatnonzero(y)
    whole = True  # no row excluded yet: count without masking
    for _ in range(10):  # excluding rows can empty another level; repeat until stable
        changed = False
        for factor in factors.values():
            n_levels = len(factor.levels)
            if whole:
                if counts is None or factor.name not in counts:
                    level_counts = np.bincount(factor.codes, minlength=n_levels)
                else:
                    level_counts = counts[factor.name]
                events = np.bincount(factor.codes[events_at], minlength=n_levels)
            else:
                level_counts = np.bincount(factor.codes[keep], minlength=n_levels)
                kept_events = events_at[keep[events_at]]
                events = np.bincount(factor.codes[kept_events], minlength=n_levels)
            bad = (level_counts > 0) & ((events == 0) | (events == level_counts))
            if not bad.any() or bad.sum() == (level_counts > 0).sum():
                continue
            if predicted is None:
                predicted = np.full(y.size, np.nan)
            for level in np.flatnonzero(bad):
                hit = keep & (factor.codes == level)
                value = float(events[level] > 0)
                predicted[hit] = value
                keep &= ~hit
                had = "all" if value else "none"
                notes.append(
                    f"{factor.name}={factor.levels[level]}: {had} of "
                    f"{int(level_counts[level])} had the outcome, which predicts it "
                    "perfectly; those rows are excluded"
                )
            whole = False
            changed = True
        if not changed:
            break
    return predicted


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


def _independent_columns(
    gram: FloatArray, exposure: bool, tol: float = _COLLINEARITY_TOL
) -> list[int]:
    """Greedily keep each column that is not (numerically) a linear combination of the
    columns kept before it, in the order intercept, covariates, exposure: a covariate that
    repeats another is dropped, an exposure that the covariates determine is not kept
    (its effect cannot be separated from theirs). ``gram`` is X'X."""
    k = gram.shape[0]
    order = [0, *range(2, k), 1] if exposure else list(range(k))
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
        if residual > tol * own:
            kept.append(j)
    return sorted(kept)


# A design matrix is kept "by cells" (see _Layout), and its products are computed a block
# of rows at a time, so that the temporaries stay in the processor's cache (and, at under
# 128 KiB a column, come from the C library's heap rather than from fresh pages).
_BLOCK_ROWS = 16_000
# Cells are used when they hold on average at least this many rows, and when the
# combinations of the 0/1 and categorical values number at most _MAX_CELLS.
_MIN_CELL_ROWS = 4_096
_MAX_CELLS = 4_096


@dataclass(slots=True)
class _Layout:
    """A model matrix X (n rows, k terms: intercept first, then the exposure, then the
    covariates) stored by cells.

    The rows are sorted so that rows sharing the values of every term that is constant
    within a cell (the intercept, the 0/1 exposure, dummies, 0/1 covariates) are
    contiguous; the other (dense) terms are the columns 1.. of ``z``, whose column 0 is all
    ones, and row i of cell c is ``x_i = t[c] @ z_i``. Cross-products X'WX then cost
    n·(d+1)² operations instead of n·k² (d dense terms): for the registry's case mix about
    a quarter. With no cells (small data, or too many combinations) there is one cell,
    ``z`` is X itself and ``t[0]`` the identity.
    """

    z: FloatArray  # (n, d + 1), Fortran order
    t: FloatArray  # (cells, k, d + 1)
    cell: NDArray[np.intp]  # cell of each row, in layout order
    blocks: list[tuple[int, int, int]]  # (cell, start, stop): rows of one cell
    order: NDArray[np.intp] | None  # layout row j is analysed row order[j] (None: j)
    terms: list[str]
    notes: list[str]
    exposure_collinear: bool = False
    gram: FloatArray | None = None  # X'X
    leverage: FloatArray | None = None  # HC3 leverages, once computed
    _zmax: FloatArray | None = None
    _crude: _Layout | None = None
    _sample: _Layout | None = None

    @property
    def k(self) -> int:
        return int(self.t.shape[1])

    @property
    def n(self) -> int:
        return int(self.z.shape[0])

    def on_z(self, b: FloatArray) -> FloatArray:
        """Per cell, the coefficients ``t[c]' b`` of z_i in x_i'b."""
        return np.asarray(self.t.transpose(0, 2, 1) @ b, dtype=np.float64)

    def cross(self, weights: FloatArray | None = None) -> FloatArray:
        """X' diag(weights) X (X'X without weights)."""
        per_cell = np.zeros((self.t.shape[0], self.z.shape[1], self.z.shape[1]))
        for c, start, stop in self.blocks:
            w = None if weights is None else weights[start:stop]
            _add_cross(per_cell[c], self.z[start:stop], w)
        return _assemble(self.t, per_cell)

    def xt(self, v: FloatArray) -> FloatArray:
        """X'v."""
        per_cell = np.zeros((self.t.shape[0], self.z.shape[1]))
        for c, start, stop in self.blocks:
            per_cell[c] += v[start:stop] @ self.z[start:stop]
        return np.asarray(np.einsum("cak,ck->a", self.t, per_cell), dtype=np.float64)

    def xb(self, b: FloatArray) -> FloatArray:
        """Xb, in layout order."""
        u = self.on_z(b)
        out = np.empty(self.n)
        for c, start, stop in self.blocks:
            np.dot(self.z[start:stop], u[c], out=out[start:stop])
        return out

    def eta_bound(self, b: FloatArray) -> FloatArray:
        """Per cell, a bound on |x_i'b| over its rows: sum over j of |t[c]'b|_j max|z_ij|."""
        if self._zmax is None:
            zmax = np.zeros((self.t.shape[0], self.z.shape[1]))
            for c, start, stop in self.blocks:
                np.maximum(zmax[c], np.abs(self.z[start:stop]).max(axis=0), out=zmax[c])
            self._zmax = zmax
        return np.asarray((np.abs(self.on_z(b)) * self._zmax).sum(axis=1))

    def crude(self) -> _Layout:
        """The layout of the first two terms (intercept and exposure) alone."""
        if self._crude is None:
            self._crude = self.select([0, 1])
        return self._crude

    def select(self, columns: list[int]) -> _Layout:
        """The layout of some of the terms (the dense columns no term uses left out)."""
        t = self.t[:, columns, :]
        used = np.asarray(t.any(axis=(0, 1)) if t.shape[0] else np.zeros(t.shape[2], bool))
        used[0] = True
        z = self.z if used.all() else np.asfortranarray(self.z[:, used])
        gram = None if self.gram is None else self.gram[np.ix_(columns, columns)]
        return _Layout(
            z=z,
            t=np.ascontiguousarray(t[:, :, used]),
            cell=self.cell,
            blocks=self.blocks,
            order=self.order,
            terms=[self.terms[j] for j in columns],
            notes=[],
            exposure_collinear=self.exposure_collinear,
            gram=gram,
        )

    def sample(self, every: int) -> _Layout:
        """The layout of every ``every``-th row (kept for the next outcome)."""
        if self._sample is None or self._sample.n != len(range(0, self.n, every)):
            self._sample = self.rows(np.arange(0, self.n, every))
        return self._sample

    def rows(self, positions: NDArray[np.intp]) -> _Layout:
        """The layout of some of its rows (``positions`` increasing, in layout order), with
        one cell: X itself."""
        x = np.empty((positions.size, self.k), order="F")
        cell = self.cell[positions]
        bounds = np.searchsorted(cell, np.arange(self.t.shape[0] + 1))
        for c in range(self.t.shape[0]):
            first, last = bounds[c], bounds[c + 1]
            if last > first:
                np.matmul(self.z[positions[first:last]], self.t[c].T, out=x[first:last])
        one = np.zeros(positions.size, dtype=np.intp)
        return _Layout(x, np.eye(self.k)[None], one, _blocks(one, 1), positions, self.terms, [])


def _blocks(cell: NDArray[np.intp], n_cells: int) -> list[tuple[int, int, int]]:
    """(cell, start, stop) for runs of at most _BLOCK_ROWS rows of one cell."""
    sizes = np.bincount(cell, minlength=n_cells).tolist() if cell.size else [0] * n_cells
    blocks: list[tuple[int, int, int]] = []
    start = 0
    for c, size in enumerate(sizes):
        for first in range(start, start + size, _BLOCK_ROWS):
            blocks.append((c, first, min(first + _BLOCK_ROWS, start + size)))
        start += size
    return blocks


def _add_cross(
    out: FloatArray, z: FloatArray, w: FloatArray | None, wz: FloatArray | None = None
) -> None:
    """Add z' diag(w) z to ``out`` (``wz``: z * w, if at hand), or at least its upper
    triangle, which is all that _assemble reads. For a few columns, one matrix-vector
    product per row of the result is several times faster than BLAS's matrix product
    (which is made for wide matrices)."""
    if wz is None:
        wz = z if w is None else z * w[:, None]
    width = z.shape[1]
    if width <= 8:
        for j in range(width):
            out[j, j:] += wz[:, j] @ z[:, j:]
    else:
        out += wz.T @ z


def _assemble(t: FloatArray, per_cell: FloatArray) -> FloatArray:
    """sum over cells of t[c] m[c] t[c]', from the upper triangles of the symmetric m[c]."""
    full = np.triu(per_cell) + np.transpose(np.triu(per_cell, 1), (0, 2, 1))
    return np.asarray(np.einsum("cak,cbk->ab", t @ full, t), dtype=np.float64)


@dataclass(slots=True)
class _Cells:
    """Rows grouped by the combination of their values of some 0/1 or categorical
    ``keys`` (name -> (stride, number of levels) in the combined key)."""

    keys: dict[str, tuple[int, int]]
    present: NDArray[np.intp]  # the combined key of each cell
    of_row: NDArray[np.intp]  # each row's cell
    order: NDArray[np.intp] | None  # the rows sorted by cell (stable); None if they are

    @property
    def count(self) -> int:
        return int(self.present.size)

    def codes(self, name: str) -> NDArray[np.intp]:
        """The code of key ``name`` in each cell."""
        stride, size = self.keys[name]
        return np.asarray((self.present // stride) % size, dtype=np.intp)


def _cells(n: int, candidates: list[tuple[str, NDArray[np.intp], int]]) -> _Cells:
    """Cells by the candidates (name, codes over the n rows, number of levels), taken in
    order as long as the cells hold on average at least _MIN_CELL_ROWS rows and their
    combinations number at most _MAX_CELLS."""
    keys: dict[str, tuple[int, int]] = {}
    key = np.zeros(n, dtype=np.intp)
    present = np.zeros(1 if n else 0, dtype=np.intp)
    stride = 1
    for name, codes, size in candidates:
        if stride * size > _MAX_CELLS or n < _MIN_CELL_ROWS * present.size * 2:
            continue
        wider = key + codes * stride
        found = np.flatnonzero(np.bincount(wider, minlength=stride * size))
        if n < _MIN_CELL_ROWS * found.size:
            continue
        key, present = wider, found
        keys[name] = (stride, size)
        stride *= size
    if present.size <= 1:
        return _Cells(keys, present, np.zeros(n, dtype=np.intp), None)
    lookup = np.zeros(stride, dtype=np.intp)
    lookup[present] = np.arange(present.size)
    of_row = lookup[key]
    if (of_row[1:] >= of_row[:-1]).all():
        return _Cells(keys, present, of_row, None)
    small = np.int16 if present.size < 2**15 else np.intp  # radix sort
    return _Cells(keys, present, of_row, np.argsort(of_row.astype(small), kind="stable"))


_Dense = tuple[FloatArray, float, float]


def _mean_sd(v: FloatArray) -> tuple[float, float]:
    """``v.mean()`` and ``v.std()`` (0 for no values), with the mean computed once."""
    if not v.size:
        return 0.0, 0.0
    mean = float(np.add.reduce(v) / v.size)
    deviations = v - mean
    np.multiply(deviations, deviations, out=deviations)
    return mean, float(np.sqrt(np.add.reduce(deviations) / v.size))


def _terms(
    cells: _Cells,
    exposure: tuple[str, FloatArray] | None,
    covs: tuple[str, ...],
    cats: frozenset[str],
    values: dict[str, FloatArray],
    codes: dict[str, NDArray[np.intp]],
    levels: dict[str, list[str]],
) -> tuple[list[str], dict[int, FloatArray], dict[int, _Dense], list[str]]:
    """The model's terms, each either constant within cells (its value in each cell) or
    dense (a column over the analysed rows: (values - shift) / scale), and notes on the
    covariates left out."""
    notes: list[str] = []
    terms = ["Intercept"]
    constant: dict[int, FloatArray] = {0: np.ones(cells.count)}
    dense: dict[int, _Dense] = {}
    if exposure is not None:
        name, exp = exposure
        if name in cells.keys:
            constant[1] = cells.codes(name).astype(np.float64)
        else:
            dense[1] = (exp, 0.0, 1.0)
        terms.append(name)
    for c in covs:
        keyed = c in cells.keys
        if c in cats:
            counts = np.bincount(codes[c], minlength=len(levels[c]))
            reference = int(np.argmax(counts))
            in_cell = cells.codes(c) if keyed else None
            for level in np.flatnonzero(counts):
                if level == reference:
                    continue
                if in_cell is not None:
                    constant[len(terms)] = (in_cell == level).astype(np.float64)
                else:
                    dense[len(terms)] = ((codes[c] == level).astype(np.float64), 0.0, 1.0)
                terms.append(f"{c}[{levels[c][level]}]")
            continue
        v = values[c]
        mean, sd = _mean_sd(v)
        if sd == 0.0:
            notes.append(f"{c} is constant in the analysed rows; not adjusted for")
            continue
        if keyed:
            constant[len(terms)] = (cells.codes(c).astype(np.float64) - mean) / sd
        else:
            dense[len(terms)] = (v, mean, sd)
        terms.append(c)
    return terms, constant, dense, notes


def _layout(
    n: int,
    exposure: tuple[str, FloatArray] | None,
    covs: tuple[str, ...],
    cats: frozenset[str],
    values: dict[str, FloatArray],
    codes: dict[str, NDArray[np.intp]],
    levels: dict[str, list[str]],
    zero_one: frozenset[str],
    cells: _Cells | None = None,
) -> _Layout:
    """The model matrix over n analysed rows: intercept, exposure (0/1, unscaled so its
    coefficient is the effect), numeric covariates centred and scaled (which leaves the
    exposure coefficient unchanged), and treatment-coded dummies (reference = most frequent
    level); terms that are constant or collinear with earlier ones are left out (noted).
    ``values``/``codes`` hold each covariate over the analysed rows; ``zero_one`` names the
    numeric covariates taking only the values 0 and 1 there; ``cells``, if given, are
    those of these rows by those keys."""
    if cells is None:
        candidates: list[tuple[str, NDArray[np.intp], int]] = []
        if exposure is not None:
            candidates.append((exposure[0], exposure[1].astype(np.intp), 2))
        for c in covs:
            if c in cats:
                candidates.append((c, codes[c], len(levels[c])))
            elif c in zero_one:
                candidates.append((c, values[c].astype(np.intp), 2))
        cells = _cells(n, candidates)
    terms, constant, dense, notes = _terms(cells, exposure, covs, cats, values, codes, levels)
    z = np.empty((n, 1 + len(dense)), order="F")
    z[:, 0] = 1.0
    t = np.zeros((cells.count, len(terms), 1 + len(dense)))
    for j, cell_values in constant.items():
        t[:, j, 0] = cell_values
    for position, (j, (values_j, shift, scale)) in enumerate(dense.items(), start=1):
        column = z[:, position]
        if cells.order is None:
            column[:] = values_j
        else:
            np.take(values_j, cells.order, out=column)
        if shift != 0.0 or scale != 1.0:  # (v - mean) / sd, computed in place
            column -= shift
            column /= scale
        t[:, j, position] = 1.0
    cell = cells.of_row if cells.order is None else cells.of_row[cells.order]
    layout = _Layout(z, t, cell, _blocks(cell, cells.count), cells.order, terms, notes)
    return _drop_collinear(layout, exposure=exposure is not None)


def _drop_collinear(layout: _Layout, *, exposure: bool) -> _Layout:
    """Compute X'X and leave out terms that are linear combinations of earlier ones
    (noted), or mark the exposure as collinear with the covariates."""
    k = layout.k
    layout.gram = layout.cross() if layout.n else np.zeros((k, k))
    if not layout.n:
        return layout
    kept = _independent_columns(layout.gram, exposure=exposure)
    layout.exposure_collinear = exposure and 1 not in kept
    if layout.exposure_collinear or len(kept) == k:
        return layout
    notes = layout.notes
    for j in range(2 if exposure else 1, k):
        if j not in kept:
            notes.append(f"{layout.terms[j]} is collinear with other terms; not adjusted for")
    layout = layout.select(kept)
    layout.notes = notes
    return layout


@dataclass(slots=True)
class _Design:
    """One outcome's model over its analysed rows."""

    y: FloatArray  # the outcome, in layout order
    layout: _Layout
    n: int  # rows analysed
    n_dropped: int
    n_excluded: int
    notes: list[str]
    positions: NDArray[np.intp]  # the analysed rows' positions in the input frame
    # For rows excluded as perfectly predicted by their level, the outcome value they all
    # share, at their positions in the input frame (used for expected risks).
    predicted: tuple[NDArray[np.intp], FloatArray] | None = None
    # 1 for the rows analysed, 0 for the others, when the layout holds more rows than are
    # analysed (y is then 0 on the others).
    weights: FloatArray | None = None
    n_exposed: int = 0
    events: int = 0
    events_exposed: int = 0

    @property
    def terms(self) -> list[str]:
        return self.layout.terms


class _CaseMix:
    """The exposure and covariates of one frame, read once and shared by the models of
    several outcomes: which rows are complete, numeric columns as float64, categorical
    codes, and the model matrix over every complete row (used by each outcome that is
    known on all of them and excludes none)."""

    def __init__(
        self, df: pd.DataFrame, exposure: str | None, covs: tuple[str, ...], cats: frozenset[str]
    ) -> None:
        self.size = len(df)
        self.exposure, self.covs, self.cats = exposure, covs, cats
        complete = np.ones(len(df), dtype=bool)
        full: dict[str, FloatArray] = {}
        for c in [*([exposure] if exposure is not None else []), *covs]:
            if c in cats:
                complete &= df[c].notna().to_numpy()
            else:
                full[c] = _numeric(df[c])
                complete &= np.isfinite(full[c])
        index = np.flatnonzero(complete)
        codes: dict[str, NDArray[np.intp]] = {}
        self.levels: dict[str, list[str]] = {}
        for c in covs:
            if c in cats:
                codes[c], self.levels[c] = _factorize(df[c], index)
        # Which numeric columns hold only 0 and 1 on the complete rows.
        zero_one = {c: _only_zero_one(v, index) for c, v in full.items()}
        self.exp_zero_one = None if exposure is None else zero_one.pop(exposure)
        # The rows in the order of the cells of the model over all of them (see _Layout),
        # which the model of any subset of them keeps.
        self.cells = _cells(index.size, self._keys(full, index, codes, zero_one))
        identity = index.size == len(df) and self.cells.order is None
        if self.cells.order is not None:
            index = index[self.cells.order]
            codes = {c: v[self.cells.order] for c, v in codes.items()}
            self.cells.of_row, self.cells.order = self.cells.of_row[self.cells.order], None
        numbers = {c: v if identity else v[index] for c, v in full.items()}
        self.index, self.codes = index, codes
        self.exp = None if exposure is None else numbers.pop(exposure)
        self.values = numbers
        self.all_zero_one = zero_one
        self.binary_codes = {c: v.astype(np.intp) for c, v in numbers.items() if zero_one[c]}
        self._other = {  # a few rows of each other numeric column that are not 0 or 1
            c: _not_zero_one(v) for c, v in numbers.items() if not zero_one[c]
        }
        self._base: _Layout | None = None
        self._level_counts: dict[str, NDArray[np.intp]] = {}

    def _keys(
        self,
        full: dict[str, FloatArray],
        index: NDArray[np.intp],
        codes: dict[str, NDArray[np.intp]],
        zero_one: dict[str, bool],
    ) -> list[tuple[str, NDArray[np.intp], int]]:
        """The candidate cell keys of the model over all complete rows, as in _layout."""
        keys: list[tuple[str, NDArray[np.intp], int]] = []
        if self.exposure is not None:
            if not self.exp_zero_one:
                return []  # not a 0/1 exposure: every model of it will be refused
            keys.append((self.exposure, full[self.exposure][index].astype(np.intp), 2))
        for c in self.covs:
            if c in self.cats:
                keys.append((c, codes[c], len(self.levels[c])))
            elif zero_one[c]:
                keys.append((c, full[c][index].astype(np.intp), 2))
        return keys

    def _factors(self, rows: NDArray[np.intp] | None) -> dict[str, _Factor]:
        """Categorical covariates, and numeric covariates taking only the values 0 and 1,
        as integer codes over the complete ``rows`` (all when None)."""
        factors: dict[str, _Factor] = {}
        for c in self.covs:
            if c in self.cats:
                codes = self.codes[c] if rows is None else self.codes[c][rows]
                factors[c] = _Factor(c, codes, self.levels[c], True)
            elif c in self.binary_codes:
                codes = self.binary_codes[c] if rows is None else self.binary_codes[c][rows]
                factors[c] = _Factor(c, codes, ["0", "1"], False)
            elif rows is not None and rows.size and self._zero_one_on(c, rows):
                factors[c] = _Factor(c, self.values[c][rows].astype(np.intp), ["0", "1"], False)
        return factors

    def _counts(self, factors: dict[str, _Factor]) -> dict[str, NDArray[np.intp]]:
        """Each factor's level counts over all complete rows (kept for the next outcome)."""
        for name, factor in factors.items():
            if name not in self._level_counts:
                self._level_counts[name] = np.bincount(factor.codes, minlength=len(factor.levels))
        return self._level_counts

    def _zero_one_on(self, c: str, rows: NDArray[np.intp]) -> bool:
        """Whether numeric covariate ``c`` holds only 0 and 1 on ``rows`` (increasing)."""
        other = self._other[c]
        found = np.searchsorted(rows, other)
        if (rows[np.minimum(found, rows.size - 1)] == other).any():
            return False  # one of the known other values is among the rows
        return bool(_zero_one(self.values[c][rows]).all())

    def _layout(self, rows: NDArray[np.intp] | None, zero_one: frozenset[str]) -> _Layout:
        def take(v: NDArray[Any]) -> NDArray[Any]:
            return v if rows is None else v[rows]

        n = self.index.size if rows is None else rows.size
        exposure = None
        if self.exposure is not None and self.exp is not None:
            exposure = (self.exposure, take(self.exp))
        cells = self.cells if rows is None else None
        same_keys = zero_one == set(self.binary_codes) and self.cells.count > 1
        if rows is not None and same_keys and n >= _MIN_CELL_ROWS * self.cells.count:
            # the cells of all complete rows, fewer rows in them
            cells = _Cells(self.cells.keys, self.cells.present, self.cells.of_row[rows], None)
        return _layout(
            n,
            exposure,
            self.covs,
            self.cats,
            {c: take(v) for c, v in self.values.items()},
            {c: take(v) for c, v in self.codes.items()},
            self.levels,
            zero_one,
            cells=cells,
        )

    def _same_design(self, rows: NDArray[np.intp]) -> bool:
        """Whether the model matrix over the complete ``rows`` (increasing, some) has the
        terms, and notes, of the one over all complete rows, which has none: the same
        categorical levels present and the same reference levels, no covariate constant,
        no term collinear with others (with a margin, as the columns are scaled over all
        rows). Its model is then that one with the other rows weighted 0 (its coefficients
        scaled otherwise, which leaves the exposure's unchanged)."""
        base = self.base()
        if base.exposure_collinear or base.notes or rows.size < 2 * base.k:
            return False
        for c in self.covs:
            if c in self.cats:
                levels = len(self.levels[c])
                every = self._counts({c: _Factor(c, self.codes[c], self.levels[c], True)})[c]
                some = np.bincount(self.codes[c][rows], minlength=levels)
                if not ((some > 0) == (every > 0)).all() or some.argmax() != every.argmax():
                    return False
            elif np.unique(self.values[c][rows[:: max(1, rows.size // 256)]]).size < 2:
                return False  # perhaps constant there (the exact design will tell)
        weights = np.zeros(self.index.size)
        weights[rows] = 1.0
        gram = base.cross(weights)
        exposure = self.exposure is not None
        return all(
            len(_independent_columns(gram, exposure, _COLLINEARITY_TOL * margin)) == base.k
            for margin in (10.0, 0.1)
        )

    def base(self) -> _Layout:
        """The model matrix over every complete row."""
        if self._base is None:
            self._base = self._layout(None, frozenset(self.binary_codes))
        return self._base

    def design(self, outcome: str, values: FloatArray, *, binary: bool) -> _Design:
        """The model of ``outcome`` (``values`` over the frame's rows): complete rows only;
        for a 0/1 outcome, levels that predict it perfectly are excluded, for a continuous
        one, categorical levels holding a single row."""
        known = values[self.index]
        finite = np.isfinite(known)
        rows = None if finite.all() else np.flatnonzero(finite)  # of the complete rows
        y = known if rows is None else known[rows]
        if binary:
            _binary(y, outcome)
        exp = None if self.exp is None else (self.exp if rows is None else self.exp[rows])
        if exp is not None and self.exposure is not None and not self.exp_zero_one:
            _binary(exp, self.exposure)
        factors = self._factors(rows)
        keep = np.ones(y.size, dtype=bool)
        notes: list[str] = []
        positions = self.index if rows is None else self.index[rows]
        predicted = None
        if binary:
            counts = self._counts(factors) if rows is None else None
            shared = _exclude_perfect_levels(y, factors, keep, notes, counts)
            predicted = None if shared is None else (positions[~keep], shared[~keep])
        elif factors:
            _exclude_singletons(factors, keep, notes)
        n_excluded = int(y.size - np.count_nonzero(keep))
        n_dropped = self.size - y.size
        weights = None
        if rows is None and n_excluded == 0:
            layout = self.base()
        else:
            analysed = np.arange(self.index.size) if rows is None else rows
            analysed = analysed[keep] if n_excluded else analysed
            if not binary and self._same_design(analysed):
                # The model matrix of all complete rows, with the others weighted 0.
                layout, weights = self.base(), np.zeros(self.index.size)
                weights[analysed] = 1.0
                y = np.where(weights > 0, np.nan_to_num(known), 0.0)
            else:
                zero_one = frozenset(c for c, f in factors.items() if not f.is_categorical)
                layout = self._layout(analysed, zero_one)
        if n_excluded:
            positions = positions[keep]
            if weights is None:
                y = y[keep]
            exp = None if exp is None else exp[keep]
        design = _Design(
            y=y if layout.order is None else y[layout.order],
            layout=layout,
            n=positions.size,
            n_dropped=n_dropped,
            n_excluded=n_excluded,
            notes=[*notes, *layout.notes],
            positions=positions,
            predicted=predicted,
            weights=weights,
        )
        if exp is not None:
            exposed = exp == 1.0
            design.n_exposed = int(np.count_nonzero(exposed))
            if binary:
                design.events = int(np.count_nonzero(y))
                design.events_exposed = int(np.count_nonzero(y[exposed]))
        elif binary:
            design.events = int(np.count_nonzero(y))
        return design


# ------------------------------------------------------------------- logistic regression


@dataclass(slots=True)
class _LogitPass:
    """The score X'(y - p) and information X'WX (w = p(1 - p)) at some coefficients, and
    what the fitted probabilities look like there."""

    score: FloatArray
    information: FloatArray | None
    perfect: bool  # every |y - p| <= 1e-8 (statsmodels' check for perfect prediction)
    imperfect: bool  # some |y - p| > 1e-6
    # A bound on the largest |x'b| that is exact when it reaches log(1 / _SEPARATION_EPS)
    eta_max: float


_Buffers = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def _buffers(layout: _Layout) -> _Buffers:
    """Work space for _logit_pass over ``layout``, made once for all steps of a fit."""
    size = min(_BLOCK_ROWS, layout.n)
    width = layout.z.shape[1]
    return np.empty(size), np.empty(size), np.empty(size), np.empty((size, width), order="F")


def _logit_pass(
    layout: _Layout,
    y: FloatArray,
    b: FloatArray,
    *,
    information: bool,
    buffers: _Buffers | None = None,
) -> _LogitPass:
    u = layout.on_z(b)
    n_cells, width = layout.t.shape[0], layout.z.shape[1]
    score = np.zeros((n_cells, width))
    info = np.zeros((n_cells, width, width)) if information else None
    limit = math.log(1 / _SEPARATION_EPS)
    bounds = layout.eta_bound(b)
    exact = ~(bounds < limit)  # cells whose rows might reach the limit (or NaN): measure
    largest = np.zeros(n_cells)
    perfect, imperfect = layout.n > 0, False
    eta_buffer, p_buffer, r_buffer, wz_buffer = buffers or _buffers(layout)
    for c, start, stop in layout.blocks:
        m = stop - start
        z = layout.z[start:stop]
        eta = np.matmul(z, u[c], out=eta_buffer[:m])
        if exact[c]:
            largest[c] = np.maximum(largest[c], np.abs(eta).max())
        p = np.negative(eta, out=p_buffer[:m])
        with np.errstate(over="ignore"):  # exp(-x'b) = inf gives p = 0, as in statsmodels
            np.exp(p, out=p)
        p += 1.0
        np.divide(1.0, p, out=p)  # statsmodels' Logit.cdf: 1 / (1 + exp(-x'b))
        r = np.subtract(y[start:stop], p, out=r_buffer[:m])
        score[c] += r @ z
        if info is not None:
            w = np.subtract(1.0, p, out=eta)
            w *= p
            _add_cross(info[c], z, w, np.multiply(z, w[:, None], out=wz_buffer[:m]))
        first = abs(float(r[0]))
        imperfect = imperfect or first > 1e-6
        if perfect:
            perfect = first <= 1e-8 and bool((np.abs(r) <= 1e-8).all())
    return _LogitPass(
        np.asarray(np.einsum("cak,ck->a", layout.t, score), dtype=np.float64),
        None if info is None else _assemble(layout.t, info),
        perfect,
        imperfect,
        float(np.where(exact, largest, bounds).max()) if n_cells else 0.0,
    )


@dataclass(slots=True)
class _LogitFit:
    params: FloatArray
    cov: FloatArray | None
    converged: bool
    perfect: bool  # some iterate predicted every outcome (statsmodels' PerfectSeparation)
    eta_max: float  # largest |x'b| at the estimates (a bound, exact when > the limit)


def _newton(
    y: FloatArray,
    layout: _Layout,
    start: FloatArray | None,
    *,
    covariance: bool = True,
    tol: float = _LOGIT_TOL,
) -> _LogitFit:
    """Maximum likelihood by Newton-Raphson, step for step as statsmodels' ``Logit.fit``
    (method "newton"): from ``start`` (zeros by default), b <- b + (I/n + 1e-10)^-1 s/n
    with s the score and I the information X'WX, until no coefficient moves by more than
    ``tol`` (1e-8) or after 25 steps (not converged); after each step the fitted
    probabilities are checked for perfect prediction; the covariance is I^-1 at the
    estimates.

    I at the estimates is taken to be I at the last step's starting point when that step
    moved no linear predictor by more than 1e-10 (so that no weight p(1 - p) changed by a
    relative 1e-10), unless a check of the fitted probabilities could come out differently
    at the estimates; otherwise it is computed there. Raises ``LinAlgError`` when I cannot
    be inverted."""
    n, k = y.size, layout.k
    params = np.zeros(k) if start is None else start.copy()
    old = np.full(k, np.inf)
    iterations, perfect = 0, False
    last: _LogitPass | None = None
    diagonal = np.diag_indices(k)
    buffers = _buffers(layout)
    while iterations < _LOGIT_MAXITER and np.any(np.abs(params - old) > tol):
        last = _logit_pass(layout, y, params, information=True, buffers=buffers)
        assert last.information is not None
        if iterations:
            perfect = perfect or last.perfect  # statsmodels' check of the previous step
        scaled = last.information / n
        scaled[diagonal] += _LOGIT_RIDGE
        old = params
        params = old + np.linalg.solve(scaled, last.score / n)
        iterations += 1
    converged = iterations < _LOGIT_MAXITER
    if not covariance:
        return _LogitFit(params, None, converged, perfect, math.nan)
    step = params - old
    moved = float(layout.eta_bound(step).max()) if np.isfinite(step).all() else math.inf
    limit = math.log(1 / _SEPARATION_EPS)
    if (
        last is not None
        and last.information is not None
        and moved <= _REUSE_MOVE
        and last.imperfect  # some |y - p| > 1e-6 stays above 1e-8
        and last.eta_max + moved < limit  # and no |x'b| can reach the limit
    ):
        information, eta_max = last.information, last.eta_max + moved
    else:
        final = _logit_pass(layout, y, params, information=True, buffers=buffers)
        assert final.information is not None
        information, eta_max = final.information, final.eta_max
        perfect = perfect or final.perfect
    cov = np.linalg.inv(information / n) / n
    return _LogitFit(params, cov, converged, perfect, eta_max)


def _warm_start(y: FloatArray, layout: _Layout) -> FloatArray | None:
    """Starting values for a large logistic fit: the fit on every m-th row (about 20,000
    rows, from every cell) to within 1e-3, from the intercept-only estimate; that leaves
    four or five full-data Newton steps instead of seven or more. Only a starting point:
    the final estimates are the full-data maximum."""
    if y.size < _WARM_START_MIN_ROWS:
        return None
    every = max(2, y.size // _WARM_START_ROWS)
    sample = y[::every]
    rate = float(sample.mean())
    if not 0.0 < rate < 1.0:
        return None
    start = np.zeros(layout.k)
    start[0] = math.log(rate / (1.0 - rate))
    try:
        rows = layout.sample(every)
        fit = _newton(sample, rows, start, covariance=False, tol=_WARM_START_TOL)
    except np.linalg.LinAlgError:
        return None
    return fit.params if fit.converged and np.isfinite(fit.params).all() else None


def _fit_logit(design: _Design) -> tuple[FloatArray, FloatArray] | str:
    """Maximum-likelihood logistic regression (Newton-Raphson, as statsmodels' ``Logit``);
    (coefficients, covariance) or the reason it cannot be estimated."""
    y, layout = design.y, design.layout
    try:
        fit = _newton(y, layout, _warm_start(y, layout))
    except np.linalg.LinAlgError:
        return "the model's information matrix is singular (separation or collinearity)"
    params, cov = fit.params, fit.cov
    if fit.perfect:
        return _SEPARATION
    if not fit.converged:
        return "the logistic model did not converge (probably separation by a covariate)"
    if cov is None or not (np.isfinite(params).all() and np.isfinite(cov).all()):
        return "the logistic model gave non-finite estimates"
    if fit.eta_max > math.log(1 / _SEPARATION_EPS):
        return "fitted probabilities numerically 0 or 1 (separation by a covariate)"
    return params, cov


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


def _odds_ratio(
    design: _Design, outcome: str, exposure: str, covs: tuple[str, ...], level: float
) -> AdjustedEffect:
    n, n1 = design.n, design.n_exposed
    events, events1 = design.events, design.events_exposed
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
    elif design.layout.exposure_collinear:
        reason = "the exposure is collinear with the covariates"
    adjusted: Estimate | None = None
    if reason is None:
        fitted = _fit_logit(design)
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
        n_exposed=n1,
        events=events,
        events_exposed=events1,
        **_from_design(design, covs),
    )


def _from_design(design: _Design, covs: tuple[str, ...]) -> dict[str, Any]:
    """The AdjustedEffect fields every measure takes from its design."""
    return {
        "n_dropped": design.n_dropped,
        "n_excluded": design.n_excluded,
        "covariates": covs,
        "terms": tuple(design.terms[2:]),
        "notes": tuple(design.notes),
    }


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
    return adjusted_effects(
        df, exposure, covariates, categorical, odds_ratios=[outcome], level=level, workers=1
    )[outcome]


# ------------------------------------------------------------------------ linear regression


def _fit_ols_hc3(
    y: FloatArray, layout: _Layout, level: float, weights: FloatArray | None = None
) -> Estimate | str:
    """Ordinary least squares with HC3 standard errors, for the coefficient of term 1.

    b = (X'X)^-1 X'y; HC3 covariance (X'X)^-1 X' diag(e_i² / (1 - h_i)²) X (X'X)^-1 with
    h_i the leverages (MacKinnon & White 1985); interval b ± t(n-k)·se. Computed with
    NumPy from k x k cross-products (statsmodels' OLS gives the same numbers, the tests
    check, but its pseudo-inverse of the n x k matrix is ~10 times slower at a million
    rows). The leverages depend on X alone and are kept with it for the next outcome.
    With 0/1 ``weights``, over the rows weighted 1 (y is 0 on the others).
    """
    from scipy.linalg import cho_factor, cho_solve

    n, k = (y.size if weights is None else round(float(weights.sum()))), layout.k
    if n <= k:
        return "too few rows for the number of model terms"
    if weights is not None:
        gram = layout.cross(weights)
    else:
        gram = layout.cross() if layout.gram is None else layout.gram
    try:
        factor = cho_factor(gram)
    except np.linalg.LinAlgError:
        return "the model's cross-product matrix is singular (collinear terms)"
    beta = cho_solve(factor, layout.xt(y))
    inverse = cho_solve(factor, np.eye(k))
    u = layout.on_z(beta)
    leverage = layout.leverage if weights is None else None
    if leverage is None:
        leverage = np.empty(layout.n)
        quadratic = layout.t.transpose(0, 2, 1) @ inverse @ layout.t
        for c, start, stop in layout.blocks:
            z = layout.z[start:stop]
            np.einsum("ij,ij->i", z @ quadratic[c], z, out=leverage[start:stop])
        if weights is None:
            layout.leverage = leverage
        else:  # rows not analysed do not count (and get no weight below)
            leverage = np.where(weights > 0, leverage, 0.0)
    if (leverage > 1.0 - 1e-10).any():
        return "a row is fitted exactly (leverage 1), so HC3 is undefined"
    width = layout.z.shape[1]
    meat_per_cell = np.zeros((layout.t.shape[0], width, width))
    for c, start, stop in layout.blocks:
        z = layout.z[start:stop]
        residuals = y[start:stop] - z @ u[c]
        if weights is not None:
            residuals *= weights[start:stop]
        omega = (residuals / (1.0 - leverage[start:stop])) ** 2
        _add_cross(meat_per_cell[c], z, omega)
    meat = _assemble(layout.t, meat_per_cell)
    cov = inverse @ meat @ inverse
    b, se = float(beta[1]), math.sqrt(max(float(cov[1, 1]), 0.0))
    if not (math.isfinite(b) and math.isfinite(se)) or se <= 0:
        return "the robust standard error could not be computed"
    df_resid = n - k
    t = float(sps.t.ppf(0.5 + level / 2, df_resid))
    p = float(2 * sps.t.sf(abs(b / se), df_resid))
    return Estimate(b, b - t * se, b + t * se, p)


def _difference(
    design: _Design, outcome: str, exposure: str, covs: tuple[str, ...], level: float
) -> AdjustedEffect:
    y, layout, weights = design.y, design.layout, design.weights
    n, n1 = design.n, design.n_exposed
    crude: Estimate | None = None
    reason: str | None = None
    if n1 < 2 or n - n1 < 2:  # a variance needs two rows in each group
        reason = "each exposure group needs at least two rows with complete data"
    else:
        fitted = _fit_ols_hc3(y, layout.crude(), level, weights)
        crude = fitted if isinstance(fitted, Estimate) else None
        if layout.exposure_collinear:
            reason = "the exposure is collinear with the covariates"
    adjusted: Estimate | None = None
    if reason is None:
        fitted = _fit_ols_hc3(y, layout, level, weights)
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
        n_exposed=n1,
        events=None,
        events_exposed=None,
        **_from_design(design, covs),
    )


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
    return adjusted_effects(
        df, exposure, covariates, categorical, differences=[outcome], level=level, workers=1
    )[outcome]


# ------------------------------------------------------------------- several outcomes at once


def adjusted_effects(
    df: pd.DataFrame,
    exposure: str,
    covariates: Sequence[str],
    categorical: Iterable[str] = (),
    *,
    odds_ratios: Sequence[str] = (),
    differences: Sequence[str] = (),
    level: float = 0.95,
    workers: int | None = None,
) -> dict[str, AdjustedEffect]:
    """``adjusted_odds_ratio`` for each of ``odds_ratios`` and ``adjusted_difference`` for
    each of ``differences``, with the same exposure and covariates: the same results as
    those calls, keyed by outcome in that order, for a fraction of the work. The complete
    rows, the covariates' codes and the model matrix are made once and shared by every
    outcome known on all those rows (an outcome's own missing values or excluded levels
    give it its own matrix).

    ``workers`` fits that many outcomes at a time, in threads (NumPy works outside the
    interpreter lock). By default two, for data of at least 20,000 complete rows on a
    machine with two processors or more whose BLAS library is held to one thread
    (threadpoolctl, or OPENBLAS_NUM_THREADS / OMP_NUM_THREADS = 1): threads that each
    start BLAS threads slow every fit down; otherwise one. The results do not depend on
    it.
    """
    level = _check_level(level)
    outcomes = [*odds_ratios, *differences]
    if isinstance(odds_ratios, str) or isinstance(differences, str):
        raise ValueError("odds_ratios and differences must be lists of column names")
    if len(set(outcomes)) != len(outcomes):
        raise ValueError("each outcome can be named only once")
    if not isinstance(categorical, str):
        categorical = list(categorical)  # read more than once
    covs, cats = tuple(covariates), frozenset[str]()
    for outcome in outcomes:
        covs, cats = _validate_columns(df, outcome, exposure, covariates, categorical)
    if not outcomes:
        return {}
    case_mix = _CaseMix(df, exposure, covs, cats)
    binary = set(odds_ratios)

    def effect(outcome: str) -> AdjustedEffect:
        design = case_mix.design(outcome, _numeric(df[outcome]), binary=outcome in binary)
        if outcome in binary:
            return _odds_ratio(design, outcome, exposure, covs, level)
        return _difference(design, outcome, exposure, covs, level)

    if workers is None:  # threads pay for themselves on large data only
        count = _workers() if case_mix.index.size >= _THREADS_MIN_ROWS else 1
    else:
        count = max(1, int(workers))
    if count == 1 or len(outcomes) == 1:
        return {outcome: effect(outcome) for outcome in outcomes}
    case_mix.base()  # shared: made before the threads start
    from concurrent.futures import ThreadPoolExecutor

    with _one_blas_thread(), ThreadPoolExecutor(max_workers=count) as pool:
        return dict(zip(outcomes, pool.map(effect, outcomes), strict=True))


def _workers() -> int:
    """Threads for fitting several models: 2 on a machine with two processors or more
    when BLAS keeps to one thread each, else 1."""
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        processors = os.cpu_count() or 1
    if processors < 2:
        return 1
    if importlib.util.find_spec("threadpoolctl") is not None:
        return 2
    single = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    return 2 if any(os.environ.get(name) == "1" for name in single) else 1


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Hold BLAS to one thread while the fits run in threads (with threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


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
    design = _CaseMix(df, None, covs, cats).design(outcome, _numeric(df[outcome]), binary=True)
    risks = np.full(len(df), np.nan)
    if design.predicted is not None:
        risks[design.predicted[0]] = design.predicted[1]
    if design.y.size == 0:
        if np.isfinite(risks).any():
            return risks
        raise NotEstimableError("no rows with complete data")
    events = float(design.events)
    if events in {0.0, float(design.y.size)}:
        risks[design.positions] = events / design.y.size
        return risks
    fitted = _fit_logit(design)
    if isinstance(fitted, str):
        raise NotEstimableError(fitted)
    params, _ = fitted
    with np.errstate(over="ignore"):
        expected = 1.0 / (1.0 + np.exp(-design.layout.xb(params)))
    order = design.layout.order
    risks[design.positions if order is None else design.positions[order]] = expected
    return risks
