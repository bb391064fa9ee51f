"""Registry analytics at scale (issue 7, item 6): DuckDB against plain pandas and PostgreSQL.

A synthetic registry (spinepath.registry.synth) of SPINEPATH_BENCH_EPISODES episodes is
generated once and kept under the temporary directory, keyed by its size, seed and the
generator's source, so a national-scale run does not regenerate a million episodes each time.
The default (20,000 episodes) keeps CI fast: CI runs every benchmark once, untimed
(--benchmark-disable). The figures in docs/performance.md come from::

    SPINEPATH_BENCH_EPISODES=1000000 OPENBLAS_NUM_THREADS=1 .venv/bin/python -m pytest \\
        benchmarks/test_bench_registry.py -p no:xdist -p no:randomly --benchmark-only \\
        --benchmark-columns=min,median,mean,max,rounds -q

The descriptive report (summary, rates, continuous outcomes with quartiles, MCID at 3 and 12
months, questionnaire trajectories) is computed three ways:

* DuckDB: spinepath.registry.analytics.Registry opened through its analytics store
  (spinepath.registry.store), as the dashboards use it;
* pandas: the same figures written plainly with read_parquet, merge and groupby, from the
  episodes and the raw questionnaire answers on every call (no cube);
* PostgreSQL: the three tables copied into a schema of their own (COPY from Arrow as CSV), the
  same derived tables and cubes, and the same SQL (PostgreSQL's dialect: GROUP BY positions,
  percentile_cont ... WITHIN GROUP for quantile_cont, explicit casts where DuckDB's types
  differ). Skipped, with the reason, when PostgreSQL does not answer.

Every pandas and PostgreSQL result is checked against DuckDB's, outside the timed code: each
count exactly, each mean and quantile to 1e-6 relative, each SD to 1e-4 (see SD_REL). No time
is ever asserted.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
import pytest

from spinepath.charts import forget_rendered
from spinepath.registry import report, store, synth
from spinepath.registry.analytics import (
    CONTINUOUS_OUTCOMES,
    MCID_FRACTION,
    MCID_INSTRUMENTS,
    RATE_OUTCOMES,
    TIMEPOINTS,
    Filters,
    Registry,
)
from spinepath.registry.charts import chart_section, report_charts, section_charts
from spinepath.registry.dataset import DATASET_VERSION, TABLES

EPISODES = int(os.environ.get("SPINEPATH_BENCH_EPISODES", "20000"))
SEED = 20261124
BIG = EPISODES >= 200_000  # fewer rounds: a round can take seconds
POSTGRES_URL = os.environ.get(
    "SPINEPATH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
GROUPS = ["procedure_group", "approach"]
QUARTILES = (0.25, 0.5, 0.75)
REL = 1e-6  # tolerance on means and quantiles between engines
# ... and on SDs: the trajectory cube squares the float32 score in float32 (as the SQL says),
# so its SD of a small, tight group (the EQ-5D index) is a few parts per million off pandas'
# two-pass SD.
SD_REL = 1e-4

# Seconds spent outside the timed code (loads, first fits), printed at the end of the module,
# with other figures that are not timings (memory).
SETUP_SECONDS: dict[str, float] = {}
FIGURES: dict[str, str] = {}


def rounds(small: int, big: int) -> int:
    return big if BIG else small


# ---------------------------------------------------------------------------------------
# The dataset and the filters
# ---------------------------------------------------------------------------------------


def _dataset_dir() -> Path:
    """The cached synthetic dataset for EPISODES and SEED, generated if absent."""
    params = synth.SynthParams(episodes=EPISODES)
    key = hashlib.sha256(
        json.dumps(
            {"params": params.to_json(), "version": DATASET_VERSION, "seed": SEED},
            sort_keys=True,
        ).encode()
        + Path(synth.__file__).read_bytes()
    ).hexdigest()[:12]
    cached = Path(tempfile.gettempdir()) / f"spinepath-bench-registry-{EPISODES}-{SEED}-{key}"
    if (cached / "manifest.json").is_file():
        return cached
    # Generated beside it and renamed into place, so a run never sees half a dataset.
    scratch = Path(tempfile.mkdtemp(prefix=f"{cached.name}.partial-", dir=cached.parent))
    try:
        synth.generate(scratch / "data", params, seed=SEED)
        try:
            (scratch / "data").rename(cached)
        except OSError:  # another run got there first
            if not (cached / "manifest.json").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return cached


@pytest.fixture(scope="module")
def data_dir() -> Path:
    started = time.perf_counter()
    path = _dataset_dir()
    SETUP_SECONDS["dataset (generated or found)"] = time.perf_counter() - started
    return path


@pytest.fixture(scope="module")
def manifest(data_dir: Path) -> dict[str, Any]:
    return json.loads((data_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def views(manifest: dict[str, Any]) -> dict[str, Filters]:
    """The filtered views: everything, the busiest site (the slowest single-site view), the
    last year, and one procedure over the last two years."""
    by_site: dict[str, int] = {}
    for rel, entry in manifest["partitions"].items():
        site = rel.split("/")[0].removeprefix("site=")
        by_site[site] = by_site.get(site, 0) + entry["rows"]["episodes"]
    busiest = max(sorted(by_site), key=by_site.__getitem__)
    last_year = manifest["params"]["start_year"] + manifest["params"]["years"] - 1
    return {
        "unfiltered": Filters(),
        "one_site": Filters(site=busiest),
        "one_year": Filters(year_from=last_year, year_to=last_year),
        "year_procedure": Filters(year_from=last_year - 1, procedure="tubular_microdiscectomy"),
    }


@pytest.fixture(scope="module", autouse=True)
def _print_setup_times(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and (SETUP_SECONDS or FIGURES):
        figures = ", ".join(
            [f"{name} {seconds:.1f} s" for name, seconds in SETUP_SECONDS.items()]
            + [f"{name} {value}" for name, value in FIGURES.items()]
        )
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nregistry benchmarks at {EPISODES:,} episodes, untimed setup: {figures}"
            )


# ---------------------------------------------------------------------------------------
# Comparing the engines' figures
# ---------------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _close(a: Any, b: Any, rel: float = REL) -> bool:
    a, b = _float(a), _float(b)
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def assert_same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every figure of two descriptive reports: counts equal, the rest to REL."""
    assert {k: got["summary"][k] for k in ("episodes", "sites", "surgeons", "patients")} == {
        k: expected["summary"][k] for k in ("episodes", "sites", "surgeons", "patients")
    }
    assert [int(y) for y in got["summary"]["years"]] == expected["summary"]["years"]
    assert {k: int(v) for k, v in got["summary"]["by_approach"].items()} == expected["summary"][
        "by_approach"
    ]

    def keyed(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
        return {tuple(row[k] for k in keys): row for row in rows}

    sections: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
        # section: (key columns, counts compared exactly, figures compared to REL)
        "rates": (("outcome", *GROUPS), ("events", "n"), ()),
        "continuous": (("outcome", *GROUPS), ("n",), ("mean", "sd", "q1", "median", "q3")),
        "mcid": (
            ("instrument", *GROUPS),
            ("n_3m", "improved_3m", "n_12m", "improved_12m"),
            (),
        ),
        "trajectories": (("instrument", "timepoint", *GROUPS), ("n",), ("mean", "sd")),
    }
    for section, (keys, counts, figures) in sections.items():
        mine, theirs = keyed(got[section], keys), keyed(expected[section], keys)
        assert mine.keys() == theirs.keys(), section
        for key, row in theirs.items():
            for column in counts:
                assert int(mine[key][column]) == int(row[column]), (section, key, column)
            for column in figures:
                rel = SD_REL if column == "sd" else REL
                assert _close(mine[key][column], row[column], rel), (
                    section,
                    key,
                    column,
                    mine[key][column],
                    row[column],
                )


