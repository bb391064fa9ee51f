"""The registry report: every figure of the dashboards, as one JSON-ready dict.

`spinepath registry report --json` prints it, the dashboards draw it, the PDF prints it
and the CSV downloads are its tables. Rates carry 95 % confidence intervals; MISS is
compared with open surgery within each procedure group, crude and adjusted for case mix;
surgeons and sites are compared on funnel plots of risk-adjusted rates.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np

from spinepath.registry import stats
from spinepath.registry.analytics import (
    CONTINUOUS_OUTCOMES,
    RATE_OUTCOMES,
    Filters,
    Registry,
)

REPORT_VERSION = "2026.11-1"

# Case mix for the adjusted comparisons and the funnel plots' expected rates.
COVARIATES = ["age", "bmi", "asa", "levels", "smoker", "diabetes", "female"]
CATEGORICAL = ["diagnosis"]
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


def _case_mix(frame: Any) -> Any:
    frame = frame.copy()
    frame["female"] = (frame["sex"] == "female").astype(float)
    frame["miss"] = frame["approach"].isin(["miss", "converted"]).astype(float)
    for column in ("smoker", "diabetes"):
        frame[column] = frame[column].astype(float)
    return frame


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
    """MISS (intention to treat: converted cases count as MISS) against open surgery."""
    columns = [
        "procedure_group",
        "approach",
        "sex",
        "diagnosis",
        *[c for c in COVARIATES if c != "female"],
        *ADJUSTED_RATES,
        *[c for c in ADJUSTED_MEANS if c != "odi_change_12m"],
        "odi_change_12m",
    ]
    frame = _case_mix(registry.frame(filters, columns))
    results = []
    for group in COMPARED_GROUPS:
        subset = frame[frame["procedure_group"] == group]
        if len(subset) < MIN_COMPARED or subset["miss"].nunique() < 2:
            continue
        for outcome in ADJUSTED_RATES:
            data = subset.assign(**{outcome: subset[outcome].astype(float)})
            effect = stats.adjusted_odds_ratio(
                data, outcome, "miss", [*COVARIATES, *CATEGORICAL], categorical=CATEGORICAL
            )
            results.append({"procedure_group": group, "outcome": outcome, **_effect(effect)})
        for outcome in ADJUSTED_MEANS:
            effect = stats.adjusted_difference(
                subset, outcome, "miss", [*COVARIATES, *CATEGORICAL], categorical=CATEGORICAL
            )
            results.append({"procedure_group": group, "outcome": outcome, **_effect(effect)})
    return results


def _expected(registry: Registry, outcome: str) -> None:
    """Each episode's expected risk of ``outcome`` from the national case-mix model, fitted
    once per dataset on every episode and kept in DuckDB, so any filtered funnel is one
    aggregate query."""

    def fit() -> Any:
        columns = ["episode_key", "sex", "diagnosis", "approach", outcome]
        columns += [c for c in COVARIATES if c != "female"]
        frame = _case_mix(registry.frame(Filters(), columns))
        frame[outcome] = frame[outcome].astype(float)
        risks = stats.expected_risks(
            frame, outcome, [*COVARIATES, *CATEGORICAL], categorical=CATEGORICAL
        )
        return frame.assign(risk=risks)[["episode_key", "risk"]]

    registry.ensure_expected(outcome, fit)


def funnels(registry: Registry, filters: Filters) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for outcome in FUNNEL_OUTCOMES:
        _expected(registry, outcome)
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


def build_report(registry: Registry, filters: Filters) -> dict[str, Any]:
    """The report for a filtered view; a view asked for again (the dashboard, then its
    PDF or a CSV) is answered from memory until a new dataset is loaded."""
    return _cached_report(registry, filters)


def forget_reports() -> None:
    _cached_report.cache_clear()


@lru_cache(maxsize=64)
def _cached_report(registry: Registry, filters: Filters) -> dict[str, Any]:
    return _build(registry, filters)


def _build(registry: Registry, filters: Filters) -> dict[str, Any]:
    rates = [
        {
            **row,
            **(ci := _with_ci(row["events"], row["n"])),
            **_percent(ci),
            "label": RATE_OUTCOMES[row["outcome"]],
        }
        for row in registry.rates(filters)
    ]
    mcid = []
    for row in registry.mcid(filters):
        at_3m = _with_ci(row["improved_3m"], row["n_3m"])
        at_12m = _with_ci(row["improved_12m"], row["n_12m"])
        mcid.append(
            {
                "instrument": row["instrument"],
                "procedure_group": row["procedure_group"],
                "approach": row["approach"],
                "3m": at_3m,
                "12m": at_12m,
            }
        )
    continuous = [
        {**row, "label": CONTINUOUS_OUTCOMES[row["outcome"]]}
        for row in registry.continuous(filters)
    ]
    report = {
        "version": REPORT_VERSION,
        "dataset": registry.manifest.get("dataset_version") or registry.manifest.get("version"),
        "filters": filters.to_json(),
        "summary": registry.summary(filters),
        "rates": rates,
        "continuous": continuous,
        "mcid": mcid,
        "trajectories": registry.trajectories(filters),
        "comparisons": comparisons(registry, filters),
        "funnels": funnels(registry, filters),
        "methods": {
            "rates": "95 % Wilson score intervals",
            "mcid": "improvement of at least 30 % of the baseline score (Ostelo 2008; "
            "Asher 2020), among patients with both scores",
            "adjustment": "logistic (odds ratios) or linear (differences, HC3 errors) "
            "regression of the outcome on MISS and case mix: "
            + ", ".join(COVARIATES + CATEGORICAL),
            "funnels": "observed/expected from the national case-mix model; 95 % and 99.8 % "
            "limits (Spiegelhalter 2005)",
        },
    }
    return _clean(report)


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
