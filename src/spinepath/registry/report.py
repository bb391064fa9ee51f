"""The registry report: every figure of the dashboards, as one JSON-ready dict.

`spinepath registry report --json` prints it, the dashboards draw it, the PDF prints it
and the CSV downloads are its tables. Rates carry 95 % confidence intervals; MISS is
compared with open surgery within each procedure group, crude and adjusted for case mix;
surgeons and sites are compared on funnel plots of risk-adjusted rates.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from spinepath.registry import adjustment, stats
from spinepath.registry.analytics import (
    CONTINUOUS_OUTCOMES,
    RATE_OUTCOMES,
    Filters,
    Registry,
)

REPORT_VERSION = "2026.11-2"

# Case mix for the funnel plots' expected rates, which every episode needs: so not the
# baseline scores, which some episodes lack.
COVARIATES = ["age", "bmi", "asa", "levels", "smoker", "diabetes", "female"]
CATEGORICAL = ["diagnosis"]
# Case mix for the adjusted comparisons: the same and the baseline scores (the baseline
# ODI, or NDI for neck operations, and leg pain); episodes without them are left out.
ADJUSTED_COVARIATES = [*COVARIATES, "baseline_disability", "baseline_nrs_leg"]
# MISS against open, within these groups (vertebral augmentation has no open counterpart).
COMPARED_GROUPS = ("decompression", "fusion")
ADJUSTED_RATES = ("complication", "major_complication", "ssi", "readmit_90", "reop_90")
ADJUSTED_MEANS = ("los_hours", "ebl_ml", "op_minutes", "odi_change_12m")
FUNNEL_OUTCOMES = ("major_complication", "readmit_90")
MIN_UNIT_EPISODES = 10  # surgeons or sites with fewer episodes are not plotted
MIN_COMPARED = 20  # fewer episodes in a procedure group: no comparison is attempted


def _number(value: Any) -> Any:
    """JSON has no NaN: a missing figure is null, never a made-up number."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {key: _clean(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(value) for value in obj]
    return _number(obj)


def _with_ci(events: int, n: int) -> dict[str, Any]:
    ci = stats.proportion_ci(events, n)
    return {"events": events, "n": n, "rate": ci.rate, "low": ci.low, "high": ci.high}


def _percent(part: dict[str, Any]) -> dict[str, Any]:
    return {
        f"pct{suffix}": None if part[key] is None else 100 * part[key]
        for key, suffix in (("rate", ""), ("low", "_low"), ("high", "_high"))
    }


def _estimate(estimate: Any) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "estimate": estimate.value,
        "low": estimate.low,
        "high": estimate.high,
        "p": estimate.p_value,
    }


def _effect(effect: Any) -> dict[str, Any]:
    return {
        "kind": effect.measure,
        "estimable": effect.estimable,
        "reason": effect.reason,
        "crude": _estimate(effect.crude),
        "adjusted": _estimate(effect.adjusted),
        "ci_method": effect.ci_method,
        "n": effect.n,
        "n_dropped": effect.n_dropped,
        "n_exposed": effect.n_exposed,
        "events": effect.events,
        "covariates": list(effect.covariates),
    }


def comparisons(registry: Registry, filters: Filters) -> list[dict[str, Any]]:
    """MISS (intention to treat: converted cases count as MISS) against open surgery,
    crude and adjusted for ADJUSTED_COVARIATES and CATEGORICAL, per procedure group; the
    models of a group share their case mix (adjustment.adjusted_effects)."""
    if filters.approach is not None:
        return []  # a view of one approach has no other to compare it with
    columns = [*ADJUSTED_COVARIATES, *CATEGORICAL, *ADJUSTED_RATES, *ADJUSTED_MEANS]
    frame = registry.frame(filters, ["procedure_group", "miss", *columns], groups=COMPARED_GROUPS)
    group_of = frame.pop("procedure_group").to_numpy()
    results = []
    for index, group in enumerate(COMPARED_GROUPS):
        subset = frame.take(np.flatnonzero(group_of == index))
        if len(subset) < MIN_COMPARED or subset["miss"].nunique() < 2:
            continue
        effects = adjustment.adjusted_effects(
            subset,
            "miss",
            [*ADJUSTED_COVARIATES, *CATEGORICAL],
            CATEGORICAL,
            odds_ratios=ADJUSTED_RATES,
            differences=ADJUSTED_MEANS,
        )
        for outcome, effect in effects.items():
            results.append({"procedure_group": group, "outcome": outcome, **_effect(effect)})
    return results