_REFERENCE: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def reference(registry: Registry, views: dict[str, Filters]) -> Callable[[str], dict[str, Any]]:
    """DuckDB's descriptive report for a view, computed once (untimed), to check the others."""

    def get(view: str) -> dict[str, Any]:
        if view not in _REFERENCE:
            _REFERENCE[view] = duckdb_descriptive(registry, views[view])
        return _REFERENCE[view]

    _REFERENCE.clear()
    return get


# ---------------------------------------------------------------------------------------
# DuckDB (the application's code)
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry(data_dir: Path) -> Registry:
    """The dataset as the dashboards open it: through its analytics store (built once per
    dataset version and kept beside the cached dataset; a first run builds it here)."""
    started = time.perf_counter()
    store.prepare(data_dir)
    SETUP_SECONDS["analytics store (built or found)"] = time.perf_counter() - started
    return store.open_registry(data_dir, memory_limit="1GB")


def duckdb_descriptive(registry: Registry, filters: Filters) -> dict[str, Any]:
    return {
        "summary": registry.summary(filters),
        "rates": registry.rates(filters),
        "continuous": registry.continuous(filters),
        "mcid": registry.mcid(filters),
        "trajectories": registry.trajectories(filters),
    }


def test_duckdb_store_build(benchmark, data_dir: Path, manifest: dict[str, Any], tmp_path) -> None:
    """Everything done once per dataset version: the Parquet files loaded into a DuckDB file
    with the cubes, the national risk models fitted, the unfiltered report computed."""
    target = tmp_path / "store.duckdb"
    benchmark.pedantic(
        store._build, args=(data_dir, target, lambda stage: None), rounds=1, iterations=1
    )
    built = Registry(data_dir, database=target, read_only=True)
    with built.cursor() as db:
        episodes = db.execute("SELECT count(*) FROM episodes").fetchone()[0]
        answers = db.execute("SELECT sum(n) FROM trajectory_cube").fetchone()[0]
        scored = db.execute(
            "SELECT count(score) FROM read_parquet(?)",
            [str(data_dir / "outcomes" / "**" / "*.parquet")],
        ).fetchone()[0]
    assert episodes == manifest["counts"]["episodes"]
    assert answers == scored  # every scored answer is in the cube, once
    kept = built.stored_report(report.REPORT_VERSION)
    assert kept is not None and kept["summary"]["episodes"] == episodes
    built.close()


