"""The synthetic registry: the dataset contract, plausibility, determinism, planted effects
and the `spinepath synth` command."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from spinepath.cli import main
from spinepath.registry import dataset
from spinepath.registry.synth import (
    DIAGNOSES,
    GRADES,
    INSTRUMENTS,
    TIMEPOINTS,
    SynthParams,
    generate,
    generate_tables,
    planted,
)
from tests.registry.conftest import SYNTH_SEED

KEY = re.compile(r"^[0-9a-f]{32}$")  # as the extract: HMAC-SHA256, 128 bits
EFFECT_SIZE = {"episodes": 80_000, "sites": 40, "surgeons": 120}
EFFECT_SEED = 3


def _contract_part(table: pa.Table) -> pa.Table:
    return table.drop_columns(["site", "year"])


def _files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.parquet"))
    }


# ---------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------


def test_written_schemas_equal_the_contract(synth_dataset: Path) -> None:
    for name, schema in dataset.TABLES.items():
        files = sorted((synth_dataset / name).rglob("*.parquet"))
        assert files, name
        for path in files:
            # Exactly the contract's columns and types; partition columns only in the path.
            assert pq.read_schema(path).remove_metadata() == schema, path


def test_in_memory_tables_follow_the_contract(synth_tables: dict[str, pa.Table]) -> None:
    assert set(synth_tables) == set(dataset.TABLES)
    for name, table in synth_tables.items():
        assert _contract_part(table).schema == dataset.TABLES[name]
        assert table.schema.field("site").type == pa.string()
        assert table.schema.field("year").type == pa.int16()


def test_hive_partitions_by_site_and_year(synth_dataset: Path, synth_params: SynthParams) -> None:
    assert dataset.PARTITIONS == ("site", "year")
    for name in dataset.TABLES:
        for path in (synth_dataset / name).rglob("*.parquet"):
            site_dir, year_dir = path.parent.parent.name, path.parent.name
            assert re.fullmatch(r"site=s\d{3}", site_dir), path  # never all digits
            year = int(year_dir.removeprefix("year="))
            assert synth_params.start_year <= year <= synth_params.end_year
    import duckdb

    con = duckdb.connect()
    episodes = str(synth_dataset / "episodes" / "*" / "*" / "*.parquet")
    outcomes = str(synth_dataset / "outcomes" / "*" / "*" / "*.parquet")
    types = dict(
        con.execute(
            "select column_name, column_type from "
            "(describe select * from read_parquet(?, hive_partitioning = true))",
            [episodes],
        ).fetchall()
    )
    assert types["site"] == "VARCHAR" and types["year"] in ("BIGINT", "INTEGER")
    count = con.execute(
        "select count(*) from read_parquet(?, hive_partitioning = true)", [episodes]
    ).fetchone()
    assert count == (synth_params.episodes,)
    # Every partition's rows belong to it: each outcome row's episode is in the episodes of
    # the same site and year.
    orphans = con.execute(
        "select count(*) from read_parquet(?, hive_partitioning = true) o "
        "anti join read_parquet(?, hive_partitioning = true) e "
        "on o.episode_key = e.episode_key and o.site = e.site and o.year = e.year",
        [outcomes, episodes],
    ).fetchone()
    assert orphans == (0,)


def test_rows_in_the_extracts_order(synth_dataset: Path) -> None:
    # Sorted by pseudonym (then instrument and timepoint, or day and grade), as the extract
    # writes them, so that the order says nothing about dates.
    sort_keys = {
        "episodes": ["episode_key"],
        "outcomes": ["episode_key", "instrument", "timepoint"],
        "complications": ["episode_key", "days_from_surgery", "clavien_dindo"],
    }
    for name, keys in sort_keys.items():
        for path in sorted((synth_dataset / name).rglob("*.parquet"))[:40]:
            rows = pq.read_table(path).select(keys).to_pylist()
            ordered = [tuple(row[k] for k in keys) for row in rows]
            assert ordered == sorted(ordered), path


def test_manifest(synth_dataset: Path, synth_params: SynthParams, synth_tables) -> None:
    manifest = json.loads((synth_dataset / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset_version"] == dataset.DATASET_VERSION
    assert manifest["synthetic"] is True and manifest["seed"] == SYNTH_SEED
    assert manifest["params"] == synth_params.to_json()
    assert manifest["generated_at"].endswith("+00:00")
    assert manifest["partition_columns"] == ["site", "year"]
    assert manifest["tables"] == {name: s.names for name, s in dataset.TABLES.items()}
    assert manifest["value_sets"]["eq5d-5l"] == "us"
    for name, table in synth_tables.items():
        assert manifest["counts"][name] == table.num_rows
        in_partitions = sum(p["rows"][name] for p in manifest["partitions"].values())
        assert in_partitions == table.num_rows
    for rel in manifest["partitions"]:
        assert (synth_dataset / "episodes" / rel / "part-0.parquet").is_file()
    episodes = synth_tables["episodes"]
    assert manifest["counts"]["patients"] == pc.count_distinct(episodes["patient_key"]).as_py()
    assert manifest["counts"]["surgeons"] == synth_params.surgeons
    surgeon_keys = set(episodes["surgeon_key"].to_pylist())
    site_codes = set(episodes["site"].to_pylist())
    plants = manifest["planted"]
    assert len(plants["surgeons"]) == len(synth_params.outlier_surgeon_odds_ratios)
    assert {p["surgeon_key"] for p in plants["surgeons"]} <= surgeon_keys
    assert {p["site"] for p in plants["sites"]} <= site_codes


def test_vocabularies_match_the_clinical_core(synth_tables: dict[str, pa.Table]) -> None:
    from spinepath.clinical.discharge_plan import procedure_group
    from spinepath.clinical.procedures import PROCEDURES_BY_ID, Approach
    from spinepath.patients.models import Condition, Sex

    assert list(DIAGNOSES) == list(Condition.values)
    episodes = synth_tables["episodes"].to_pandas()
    seen = episodes.groupby(["procedure", "procedure_group", "approach"]).size().index
    assert {procedure for procedure, _, _ in seen} == set(PROCEDURES_BY_ID)
    for procedure_id, group, approach in seen:
        procedure = PROCEDURES_BY_ID[procedure_id]
        expected = procedure_group(procedure).value.removesuffix("_miss").removesuffix("_open")
        assert group == expected
        if procedure.approach is Approach.OPEN:
            assert approach == "open"
        else:  # intention to treat: a converted MISS keeps its MISS procedure
            assert approach in ("miss", "converted")
            assert approach == "miss" or group != "kyphoplasty"
    assert set(episodes.diagnosis) == set(Condition.values)
    assert set(episodes.sex) <= set(Sex.values)
    outcomes, complications = synth_tables["outcomes"], synth_tables["complications"]
    assert set(outcomes["instrument"].to_pylist()) == set(INSTRUMENTS)
    assert set(outcomes["timepoint"].to_pylist()) == set(TIMEPOINTS)
    assert set(complications["clavien_dindo"].to_pylist()) <= set(GRADES)
    assert set(complications["ssi_depth"].to_pylist()) == {
        None,
        "superficial",
        "deep",
        "organ_space",
    }
    assert set(complications["reported_by"].to_pylist()) == {"staff", "patient"}
    assert set(complications["category"].to_pylist()) == set(dataset.COMPLICATION_CATEGORIES)


# ---------------------------------------------------------------------------
# No identifiers
# ---------------------------------------------------------------------------


def test_keys_are_opaque_and_stable_pseudonyms(synth_tables: dict[str, pa.Table]) -> None:
    episodes = synth_tables["episodes"]
    for column in ("episode_key", "patient_key", "surgeon_key"):
        values = episodes[column].to_pylist()
        assert all(KEY.match(value) for value in values), column
    keys = episodes["episode_key"].to_pylist()
    assert len(set(keys)) == len(keys)
    assert keys != sorted(keys)  # no order, site or date can be read from a key
    assert not set(keys) & set(episodes["patient_key"].to_pylist())
    # Some patients have a second operation, always at the same site.
    per_patient = episodes.group_by("patient_key").aggregate(
        [("episode_key", "count"), ("site", "count_distinct")]
    )
    assert 0.01 < pc.mean(pc.greater(per_patient["episode_key_count"], 1)).as_py() < 0.08
    assert pc.max(per_patient["site_count_distinct"]).as_py() == 1
    for name in ("outcomes", "complications"):
        assert set(synth_tables[name]["episode_key"].to_pylist()) <= set(keys)


def test_no_direct_identifiers_anywhere(synth_tables: dict[str, pa.Table]) -> None:
    forbidden = re.compile(r"name|email|phone|address|birth|postcode|zip|nhs|mrn|ssn|_date$")
    pattern = re.compile(r"@|\d{4}-\d{2}-\d{2}|\+?\d[\d ]{8,}")
    for name, table in synth_tables.items():
        for field in table.schema:
            assert not forbidden.search(field.name), (name, field.name)
            if pa.types.is_string(field.type) and not field.name.endswith("_key"):
                values = set(table[field.name].drop_null().to_pylist())
                assert not any(pattern.search(value) for value in values), (name, field.name)


# ---------------------------------------------------------------------------
# Plausibility
# ---------------------------------------------------------------------------


def test_case_mix_and_theatre_figures_are_plausible(synth_tables) -> None:
    e = synth_tables["episodes"].to_pandas()
    # Top-coded as the extract writes it: 90 means 90 or older.
    assert e.age.between(18, 90).all() and 50 < e.age.mean() < 65
    assert (e.age == 90).mean() > 2 * (e.age == 89).mean() > 0  # 90 holds 90-95
    assert e.groupby("diagnosis").age.mean()["vertebral_compression_fracture"] > 68
    assert e.groupby("diagnosis").age.mean()["lumbar_disc_herniation"] < 50
    assert e.bmi.dropna().between(15, 65).all() and 26 < e.bmi.mean() < 31
    assert (
        set(e.asa) <= {1, 2, 3, 4}
        and set(e.levels) <= {1, 2, 3}
        and set(e.surgery_month) <= set(range(1, 13))
    )
    assert 0.08 < e.smoker.mean() < 0.25 and 0.08 < e.diabetes.mean() < 0.25
    assert e.smoker.isna().mean() < 0.1
    levels = e.groupby("procedure_group").levels.mean()
    assert levels["fusion"] > levels["decompression"]
    assert 0.015 < (e.approach == "converted").sum() / (e.approach != "open").sum() < 0.05
    assert (e.ebl_ml >= 0).all() and (e.op_minutes >= 10).all()
    by = e[e.approach != "converted"].groupby(["procedure_group", "approach"])
    assert by.ebl_ml.mean()["fusion", "open"] > 400
    assert by.same_day.mean()["decompression", "miss"] > 0.6
    assert by.same_day.mean()["fusion", "open"] == 0
    assert e.los_hours.dropna().gt(0).all()
    # Same day = discharged before midnight after an admission between 06:00 and ~11:00.
    assert (e[e.same_day].los_hours < 19).all() and (e[~e.same_day].los_hours.dropna() > 12).all()
    assert e.discharge_mme.dropna().ge(0).all() and e.discharge_mme.max() <= 120
    assert 0.05 < e.persistent_opioid.mean() < 0.3
    assert 0.05 < e.complication.mean() < 0.2 and e.ssi.mean() < 0.03
    died = set(
        synth_tables["complications"]
        .filter(pc.equal(synth_tables["complications"]["clavien_dindo"], "V"))["episode_key"]
        .to_pylist()
    )
    # Fewer completed months than the extract lag allows: only after a death.
    short = e[e.follow_up_months < SynthParams().extract_lag_days // 30.4375]
    assert len(short) and short.episode_key.isin(died).all()


def _window_days() -> dict[str, tuple[int, int]]:
    """Days from surgery that each timepoint's window can span, from clinical.schedule."""
    from spinepath.clinical.schedule import follow_up_schedule

    spans: dict[str, tuple[int, int]] = {"baseline": (-90, 0)}
    day = date(2019, 1, 1)
    while day < date(2027, 1, 1):
        for timepoint in follow_up_schedule(day, include_24_months=True)[1:]:
            low, high = (timepoint.window_start - day).days, (timepoint.window_end - day).days
            old = spans.get(timepoint.id, (low, high))
            spans[timepoint.id] = (min(old[0], low), max(old[1], high))
        day += timedelta(days=1)
    return spans


