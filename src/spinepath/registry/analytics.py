"""Registry analytics in DuckDB over the pseudonymised Parquet dataset (dataset.py).

A :class:`Registry` loads the dataset once into an in-memory DuckDB database (the Parquet
files are read in parallel; a national dataset of a million episodes fits in a few hundred
megabytes) together with one derived table, ``scores``, that puts each episode's baseline,
3-month and 12-month scores side by side. Every figure of the report is then a SQL query
over those tables with the filters applied, and the risk-adjusted comparisons and funnel
plots are fitted with spinepath.registry.stats on arrays fetched from it.

Filters (period, site, surgeon, procedure, approach) restrict the episodes; every other
table is joined to the filtered episodes, so all figures describe the same patients.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from spinepath.clinical.outcomes import RELATIVE_30

# Binary outcomes reported as rates with 95 % confidence intervals.
RATE_OUTCOMES = {
    "complication": "Any complication (90 days)",
    "major_complication": "Major complication, Clavien-Dindo III or worse (90 days)",
    "ssi": "Surgical site infection (NHSN window)",
    "readmit_30": "Readmission within 30 days",
    "readmit_90": "Readmission within 90 days",
    "reop_30": "Reoperation within 30 days",
    "reop_90": "Reoperation within 90 days",
    "same_day": "Same-day discharge",
    "persistent_opioid": "Persistent opioid use (days 90-180)",
}
CONTINUOUS_OUTCOMES = {
    "los_hours": "Length of stay (hours)",
    "ebl_ml": "Estimated blood loss (mL)",
    "op_minutes": "Operative time (minutes)",
    "discharge_mme": "Discharge opioid prescription (MME/day)",
}
MCID_INSTRUMENTS = ("odi", "nrs-back", "nrs-leg")
TIMEPOINTS = ("baseline", "2w", "6w", "3m", "12m", "24m")
# The relative MCID: an improvement of at least 30 % of the baseline score (Ostelo 2008;
# Asher 2020; clinical.outcomes.RELATIVE_30). Compared with a 1e-9 allowance, so that an
# exact 30 % (100 → 70) is not lost to binary rounding of 0.3 x 100.
MCID_FRACTION = float(RELATIVE_30.threshold)


class DatasetError(ValueError):
    """The directory is not a registry dataset (or a filter names nothing in it)."""


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    site: str | None = None
    surgeon: str | None = None
    procedure: str | None = None
    approach: str | None = None

    def where(self, alias: str = "e") -> tuple[str, list[Any]]:
        """A SQL condition on the episodes table, and its parameters."""
        clauses, params = ["TRUE"], []
        for column, op, value in (
            ("year", ">=", self.year_from),
            ("year", "<=", self.year_to),
            ("site", "=", self.site),
            ("surgeon_key", "=", self.surgeon),
            ("procedure", "=", self.procedure),
            ("approach", "=", self.approach),
        ):
            if value is not None:
                clauses.append(f"{alias}.{column} {op} ?")
                params.append(value)
        return " AND ".join(clauses), params

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @property
    def empty(self) -> bool:
        return not self.to_json()


class Registry:
    """One dataset, loaded once, queried many times (thread-safe through cursors)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        manifest = self.data_dir / "manifest.json"
        if not manifest.is_file():
            raise DatasetError(f"{self.data_dir} is not a registry dataset (no manifest.json)")
        self.manifest = json.loads(manifest.read_text())
        self._db = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        self._expected_lock = threading.Lock()
        self._expected: set[str] = set()
        self._load()

    def _load(self) -> None:
        for table in ("episodes", "outcomes", "complications"):
            files = self.data_dir / table / "**" / "*.parquet"
            if not any((self.data_dir / table).rglob("*.parquet")):
                raise DatasetError(f"{self.data_dir} has no {table} files")
            self._db.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_parquet(?, hive_partitioning = true,"
                " hive_types = {'site': VARCHAR, 'year': INTEGER})",
                [str(files)],
            )
        # One row per episode: the scores the MCID and trajectory figures need.
        self._db.execute(
            """
            CREATE TABLE scores AS
            SELECT episode_key, instrument,
                   max(score::DOUBLE) FILTER (WHERE timepoint = 'baseline') AS baseline,
                   max(score::DOUBLE) FILTER (WHERE timepoint = '3m') AS m3,
                   max(score::DOUBLE) FILTER (WHERE timepoint = '12m') AS m12
            FROM outcomes
            WHERE instrument IN ('odi', 'ndi', 'nrs-back', 'nrs-leg')
            GROUP BY episode_key, instrument
            """
        )
        # Cubes: the questionnaire figures pre-summed by every filter column, so a report
        # never joins the 20 million answers again (sums of n, score and score² give the
        # mean and SD of any slice).
        self._db.execute(
            """
            CREATE TABLE trajectory_cube AS
            SELECT o.instrument, o.timepoint, e.procedure_group, e.approach, e.year, e.site,
                   e.surgeon_key, e.procedure,
                   count(*) AS n, sum(o.score::DOUBLE) AS s,
                   sum(o.score::DOUBLE * o.score::DOUBLE) AS ss
            FROM outcomes o JOIN episodes e USING (episode_key)
            WHERE o.score IS NOT NULL
            GROUP BY ALL
            """
        )
        self._db.execute(
            """
            CREATE TABLE mcid_cube AS
            SELECT s.instrument, e.procedure_group, e.approach, e.year, e.site,
                   e.surgeon_key, e.procedure,
                   count(*) FILTER (WHERE s.m3 IS NOT NULL) AS n3,
                   count(*) FILTER (WHERE s.m3 IS NOT NULL
                                     AND s.baseline - s.m3 >= ? * s.baseline - 1e-9) AS i3,
                   count(*) FILTER (WHERE s.m12 IS NOT NULL) AS n12,
                   count(*) FILTER (WHERE s.m12 IS NOT NULL
                                     AND s.baseline - s.m12 >= ? * s.baseline - 1e-9) AS i12
            FROM scores s JOIN episodes e USING (episode_key)
            WHERE s.baseline > 0 AND s.instrument IN ('odi', 'nrs-back', 'nrs-leg')
            GROUP BY ALL
            """,
            [MCID_FRACTION, MCID_FRACTION],
        )

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cursor = self._db.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    # --- what the filters can choose from ------------------------------------------------

    def choices(self) -> dict[str, list[Any]]:
        with self.cursor() as db:

            def distinct(column: str) -> list[Any]:
                rows = db.execute(f"SELECT DISTINCT {column} FROM episodes ORDER BY 1").fetchall()
                return [row[0] for row in rows if row[0] is not None]

            return {
                "years": distinct("year"),
                "sites": distinct("site"),
                "procedures": distinct("procedure"),
                "approaches": distinct("approach"),
            }

    def surgeons_at(self, site: str | None) -> list[str]:
        with self.cursor() as db:
            if site is None:
                rows = db.execute("SELECT DISTINCT surgeon_key FROM episodes ORDER BY 1")
            else:
                rows = db.execute(
                    "SELECT DISTINCT surgeon_key FROM episodes WHERE site = ? ORDER BY 1", [site]
                )
            return [row[0] for row in rows.fetchall()]

    # --- descriptive figures ---------------------------------------------------------------

    def summary(self, filters: Filters) -> dict[str, Any]:
        where, params = filters.where()
        with self.cursor() as db:
            row = db.execute(
                f"""
                SELECT count(*), count(DISTINCT site), count(DISTINCT surgeon_key),
                       count(DISTINCT patient_key), min(year), max(year)
                FROM episodes e WHERE {where}
                """,
                params,
            ).fetchone()
            by_approach = db.execute(
                f"SELECT approach, count(*) FROM episodes e WHERE {where} GROUP BY 1 ORDER BY 1",
                params,
            ).fetchall()
        assert row is not None
        return {
            "episodes": row[0],
            "sites": row[1],
            "surgeons": row[2],
            "patients": row[3],
            "years": [row[4], row[5]],
            "by_approach": {approach: n for approach, n in by_approach},
        }

    def _per_group(self, filters: Filters, selects: str) -> list[tuple[Any, ...]]:
        """``selects`` over the filtered episodes, per procedure group and approach."""
        where, params = filters.where()
        with self.cursor() as db:
            return db.execute(
                f"""
                SELECT procedure_group, approach, {selects}
                FROM episodes e WHERE {where}
                GROUP BY ALL ORDER BY 1, 2
                """,
                params,
            ).fetchall()

    def rates(self, filters: Filters) -> list[dict[str, Any]]:
        """Events and denominators per outcome, procedure group and approach (known values
        only: a null flag is not counted in the denominator)."""
        selects = ", ".join(
            f"count({name}) FILTER (WHERE {name}) AS {name}_events, count({name}) AS {name}_n"
            for name in RATE_OUTCOMES
        )
        result = []
        for row in self._per_group(filters, selects):
            group, approach, *counts = row
            for index, name in enumerate(RATE_OUTCOMES):
                result.append(
                    {
                        "outcome": name,
                        "procedure_group": group,
                        "approach": approach,
                        "events": counts[2 * index],
                        "n": counts[2 * index + 1],
                    }
                )
        return result

    def continuous(self, filters: Filters) -> list[dict[str, Any]]:
        selects = ", ".join(
            f"count({name}), avg({name}), stddev_samp({name}), "
            f"quantile_cont({name}, [0.25, 0.5, 0.75])"
            for name in CONTINUOUS_OUTCOMES
        )
        result = []
        for row in self._per_group(filters, selects):
            group, approach, *values = row
            for index, name in enumerate(CONTINUOUS_OUTCOMES):
                n, mean, sd, quartiles = values[4 * index : 4 * index + 4]
                result.append(
                    {
                        "outcome": name,
                        "procedure_group": group,
                        "approach": approach,
                        "n": n,
                        "mean": mean,
                        "sd": sd,
                        "q1": quartiles[0] if quartiles else None,
                        "median": quartiles[1] if quartiles else None,
                        "q3": quartiles[2] if quartiles else None,
                    }
                )
        return result

    def trajectories(self, filters: Filters) -> list[dict[str, Any]]:
        """Mean score per instrument and time point, by procedure group and approach."""
        where, params = filters.where("c")
        with self.cursor() as db:
            rows = db.execute(
                f"""
                SELECT instrument, timepoint, procedure_group, approach, sum(n),
                       sum(s) / sum(n),
                       CASE WHEN sum(n) > 1 THEN
                            sqrt(greatest(sum(ss) - sum(s) * sum(s) / sum(n), 0) / (sum(n) - 1))
                       END
                FROM trajectory_cube c WHERE {where}
                GROUP BY ALL
                """,
                params,
            ).fetchall()
        order = {tp: i for i, tp in enumerate(TIMEPOINTS)}
        rows.sort(key=lambda r: (r[0], r[2], r[3], order.get(r[1], 99)))
        return [
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

    def mcid(self, filters: Filters) -> list[dict[str, Any]]:
        """Patients reaching a clinically important improvement (at least 30 % of the
        baseline score) at 3 and 12 months, among those with both scores and a baseline
        above 0: a patient without the follow-up score is not counted either way."""
        where, params = filters.where("c")
        with self.cursor() as db:
            rows = db.execute(
                f"""
                SELECT instrument, procedure_group, approach,
                       sum(n3), sum(i3), sum(n12), sum(i12)
                FROM mcid_cube c WHERE {where}
                GROUP BY ALL ORDER BY 1, 2, 3
                """,
                params,
            ).fetchall()
        return [
            {
                "instrument": instrument,
                "procedure_group": group,
                "approach": approach,
                "n_3m": int(n3),
                "improved_3m": int(i3),
                "n_12m": int(n12),
                "improved_12m": int(i12),
            }
            for instrument, group, approach, n3, i3, n12, i12 in rows
        ]

    # --- expected risks (funnel plots) -------------------------------------------------------

    def ensure_expected(self, outcome: str, fit: Any) -> None:
        """Keep each episode's expected risk of ``outcome`` (``fit()`` returns a frame of
        episode_key, risk) in a table, computed once per loaded dataset."""
        if outcome not in RATE_OUTCOMES:
            raise DatasetError(f"no expected risks for {outcome!r}")
        with self._expected_lock:
            if outcome in self._expected:
                return
            risks = fit()
            with self.cursor() as db:
                db.register("risks_frame", risks)
                db.execute(
                    f"CREATE TABLE expected_{outcome} AS SELECT episode_key, risk "
                    "FROM risks_frame WHERE risk IS NOT NULL AND NOT isnan(risk)"
                )
                db.unregister("risks_frame")
            self._expected.add(outcome)

    def funnel_counts(
        self, filters: Filters, outcome: str, unit_column: str
    ) -> list[tuple[Any, int, int, float]]:
        """Per unit (surgeon_key or site): n, observed events and expected events."""
        if outcome not in self._expected or unit_column not in {"surgeon_key", "site"}:
            raise DatasetError("expected risks not computed, or an unknown unit")
        where, params = filters.where()
        with self.cursor() as db:
            return db.execute(
                f"""
                SELECT e.{unit_column}, count(*), count(*) FILTER (WHERE e.{outcome}),
                       sum(x.risk)
                FROM episodes e JOIN expected_{outcome} x USING (episode_key)
                WHERE e.{outcome} IS NOT NULL AND {where}
                GROUP BY 1 ORDER BY 1
                """,
                params,
            ).fetchall()

    # --- arrays for the models ---------------------------------------------------------------

    def frame(self, filters: Filters, columns: list[str]) -> Any:
        """A pandas DataFrame of episode columns (plus ``odi_change_12m``) for the filters."""
        where, params = filters.where()
        wanted = ", ".join(
            "s.baseline - s.m12 AS odi_change_12m" if c == "odi_change_12m" else f"e.{c}"
            for c in columns
        )
        with self.cursor() as db:
            return db.execute(
                f"""
                SELECT {wanted}
                FROM episodes e
                LEFT JOIN scores s ON s.episode_key = e.episode_key AND s.instrument = 'odi'
                WHERE {where}
                """,
                params,
            ).df()