def test_duckdb_store_open(benchmark, data_dir: Path, registry: Registry) -> None:
    """What a web worker pays to open the dataset (the store exists)."""
    opened = benchmark.pedantic(
        lambda: Registry(
            data_dir, database=store.store_path(data_dir), read_only=True, memory_limit="1GB"
        ),
        rounds=rounds(10, 5),
        iterations=1,
    )
    for figures in ("summary", "rates", "mcid"):
        assert getattr(opened, figures)(Filters()) == getattr(registry, figures)(Filters())
    assert opened.stored_report(report.REPORT_VERSION) is not None


def test_unfiltered_report_served(benchmark, registry: Registry, reference) -> None:
    """The full unfiltered report as the dashboard, the PDF and 'registry report' get it:
    kept in the store, read and parsed (the per-process cache is emptied every round)."""

    def served() -> dict[str, Any]:
        report.forget_reports()
        return report.build_report(registry, Filters())

    result = benchmark.pedantic(served, rounds=rounds(20, 10), warmup_rounds=1, iterations=1)
    assert result["summary"]["episodes"] == reference("unfiltered")["summary"]["episodes"]
    assert result["comparisons"] and result["funnels"]


def test_unfiltered_report_computed(benchmark, registry: Registry, reference) -> None:
    """The same report computed from the store's tables (what building the store pays, and
    what a new method version would cost on first use)."""
    result = benchmark.pedantic(
        report.compute_report, args=(registry, Filters()), rounds=1, iterations=1
    )
    assert result["summary"]["episodes"] == reference("unfiltered")["summary"]["episodes"]


@pytest.mark.parametrize("view", ["unfiltered", "one_site", "year_procedure"])
def test_duckdb_descriptive(benchmark, registry, views, reference, manifest, view) -> None:
    result = benchmark.pedantic(
        duckdb_descriptive,
        args=(registry, views[view]),
        rounds=rounds(20, 5),
        warmup_rounds=1,
        iterations=1,
    )
    assert_same(result, reference(view))
    if view == "unfiltered":
        assert result["summary"]["episodes"] == manifest["counts"]["episodes"]


@pytest.mark.parametrize("view", ["unfiltered", "one_site"])
def test_duckdb_funnels(benchmark, registry, views, reference, view) -> None:
    result = benchmark.pedantic(
        report.funnels,
        args=(registry, views[view]),
        rounds=rounds(20, 5),
        warmup_rounds=1,
        iterations=1,
    )
    # Every site plotted is in the view, and no more episodes than the view holds.
    sites = result["major_complication_by_site"]["points"]
    assert sum(point["n"] for point in sites) <= reference(view)["summary"]["episodes"]
    if view == "one_site":
        assert [point["label"] for point in sites] == [views[view].site]