def _expected(registry: Registry, outcome: str) -> None:
    """Each episode's expected risk of ``outcome`` from the national case-mix model, fitted
    once per dataset on every episode and kept in DuckDB, so any filtered funnel is one
    aggregate query."""

    def fit() -> Any:
        columns = ["episode_key", outcome, *COVARIATES, *CATEGORICAL]
        frame = registry.frame(Filters(), columns)
        risks = adjustment.expected_risks(
            frame, outcome, [*COVARIATES, *CATEGORICAL], categorical=CATEGORICAL
        )
        return frame.assign(risk=risks)[["episode_key", "risk"]]

    registry.ensure_expected(outcome, fit)


def funnels(registry: Registry, filters: Filters) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for outcome in FUNNEL_OUTCOMES:
        try:
            _expected(registry, outcome)
        except stats.NotEstimableError as exc:
            # E.g. a programme whose operations are all too recent for a 90-day outcome.
            for unit in ("surgeon", "site"):
                result[f"{outcome}_by_{unit}"] = {
                    "outcome": outcome,
                    "label": RATE_OUTCOMES[outcome],
                    "unit": unit,
                    "overall_rate": None,
                    "reason": f"no national case-mix model: {exc.reason}",
                    "points": [],
                    "limits": {k: [] for k in ("n", "lower95", "upper95", "lower998", "upper998")},
                }
            continue
        for unit, column in (("surgeon", "surgeon_key"), ("site", "site")):
            counts = registry.funnel_counts(filters, outcome, column)
            units = [
                stats.UnitCounts(str(key), int(n), int(o), float(e))
                for key, n, o, e in counts
                if n >= MIN_UNIT_EPISODES
            ]
            total = sum(u.n for u in units)
            overall = sum(u.observed for u in units) / total if total else None
            points = stats.funnel(units, overall) if units and overall is not None else []
            limits = (
                stats.funnel_limits(
                    overall,
                    np.geomspace(MIN_UNIT_EPISODES, max(u.n for u in units) * 2, 60).round(),
                )
                if points and overall is not None
                else None
            )
            result[f"{outcome}_by_{unit}"] = {
                "outcome": outcome,
                "label": RATE_OUTCOMES[outcome],
                "unit": unit,
                "overall_rate": overall,
                "reason": None,
                "points": [
                    {
                        "label": p.unit,
                        "n": p.n,
                        "observed": p.observed,
                        "expected": p.expected,
                        "oe_ratio": p.oe_ratio,
                        "adjusted_rate": p.adjusted_rate,
                        "signal": p.flag,
                    }
                    for p in points
                ],
                "limits": {
                    "n": limits.n_grid.tolist() if limits else [],
                    **{
                        key: (getattr(limits, key).tolist() if limits else [])
                        for key in ("lower95", "upper95", "lower998", "upper998")
                    },
                },
            }
    return result


def _rates(registry: Registry, filters: Filters) -> list[dict[str, Any]]:
    return [
        {
            **row,
            **(ci := _with_ci(row["events"], row["n"])),
            **_percent(ci),
            "label": RATE_OUTCOMES[row["outcome"]],
        }
        for row in registry.rates(filters)
    ]


def _mcid(registry: Registry, filters: Filters) -> list[dict[str, Any]]:
    return [
        {
            "instrument": row["instrument"],
            "procedure_group": row["procedure_group"],
            "approach": row["approach"],
            "3m": _with_ci(row["improved_3m"], row["n_3m"]),
            "12m": _with_ci(row["improved_12m"], row["n_12m"]),
        }
        for row in registry.mcid(filters)
    ]


def _continuous(registry: Registry, filters: Filters) -> list[dict[str, Any]]:
    return [
        {**row, "label": CONTINUOUS_OUTCOMES[row["outcome"]]}
        for row in registry.continuous(filters)
    ]


# The report's figures, section by section: a dashboard chart needs only its own.
SECTIONS: dict[str, Callable[[Registry, Filters], Any]] = {
    "summary": lambda registry, filters: registry.summary(filters),
    "rates": _rates,
    "continuous": _continuous,
    "mcid": _mcid,
    "trajectories": lambda registry, filters: registry.trajectories(filters),
    "comparisons": comparisons,
    "funnels": funnels,
}


