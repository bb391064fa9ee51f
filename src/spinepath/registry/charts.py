"""The registry's charts as Vega-Lite specs (spinepath.charts renders them to SVG).

Each function takes a part of the report (report.build_report) and returns a Chart with a
title, the spec and a sentence that says what it shows, for screen readers and print.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from spinepath.charts import SCHEMA, Spec, render_svg

WIDTH = 420
APPROACH_COLOURS = {
    "domain": ["miss", "converted", "open"],
    "range": ["#1d4ed8", "#7c3aed", "#b45309"],
}
APPROACH_LABELS = {"miss": "MISS", "converted": "MISS converted", "open": "Open"}
LABELS = {"labelLimit": 320}  # long outcome names are not cut short
TIMEPOINT_ORDER = ["baseline", "2w", "6w", "3m", "12m", "24m"]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    spec: Spec
    summary: str

    @property
    def svg(self) -> SafeString:
        return render_svg(self.spec)


def _colour() -> Spec:
    return {"field": "approach", "type": "nominal", "title": "Approach", "scale": APPROACH_COLOURS}


def _top(layers: list[Spec], height: int, **extra: Any) -> Spec:
    return {"$schema": SCHEMA, "width": WIDTH, "height": height, "layer": layers, **extra}


def rates_chart(rates: Sequence[dict[str, Any]], group: str) -> Chart:
    """Each outcome's rate and 95 % CI, MISS and open side by side."""
    rows = [
        {
            "label": r["label"],
            "approach": r["approach"],
            "rate": 100 * r["rate"],
            "low": 100 * r["low"],
            "high": 100 * r["high"],
            "n": r["n"],
        }
        for r in rates
        if r["procedure_group"] == group and r["rate"] is not None and r["outcome"] != "same_day"
    ]
    y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": LABELS}
    data = {"values": rows}
    layers = [
        {
            "data": data,
            "mark": {"type": "rule"},
            "encoding": {
                "y": y,
                "yOffset": {"field": "approach"},
                "x": {"field": "low", "type": "quantitative", "title": "% of episodes (95 % CI)"},
                "x2": {"field": "high"},
                "color": _colour(),
            },
        },
        {
            "data": data,
            "mark": {"type": "point", "filled": True},
            "encoding": {
                "y": y,
                "yOffset": {"field": "approach"},
                "x": {"field": "rate", "type": "quantitative"},
                "color": _colour(),
            },
        },
    ]
    summary = "; ".join(
        f"{r['label']} {APPROACH_LABELS.get(r['approach'], r['approach'])} {r['rate']:.1f} %"
        for r in rows
    )
    return Chart(
        key=f"rates-{group}",
        title=f"Complications, readmissions and reoperations: {group}",
        spec=_top(layers, 28 * max(1, len({r["label"] for r in rows}))),
        summary=summary or "No episodes.",
    )


def mcid_chart(mcid: Sequence[dict[str, Any]], instrument: str = "odi") -> Chart:
    rows = []
    for r in mcid:
        if r["instrument"] != instrument:
            continue
        for when in ("3m", "12m"):
            part = r[when]
            if part["rate"] is None:
                continue
            rows.append(
                {
                    "group": f"{r['procedure_group']} · {when}",
                    "approach": r["approach"],
                    "rate": 100 * part["rate"],
                    "low": 100 * part["low"],
                    "high": 100 * part["high"],
                }
            )
    data = {"values": rows}
    y = {"field": "group", "type": "nominal", "title": None, "sort": None, "axis": LABELS}
    layers = [
        {
            "data": data,
            "mark": {"type": "bar"},
            "encoding": {
                "y": y,
                "yOffset": {"field": "approach"},
                "x": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": "% improved by at least 30 % (95 % CI)",
                    "scale": {"domain": [0, 100]},
                },
                "color": _colour(),
            },
        },
        {
            "data": data,
            "mark": {"type": "rule", "color": "#111827"},
            "encoding": {
                "y": y,
                "yOffset": {"field": "approach"},
                "x": {"field": "low", "type": "quantitative"},
                "x2": {"field": "high"},
            },
        },
    ]
    summary = "; ".join(
        f"{r['group']} {APPROACH_LABELS.get(r['approach'], r['approach'])} {r['rate']:.0f} %"
        for r in rows
    )
    return Chart(
        key=f"mcid-{instrument}",
        title=f"Clinically important improvement in {instrument.upper()} at 3 and 12 months",
        spec=_top(layers, 30 * max(1, len({r["group"] for r in rows}))),
        summary=summary or "No patients with both scores yet.",
    )