@pytest.mark.parametrize("view", ["unfiltered", "one_year", "one_site"])
def test_duckdb_comparisons(benchmark, registry, views, reference, view) -> None:
    result = benchmark.pedantic(
        report.comparisons, args=(registry, views[view]), rounds=rounds(3, 1), iterations=1
    )
    if view != "one_site":  # a small site may have too few cases of a group to compare
        assert result
    episodes = reference(view)["summary"]["episodes"]
    assert all(row["n"] + row["n_dropped"] <= episodes for row in result)


@pytest.mark.parametrize("view", ["one_site", "one_year", "year_procedure"])
def test_duckdb_dashboard_page(benchmark, registry, views, reference, view) -> None:
    """A filtered dashboard page as the server builds it: every figure (descriptive,
    adjusted comparisons, funnels) and the charts' specs, with no report cache to help. The
    charts themselves are images the browser fetches alongside (next test)."""

    def page() -> dict[str, Any]:
        report.forget_reports()
        built = report.build_report(registry, views[view])
        assert len(report_charts(built)) >= 4
        return built

    result = benchmark.pedantic(page, rounds=rounds(10, 3), iterations=1)
    assert result["summary"]["episodes"] == reference(view)["summary"]["episodes"]


@pytest.mark.parametrize("view", ["one_site", "one_year", "year_procedure"])
def test_duckdb_dashboard_slowest_chart(benchmark, registry, views, view) -> None:
    """The slowest chart image of the view, from an empty cache (a worker that did not
    serve the page computes the chart's own section of the report, then renders it)."""
    keys = [chart.key for chart in report_charts(report.build_report(registry, views[view]))]

    def one(key: str) -> float:
        report.forget_reports()
        forget_rendered()
        started = time.perf_counter()
        section = chart_section(key)
        assert section is not None
        drawn = [
            c
            for c in section_charts(section, report.build_section(registry, views[view], section))
            if c.key == key
        ]
        assert drawn and drawn[0].svg.startswith("<svg")
        return time.perf_counter() - started

    slowest = max(keys, key=one)
    benchmark.extra_info["chart"] = slowest
    benchmark.pedantic(one, args=(slowest,), rounds=rounds(5, 3), iterations=1)


@pytest.mark.parametrize("view", ["one_site", "one_year", "year_procedure"])
def test_duckdb_dashboard_serial(benchmark, registry, views, reference, view) -> None:
    """Page and every chart one after the other in one process (the worst case: one
    worker, nothing cached)."""

    def everything() -> dict[str, Any]:
        report.forget_reports()
        forget_rendered()
        built = report.build_report(registry, views[view])
        for chart in report_charts(built):
            assert chart.svg.startswith("<svg")
        return built

    result = benchmark.pedantic(everything, rounds=rounds(5, 3), iterations=1)
    assert result["summary"]["episodes"] == reference(view)["summary"]["episodes"]


