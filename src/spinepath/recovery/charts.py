"""Recovery charts (spinepath.charts renders them): the patient's own values over the
expected course, and reported opioids against the taper. Each chart comes with a text
summary for screen readers; tests/recovery/test_charts.py checks the specs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from spinepath.charts import SCHEMA, Spec, render_svg
from spinepath.clinical.recovery_course import ExpectedCourse
from spinepath.clinical.triage import TaperPoint

WIDTH, HEIGHT = 320, 170
PATIENT_COLOUR = "#1d4ed8"
COURSE_COLOUR = "#6b7280"
TARGET_COLOUR = "#15803d"


@dataclass(frozen=True)
class Chart:
    title: str
    spec: Spec
    summary: str  # what the chart shows, in words

    @property
    def svg(self) -> SafeString:
        return render_svg(self.spec)


def _x(until_day: int) -> Spec:
    return {
        "field": "day",
        "type": "quantitative",
        "title": "Days after surgery",
        "scale": {"domain": [0, until_day]},
    }


def _y(field: str, title: str, y_max: float | None) -> Spec:
    scale: Spec = {"domain": [0, y_max]} if y_max is not None else {"zero": True}
    return {"field": field, "type": "quantitative", "title": title, "scale": scale}


def _own_values(rows: list[Spec], x: Spec, y: Spec) -> list[Spec]:
    data = {"values": rows}
    return [
        {
            "data": data,
            "mark": {"type": "line", "color": PATIENT_COLOUR},
            "encoding": {"x": x, "y": y},
        },
        {
            "data": data,
            "mark": {"type": "point", "color": PATIENT_COLOUR, "filled": True, "size": 30},
            "encoding": {"x": x, "y": y},
        },
    ]


def _chart(title: str, layers: list[Spec], x: Spec, words: list[str]) -> Chart:
    if not layers:  # an empty frame, so the axes still show the time span
        layers = [
            {
                "data": {"values": [{"day": 0}]},
                "mark": {"type": "point", "opacity": 0},
                "encoding": {"x": x},
            }
        ]
    spec = {"$schema": SCHEMA, "width": WIDTH, "height": HEIGHT, "layer": layers}
    return Chart(title=title, spec=spec, summary=f"{title}: " + "; ".join(words) + ".")


def course_chart(
    *,
    title: str,
    y_title: str,
    y_max: float | None,
    actual: Sequence[tuple[int, float]],
    course: ExpectedCourse | None,
    until_day: int,
) -> Chart:
    """The patient's own values (days after surgery) over the expected band and target."""
    x = _x(until_day)
    layers: list[Spec] = []
    words = []
    if course is not None and course.points:
        band = {
            "values": [
                {"day": p.day, "low": p.low, "high": p.high, "expected": p.expected}
                for p in course.points
                if p.day <= until_day
            ]
        }
        layers.append(
            {
                "data": band,
                "mark": {"type": "area", "color": COURSE_COLOUR, "opacity": 0.15},
                "encoding": {"x": x, "y": _y("low", y_title, y_max), "y2": {"field": "high"}},
            }
        )
        layers.append(
            {
                "data": band,
                "mark": {"type": "line", "color": COURSE_COLOUR, "strokeDash": [4, 3]},
                "encoding": {"x": x, "y": _y("expected", y_title, y_max)},
            }
        )
        words.append("the grey band is the expected course for this operation")
        if course.target is not None:
            layers.append(
                {
                    "data": {"values": [{"target": course.target}]},
                    "mark": {"type": "rule", "color": TARGET_COLOUR, "strokeDash": [2, 2]},
                    "encoding": {"y": _y("target", y_title, y_max)},
                }
            )
            words.append(f"the green line is the hoped-for improvement ({course.target:g})")
    rows = [{"day": day, "value": value} for day, value in actual if 0 <= day <= until_day]
    if rows:
        layers.extend(_own_values(rows, x, _y("value", y_title, y_max)))
        words.insert(0, f"latest {rows[-1]['value']:g} on day {rows[-1]['day']}")
    else:
        words.insert(0, "no values recorded yet")
    return _chart(title, layers, x, words)


def opioid_chart(
    *, actual: Sequence[tuple[int, float]], taper: Sequence[TaperPoint], until_day: int
) -> Chart:
    """Reported MME/day against the plan's taper, a step line."""
    x = _x(until_day)
    y = _y("mme", "MME a day", None)
    layers: list[Spec] = []
    words = []
    if taper:
        steps = [{"day": p.day, "mme": p.mme_per_day} for p in taper]
        steps.append({"day": until_day, "mme": taper[-1].mme_per_day})
        layers.append(
            {
                "data": {"values": steps},
                "mark": {
                    "type": "line",
                    "interpolate": "step-after",
                    "color": COURSE_COLOUR,
                    "strokeDash": [4, 3],
                },
                "encoding": {"x": x, "y": y},
            }
        )
        words.append("the dashed line is the taper plan")
    rows = [{"day": day, "mme": value} for day, value in actual if 0 <= day <= until_day]
    if rows:
        layers.extend(_own_values(rows, x, y))
        words.insert(0, f"latest {rows[-1]['mme']:g} MME a day on day {rows[-1]['day']}")
    else:
        words.insert(0, "no painkillers reported yet")
    return _chart("Strong painkillers (MME a day)", layers, x, words)