def trajectory_chart(trajectories: Sequence[dict[str, Any]], instrument: str = "odi") -> Chart:
    rows = [
        {
            "timepoint": r["timepoint"],
            "series": f"{r['procedure_group']} {APPROACH_LABELS.get(r['approach'], r['approach'])}",
            "approach": r["approach"],
            "group": r["procedure_group"],
            "mean": r["mean"],
            "n": r["n"],
        }
        for r in trajectories
        if r["instrument"] == instrument and r["mean"] is not None
    ]
    encoding = {
        "x": {"field": "timepoint", "type": "ordinal", "sort": TIMEPOINT_ORDER, "title": None},
        "y": {"field": "mean", "type": "quantitative", "title": f"Mean {instrument.upper()}"},
        "color": _colour(),
        "detail": {"field": "series"},
        "strokeDash": {"field": "group", "type": "nominal", "title": "Procedure"},
    }
    layers = [
        {"data": {"values": rows}, "mark": {"type": "line", "point": True}, "encoding": encoding}
    ]
    final = [r for r in rows if r["timepoint"] == "12m"]
    summary = "; ".join(f"{r['series']} {r['mean']:.1f} at 12 months" for r in final)
    return Chart(
        key=f"trajectory-{instrument}",
        title=f"{instrument.upper()} after surgery (mean by time point)",
        spec=_top(layers, 200),
        summary=summary or "No scores.",
    )


def forest_chart(comparisons: Sequence[dict[str, Any]]) -> Chart:
    """Adjusted odds ratios of MISS against open, with 95 % CIs, on a log scale."""
    rows = [
        {
            "label": f"{c['procedure_group']}: {c['outcome'].replace('_', ' ')}",
            "or": c["adjusted"]["estimate"],
            "low": c["adjusted"]["low"],
            "high": c["adjusted"]["high"],
        }
        for c in comparisons
        if c.get("kind") == "odds_ratio" and c.get("estimable") and c["adjusted"]["estimate"]
    ]
    y = {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": LABELS}
    x_scale = {"type": "log"}
    data = {"values": rows}
    layers = [
        {
            "data": {"values": [{"one": 1}]},
            "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#6b7280"},
            "encoding": {"x": {"field": "one", "type": "quantitative", "scale": x_scale}},
        },
        {
            "data": data,
            "mark": {"type": "rule", "color": "#111827"},
            "encoding": {
                "y": y,
                "x": {
                    "field": "low",
                    "type": "quantitative",
                    "scale": x_scale,
                    "title": "Adjusted odds ratio, MISS vs open (95 % CI, log scale)",
                },
                "x2": {"field": "high"},
            },
        },
        {
            "data": data,
            "mark": {"type": "point", "filled": True, "color": "#1d4ed8", "size": 60},
            "encoding": {"y": y, "x": {"field": "or", "type": "quantitative", "scale": x_scale}},
        },
    ]
    summary = "; ".join(
        f"{r['label']} OR {r['or']:.2f} ({r['low']:.2f} to {r['high']:.2f})" for r in rows
    )
    return Chart(
        key="forest",
        title="MISS against open surgery, adjusted for case mix",
        spec=_top(layers, 24 * max(1, len(rows))),
        summary=summary or "Too few episodes of one approach to compare.",
    )


