"""The recovery charts: valid Vega-Lite, rendered offline to SVG, with honest summaries."""

from __future__ import annotations

import altair as alt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinepath.charts import SCHEMA
from spinepath.clinical.discharge_plan import ProcedureGroup
from spinepath.clinical.recovery_course import Measure, expected_course
from spinepath.clinical.triage import TaperPoint
from spinepath.recovery.charts import course_chart, opioid_chart


def _valid(spec: dict) -> None:
    # Altair parses the dict against the Vega-Lite schema it ships and raises on any error.
    alt.LayerChart.from_dict(spec, validate=True)


def test_the_schema_named_is_the_one_altair_validates_against():
    assert SCHEMA == alt.SCHEMA_URL


def test_a_pain_chart_has_band_target_and_own_values():
    course = expected_course(Measure.LEG_PAIN, ProcedureGroup.DECOMPRESSION_MISS, 8.0)
    chart = course_chart(
        title="Leg pain",
        y_title="Leg pain",
        y_max=10,
        actual=[(1, 6), (2, 5), (3, 4)],
        course=course,
        until_day=42,
    )
    _valid(chart.spec)
    marks = [layer["mark"]["type"] for layer in chart.spec["layer"]]
    assert marks == ["area", "line", "rule", "line", "point"]
    assert chart.spec["layer"][2]["data"]["values"] == [{"target": course.target}]
    assert chart.summary.startswith("Leg pain: latest 4 on day 3; the grey band")
    assert "hoped-for improvement (5.6)" in chart.summary  # 30 % below a baseline of 8
    svg = str(chart.svg)
    assert svg.startswith('<svg aria-hidden="true"')
    assert "<script" not in svg
    assert "Days after surgery" in svg


def test_without_baseline_or_values_the_chart_says_so_and_still_renders():
    chart = course_chart(
        title="Back pain", y_title="Back pain", y_max=10, actual=[], course=None, until_day=42
    )
    _valid(chart.spec)
    assert chart.summary == "Back pain: no values recorded yet."
    assert "<svg" in str(chart.svg)


def test_the_opioid_chart_draws_the_taper_as_steps_to_the_end_of_the_span():
    taper = [TaperPoint(0, 30.0), TaperPoint(2, 22.5), TaperPoint(4, 0.0)]
    chart = opioid_chart(actual=[(1, 30.0), (3, 15.0)], taper=taper, until_day=42)
    _valid(chart.spec)
    steps = chart.spec["layer"][0]
    assert steps["mark"]["interpolate"] == "step-after"
    assert steps["data"]["values"][-1] == {"day": 42, "mme": 0.0}
    assert chart.summary.startswith("Strong painkillers (MME a day): latest 15 MME a day on day 3")


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(-5, 400), st.floats(0, 10, allow_nan=False)), max_size=40
    ),
    until=st.integers(1, 365),
)
def test_any_series_gives_a_valid_spec_with_only_days_in_the_span(values, until):
    chart = course_chart(
        title="Leg pain",
        y_title="Leg pain",
        y_max=10,
        actual=values,
        course=None,
        until_day=until,
    )
    _valid(chart.spec)
    for layer in chart.spec["layer"]:
        for row in layer["data"]["values"]:
            assert 0 <= row["day"] <= until


@pytest.mark.parametrize("group", list(ProcedureGroup))
def test_walking_course_for_every_procedure_group_is_valid(group):
    course = expected_course(Measure.WALKING, group, None)
    chart = course_chart(
        title="Walking",
        y_title="Minutes",
        y_max=None,
        actual=[(1, 10)],
        course=course,
        until_day=90,
    )
    _valid(chart.spec)