def _methods() -> dict[str, str]:
    return {
        "rates": "95 % Wilson score intervals",
        "mcid": "improvement of at least 30 % of the baseline score (Ostelo 2008; "
        "Asher 2020), among patients with both scores",
        "adjustment": "logistic (odds ratios) or linear (differences, HC3 errors) "
        "regression of the outcome on MISS and case mix: "
        + ", ".join(ADJUSTED_COVARIATES + CATEGORICAL)
        + " (episodes missing any of them are left out); the funnel plots' expected "
        "rates use the same case mix without the baseline scores, so that every episode "
        "has one",
        "funnels": "observed/expected from the national case-mix model; 95 % and 99.8 % "
        "limits (Spiegelhalter 2005)",
    }


def _assemble(registry: Registry, filters: Filters, sections: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "dataset": registry.manifest.get("dataset_version") or registry.manifest.get("version"),
        "filters": filters.to_json(),
        **{name: sections[name] for name in SECTIONS},
        "methods": _methods(),
    }


# Sections computed per (dataset, filters), most recently used last: a view asked for
# again (the dashboard, its charts, its PDF or a CSV) is answered from memory until a new
# dataset is loaded. The unfiltered view starts from the report kept in the store.
_CACHE_SIZE = 64
_cache: OrderedDict[tuple[Registry, Filters], dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()
_SLOW = frozenset({"comparisons"})
_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="registry-report")


def _sections(registry: Registry, filters: Filters, names: Iterable[str]) -> dict[str, Any]:
    key = (registry, filters)
    with _cache_lock:
        entry = _cache.get(key)
        if entry is None:
            entry = _cache[key] = {}
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        else:
            _cache.move_to_end(key)
    if filters.empty and not entry:
        stored = registry.stored_report(REPORT_VERSION)
        if stored is not None:
            entry.update({name: stored[name] for name in SECTIONS if name in stored})
    missing = [name for name in names if name not in entry]
    # The adjusted comparisons (NumPy, which releases the GIL) run on the second core while
    # this thread runs the DuckDB queries of the other sections.
    ahead = {
        name: _background.submit(SECTIONS[name], registry, filters)
        for name in missing
        if name in _SLOW and len(missing) > 1
    }
    for name in missing:
        # Two requests may compute the same section at once; both get the same figures.
        if name not in ahead:
            entry[name] = _clean(SECTIONS[name](registry, filters))
    for name, future in ahead.items():
        entry[name] = _clean(future.result())
    return {name: entry[name] for name in names}


def build_report(registry: Registry, filters: Filters) -> dict[str, Any]:
    """The report for a filtered view (every section)."""
    return _assemble(registry, filters, _sections(registry, filters, SECTIONS))


def build_section(registry: Registry, filters: Filters, name: str) -> Any:
    """One section of the report for a filtered view (SECTIONS names them)."""
    if name not in SECTIONS:
        raise KeyError(name)
    return _sections(registry, filters, [name])[name]


def forget_reports() -> None:
    with _cache_lock:
        _cache.clear()


def compute_report(registry: Registry, filters: Filters) -> dict[str, Any]:
    """The report computed afresh, without the cache (the analytics store keeps the
    unfiltered one)."""
    return _assemble(
        registry,
        filters,
        {name: _clean(build(registry, filters)) for name, build in SECTIONS.items()},
    )


def prepare_expected(registry: Registry) -> None:
    """Fit the national case-mix models of the funnel plots now, not at the first view."""
    for outcome in FUNNEL_OUTCOMES:
        # A model that cannot be fitted is said so in the funnels (see funnels).
        with contextlib.suppress(stats.NotEstimableError):
            _expected(registry, outcome)


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flat(value, f"{name}_"))
        elif isinstance(value, list):
            flat[name] = ";".join(str(v) for v in value)
        else:
            flat[name] = value
    return flat


def table_rows(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """One section of the report as flat rows, for CSV."""
    if name == "funnels":
        return [
            {"outcome": f["outcome"], "unit": f["unit"], **_flat(point)}
            for f in report["funnels"].values()
            for point in f["points"]
        ]
    return [_flat(row) for row in report[name]]