def funnel_chart(funnel: dict[str, Any]) -> Chart:
    unit = funnel["unit"]
    outcome = funnel.get("label", funnel["outcome"].replace("_", " "))
    points = [
        {**p, "rate": 100 * p["adjusted_rate"], "label": p["label"]}
        for p in funnel["points"]
        if p["adjusted_rate"] is not None
    ]
    limits = funnel["limits"]
    lines = []
    for key, name in (
        ("lower95", "95 %"),
        ("upper95", "95 %"),
        ("lower998", "99.8 %"),
        ("upper998", "99.8 %"),
    ):
        for n, value in zip(limits["n"], limits[key], strict=True):
            if value is not None:
                lines.append({"n": n, "rate": 100 * value, "limit": name, "side": key})
    x = {
        "field": "n",
        "type": "quantitative",
        "title": f"Episodes per {unit}",
        "scale": {"type": "log"},
    }
    y = {"field": "rate", "type": "quantitative", "title": "Risk-adjusted rate (%)"}
    overall = 100 * (funnel["overall_rate"] or 0)
    layers = [
        {
            "data": {"values": lines},
            "mark": {"type": "line", "color": "#6b7280"},
            "encoding": {
                "x": x,
                "y": y,
                "detail": {"field": "side"},
                "strokeDash": {
                    "field": "limit",
                    "type": "nominal",
                    "title": "Control limit",
                    "scale": {"domain": ["95 %", "99.8 %"], "range": [[4, 3], [1, 0]]},
                },
            },
        },
        {
            "data": {"values": [{"rate": overall}]},
            "mark": {"type": "rule", "color": "#15803d"},
            "encoding": {"y": {"field": "rate", "type": "quantitative"}},
        },
        {
            "data": {"values": points},
            "mark": {"type": "point", "filled": True, "opacity": 0.7},
            "encoding": {
                "x": {"field": "n", "type": "quantitative", "scale": {"type": "log"}},
                "y": {"field": "rate", "type": "quantitative"},
                "color": {
                    "field": "signal",
                    "type": "nominal",
                    "title": "Signal",
                    "scale": {
                        "domain": ["inside", "above_95", "above_998", "below_95", "below_998"],
                        "range": ["#6b7280", "#d97706", "#b91c1c", "#2563eb", "#1e40af"],
                    },
                },
            },
        },
    ]
    above = [p for p in points if p.get("signal") == "above_998"]
    summary = (
        f"Not estimable: {funnel['reason']}"
        if funnel.get("reason")
        else f"{len(points)} {unit}s; overall {overall:.1f} %; {len(above)} above the 99.8 % limit"
    )
    return Chart(
        key=f"funnel-{funnel['outcome']}-{unit}",
        title=f"{outcome} by {unit}, risk-adjusted",
        spec=_top(layers, 240),
        summary=summary,
    )


def section_charts(section: str, part: Any) -> list[Chart]:
    """The charts drawn from one section of the report (report.SECTIONS)."""
    if section == "mcid":
        return [mcid_chart(part)]
    if section == "trajectories":
        return [trajectory_chart(part)]
    if section == "comparisons":
        return [forest_chart(part)]
    if section == "rates":
        return [rates_chart(part, group) for group in sorted({r["procedure_group"] for r in part})]
    if section == "funnels":
        return [funnel_chart(f) for f in part.values()]
    return []


# Chart keys are made of outcome, unit and group names: lower case, digits, _ and -.
_KEY = re.compile(r"[a-z0-9_-]{1,80}")
# The report's sections that have charts, in the dashboard's order.
CHARTED = ("mcid", "trajectories", "comparisons", "rates", "funnels")


def chart_section(key: str) -> str | None:
    """The section a chart key (Chart.key) is drawn from; None for no such chart."""
    if not _KEY.fullmatch(key):
        return None
    prefix = key.split("-", 1)[0]
    section = {"trajectory": "trajectories", "forest": "comparisons", "funnel": "funnels"}.get(
        prefix, prefix
    )
    return section if section in CHARTED else None


def report_charts(report: dict[str, Any]) -> list[Chart]:
    return [chart for section in CHARTED for chart in section_charts(section, report[section])]