def test_outcomes_are_on_the_instruments_grids_inside_the_windows(synth_tables) -> None:
    from spinepath.clinical.instruments.promis10 import GPH_T

    o = synth_tables["outcomes"].to_pandas()
    e = synth_tables["episodes"].to_pandas().set_index("episode_key")
    spans = _window_days()
    for timepoint, rows in o.groupby("timepoint"):
        low, high = spans[timepoint]
        assert rows.days_from_surgery.between(low, high).all(), timepoint
    # Answered before the reference date: inside the completed months plus the one running.
    months = e.follow_up_months.loc[o.episode_key].to_numpy()
    assert (o.days_from_surgery.to_numpy() < (months + 1) * 30.4375).all()
    for instrument, rows in o.groupby("instrument"):
        score = rows.score
        if instrument in ("odi", "ndi"):
            assert score.between(0, 100).all()
            nine_sections = np.round(np.round(score * 0.45) / 45 * 100, 2)
            assert ((score % 2 == 0) | np.isclose(score, nine_sections, atol=1e-3)).all()
        elif instrument.startswith("nrs"):
            assert score.between(0, 10).all() and (score % 1 == 0).all()
        elif instrument == "eq5d-5l":
            assert score.between(-0.573, 1.0).all()
        else:
            assert set(np.round(score.astype(float), 1)) <= set(GPH_T.values())
    # Improvement over time: ODI falls, EQ-5D and PROMIS rise.
    means = o.groupby(["instrument", "timepoint"]).score.mean()
    assert means["odi", "baseline"] - means["odi", "12m"] > 15
    assert means["eq5d-5l", "12m"] > means["eq5d-5l", "baseline"] + 0.1
    assert means["promis-10", "12m"] > means["promis-10", "baseline"] + 5
    # Neck disability for cervical radiculopathy only.
    ndi = set(o[o.instrument == "ndi"].episode_key)
    assert set(e.loc[list(ndi)].diagnosis) == {"cervical_radiculopathy"}


