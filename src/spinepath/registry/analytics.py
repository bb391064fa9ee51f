"""Registry analytics in DuckDB over the pseudonymised Parquet dataset (dataset.py).

A :class:`Registry` loads the dataset once (the Parquet files are read in parallel) into a
DuckDB database: the episodes, with their 12-month ODI change beside the case mix, and
two cubes of the 20 million questionnaire answers pre-summed by every filter column
(trajectories and MCID attainment). The answers themselves are not kept. Every figure of
the report is then a SQL query over those tables with the filters applied, and the
risk-adjusted comparisons and funnel plots are fitted with spinepath.registry.stats on
arrays fetched from it. spinepath.registry.store keeps that database in a file per
dataset version, which web workers open read-only.

Filters (period, site, surgeon, procedure, approach) restrict the episodes; every other
table is joined to the filtered episodes, so all figures describe the same patients.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from spinepath.clinical.outcomes import RELATIVE_30
from spinepath.registry.dataset import DATASET_VERSION

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
# SQL for the baseline disability index of an episode (see Registry.frame).
BASELINE_DISABILITY = "coalesce(e.baseline_odi, e.baseline_ndi)"


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
    """One dataset, loaded once, queried many times (thread-safe through cursors).

    By default the dataset is loaded into an in-memory database. With ``database`` it is
    loaded into that DuckDB file instead (spinepath.registry.store builds one per dataset
    version), and with ``read_only`` as well an existing file is opened without loading:
    every web worker then shares the operating system's cache of one file instead of
    holding its own copy of the dataset.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        database: Path | None = None,
        read_only: bool = False,
        memory_limit: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        manifest = self.data_dir / "manifest.json"
        if not manifest.is_file():
            raise DatasetError(f"{self.data_dir} is not a registry dataset (no manifest.json)")
        self.manifest = json.loads(manifest.read_text())
        version = self.manifest.get("dataset_version") if isinstance(self.manifest, dict) else None
        if version != DATASET_VERSION:
            raise DatasetError(
                f"{self.data_dir} holds a registry dataset of version {version or 'unknown'}, "
                f"not {DATASET_VERSION}: write it again (spinepath registry extract, or synth)"
            )
        config = {"memory_limit": memory_limit} if memory_limit else {}
        if read_only and database is None:
            raise ValueError("read_only needs a database file")
        self._db = duckdb.connect(
            ":memory:" if database is None else str(database), read_only=read_only, config=config
        )
        self.read_only = read_only
        self._lock = threading.Lock()
        self._expected_lock = threading.Lock()
        if not read_only:
            try:
                self._load()
            except duckdb.Error as exc:  # files that do not match the contract
                raise DatasetError(f"{self.data_dir} cannot be read: {exc}") from exc
        self._expected = self._expected_columns()
        self._choices: dict[str, list[Any]] | None = None
        self._surgeons: dict[str | None, list[str]] = {}
        self._joined: dict[str, pd.DataFrame] = {}  # expected risks kept here, not a column

    def _has_table(self, name: str) -> bool:
        with self.cursor() as db:
            found = db.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]
            ).fetchone()
        return bool(found and found[0])

    def _load(self) -> None:
        for table in ("episodes", "outcomes", "complications"):
            if not any((self.data_dir / table).rglob("*.parquet")):
                raise DatasetError(f"{self.data_dir} has no {table} files")
        # The answers and the per-episode scores are needed only to build the cubes and
        # the episodes' derived columns below, so they are temporary: never written to a
        # database file, and dropped once loaded.
        read = (
            "read_parquet(?, hive_partitioning = true,"
            " hive_types = {'site': VARCHAR, 'year': INTEGER})"
        )
        self._db.execute(
            f"CREATE TEMP TABLE outcomes AS SELECT * FROM {read}",
            [str(self.data_dir / "outcomes" / "**" / "*.parquet")],
        )
        # One row per episode and instrument: the scores the MCID figures need.
        self._db.execute(
            """
            CREATE TEMP TABLE scores AS
            SELECT episode_key, instrument,
                   max(score::DOUBLE) FILTER (WHERE timepoint = 'baseline') AS baseline,
                   max(score::DOUBLE) FILTER (WHERE timepoint = '3m') AS m3,
                   max(score::DOUBLE) FILTER (WHERE timepoint = '12m') AS m12
            FROM outcomes
            WHERE instrument IN ('odi', 'ndi', 'nrs-back', 'nrs-leg')
            GROUP BY episode_key, instrument
            """
        )
        # Episodes in site, surgeon and year order, so that a filtered query skips the
        # blocks outside its slice; with the 12-month ODI change beside the case mix.
        self._db.execute(
            f"""
            CREATE TABLE episodes AS
            SELECT e.*, s.baseline - s.m12 AS odi_change_12m
            FROM {read} e
            LEFT JOIN scores s ON s.episode_key = e.episode_key AND s.instrument = 'odi'
            ORDER BY e.site, e.surgeon_key, e.year
            """,
            [str(self.data_dir / "episodes" / "**" / "*.parquet")],
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
        self._db.execute("DROP TABLE outcomes")
        self._db.execute("DROP TABLE scores")

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
        """What each filter can choose; computed once (the dashboard and every chart
        image of it ask, and a loaded dataset never changes)."""
        if self._choices is None:
            self._choices = self._distinct_choices()
        return {name: list(values) for name, values in self._choices.items()}

    def _distinct_choices(self) -> dict[str, list[Any]]:
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
        if site not in self._surgeons:
            self._surgeons[site] = self._distinct_surgeons(site)
        return list(self._surgeons[site])

    def _distinct_surgeons(self, site: str | None) -> list[str]:
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
        episode_key, risk), computed once per dataset: as a column of the episodes, so a
        funnel of any filtered view is one scan with no join."""
        if outcome not in RATE_OUTCOMES:
            raise DatasetError(f"no expected risks for {outcome!r}")
        with self._expected_lock:
            if outcome in self._expected:
                return
            risks = fit()
            column = f"expected_{outcome}"
            with self.cursor() as db:
                db.register("risks_frame", risks)
                if self.read_only:
                    # A read-only store built before this outcome was plotted: this process
                    # keeps the risks and joins them (a temporary table would belong to one
                    # cursor only).
                    self._joined[outcome] = risks.loc[
                        risks["risk"].notna(), ["episode_key", "risk"]
                    ]
                else:
                    db.execute(f"ALTER TABLE episodes ADD COLUMN {column} DOUBLE")
                    db.execute(
                        f"UPDATE episodes SET {column} = r.risk FROM risks_frame r "
                        "WHERE episodes.episode_key = r.episode_key AND NOT isnan(r.risk)"
                    )
                db.unregister("risks_frame")
            self._expected.add(outcome)

    def _expected_columns(self) -> set[str]:
        with self.cursor() as db:
            rows = db.execute(
                "SELECT column_name FROM duckdb_columns() "
                "WHERE table_name = 'episodes' AND column_name LIKE 'expected_%'"
            ).fetchall()
        return {name.removeprefix("expected_") for (name,) in rows}

    # --- a report computed ahead (spinepath.registry.store) ----------------------------------

    def stored_report(self, version: str) -> dict[str, Any] | None:
        """The unfiltered report kept with the dataset, if it was computed by this
        ``version`` of the report."""
        if not self._has_table("stored_report"):
            return None
        with self.cursor() as db:
            row = db.execute(
                "SELECT report FROM stored_report WHERE version = ?", [version]
            ).fetchone()
        return json.loads(row[0]) if row else None

    def store_report(self, version: str, report: dict[str, Any]) -> None:
        with self.cursor() as db:
            db.execute("CREATE OR REPLACE TABLE stored_report (version VARCHAR, report VARCHAR)")
            db.execute(
                "INSERT INTO stored_report VALUES (?, ?)",
                [version, json.dumps(report, allow_nan=False)],
            )

    def close(self) -> None:
        self._db.close()

    def funnel_counts(
        self, filters: Filters, outcome: str, unit_column: str
    ) -> list[tuple[Any, int, int, float]]:
        """Per unit (surgeon_key or site): n, observed events and expected events."""
        if outcome not in self._expected or unit_column not in {"surgeon_key", "site"}:
            raise DatasetError("expected risks not computed, or an unknown unit")
        where, params = filters.where()
        column = f"expected_{outcome}"
        joined = self._joined.get(outcome)
        risk, source = (
            ("x.risk", "episodes e JOIN joined_risks x USING (episode_key)")
            if joined is not None
            else (f"e.{column}", "episodes e")
        )
        with self.cursor() as db:
            if joined is not None:
                db.register("joined_risks", joined)
            return db.execute(
                f"""
                SELECT e.{unit_column}, count(*), count(*) FILTER (WHERE e.{outcome}),
                       sum({risk})
                FROM {source}
                WHERE e.{outcome} IS NOT NULL AND {risk} IS NOT NULL AND {where}
                GROUP BY 1 ORDER BY 1
                """,
                params,
            ).fetchall()

    # --- arrays for the models ---------------------------------------------------------------

    def frame(
        self, filters: Filters, columns: list[str], *, groups: Sequence[str] = ()
    ) -> pd.DataFrame:
        """The filtered episodes' ``columns`` for the models, read from DuckDB as numbers
        (turning a million strings into Python objects would take longer than fitting all
        the models): ``miss`` (MISS, intention to treat: converted cases count) and
        ``female`` as 0/1, a missing approach or sex counting as 0; ``diagnosis`` as a
        pandas Categorical; ``procedure_group`` as its position in ``groups`` (-1 for
        another group); ``baseline_disability`` the baseline ODI, or for a neck operation
        the baseline NDI (both 0-100 % disability indices); any other column as the
        episodes table holds it."""
        where, params = filters.where()
        derived = {
            "miss": "coalesce(e.approach IN ('miss', 'converted'), false)::DOUBLE",
            "female": "coalesce(e.sex = 'female', false)::DOUBLE",
            "baseline_disability": BASELINE_DISABILITY,
            "procedure_group": "coalesce(list_position(?, e.procedure_group), 0)::TINYINT - 1",
            "diagnosis": "list_position(?, e.diagnosis)::SMALLINT - 1",
        }
        with self.cursor() as db:
            diagnoses = [
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT diagnosis FROM episodes WHERE diagnosis IS NOT NULL ORDER BY 1"
                ).fetchall()
            ]
            lists = {"procedure_group": list(groups), "diagnosis": diagnoses}
            frame = db.execute(
                f"""
                SELECT {", ".join(f"{derived.get(c, f'e.{c}')} AS {c}" for c in columns)}
                FROM episodes e WHERE {where}
                """,
                [*(lists[c] for c in columns if c in lists), *params],
            ).df()
        if "diagnosis" in frame:
            codes = frame["diagnosis"].to_numpy(dtype=np.float64, na_value=np.nan)
            frame["diagnosis"] = pd.Categorical.from_codes(
                np.where(np.isnan(codes), -1, codes).astype(np.int16), categories=diagnoses
            )
        return frame