def test_web_worker_memory(benchmark, data_dir: Path, registry: Registry, views) -> None:
    """Peak memory (and time) of a fresh process that opens the store and serves the
    unfiltered report and every filtered view with all their charts (its own process, so
    pandas and PostgreSQL here do not count; the time includes Python's start and imports)."""
    script = """
import json, resource, sys
from spinepath.registry import store
from spinepath.registry.analytics import Filters
from spinepath.registry.charts import chart_section, report_charts, section_charts
from spinepath.registry.report import build_report
registry = store.open_registry(sys.argv[1], memory_limit="1GB")
for filters in [Filters(), *[Filters(**json.loads(f)) for f in sys.argv[2:]]]:
    for chart in report_charts(build_report(registry, filters)):
        chart.svg
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    import subprocess
    import sys

    argv = [json.dumps(v.to_json()) for v in views.values() if not v.empty]
    done = benchmark.pedantic(
        subprocess.run,
        args=([sys.executable, "-c", script, str(data_dir), *argv],),
        kwargs={
            "capture_output": True,
            "text": True,
            "check": True,
            "env": {**os.environ, "DJANGO_SETTINGS_MODULE": "spinepath.config.settings"},
        },
        rounds=1,
        iterations=1,
    )
    peak_mb = int(done.stdout.split()[-1]) / 1024
    FIGURES["web worker peak memory"] = f"{peak_mb:,.0f} MB"
    assert 0 < peak_mb < 4096  # the bound, per process


# ---------------------------------------------------------------------------------------
# pandas, written plainly
# ---------------------------------------------------------------------------------------

EPISODE_COLUMNS = [
    "episode_key",
    "patient_key",
    "surgeon_key",
    "procedure",
    "site",
    "year",
    *GROUPS,
    *RATE_OUTCOMES,
    *CONTINUOUS_OUTCOMES,
]
OUTCOME_COLUMNS = ["episode_key", "instrument", "timepoint", "score"]
FILTER_COLUMNS = (
    ("year_from", "year", ">="),
    ("year_to", "year", "<="),
    ("site", "site", "=="),
    ("surgeon", "surgeon_key", "=="),
    ("procedure", "procedure", "=="),
    ("approach", "approach", "=="),
)


def pandas_load(data_dir: Path) -> dict[str, pd.DataFrame]:
    episodes = pd.read_parquet(data_dir / "episodes", columns=EPISODE_COLUMNS)
    # The partition columns come back as categories; filters compare plain values.
    episodes["site"] = episodes["site"].astype(str)
    episodes["year"] = episodes["year"].astype("int64")
    outcomes = pd.read_parquet(data_dir / "outcomes", columns=OUTCOME_COLUMNS)
    return {"episodes": episodes, "outcomes": outcomes}


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def pandas_descriptive(frames: dict[str, pd.DataFrame], filters: Filters) -> dict[str, Any]:
    episodes, outcomes = frames["episodes"], frames["outcomes"]
    mask = pd.Series(True, index=episodes.index)
    for attribute, column, op in FILTER_COLUMNS:
        value = getattr(filters, attribute)
        if value is not None:
            mask &= {
                ">=": episodes[column] >= value,
                "<=": episodes[column] <= value,
                "==": episodes[column] == value,
            }[op]
    ep = episodes[mask]

    summary = {
        "episodes": len(ep),
        "sites": ep["site"].nunique(),
        "surgeons": ep["surgeon_key"].nunique(),
        "patients": ep["patient_key"].nunique(),
        "years": [int(ep["year"].min()), int(ep["year"].max())],
        "by_approach": ep["approach"].value_counts().sort_index().to_dict(),
    }

    # Rates: events among known values, per procedure group and approach.
    flags = ep[GROUPS].copy()
    for name in RATE_OUTCOMES:
        flags[f"{name}_events"] = ep[name].eq(True)
        flags[f"{name}_n"] = ep[name].notna()
    sums = flags.groupby(GROUPS, dropna=False, sort=True).sum()
    rates = [
        {
            "outcome": name,
            "procedure_group": group,
            "approach": approach,
            "events": int(row[f"{name}_events"]),
            "n": int(row[f"{name}_n"]),
        }
        for (group, approach), row in sums.iterrows()
        for name in RATE_OUTCOMES
    ]

    # Continuous outcomes: n, mean, SD and quartiles.
    grouped = ep.groupby(GROUPS, dropna=False, sort=True)
    continuous = []
    for name in CONTINUOUS_OUTCOMES:
        column = grouped[name]
        stats = pd.DataFrame({"n": column.count(), "mean": column.mean(), "sd": column.std()}).join(
            column.quantile(list(QUARTILES)).unstack()
        )
        for (group, approach), row in stats.iterrows():
            continuous.append(
                {
                    "outcome": name,
                    "procedure_group": group,
                    "approach": approach,
                    "n": int(row["n"]),
                    "mean": _none(row["mean"]),
                    "sd": _none(row["sd"]),
                    "q1": _none(row[0.25]),
                    "median": _none(row[0.5]),
                    "q3": _none(row[0.75]),
                }
            )

    # Questionnaire answers of the episodes in view.
    answers = outcomes.merge(ep[["episode_key", *GROUPS]], on="episode_key")

    # MCID: baseline, 3-month and 12-month score side by side per episode and instrument.
    wanted = answers[
        answers["instrument"].isin(MCID_INSTRUMENTS)
        & answers["timepoint"].isin(["baseline", "3m", "12m"])
    ]
    wide = (
        wanted.groupby(["episode_key", "instrument", *GROUPS, "timepoint"])["score"]
        .max()
        .unstack("timepoint")
        .reindex(columns=["baseline", "3m", "12m"])
        .reset_index()
    )
    wide = wide[wide["baseline"] > 0]
    baseline = wide["baseline"]
    for label in ("3m", "12m"):
        # As DuckDB: scores in float64, a 1e-9 allowance at exactly 30 % (see PG_CUBES).
        change = baseline.astype("float64") - wide[label].astype("float64")
        wide[f"n_{label}"] = wide[label].notna()
        wide[f"improved_{label}"] = wide[label].notna() & (
            change >= MCID_FRACTION * baseline.astype("float64") - 1e-9
        )
    attained = wide.groupby(["instrument", *GROUPS], sort=True)[
        ["n_3m", "improved_3m", "n_12m", "improved_12m"]
    ].sum()
    mcid = [
        {
            "instrument": instrument,
            "procedure_group": group,
            "approach": approach,
            **{column: int(value) for column, value in row.items()},
        }
        for (instrument, group, approach), row in attained.iterrows()
    ]

    # Trajectories: mean and SD per instrument and time point.
    scores = answers[answers["score"].notna()].groupby(
        ["instrument", "timepoint", *GROUPS], sort=False
    )["score"]
    moments = pd.DataFrame({"n": scores.count(), "mean": scores.mean(), "sd": scores.std()})
    order = {timepoint: index for index, timepoint in enumerate(TIMEPOINTS)}
    trajectories = sorted(
        (
            {
                "instrument": instrument,
                "timepoint": timepoint,
                "procedure_group": group,
                "approach": approach,
                "n": int(row["n"]),
                "mean": _none(row["mean"]),
                "sd": _none(row["sd"]),
            }
            for (instrument, timepoint, group, approach), row in moments.iterrows()
        ),
        key=lambda r: (
            r["instrument"],
            r["procedure_group"],
            r["approach"],
            order.get(r["timepoint"], 99),
        ),
    )
    return {
        "summary": summary,
        "rates": rates,
        "continuous": continuous,
        "mcid": mcid,
        "trajectories": trajectories,
    }


@pytest.fixture(scope="module")
def frames(data_dir: Path) -> dict[str, pd.DataFrame]:
    started = time.perf_counter()
    loaded = pandas_load(data_dir)
    SETUP_SECONDS["pandas load"] = time.perf_counter() - started
    return loaded


def test_pandas_load(benchmark, data_dir: Path, manifest: dict[str, Any]) -> None:
    loaded = benchmark.pedantic(pandas_load, args=(data_dir,), rounds=1, iterations=1)
    assert len(loaded["episodes"]) == manifest["counts"]["episodes"]
    assert len(loaded["outcomes"]) == manifest["counts"]["outcomes"]


@pytest.mark.parametrize("view", ["unfiltered", "one_site"])
def test_pandas_descriptive(benchmark, frames, views, reference, view) -> None:
    result = benchmark.pedantic(
        pandas_descriptive, args=(frames, views[view]), rounds=rounds(5, 3), iterations=1
    )
    assert_same(result, reference(view))


# ---------------------------------------------------------------------------------------
# PostgreSQL, the same SQL
# ---------------------------------------------------------------------------------------

PG_TYPES = {
    pa.string(): 'text COLLATE "C"',  # bytes, as DuckDB compares them
    pa.int8(): "smallint",
    pa.int16(): "smallint",
    pa.int32(): "integer",
    pa.float32(): "real",
    pa.bool_(): "boolean",
}
PARTITIONING = pads.partitioning(
    pa.schema([("site", pa.string()), ("year", pa.int32())]), flavor="hive"
)
COPY_ROWS = 250_000  # rows per CSV block sent to COPY


def _pg_where(filters: Filters, alias: str = "e") -> tuple[str, list[Any]]:
    where, params = filters.where(alias)
    return where.replace("?", "%s"), params


def _copy_table(conn: Any, data_dir: Path, table: str) -> None:
    dataset = pads.dataset(data_dir / table, format="parquet", partitioning=PARTITIONING)
    schema = dataset.schema
    columns = ", ".join(f"{field.name} {PG_TYPES[field.type]}" for field in schema)
    conn.execute(f"CREATE UNLOGGED TABLE {table} ({columns})")
    options = pacsv.WriteOptions(include_header=False)
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(schema.names)}) FROM STDIN (FORMAT csv)") as copy,
    ):
        pending: list[pa.RecordBatch] = []
        size = 0

        def flush() -> None:
            nonlocal size
            if pending:
                block = io.BytesIO()
                pacsv.write_csv(pa.Table.from_batches(pending, schema), block, options)
                copy.write(block.getbuffer())
                pending.clear()
                size = 0

        for batch in dataset.to_batches():
            pending.append(batch)
            size += batch.num_rows
            if size >= COPY_ROWS:
                flush()
        flush()
    conn.execute(f"ANALYZE {table}")


PG_CUBES = [
    """
    CREATE UNLOGGED TABLE scores AS
    SELECT episode_key, instrument,
           max(score::float8) FILTER (WHERE timepoint = 'baseline') AS baseline,
           max(score::float8) FILTER (WHERE timepoint = '3m') AS m3,
           max(score::float8) FILTER (WHERE timepoint = '12m') AS m12
    FROM outcomes
    WHERE instrument IN ('odi', 'ndi', 'nrs-back', 'nrs-leg')
    GROUP BY episode_key, instrument
    """,
    # DuckDB sums a FLOAT as a DOUBLE; PostgreSQL would sum a real as a real. The square
    # stays a float32 product in both.
    """
    CREATE UNLOGGED TABLE trajectory_cube AS
    SELECT o.instrument, o.timepoint, e.procedure_group, e.approach, e.year, e.site,
           e.surgeon_key, e.procedure,
           count(*) AS n, sum(o.score::float8) AS s, sum(o.score::float8 * o.score::float8) AS ss
    FROM outcomes o JOIN episodes e USING (episode_key)
    WHERE o.score IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    """,
    # DuckDB compares in DOUBLE: the FLOAT difference of the scores, cast, against the DOUBLE
    # fraction times the baseline (in real, an exact 30 % from 100 to 70 would not count).
    f"""
    CREATE UNLOGGED TABLE mcid_cube AS
    SELECT s.instrument, e.procedure_group, e.approach, e.year, e.site,
           e.surgeon_key, e.procedure,
           count(*) FILTER (WHERE s.m3 IS NOT NULL) AS n3,
           count(*) FILTER (WHERE s.m3 IS NOT NULL
                             AND s.baseline - s.m3 >= {MCID_FRACTION!r}::float8 * s.baseline - 1e-9) AS i3,
           count(*) FILTER (WHERE s.m12 IS NOT NULL) AS n12,
           count(*) FILTER (WHERE s.m12 IS NOT NULL
                             AND s.baseline - s.m12 >= {MCID_FRACTION!r}::float8 * s.baseline - 1e-9) AS i12
    FROM scores s JOIN episodes e USING (episode_key)
    WHERE s.baseline > 0 AND s.instrument IN ('odi', 'nrs-back', 'nrs-leg')
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    """,
    # What a PostgreSQL deployment would have for the filters measured here.
    "CREATE INDEX ON episodes (site)",
    "CREATE INDEX ON trajectory_cube (site)",
    "CREATE INDEX ON mcid_cube (site)",
    "ANALYZE trajectory_cube",
    "ANALYZE mcid_cube",
]


@pytest.fixture(scope="module")
def postgres(data_dir: Path) -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}".strip())
    schema = f"bench_registry_{os.getpid()}"  # concurrent runs never share one
    try:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"SET search_path TO {schema}")
        # Room for the cubes' hash aggregates and the quartiles' sorts (DuckDB may use most
        # of the machine's memory; PostgreSQL's default is 4 MB per operation).
        conn.execute("SET work_mem = '256MB'")
        started = time.perf_counter()
        for table in TABLES:
            _copy_table(conn, data_dir, table)
        copied = time.perf_counter()
        for statement in PG_CUBES:
            conn.execute(statement)
        SETUP_SECONDS["postgres COPY"] = copied - started
        SETUP_SECONDS["postgres cubes, indexes, ANALYZE"] = time.perf_counter() - copied
        yield conn
    finally:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.close()


def postgres_descriptive(conn: Any, filters: Filters) -> dict[str, Any]:
    where, params = _pg_where(filters)
    cube_where, cube_params = _pg_where(filters, "c")
    row = conn.execute(
        f"""
        SELECT count(*), count(DISTINCT site), count(DISTINCT surgeon_key),
               count(DISTINCT patient_key), min(year), max(year)
        FROM episodes e WHERE {where}
        """,
        params,
    ).fetchone()
    by_approach = conn.execute(
        f"SELECT approach, count(*) FROM episodes e WHERE {where} GROUP BY 1 ORDER BY 1",
        params,
    ).fetchall()
    summary = {
        "episodes": row[0],
        "sites": row[1],
        "surgeons": row[2],
        "patients": row[3],
        "years": [row[4], row[5]],
        "by_approach": dict(by_approach),
    }

    selects = ", ".join(
        f"count({name}) FILTER (WHERE {name}), count({name})" for name in RATE_OUTCOMES
    )
    rates = []
    for group, approach, *counts in conn.execute(
        f"SELECT procedure_group, approach, {selects} FROM episodes e WHERE {where}"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    ).fetchall():
        for index, name in enumerate(RATE_OUTCOMES):
            rates.append(
                {
                    "outcome": name,
                    "procedure_group": group,
                    "approach": approach,
                    "events": counts[2 * index],
                    "n": counts[2 * index + 1],
                }
            )

    quartiles = ", ".join(str(q) for q in QUARTILES)
    selects = ", ".join(
        f"count({name}), avg({name}), stddev_samp({name}), "
        f"percentile_cont(ARRAY[{quartiles}]) WITHIN GROUP (ORDER BY {name})"
        for name in CONTINUOUS_OUTCOMES
    )
    continuous = []
    for group, approach, *values in conn.execute(
        f"SELECT procedure_group, approach, {selects} FROM episodes e WHERE {where}"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    ).fetchall():
        for index, name in enumerate(CONTINUOUS_OUTCOMES):
            n, mean, sd, q = values[4 * index : 4 * index + 4]
            continuous.append(
                {
                    "outcome": name,
                    "procedure_group": group,
                    "approach": approach,
                    "n": n,
                    "mean": mean,
                    "sd": sd,
                    "q1": q[0] if q else None,
                    "median": q[1] if q else None,
                    "q3": q[2] if q else None,
                }
            )

    mcid = [
        {
            "instrument": instrument,
            "procedure_group": group,
            "approach": approach,
            "n_3m": int(n3),
            "improved_3m": int(i3),
            "n_12m": int(n12),
            "improved_12m": int(i12),
        }
        for instrument, group, approach, n3, i3, n12, i12 in conn.execute(
            f"""
            SELECT instrument, procedure_group, approach,
                   sum(n3), sum(i3), sum(n12), sum(i12)
            FROM mcid_cube c WHERE {cube_where}
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """,
            cube_params,
        ).fetchall()
    ]

    rows = conn.execute(
        f"""
        SELECT instrument, timepoint, procedure_group, approach, sum(n),
               sum(s) / sum(n)::float8,
               CASE WHEN sum(n) > 1 THEN
                    sqrt(greatest(sum(ss) - sum(s) * sum(s) / sum(n)::float8, 0)
                         / (sum(n) - 1)::float8)
               END
        FROM trajectory_cube c WHERE {cube_where}
        GROUP BY 1, 2, 3, 4
        """,
        cube_params,
    ).fetchall()
    order = {tp: i for i, tp in enumerate(TIMEPOINTS)}
    rows.sort(key=lambda r: (r[0], r[2], r[3], order.get(r[1], 99)))
    trajectories = [
        {
            "instrument": instrument,
            "timepoint": timepoint,
            "procedure_group": group,
            "approach": approach,
            "n": int(n),
            "mean": mean,
            "sd": sd,
        }
        for instrument, timepoint, group, approach, n, mean, sd in rows
    ]
    return {
        "summary": summary,
        "rates": rates,
        "continuous": continuous,
        "mcid": mcid,
        "trajectories": trajectories,
    }


@pytest.mark.parametrize("view", ["unfiltered", "one_site"])
def test_postgres_descriptive(benchmark, postgres, views, reference, view) -> None:
    benchmark.extra_info["setup_seconds"] = {
        name: round(seconds, 2) for name, seconds in SETUP_SECONDS.items()
    }
    result = benchmark.pedantic(
        postgres_descriptive,
        args=(postgres, views[view]),
        rounds=rounds(10, 3),
        warmup_rounds=1,
        iterations=1,
    )
    assert_same(result, reference(view))