def test_missingness_rises_over_time(synth_tables, synth_params: SynthParams) -> None:
    o = synth_tables["outcomes"].to_pandas()
    e = synth_tables["episodes"].to_pandas()
    # Episodes whose 12-month window closed before the reference date and who did not die.
    complete = e[e.follow_up_months >= 15].episode_key  # 457 days or more
    answered = o[o.episode_key.isin(complete)].groupby("timepoint").episode_key.nunique()
    missing = 1 - answered / len(complete)
    order = ["baseline", "2w", "6w", "3m", "12m"]
    assert list(missing[order]) == sorted(missing[order])
    assert 0.05 < missing["baseline"] < 0.15 and 0.2 < missing["12m"] < 0.4
    assert 10 < len(o) / len(e) < 25  # about 20 answers per episode


def test_episode_flags_agree_with_complication_rows(synth_tables) -> None:
    e = synth_tables["episodes"].to_pandas().set_index("episode_key")
    c = synth_tables["complications"].to_pandas()
    assert c.days_from_surgery.between(0, 90).all()
    major = c.clavien_dindo.isin(["IIIa", "IIIb", "IVa", "IVb", "V"])
    derived = {
        "complication": c.episode_key,
        "major_complication": c[major].episode_key,
        "ssi": c[c.ssi_depth.notna()].episode_key,
        "readmit_30": c[c.readmitted & (c.days_from_surgery <= 30)].episode_key,
        "readmit_90": c[c.readmitted].episode_key,
        "reop_30": c[c.reoperated & (c.days_from_surgery <= 30)].episode_key,
        "reop_90": c[c.reoperated].episode_key,
    }
    for flag, keys in derived.items():
        assert set(e.index[e[flag]]) == set(keys), flag
    assert (c[c.reoperated].clavien_dindo == "IIIb").all()
    assert (c[c.reported_by == "patient"].clavien_dindo.isin(["I", "II"])).all()
    # SSI inside the NHSN windows: 30 days after decompression, 90 after fusion.
    ssi = c[c.ssi_depth.notna()].join(e.procedure_group, on="episode_key")
    assert (ssi[ssi.ssi_depth == "superficial"].days_from_surgery <= 30).all()
    assert (ssi[ssi.procedure_group != "fusion"].days_from_surgery <= 30).all()
    # A death in hospital leaves no discharge.
    died = c[c.clavien_dindo == "V"].episode_key
    assert e.loc[e.los_hours.isna()].index.isin(died).all()


def test_baseline_scores_match_the_outcome_rows(synth_tables) -> None:
    e = synth_tables["episodes"].to_pandas().set_index("episode_key")
    o = synth_tables["outcomes"].to_pandas()
    base = o[o.timepoint == "baseline"].pivot(
        index="episode_key", columns="instrument", values="score"
    )
    base = base.reindex(e.index)
    for column, instrument in (
        ("baseline_odi", "odi"),
        ("baseline_ndi", "ndi"),
        ("baseline_nrs_back", "nrs-back"),
        ("baseline_nrs_leg", "nrs-leg"),
    ):
        assert e[column].equals(base[instrument].rename(column)), column
    # Cervical episodes have a baseline NDI and no ODI; lumbar ones the other way round.
    cervical = e.diagnosis == "cervical_radiculopathy"
    assert e[cervical].baseline_odi.isna().all() and e[~cervical].baseline_ndi.isna().all()
    assert 0.8 < e[cervical].baseline_ndi.notna().mean() < 1.0
    assert e.baseline_ndi.dropna().between(0, 100).all()


def test_follow_up_is_in_completed_months_to_the_reference_date(synth_tables) -> None:
    e = synth_tables["episodes"].to_pandas()
    reference = SynthParams().reference_date
    first = pd.to_datetime(dict(year=e.year, month=e.surgery_month, day=1))
    last = first + pd.offsets.MonthEnd(0)
    # Surgery on some day of its month: the months lie between those of its last and first
    # day (fewer only after a death).
    most = ((pd.Timestamp(reference) - first).dt.days * 16 // 487).to_numpy()
    least = ((pd.Timestamp(reference) - last).dt.days * 16 // 487).to_numpy()
    months = e.follow_up_months.to_numpy()
    assert (months <= most).all() and (months >= 0).all()
    assert ((months >= least) | e.los_hours.isna() | e.major_complication).all()
    assert (months >= least).mean() > 0.99
    assert synth_tables["episodes"].schema.field("follow_up_months").type == pa.int16()


def test_complication_categories(synth_tables) -> None:
    c = synth_tables["complications"].to_pandas()
    # An SSI is always category ssi, and nothing else is.
    assert ((c.category == "ssi") == c.ssi_depth.notna()).all()
    assert c.category.notna().all()
    share = c.category.value_counts(normalize=True)
    assert 0.25 < share["medical"] < 0.6 and 0.25 < share["surgical"] < 0.6
    # Returns to theatre are mostly surgical or SSI washouts; medical ones mostly not.
    reoperated = c[c.reoperated].category.value_counts(normalize=True)
    assert reoperated.get("medical", 0) < 0.2


# ---------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------


def test_same_seed_same_files(tmp_path: Path) -> None:
    params = SynthParams(episodes=1_500, sites=8, surgeons=20, years=3)
    generate(tmp_path / "a", params, seed=5)
    generate(tmp_path / "b", params, seed=5)
    generate(tmp_path / "c", params, seed=6)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a != c
    assert generate_tables(params, seed=5)["episodes"].equals(
        generate_tables(params, seed=5)["episodes"]
    )
    assert planted(params, seed=5) == planted(params, seed=5)


# ---------------------------------------------------------------------------
# Planted effects
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def effects() -> dict[str, dict[str, pd.DataFrame]]:
    """80,000 episodes with the default (planted) MISS effects and with none, as model-ready
    frames: episodes (all) and odi12 (12-month ODI rows)."""
    frames = {}
    for name, params in (
        ("planted", SynthParams(**EFFECT_SIZE)),
        ("null", SynthParams.null(**EFFECT_SIZE)),
    ):
        tables = generate_tables(params, seed=EFFECT_SEED)
        e = tables["episodes"].to_pandas()
        e = e.assign(
            miss=(e.approach == "miss").astype(int),
            smoker=e.smoker.fillna(False).astype(int),
            diabetes=e.diabetes.fillna(False).astype(int),
            bmi=e.bmi.fillna(e.bmi.mean()),
            los_days=e.los_hours / 24,
            ssi=e.ssi.astype(int),
        )
        o = tables["outcomes"]
        twelve = o.filter(
            pc.and_(pc.equal(o["instrument"], "odi"), pc.equal(o["timepoint"], "12m"))
        )
        c = tables["complications"]
        medical = set(c.filter(pc.equal(c["category"], "medical"))["episode_key"].to_pylist())
        e = e.assign(medical=e.episode_key.isin(medical).astype(int))
        frames[name] = {"episodes": e, "odi12": twelve.to_pandas()}
    return frames


def _design(e: pd.DataFrame, *categorical: str) -> np.ndarray:
    """Intercept, MISS and the case mix (age, sex, BMI, ASA, smoking, diabetes, diagnosis,
    levels), plus dummies for the named columns."""
    numeric = e[["miss", "age", "bmi", "smoker", "diabetes", "levels"]].to_numpy(float)
    names = ["sex", "asa", "diagnosis", *categorical]
    dummies = pd.get_dummies(e[names].astype(str), drop_first=True, dtype=float).to_numpy()
    return np.column_stack([np.ones(len(e)), numeric, dummies])


def _compared(e: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """Completed MISS against open, decompression and fusion (or one group)."""
    e = e[(e.approach != "converted") & (e.procedure_group != "kyphoplasty")]
    return e[e.procedure_group == group] if group else e


def _crude_ssi_or(e: pd.DataFrame) -> float:
    """Mantel-Haenszel odds ratio of SSI, MISS against open, by procedure group only."""
    numerator = denominator = 0.0
    for _, stratum in _compared(e).groupby("procedure_group"):
        miss, open_ = stratum[stratum.miss == 1].ssi, stratum[stratum.miss == 0].ssi
        numerator += miss.sum() * (1 - open_).sum() / len(stratum)
        denominator += (1 - miss).sum() * open_.sum() / len(stratum)
    return numerator / denominator


# The models below use einsum rather than BLAS products: on a busy 2-core machine OpenBLAS
# threads contend and a 20-column fit takes seconds instead of milliseconds.


def _logistic(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic regression (Newton-Raphson): coefficients, standard errors."""
    beta = np.zeros(x.shape[1])
    for _ in range(25):
        p = 1 / (1 + np.exp(-np.einsum("ni,i->n", x, beta)))
        information = np.einsum("ni,nj,n->ij", x, x, p * (1 - p))
        step = np.linalg.solve(information, np.einsum("ni,n->i", x, y - p))
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(information)))


def _ols(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Least-squares coefficients (columns without variation get 0)."""
    gram = np.einsum("ni,nj->ij", x, x)
    used = np.diag(gram) > 1e-9
    coefficients = np.zeros(x.shape[1])
    coefficients[used] = np.linalg.solve(gram[np.ix_(used, used)], np.einsum("ni,n->i", x, y)[used])
    return coefficients


def _adjusted_ssi_or(e: pd.DataFrame) -> tuple[float, float, float]:
    e = _compared(e)
    beta, se = _logistic(e.ssi.to_numpy(float), _design(e, "procedure_group"))
    low, high = np.exp(beta[1] - 1.96 * se[1]), np.exp(beta[1] + 1.96 * se[1])  # 1 = MISS
    return float(np.exp(beta[1])), float(low), float(high)


def _adjusted_difference(e: pd.DataFrame, outcome: str, *extra: str) -> float:
    """MISS minus open in fusion, adjusted for case mix and the surgeon (fixed effects, by
    subtracting each surgeon's means)."""
    e = _compared(e, "fusion").dropna(subset=[outcome])  # no stay after a death in hospital
    x = np.column_stack([_design(e), e[list(extra)].to_numpy(float), e[outcome].to_numpy(float)])
    frame = pd.DataFrame(x).groupby(e.surgeon_key.to_numpy())
    within = x - frame.transform("mean").to_numpy()
    return float(_ols(within[:, -1], within[:, :-1])[1])  # column 1 is MISS


def test_planted_ssi_effect_shows_crude_and_adjusted(effects) -> None:
    assert _crude_ssi_or(effects["planted"]["episodes"]) < 0.4
    assert _crude_ssi_or(effects["null"]["episodes"]) > 0.6
    estimate, _, high = _adjusted_ssi_or(effects["planted"]["episodes"])
    assert 0.22 < estimate < 0.4 and high < 0.5  # planted: 0.3 (Park 2018)
    estimate, _, _ = _adjusted_ssi_or(effects["null"]["episodes"])
    assert 0.82 < estimate < 1.22


def test_planted_medical_effect_shows_in_the_medical_category(effects) -> None:
    # Goldstein 2016: medical adverse events RR 0.39 with MISS, planted on the medical kind;
    # the category also holds half the minor and all unrelated events, which MISS does not
    # change, so the adjusted odds ratio is diluted towards 1 but stays clearly below it.
    def adjusted(e: pd.DataFrame) -> float:
        e = _compared(e)
        beta, _ = _logistic(e.medical.to_numpy(float), _design(e, "procedure_group"))
        return float(np.exp(beta[1]))

    assert adjusted(effects["planted"]["episodes"]) < 0.8
    assert 0.8 < adjusted(effects["null"]["episodes"]) < 1.25


def test_confounding_by_indication_makes_crude_differ_from_adjusted(effects) -> None:
    # With no planted effect, MISS patients are still healthier: the crude SSI odds ratio
    # favours MISS more than the adjusted one.
    e = effects["null"]["episodes"]
    assert _crude_ssi_or(e) < 0.9 * _adjusted_ssi_or(e)[0]
    mean = _compared(e).groupby("approach")[["age", "asa", "bmi"]].mean()
    assert (mean.loc["miss"] < mean.loc["open"]).all()


@pytest.mark.parametrize(
    ("outcome", "planted_value", "tolerance"),
    [("ebl_ml", -265.0, 30.0), ("los_days", -2.0, 0.25), ("op_minutes", 21.0, 5.0)],
)
def test_planted_fusion_effects_are_recovered(effects, outcome, planted_value, tolerance) -> None:
    # Goldstein 2016 / Park 2018 (reference clinical.md §9.1), as planted in SynthParams.
    assert (
        abs(_adjusted_difference(effects["planted"]["episodes"], outcome) - planted_value)
        < tolerance
    )
    assert abs(_adjusted_difference(effects["null"]["episodes"], outcome)) < tolerance / 2


def test_planted_odi_gain_after_fusion(effects) -> None:
    def gain(frames: dict[str, pd.DataFrame]) -> float:
        e = frames["episodes"].merge(frames["odi12"][["episode_key", "score"]], on="episode_key")
        e = e.dropna(subset=["baseline_odi"]).assign(improvement=lambda d: d.baseline_odi - d.score)
        return _adjusted_difference(e, "improvement", "baseline_odi")

    assert abs(gain(effects["planted"]) - 3.2) < 1.0  # Park 2018: 3.2 points
    assert abs(gain(effects["null"])) < 1.0


def test_planted_outlier_surgeons_stand_out(effects) -> None:
    # Observed over expected complications by surgeon, expected from case mix, procedure
    # group and MISS (what a funnel plot shows).
    e = effects["planted"]["episodes"]
    # (Kyphoplasty is exactly the vertebral fractures, so the group enters as fusion or not.)
    x = np.column_stack([_design(e), e.procedure_group.eq("fusion").to_numpy(float)])
    y = e.complication.to_numpy(float)
    expected = 1 / (1 + np.exp(-x @ _logistic(y, x)[0]))
    ratio = (
        pd.DataFrame({"surgeon": e.surgeon_key, "observed": y, "expected": expected})
        .groupby("surgeon")[["observed", "expected"]]
        .sum()
        .eval("observed / expected")
    )
    plants = planted(SynthParams(**EFFECT_SIZE), seed=EFFECT_SEED)
    # The site's own effect and chance blur them a little, but they stand out.
    for key, odds_ratio in plants.surgeons:
        if odds_ratio >= 2.5:
            assert ratio[key] > max(1.3, ratio.quantile(0.8)), key
        elif odds_ratio <= 0.5:
            assert ratio[key] < min(0.6, ratio.quantile(0.1)), key
    others = ratio.drop([key for key, _ in plants.surgeons])
    assert others.between(0.4, 1.8).mean() > 0.9


def test_params_validate() -> None:
    with pytest.raises(ValueError, match="surgeons must be at least sites"):
        SynthParams(sites=10, surgeons=5).validate()
    with pytest.raises(ValueError, match="episodes"):
        SynthParams(episodes=0).validate()
    with pytest.raises(ValueError, match="miss_ssi_odds_ratio"):
        SynthParams(miss_ssi_odds_ratio=0).validate()
    null = SynthParams.null()
    assert null.miss_ssi_odds_ratio == 1.0 and null.miss_odi_gain == 0.0
    assert null.confounding == SynthParams().confounding


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def test_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["synth", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: spinepath synth")
    for option in (
        "--episodes",
        "--out",
        "--seed",
        "--sites",
        "--surgeons",
        "--start-year",
        "--years",
    ):
        assert option in out


def test_cli_writes_and_prints_a_json_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "synth"
    argv = ["synth", "--episodes", "600", "--out", str(out), "--sites", "6", "--surgeons", "15"]
    assert main([*argv, "--seed", "4", "--years", "2", "--start-year", "2023"]) == 0
    printed, err = capsys.readouterr()
    summary = json.loads(printed)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert summary["episodes"] == 600 == manifest["counts"]["episodes"]
    assert summary["outcomes"] == manifest["counts"]["outcomes"] > 0
    assert summary["dataset_version"] == dataset.DATASET_VERSION and summary["seed"] == 4
    assert summary["files"] == len(list(out.rglob("*.parquet")))
    assert {p.name for p in (out / "episodes").iterdir()} <= {f"site=s00{i}" for i in range(1, 7)}
    assert {p.name for p in out.glob("episodes/*/*")} <= {"year=2023", "year=2024"}
    assert "Traceback" not in err
    # Again into the same directory: refused, unless --force (a synthetic dataset only).
    assert main(argv) == 2
    assert "not empty" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    capsys.readouterr()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["synth", "--episodes", "10", "--out", str(other), "--force"]) == 2
    assert (other / "notes.txt").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--episodes", "0"],
        ["--episodes", "ten"],
        ["--episodes", "10", "--sites", "0"],
        ["--episodes", "10", "--sites", "50", "--surgeons", "20"],
        ["--episodes", "10", "--years", "0"],
        ["--episodes", "10", "--seed", "-1"],
        ["--episodes", "10", "--start-year", "19"],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["synth", *argv, "--out", str(tmp_path / "x")])
    except SystemExit as exc:  # argparse's own errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_cli_output_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    assert main(["synth", "--episodes", "5", "--out", str(target)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_force_replaces_the_analytics_store_with_the_dataset(tmp_path: Path) -> None:
    from spinepath.registry import store, synth

    assert synth.ANALYTICS_STORE == store.STORE_DIR  # kept in step without importing DuckDB
    params = SynthParams(episodes=300, sites=8, surgeons=20, years=2)
    generate(tmp_path, params, seed=1)
    (tmp_path / synth.ANALYTICS_STORE).mkdir()
    (tmp_path / synth.ANALYTICS_STORE / "old.duckdb").write_bytes(b"stale")
    generate(tmp_path, params, seed=2, overwrite=True)
    assert not (tmp_path / synth.ANALYTICS_STORE).exists()
