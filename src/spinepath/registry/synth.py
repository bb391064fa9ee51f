"""A synthetic registry in the extract's format (spinepath.registry.dataset).

``generate(out, params, seed)`` writes episodes, outcomes and complications as hive-partitioned
Parquet (site=<code>/year=<yyyy>) plus manifest.json; ``generate_tables(params, seed)`` returns
the same rows in memory (for tests), with the partition columns ``site`` and ``year`` appended.
The data are made up: no row describes a real patient, surgeon or site.

What is in it
-------------
* Sites (300 by default) with skewed volumes (log-normal weights), some joining the registry
  late, a dip in 2020 (elective surgery suspended) and growth of about 7 % a year. Surgeons
  (about 1,000) are nested in sites, more of them in bigger sites, with skewed volumes.
* Case mix by diagnosis (patients.models.Condition values): age, sex, BMI, smoking, diabetes,
  ASA 1-4 (driven by age, BMI, diabetes and smoking), levels 1-3 (fusion more multi-level;
  the extract writes 1, as a SurgicalCase records one level). Ages are drawn up to 95 and
  written top-coded at 90, as the extract writes them.
  About 4 % of episodes are a second operation of an earlier patient at the same site.
* Procedures from clinical.procedures, grouped as clinical.discharge_plan.procedure_group
  without the approach suffix (decompression / fusion / kyphoplasty). The approach is chosen
  by site and surgeon preference, a rising trend over the years, and the case mix: healthier
  patients (lower ASA and BMI, younger, non-smokers, single level) are more often operated on
  through MISS (confounding by indication), so crude MISS-vs-open differences overstate the
  benefit that risk adjustment recovers. About 3 % of MISS cases are converted to open
  (``approach = "converted"``, procedure = the intended MISS procedure: intention to treat).
* Effects of MISS against open surgery (``SynthParams``), calibrated to the meta-analyses in
  reference clinical.md §9.1; each default names its source below. ``SynthParams.null()``
  plants none of them (keeping the confounding), so an analysis can be checked both ways.
* Complications (SSI with NHSN depth and window, medical, surgical, minor, unrelated) with
  Clavien-Dindo grades, readmission and reoperation, and a ``category`` (ssi, surgical or
  medical; minor ones split between surgical and medical, unrelated ones medical); the
  episode flags (complication, major_complication, ssi, readmit_30/90, reop_30/90) are
  derived from these rows, so the two tables always agree. Covariates (age, ASA, BMI,
  smoking, diabetes, levels) raise the risks; surgeons and sites have random effects on the
  log-odds (made exactly independent of their preference for MISS in the sample, so that no
  MISS effect appears by chance where none was planted), and a few are planted outliers
  (``outlier_surgeon_odds_ratios``, ``outlier_site_odds_ratios``; their keys and codes are
  in manifest.json under "planted") so funnel plots have something to find.
* Length of stay (from the start of the operation, as the extract counts it) with same-day
  discharge, blood loss, operative time, discharge MME from common regimens, persistent
  opioid use (days 90-180).
* PROMs (ODI, or NDI for cervical radiculopathy, whose episodes then have ``baseline_ndi``
  and no ``baseline_odi``; NRS back and leg for lumbar cases; PROMIS-10 GPH T-score,
  EQ-5D-5L index on the US value set) at baseline, 2 w, 6 w, 3 m, 12 m and, at sites with
  long follow-up, 24 m, with days from surgery inside the windows of
  clinical.schedule.DEFAULT_RULES, missingness that rises over time (patient- and
  site-level, more after complications), measurement noise, and administrative censoring at
  the reference date (``extract_lag_days`` after the last year; ``follow_up_months`` counts
  the completed months up to it). Scores are on the instruments' own grids (ODI in 2-point
  steps or /45 when one section is missing, NRS integers, PROMIS T from the raw-score table,
  EQ-5D from profiles).

Shaped like the extract's output (spinepath.registry.extract): keys of 32 hex digits, one
``part-0.parquet`` per partition and table (zstd), rows sorted by episode_key, a manifest
with the same "tables", "partition_columns", "value_sets" and per-partition "rows", plus the
generation's seed, params, counts and planted outliers.

Deterministic: the same params and seed give byte-identical Parquet files (manifest.json
carries a timestamp). Memory stays bounded: sites are generated in chunks of about
``CHUNK_EPISODES`` episodes (the chunking is part of the stream of random numbers), every
partition is written once, and at most two chunks are held while files are written.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from spinepath.registry import dataset

CHUNK_EPISODES = 100_000
GENERATOR = "spinepath synth"
COMPRESSION = "zstd"
FILE_NAME = "part-0.parquet"  # as the extract
WRITERS = 2  # threads writing Parquet files

# ---------------------------------------------------------------------------
# Vocabularies (the values the contract names)
# ---------------------------------------------------------------------------

# patients.models.Condition values, in that order (a test keeps the two in step; importing
# the Django model here would need Django set up).
DIAGNOSES = (
    "lumbar_disc_herniation",
    "lumbar_spinal_stenosis",
    "degenerative_spondylolisthesis",
    "vertebral_compression_fracture",
    "cervical_radiculopathy",
    "other",
)
LDH, LSS, DS, VCF, CR, OTHER = range(6)

SEXES = ("female", "male", "other", "unknown")
GROUPS = ("decompression", "fusion", "kyphoplasty")
DECOMPRESSION, FUSION, KYPHOPLASTY = range(3)
APPROACHES = ("miss", "open", "converted")
A_MISS, A_OPEN, A_CONVERTED = range(3)
INSTRUMENTS = ("odi", "ndi", "nrs-back", "nrs-leg", "promis-10", "eq5d-5l")
I_ODI, I_NDI, I_BACK, I_LEG, I_PROMIS, I_EQ5D = range(6)
TIMEPOINTS = ("baseline", "2w", "6w", "3m", "12m", "24m")
T_BASE, T_2W, T_6W, T_3M, T_12M, T_24M = range(6)
GRADES = ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")
G_I, G_II, G_IIIA, G_IIIB, G_IVA, G_IVB, G_V = range(7)
SSI_DEPTHS = ("superficial", "deep", "organ_space")
CATEGORIES = dataset.COMPLICATION_CATEGORIES  # ssi, surgical, medical
CAT_SSI, CAT_SURGICAL, CAT_MEDICAL = range(3)
# The kinds of complication rows drawn below, and the category each is written as (minor
# ones are split between surgical and medical at MINOR_SURGICAL_SHARE).
KINDS = ("ssi", "medical", "surgical", "minor", "unrelated")
KIND_CATEGORY = np.array([CAT_SSI, CAT_MEDICAL, CAT_SURGICAL, -1, CAT_MEDICAL])
# [U] minor deviations (grade I-II) are as often wound, CSF-leak or root-irritation problems
# as urinary retention, ileus or nausea; unrelated events (other illness) count as medical.
MINOR_SURGICAL_SHARE = 0.5
REPORTERS = ("staff", "patient")
# Outcome slots (timepoint * 6 + instrument) ranked by (instrument, timepoint) names, the
# extract's row order within an episode.
_SLOT_RANK = np.argsort(
    np.argsort([f"{INSTRUMENTS[s % 6]}\0{TIMEPOINTS[s // 6]}" for s in range(36)], kind="stable")
)

# Procedure ids from clinical.procedures (a test checks they exist there, and that the group
# equals clinical.discharge_plan.procedure_group without its _miss/_open suffix).
PROCEDURE_IDS = (
    "tubular_microdiscectomy",
    "endoscopic_transforaminal_discectomy",
    "endoscopic_interlaminar_discectomy",
    "mis_decompression_ulbd",
    "mis_tlif",
    "llif_xlif",
    "olif",
    "kyphoplasty",
    "open_discectomy",
    "open_laminectomy",
    "open_fusion",
)
(
    P_TUBULAR,
    P_ENDO_TF,
    P_ENDO_IL,
    P_ULBD,
    P_MIS_TLIF,
    P_LLIF,
    P_OLIF,
    P_KYPHO,
    P_OPEN_DISC,
    P_OPEN_LAM,
    P_OPEN_FUSION,
) = range(11)
# Discectomy-type (0) or laminectomy-type (1) decompression, for blood loss and time.
LAMINECTOMY_TYPE = np.array([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0], dtype=bool)

# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------

# Effects of MISS against open surgery that SynthParams.null() switches off.
_NEUTRAL: dict[str, float] = {
    "miss_ssi_odds_ratio": 1.0,
    "miss_medical_ae_rr": 1.0,
    "miss_surgical_ae_odds_ratio": 1.0,
    "miss_odi_gain": 0.0,
    "miss_odi_gain_decompression": 0.0,
    "miss_fusion_ebl_ml": 0.0,
    "miss_fusion_los_days": 0.0,
    "miss_fusion_op_minutes": 0.0,
    "miss_fusion_same_day": 0.0,
    "miss_decompression_same_day_odds_ratio": 1.0,
    "miss_decompression_ebl_ratio": 1.0,
    "miss_decompression_op_minutes": 0.0,
    "miss_discharge_mme_ratio": 1.0,
    "conversion_complication_odds_ratio": 1.0,
    "conversion_ebl_ratio": 1.0,
    "conversion_op_minutes": 0.0,
}


@dataclass(frozen=True)
class SynthParams:
    """Everything that shapes a synthetic registry except the seed.

    MISS effects are against open surgery for the same procedure group, at the same case
    mix, for completed MISS cases (converted cases carry the open risks plus the conversion
    penalties). Kyphoplasty has no open comparator and gets none of them.
    """

    episodes: int = 10_000
    sites: int = 300
    surgeons: int = 1_000
    start_year: int = 2019
    years: int = 7

    # --- approach mix ---------------------------------------------------------------
    miss_share_decompression: float = 0.60  # MISS share mid-period [U programme assumption]
    miss_share_fusion: float = 0.40
    miss_trend_per_year: float = 0.15  # log-odds of MISS per calendar year
    conversion_rate: float = 0.03  # MISS converted to open (brief: about 3 %)
    # Strength of confounding by indication (1 = default; 0 = approach independent of case mix).
    confounding: float = 1.0

    # --- planted MISS effects (reference clinical.md §9.1) ------------------------------
    # Park 2018 (Yonsei Med J 59(4):524-38): infection OR 0.3 (0.1-0.9), MIS vs open fusion;
    # applied to MISS decompression too (no pooled estimate in §9 for decompression) [D].
    miss_ssi_odds_ratio: float = 0.3
    # Goldstein 2016 (J Neurosurg Spine 24(3):416-27): medical adverse events RR 0.39
    # (0.23-0.69), MIS vs open TLIF/PLIF; applied to all MISS [D].
    miss_medical_ae_rr: float = 0.39
    # Goldstein 2016: surgical adverse events not different (p=0.97); Park 2018: complications NS.
    miss_surgical_ae_odds_ratio: float = 1.0
    # Park 2018: ODI improvement WMD 3.2 (1.5-5.0) points greater with MIS fusion (at 12 m).
    miss_odi_gain: float = 3.2
    # Li 2018 (7 RCTs): ODI not different for single-level TLIF; none for decompression [U].
    miss_odi_gain_decompression: float = 0.0
    # Goldstein 2016: EBL -260 mL; Park 2018: -269.5 mL (246.2-292.9); Sun 2013 -232.9.
    miss_fusion_ebl_ml: float = -265.0
    # Park 2018: LOS -1.3 days (1.1-1.5); Goldstein 2016: -2.9 days; Sun 2013: -2.11.
    miss_fusion_los_days: float = -2.0
    # Park 2018: operative time +21.0 min (15.9-26.2); Goldstein and Sun: NS.
    miss_fusion_op_minutes: float = 21.0
    # Parrish 2020 / Smith 2016 (reference §5.3): some MIS fusions go home the same day.
    miss_fusion_same_day: float = 0.06
    # Same-day discharge: open single-level laminectomy 27.3 % (Soffin 2019, §5.3), MISS
    # decompression mostly same day [U programme assumption]: odds ratio on same-day discharge.
    miss_decompression_same_day_odds_ratio: float = 6.0
    miss_decompression_ebl_ratio: float = 0.35  # [U] no pooled estimate in §9
    miss_decompression_op_minutes: float = 8.0  # [U]
    miss_discharge_mme_ratio: float = 0.8  # [U] less tissue trauma, less opioid at discharge
    conversion_complication_odds_ratio: float = 1.8  # [U] conversions follow difficulty
    conversion_ebl_ratio: float = 1.3  # [U]
    conversion_op_minutes: float = 45.0  # [U]

    # --- variation between surgeons and sites -------------------------------------------
    surgeon_sd: float = 0.30  # random effect on the log-odds of every complication
    site_sd: float = 0.20
    # Planted outliers: one odds ratio (on every complication) per outlier, chosen among the
    # busier half of surgeons / sites. Their keys are in manifest.json under "planted".
    outlier_surgeon_odds_ratios: tuple[float, ...] = (3.0, 3.0, 2.5, 2.5, 0.3)
    outlier_site_odds_ratios: tuple[float, ...] = (2.2, 1.8, 0.45)

    # --- patients and follow-up ---------------------------------------------------------
    repeat_patient_rate: float = 0.04  # episodes that are a patient's second operation
    promis_site_share: float = 0.85  # sites that collect PROMIS-10
    long_follow_up_site_share: float = 0.5  # sites that collect 24-month PROMs
    # Share of questionnaire sessions not returned, by timepoint (baseline ... 24m),
    # before patient and site variation; the realised shares come out a little higher.
    missing_by_timepoint: tuple[float, ...] = (0.05, 0.10, 0.13, 0.15, 0.20, 0.25)
    extract_lag_days: int = 120  # reference date = 1 January after the last year + this

    @classmethod
    def null(cls, **overrides: Any) -> SynthParams:
        """Parameters that plant no MISS effect (confounding by indication is kept)."""
        return cls(**{**_NEUTRAL, **overrides})

    def replace(self, **changes: Any) -> SynthParams:
        return dataclasses.replace(self, **changes)

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def reference_date(self) -> date:
        """The extract date the follow-up is censored at."""
        return date(self.start_year + self.years, 1, 1) + timedelta(days=self.extract_lag_days)

    def validate(self) -> None:
        """Raise ValueError with a one-line message for anything out of range."""
        checks: list[tuple[bool, str]] = [
            (1 <= self.episodes <= 50_000_000, "episodes must be between 1 and 50,000,000"),
            (1 <= self.sites <= 9_999, "sites must be between 1 and 9999"),
            (self.sites <= self.surgeons <= 1_000_000, "surgeons must be at least sites"),
            (1900 <= self.start_year <= 2200, "start_year must be between 1900 and 2200"),
            (1 <= self.years <= 30, "years must be between 1 and 30"),
            (90 <= self.extract_lag_days <= 3650, "extract_lag_days must be 90-3650"),
            (len(self.missing_by_timepoint) == len(TIMEPOINTS), "missing_by_timepoint: 6 values"),
            (
                len(self.outlier_surgeon_odds_ratios) <= self.surgeons // 2,
                "too many outlier surgeons for the number of surgeons",
            ),
            (
                len(self.outlier_site_odds_ratios) <= max(self.sites // 2, 0),
                "too many outlier sites for the number of sites",
            ),
        ]
        proportions = {
            name: getattr(self, name)
            for name in (
                "conversion_rate",
                "miss_fusion_same_day",
                "repeat_patient_rate",
                "promis_site_share",
                "long_follow_up_site_share",
            )
        }
        proportions.update(
            (f"missing_by_timepoint[{i}]", value)
            for i, value in enumerate(self.missing_by_timepoint)
        )
        for name, value in proportions.items():
            checks.append((0.0 <= value < 1.0, f"{name} must be a proportion below 1"))
        for name in ("miss_share_decompression", "miss_share_fusion"):
            checks.append((0.0 < getattr(self, name) < 1.0, f"{name} must be between 0 and 1"))
        for name in (
            "miss_ssi_odds_ratio",
            "miss_medical_ae_rr",
            "miss_surgical_ae_odds_ratio",
            "miss_decompression_same_day_odds_ratio",
            "miss_decompression_ebl_ratio",
            "miss_discharge_mme_ratio",
            "conversion_complication_odds_ratio",
            "conversion_ebl_ratio",
        ):
            checks.append((0.0 < getattr(self, name) <= 100.0, f"{name} must be positive"))
        checks.append(
            (
                all(0.0 < x <= 100.0 for x in self.outlier_surgeon_odds_ratios)
                and all(0.0 < x <= 100.0 for x in self.outlier_site_odds_ratios),
                "outlier odds ratios must be positive",
            )
        )
        checks.append((self.surgeon_sd >= 0 and self.site_sd >= 0, "sd must not be negative"))
        for ok, message in checks:
            if not ok:
                raise ValueError(message)

    def to_json(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


# ---------------------------------------------------------------------------
# Case-mix tables (by diagnosis: LDH, LSS, DS, VCF, CR, other). [U] programme assumptions
# shaped on registry descriptions (SPORT, Swespine, QOD populations), not fitted to a source.
# ---------------------------------------------------------------------------

DX_SHARE = np.array([0.36, 0.30, 0.17, 0.06, 0.05, 0.06])
DX_AGE = np.array([[44, 12], [68, 9], [64, 10], [75, 8], [51, 10], [57, 14]], dtype=float)
DX_FEMALE = np.array([0.44, 0.50, 0.68, 0.72, 0.45, 0.50])
DX_BMI = np.array([28.0, 29.5, 29.5, 25.5, 28.0, 28.5])
# Procedure group by diagnosis: decompression, fusion, kyphoplasty.
DX_GROUP = np.array(
    [
        [0.96, 0.04, 0.0],
        [0.85, 0.15, 0.0],
        [0.22, 0.78, 0.0],
        [0.0, 0.0, 1.0],
        [1.0, 0.0, 0.0],
        [0.70, 0.30, 0.0],
    ]
)
# Levels 1/2/3 for decompression by diagnosis; fusion and kyphoplasty below.
DX_LEVELS_DECOMPRESSION = np.array(
    [[0.93, 0.06, 0.01], [0.55, 0.33, 0.12], [0.70, 0.24, 0.06], [1, 0, 0], [0.85, 0.13, 0.02],
     [0.70, 0.22, 0.08]]
)  # fmt: skip
LEVELS_FUSION = np.array([0.62, 0.28, 0.10])
LEVELS_KYPHO = np.array([0.80, 0.16, 0.04])
# Baseline disability (ODI/NDI %), back (neck) and leg (arm) pain NRS.
DX_ODI = np.array([48.0, 42.0, 44.0, 55.0, 40.0, 40.0])
DX_BACK = np.array([5.2, 6.0, 6.6, 7.8, 5.5, 5.8])
DX_LEG = np.array([7.2, 6.6, 5.8, 2.0, 6.8, 5.0])
# Mean relative improvement of disability at 12 months (share of baseline); a 30 % reduction
# is the default MCID (Ostelo 2008, Asher 2020; reference clinical.md §2).
DX_IMPROVEMENT = np.array([0.62, 0.48, 0.52, 0.55, 0.55, 0.38])
# Share of the 12-month improvement reached at each timepoint, by group.
RECOVERY_CURVE = np.array(
    [
        [0.0, 0.55, 0.80, 0.92, 1.0, 0.96],  # decompression
        [0.0, 0.12, 0.48, 0.78, 1.0, 0.98],  # fusion
        [0.0, 0.75, 0.88, 0.95, 1.0, 0.97],  # kyphoplasty
    ]
)
SEASON = np.array([1.0, 1.0, 1.05, 1.0, 1.0, 0.95, 0.85, 0.78, 1.0, 1.05, 1.0, 0.8])
YEAR_GROWTH = 1.07
COVID_YEAR, COVID_FACTOR = 2020, 0.72

# Complication base probabilities for open surgery at the reference case mix (age 60, ASA 2,
# BMI 28, non-smoker, no diabetes, one level), by group: decompression, fusion, kyphoplasty.
# [U] order of magnitude of NSQIP/QOD series; the MISS effects come from SynthParams.
BASE_SSI = np.array([0.010, 0.020, 0.003])
BASE_MEDICAL = np.array([0.015, 0.040, 0.025])
BASE_SURGICAL = np.array([0.020, 0.035, 0.010])
BASE_MINOR = np.array([0.015, 0.030, 0.020])
BASE_UNRELATED = 0.005
# NHSN surveillance windows (reference clinical.md §7.2): LAM 30 days, FUSN 90 days
# (superficial incisional 30 days for all); vertebral augmentation treated like LAM [U].
SSI_WINDOW = np.array([30, 90, 30])
# Clavien-Dindo grade distributions (I, II, IIIa, IIIb, IVa, IVb, V), spine mapping of
# reference clinical.md §7.1: SSI on antibiotics = II, washout under GA = IIIb, PE in ICU = IVa.
GRADE_P_SSI = np.array(
    [
        [0.35, 0.60, 0.0, 0.05, 0.0, 0.0, 0.0],  # superficial
        [0.0, 0.25, 0.05, 0.70, 0.0, 0.0, 0.0],  # deep
        [0.0, 0.20, 0.10, 0.62, 0.06, 0.02, 0.0],  # organ/space
    ]
)
GRADE_P_MEDICAL = np.array([0.20, 0.615, 0.05, 0.0, 0.09, 0.03, 0.015])
GRADE_P_SURGICAL = np.array([0.30, 0.15, 0.05, 0.48, 0.02, 0.0, 0.0])
GRADE_P_MINOR = np.array([0.75, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0])
GRADE_P_UNRELATED = np.array([0.30, 0.55, 0.0, 0.10, 0.05, 0.0, 0.0])
READMIT_BY_GRADE = np.array([0.06, 0.30, 0.80, 1.0, 1.0, 1.0, 0.5])
EXTRA_HOURS_BY_GRADE = np.array([10.0, 30.0, 40.0, 60.0, 110.0, 180.0, 0.0])
# Discharge opioid regimens as MME/day (CDC 2022 factors, reference §6): e.g. hydrocodone
# 5 mg x4 = 20, oxycodone 5 mg x4 = 30, oxycodone 10 mg x4 = 60, tramadol 50 mg x4 = 40.
MME_REGIMENS = np.array([10, 15, 20, 22.5, 30, 37.5, 40, 45, 60, 75, 90, 120], dtype=float)


# ---------------------------------------------------------------------------
# Registry structure: sites and surgeons
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Structure:
    site_codes: tuple[str, ...]
    site_episodes: np.ndarray  # episodes per site
    site_year_cum: np.ndarray  # (sites, years) cumulative year probabilities
    site_miss: np.ndarray  # log-odds preference for MISS
    site_re: np.ndarray  # log-odds complication effect, outliers included
    site_same_day: np.ndarray  # log-odds same-day culture
    site_los: np.ndarray  # log LOS factor
    site_mme: np.ndarray  # log MME culture
    site_prom: np.ndarray  # log-odds of PROM non-response
    site_promis: np.ndarray  # collects PROMIS-10
    site_long: np.ndarray  # collects 24-month PROMs
    surgeon_first: np.ndarray  # first surgeon index of each site (surgeons sorted by site)
    surgeon_cum: np.ndarray  # site index + cumulative within-site share (for searchsorted)
    surgeon_miss: np.ndarray
    surgeon_re: np.ndarray
    surgeon_time: np.ndarray  # log operative-time factor
    surgeon_ebl: np.ndarray  # log blood-loss factor
    outlier_surgeons: tuple[tuple[int, float], ...]
    outlier_sites: tuple[tuple[int, float], ...]
    salts: dict[str, int] = field(default_factory=dict)


def _site_code(index: int, sites: int) -> str:
    # Never all digits: DuckDB's hive type detection would read "001" as the integer 1.
    return f"s{index + 1:0{max(3, len(str(sites)))}d}"


def _structure(params: SynthParams, seed: int) -> _Structure:
    rng = np.random.default_rng([seed, 0])
    n_sites, n_surgeons, n_years = params.sites, params.surgeons, params.years
    site_weight = rng.lognormal(0.0, 0.9, n_sites)
    site_episodes = rng.multinomial(params.episodes, site_weight / site_weight.sum())

    join = np.where(rng.random(n_sites) < 0.8, 0, rng.integers(0, n_years, n_sites))
    calendar = params.start_year + np.arange(n_years)
    year_weight = YEAR_GROWTH ** np.arange(n_years) * np.where(
        calendar == COVID_YEAR, COVID_FACTOR, 1
    )
    weights = np.where(np.arange(n_years)[None, :] >= join[:, None], year_weight[None, :], 0.0)
    site_year_cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    site_year_cum[:, -1] = 1.0

    # Surgeons: at least one per site, the rest in proportion to volume^0.8.
    share = site_weight**0.8
    per_site = 1 + rng.multinomial(n_surgeons - n_sites, share / share.sum())
    surgeon_site = np.repeat(np.arange(n_sites), per_site)
    surgeon_weight = rng.lognormal(0.0, 0.8, n_surgeons)
    site_total = np.bincount(surgeon_site, weights=surgeon_weight, minlength=n_sites)
    within = surgeon_weight / site_total[surgeon_site]
    surgeon_first = np.concatenate([[0], np.cumsum(per_site)[:-1]])
    cum_within = np.cumsum(within) - np.repeat(
        np.cumsum(within)[surgeon_first] - within[surgeon_first], per_site
    )
    last = np.cumsum(per_site) - 1
    cum_within[last] = 1.0
    surgeon_cum = surgeon_site + cum_within

    site_re = rng.normal(0.0, params.site_sd, n_sites)
    surgeon_re = rng.normal(0.0, params.surgeon_sd, n_surgeons)
    site_miss = rng.normal(0.0, 0.6, n_sites)
    surgeon_miss = rng.normal(0.0, 1.0, n_surgeons)

    # Outliers among the busier half (expected volume), so that they can be seen.
    expected_site = site_episodes.astype(float)
    busy_sites = np.flatnonzero(expected_site >= np.median(expected_site))
    chosen_sites = rng.choice(busy_sites, size=len(params.outlier_site_odds_ratios), replace=False)
    expected_surgeon = expected_site[surgeon_site] * within
    busy_surgeons = np.flatnonzero(expected_surgeon >= np.median(expected_surgeon))
    chosen_surgeons = rng.choice(
        busy_surgeons, size=len(params.outlier_surgeon_odds_ratios), replace=False
    )
    for index, odds_ratio in zip(chosen_sites, params.outlier_site_odds_ratios, strict=True):
        site_re[index] = math.log(odds_ratio)
    for index, odds_ratio in zip(chosen_surgeons, params.outlier_surgeon_odds_ratios, strict=True):
        surgeon_re[index] = math.log(odds_ratio)

    # Surgeon and site quality is independent of their taste for MISS, exactly in this sample
    # (volume-weighted), so that only the planted MISS effects link approach and outcome.
    site_x = site_miss[:, None]
    surgeon_x = np.column_stack([surgeon_miss, site_miss[surgeon_site]])
    fixed_sites = np.isin(np.arange(n_sites), chosen_sites)
    fixed_surgeons = np.isin(np.arange(n_surgeons), chosen_surgeons)

    site_re = _decorrelate(site_re, site_x, expected_site, fixed_sites)
    surgeon_re = _decorrelate(surgeon_re, surgeon_x, expected_surgeon, fixed_surgeons)

    def site_effect(sd: float) -> np.ndarray:
        return _decorrelate(rng.normal(0.0, sd, n_sites), site_x, expected_site, None)

    def surgeon_effect(sd: float) -> np.ndarray:
        return _decorrelate(rng.normal(0.0, sd, n_surgeons), surgeon_x, expected_surgeon, None)

    salts = {kind: int(rng.integers(0, 1 << 48)) for kind in ("episode", "patient", "surgeon")}
    return _Structure(
        site_codes=tuple(_site_code(i, n_sites) for i in range(n_sites)),
        site_episodes=site_episodes,
        site_year_cum=site_year_cum,
        site_miss=site_miss,
        site_re=site_re,
        site_same_day=site_effect(0.8),
        site_los=site_effect(0.15),
        site_mme=site_effect(0.25),
        site_prom=site_effect(0.5),
        site_promis=rng.random(n_sites) < params.promis_site_share,
        site_long=rng.random(n_sites) < params.long_follow_up_site_share,
        surgeon_first=surgeon_first,
        surgeon_cum=surgeon_cum,
        surgeon_miss=surgeon_miss,
        surgeon_re=surgeon_re,
        surgeon_time=surgeon_effect(0.15),
        surgeon_ebl=surgeon_effect(0.2),
        outlier_surgeons=tuple(
            (int(i), float(o))
            for i, o in zip(chosen_surgeons, params.outlier_surgeon_odds_ratios, strict=True)
        ),
        outlier_sites=tuple(
            (int(i), float(o))
            for i, o in zip(chosen_sites, params.outlier_site_odds_ratios, strict=True)
        ),
        salts=salts,
    )


def _decorrelate(
    values: np.ndarray, x: np.ndarray, weights: np.ndarray, fixed: np.ndarray | None
) -> np.ndarray:
    """``values`` with their weighted covariance with every column of ``x`` removed, changing
    only the entries not ``fixed`` (the planted outliers keep their values)."""
    free = np.ones(len(values), dtype=bool) if fixed is None else ~fixed
    w = weights / weights.sum() if weights.sum() > 0 else np.full(len(values), 1 / len(values))
    centred = x - w @ x
    gram = (centred[free] * w[free, None]).T @ centred[free]
    if len(values) < 3 or np.linalg.matrix_rank(gram) < x.shape[1]:
        return values
    beta = np.linalg.solve(gram, centred.T @ (w * values))
    adjusted = values.copy()
    adjusted[free] -= centred[free] @ beta
    return adjusted


# ---------------------------------------------------------------------------
# Pseudonymous keys, shaped like the extract's (32 hex digits, as HMAC-SHA256 truncated to
# 128 bits). The first 12 digits are a bijection of a 48-bit counter, so distinct records
# always get distinct keys; the other 20 are a further mix. No site, order or date in them.
# ---------------------------------------------------------------------------

KEY_HEX_DIGITS = 32
_MASK48 = np.uint64((1 << 48) - 1)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _mix48(values: np.ndarray, salt: int) -> np.ndarray:
    x = (values.astype(np.uint64) ^ np.uint64(salt)) & _MASK48
    for shift, multiplier in ((23, 0xD6E8FEB86659FD93), (21, 0xA0761D6478BD642F), (24, 0)):
        x ^= x >> np.uint64(shift)
        if multiplier:
            x = (x * np.uint64(multiplier)) & _MASK48  # odd: a bijection modulo 2**48
    return x


def _mix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (wrapping uint64 arithmetic)."""
    x = values.astype(np.uint64)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(x ^ (x >> np.uint64(31)))


def _hex_digits(words: np.ndarray, digits: int) -> np.ndarray:
    """The last ``digits`` hex digits of each uint64, as an (n, digits) uint8 array."""
    shifts = np.arange(4 * (digits - 1), -1, -4, dtype=np.uint64)
    return np.asarray(_HEX[((words[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.intp)])


def _keys(values: np.ndarray, salt: int) -> pa.Array:
    prefix = _mix48(values, salt)
    rest = _mix64(prefix ^ np.uint64(salt))
    more = _mix64(rest)
    chars = np.concatenate(
        [_hex_digits(prefix, 12), _hex_digits(rest, 16), _hex_digits(more >> np.uint64(48), 4)],
        axis=1,
    )
    offsets = np.arange(0, KEY_HEX_DIGITS * (len(values) + 1), KEY_HEX_DIGITS, dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(values), pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars).tobytes())
    )


# ---------------------------------------------------------------------------
# Small numeric helpers
# ---------------------------------------------------------------------------


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _logit(p: float | np.ndarray) -> Any:
    with np.errstate(divide="ignore"):  # a proportion of 0 is -inf: never happens
        return np.log(p) - np.log1p(-np.asarray(p))


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (n, k) probability matrix (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.asarray(np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1))


def _lognormal(rng: np.random.Generator, mean: np.ndarray, cv: float) -> np.ndarray:
    sigma2 = math.log1p(cv * cv)
    return np.asarray(
        np.exp(
            np.log(np.maximum(mean, 1e-9))
            - sigma2 / 2
            + rng.normal(0, 1, len(mean)) * math.sqrt(sigma2)
        )
    )


def _arrow(values: np.ndarray, type_: pa.DataType, null: np.ndarray | None = None) -> pa.Array:
    if null is not None and not null.any():
        null = None
    return pa.array(values, type=type_, mask=null)


def _take(
    vocabulary: tuple[str, ...], codes: np.ndarray, null: np.ndarray | None = None
) -> pa.Array:
    dictionary = pa.array(vocabulary, type=pa.string())
    indices = pa.array(
        codes.astype(np.int32),
        type=pa.int32(),
        mask=null if null is not None and null.any() else None,
    )
    return dictionary.take(indices)


def _days_in_month(months: np.ndarray) -> np.ndarray:
    """Days in each month, given months since 1970-01 (numpy datetime64[M] as int)."""
    start = months.astype("datetime64[M]").astype("datetime64[D]")
    end = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    return np.asarray((end - start).astype(np.int64))


@cache
def _eq5d_table() -> np.ndarray:
    """EQ-5D-5L index (US value set, Pickard 2019) for every profile, by base-5 code."""
    from itertools import product

    from spinepath.clinical.instruments.eq5d_value_sets import value_set

    vs = value_set("eq5d-5l", "us")
    table = np.empty(5**5)
    for levels in product(range(1, 6), repeat=5):
        code = sum((level - 1) * 5**k for k, level in enumerate(levels))
        table[code] = float(vs.index(levels))
    return table


@cache
def _gph_table() -> np.ndarray:
    from spinepath.clinical.instruments.promis10 import GPH_T

    return np.array([GPH_T[raw] for raw in range(4, 21)])


# ---------------------------------------------------------------------------
# One chunk of sites, in stages that add arrays to a _Cohort
# ---------------------------------------------------------------------------


class _Cohort(SimpleNamespace):
    """The arrays of one chunk's episodes (one element per episode unless named)."""


@dataclass
class _Chunk:
    episodes: pa.Table
    outcomes: pa.Table
    complications: pa.Table
    # Partition boundaries: (site code, year, episode rows, outcome rows, complication rows).
    partitions: list[tuple[str, int, slice, slice, slice]]


def _chunks(struct: _Structure) -> list[np.ndarray]:
    """Contiguous groups of sites holding about CHUNK_EPISODES episodes each."""
    groups: list[np.ndarray] = []
    start, total = 0, 0
    for site, count in enumerate(struct.site_episodes):
        total += int(count)
        if total >= CHUNK_EPISODES:
            groups.append(np.arange(start, site + 1))
            start, total = site + 1, 0
    if start < len(struct.site_episodes):
        groups.append(np.arange(start, len(struct.site_episodes)))
    return groups


def _when_where(
    c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator, sites: np.ndarray
) -> None:
    counts = struct.site_episodes[sites]
    n = c.n = int(counts.sum())
    c.first_episode = int(struct.site_episodes[: sites[0]].sum()) if len(sites) else 0
    site = np.repeat(sites, counts)
    year_index = (rng.random(n)[:, None] > struct.site_year_cum[site]).sum(axis=1)
    year = params.start_year + np.minimum(year_index, params.years - 1)
    month = rng.choice(12, size=n, p=SEASON / SEASON.sum()) + 1
    dom = 1 + (rng.random(n) * _days_in_month((year - 1970) * 12 + month - 1)).astype(np.int64)
    order = np.lexsort((dom, month, year, site))  # partitions become contiguous
    c.site, c.year, c.month, c.dom = site[order], year[order], month[order], dom[order]
    c.months = (c.year - 1970) * 12 + (c.month - 1)  # months since 1970-01
    c.surgery_day = (
        c.months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + c.dom - 1
    )
    c.surgeon = np.searchsorted(struct.surgeon_cum, c.site + rng.random(n), side="right")

    # A few episodes are the second operation of an earlier patient of the same site.
    index = np.arange(n)
    site_start = np.searchsorted(c.site, c.site, side="left")
    position = index - site_start
    candidate = (rng.random(n) < params.repeat_patient_rate) & (position > 0)
    earlier = index - 1 - np.floor(rng.random(n) * np.minimum(position, 400)).astype(np.int64)
    earlier = np.where(candidate, earlier, index)
    valid = candidate & (c.surgery_day[earlier] < c.surgery_day) & ~candidate[earlier]
    c.root = np.where(valid, earlier, index)
    c.repeat = valid


def _case_mix(c: _Cohort, rng: np.random.Generator) -> None:
    n, root, repeat = c.n, c.root, c.repeat
    dx = rng.choice(len(DIAGNOSES), size=n, p=DX_SHARE)
    c.dx = np.where(repeat & (rng.random(n) < 0.7), dx[root], dx)  # same disease again
    age = rng.normal(DX_AGE[c.dx, 0], DX_AGE[c.dx, 1])
    sex = np.where(rng.random(n) < DX_FEMALE[c.dx], 0, 1)
    u = rng.random(n)
    sex = np.select([u < 0.003, u < 0.010], [2, 3], sex)  # other, not recorded
    bmi = DX_BMI[c.dx] * np.exp(rng.normal(-0.0145, 0.17, n))
    smoker = rng.random(n) < _expit(_logit(0.17) - 0.03 * (age - 50))
    diabetes = rng.random(n) < _expit(_logit(0.12) + 0.04 * (age - 60) + 0.08 * (bmi - 28))
    # Second operations keep the patient's sex, age (plus the time between), habits, diabetes.
    age = np.where(repeat, age[root] + (c.surgery_day - c.surgery_day[root]) / 365.25, age)
    c.sex = np.where(repeat, sex[root], sex)
    bmi = np.where(repeat, bmi[root] * np.exp(rng.normal(0, 0.03, n)), bmi)
    c.smoker = np.where(repeat, smoker[root], smoker)
    c.diabetes = np.where(repeat, diabetes[root] | diabetes, diabetes)
    c.age = np.clip(np.floor(age), 18, 95)
    c.bmi = np.clip(np.round(bmi, 1), 15.0, 65.0)
    asa_latent = (
        0.045 * (c.age - 60)
        + 0.08 * (c.bmi - 28)
        + 0.9 * c.diabetes
        + 0.35 * c.smoker
        + rng.normal(0, 1, n)
    )
    c.asa = 1 + np.searchsorted(np.array([-1.45, 0.45, 2.35]), asa_latent)
    c.age_dec = (c.age - 60) / 10
    c.bmi5 = (c.bmi - 28) / 5
    # Not recorded (the risks above used the true values).
    c.bmi_null = rng.random(n) < 0.01
    c.smoker_null = rng.random(n) < 0.04
    c.diabetes_null = rng.random(n) < 0.02


def _approach(
    c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator
) -> None:
    n, dx = c.n, c.dx
    c.group = group = _categorical(rng, DX_GROUP[dx])
    level_p = np.where(
        (group == FUSION)[:, None],
        LEVELS_FUSION[None, :],
        np.where(
            (group == KYPHOPLASTY)[:, None], LEVELS_KYPHO[None, :], DX_LEVELS_DECOMPRESSION[dx]
        ),
    )
    c.levels = 1 + _categorical(rng, level_p)
    share = np.where(
        group == FUSION, _logit(params.miss_share_fusion), _logit(params.miss_share_decompression)
    )
    # Confounding by indication: healthier and simpler cases are more often done through MISS.
    indication = (
        -0.35 * (c.asa - 2)
        - 0.04 * (c.bmi - 28)
        - 0.2 * c.age_dec
        - 0.25 * c.smoker
        - 0.35 * (c.levels - 1)
    )
    miss_logit = (
        share
        + params.miss_trend_per_year * (c.year - params.start_year - (params.years - 1) / 2)
        + struct.site_miss[c.site]
        + struct.surgeon_miss[c.surgeon]
        + params.confounding * indication
    )
    miss = (rng.random(n) < _expit(miss_logit)) | (group == KYPHOPLASTY)
    conversion_logit = _logit(params.conversion_rate) + 0.04 * (c.bmi - 28) + 0.3 * (c.levels - 1)
    c.converted = miss & (group != KYPHOPLASTY) & (rng.random(n) < _expit(conversion_logit))
    c.completed_miss = miss & ~c.converted & (group != KYPHOPLASTY)  # gets the MISS effects
    c.approach = np.select([c.converted, miss], [A_CONVERTED, A_MISS], A_OPEN)

    u, w = rng.random(n), rng.random(n)
    lam_type = (dx == LSS) | ((dx == OTHER) & (u < 0.5)) | ((dx == DS) & (u < 0.8))
    miss_decompression = np.select(
        [lam_type & (w < 0.9), lam_type, dx == CR, w < 0.55, w < 0.75],
        [P_ULBD, P_ENDO_IL, np.where(w < 0.8, P_TUBULAR, P_ENDO_IL), P_TUBULAR, P_ENDO_TF],
        P_ENDO_IL,
    )
    v = rng.random(n)
    miss_fusion = np.select([v < 0.6, v < 0.82], [P_MIS_TLIF, P_LLIF], P_OLIF)
    c.procedure = np.select(
        [group == KYPHOPLASTY, (group == FUSION) & miss, group == FUSION, miss, lam_type],
        [P_KYPHO, miss_fusion, P_OPEN_FUSION, miss_decompression, P_OPEN_LAM],
        P_OPEN_DISC,
    )


def _theatre(c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator) -> None:
    """Operative time, blood loss and the planned length of stay."""
    n, group, extra, miss = c.n, c.group, c.levels - 1, c.completed_miss
    lam = LAMINECTOMY_TYPE[c.procedure]
    fusion, decompression = group == FUSION, group == DECOMPRESSION
    # Case-mix and surgeon factors multiply the open-surgery figure; the MISS effects are
    # then added, so that they hold at any case mix.
    minutes = np.select(
        [fusion, group == KYPHOPLASTY, lam],
        [185.0 + 70 * extra, 40.0 + 15 * extra, 95.0 + 30 * extra],
        70.0 + 20 * extra,
    ) * np.exp(0.008 * (c.bmi - 28) + struct.surgeon_time[c.surgeon])
    minutes += miss * np.where(
        fusion, params.miss_fusion_op_minutes, decompression * params.miss_decompression_op_minutes
    )
    minutes += c.converted * params.conversion_op_minutes
    c.op_minutes = np.maximum(np.round(_lognormal(rng, minutes, 0.22)), 10).astype(np.int32)

    ebl = np.select(
        [fusion, group == KYPHOPLASTY, lam],
        [450.0 + 250 * extra, 12.0 + 5 * extra, 160.0 + 80 * extra],
        70.0 + 40 * extra,
    ) * np.exp(0.015 * (c.bmi - 28) + struct.surgeon_ebl[c.surgeon])
    ebl = np.where(miss & fusion, np.maximum(ebl + params.miss_fusion_ebl_ml, 30.0), ebl)
    ebl = np.where(miss & decompression, ebl * params.miss_decompression_ebl_ratio, ebl)
    ebl = np.where(c.converted, ebl * params.conversion_ebl_ratio, ebl)
    ebl = _lognormal(rng, ebl, 0.6)
    step = np.select([ebl < 50, ebl < 500], [5.0, 10.0], 50.0)  # as surgeons estimate it
    c.ebl_ml = (np.round(ebl / step) * step).astype(np.int32)

    # Length of stay, counted as the extract does from the start of the operation (spinepath
    # records no admission time), for a morning list; same day = discharged before midnight.
    c.admit_hour = 6.0 + rng.gamma(2.0, 0.6, n)  # the hour the operation starts
    same_day_logit = np.select(
        [group == KYPHOPLASTY, decompression],
        [_logit(0.85), _logit(0.42) - 0.3 * lam],
        -np.inf,
    ) + (miss & decompression) * math.log(params.miss_decompression_same_day_odds_ratio)
    same_day_logit += (
        -0.25 * np.maximum(c.age_dec, 0)
        - 0.5 * (c.asa >= 3)
        - 0.8 * (c.asa >= 4)
        - 0.3 * c.diabetes
        - 0.5 * extra
        + struct.site_same_day[c.site]
    )
    fusion_same_day = fusion & miss & (rng.random(n) < params.miss_fusion_same_day)
    planned_same_day = (rng.random(n) < _expit(same_day_logit)) | fusion_same_day
    factor = np.exp(
        0.08 * np.maximum(c.age_dec, 0)
        + 0.15 * (c.asa == 3)
        + 0.35 * (c.asa >= 4)
        + 0.08 * (c.bmi >= 35)
        + 0.08 * c.diabetes
        + struct.site_los[c.site]
    )
    # Fusion: open about 3.5 days; MISS shorter by miss_fusion_los_days on average, the
    # same-day MIS fusions (about 6 h) included in that average.
    p = params.miss_fusion_same_day
    shift = (24.0 * params.miss_fusion_los_days + p * (24.0 * 3.5 - 6.0)) / (1.0 - p)
    hours = (
        np.select(
            [fusion, group == KYPHOPLASTY, lam],
            [24.0 * (3.5 + 0.6 * extra), np.full(n, 36.0), 42.0 + 12 * extra],
            30.0 + 10 * extra,
        )
        * factor
        + (fusion & miss) * shift
    )
    overnight = np.maximum(
        _lognormal(rng, np.maximum(hours, 20.0), 0.45), 24.0 - c.admit_hour + 8.0
    )
    short = np.minimum(_lognormal(rng, np.full(n, 6.0), 0.3), 23.5 - c.admit_hour)
    c.los = np.where(planned_same_day, short, overnight)


def _complications(
    c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator
) -> None:
    """Complication rows, then the episode flags and length of stay that follow from them."""
    n, group, extra, miss = c.n, c.group, c.levels - 1, c.completed_miss
    frailty = (
        struct.surgeon_re[c.surgeon]
        + struct.site_re[c.site]
        + c.converted * math.log(params.conversion_complication_odds_ratio)
    )
    stay_days = np.floor((c.los + c.admit_hour) / 24.0).astype(np.int64)
    ssi = _expit(
        _logit(BASE_SSI[group])
        + 0.25 * c.bmi5
        + 0.55 * c.diabetes
        + 0.35 * c.smoker
        + 0.35 * (c.asa >= 3)
        + 0.2 * (c.asa >= 4)
        + 0.05 * c.age_dec
        + 0.25 * extra
        + frailty
        + miss * math.log(params.miss_ssi_odds_ratio)
    )
    medical = _expit(
        _logit(BASE_MEDICAL[group])
        + 0.35 * c.age_dec
        + 0.6 * (c.asa == 3)
        + 1.2 * (c.asa >= 4)
        + 0.35 * c.diabetes
        + 0.1 * c.bmi5
        + 0.2 * c.smoker
        + 0.2 * extra
        + frailty
    ) * np.where(miss, params.miss_medical_ae_rr, 1.0)  # a risk ratio (Goldstein 2016)
    surgical = _expit(
        _logit(BASE_SURGICAL[group])
        + 0.3 * extra
        + 0.1 * c.age_dec
        + 0.1 * c.bmi5
        + frailty
        + miss * math.log(params.miss_surgical_ae_odds_ratio)
    )
    minor = _expit(_logit(BASE_MINOR[group]) + 0.15 * c.age_dec + 0.2 * (c.asa >= 3) + frailty)
    rows = [
        _complication_rows(rng, "ssi", np.flatnonzero(rng.random(n) < ssi), group, stay_days),
        _complication_rows(
            rng, "medical", np.flatnonzero(rng.random(n) < medical), group, stay_days
        ),
        _complication_rows(
            rng, "surgical", np.flatnonzero(rng.random(n) < surgical), group, stay_days
        ),
        _complication_rows(rng, "minor", np.flatnonzero(rng.random(n) < minor), group, stay_days),
        _complication_rows(
            rng, "unrelated", np.flatnonzero(rng.random(n) < BASE_UNRELATED), group, stay_days
        ),
    ]
    columns = [np.concatenate(parts) for parts in zip(*rows, strict=True)]
    kind = np.repeat(np.arange(len(KINDS)), [len(part[0]) for part in rows])
    order = np.lexsort((columns[2], columns[1], columns[0]))  # episode, day, grade
    c.c_kind = kind[order]
    ep, day, grade, depth, related, readmitted, reoperated, by_patient, hospital = (
        column[order] for column in columns
    )
    c.c_ep, c.c_day, c.c_grade, c.c_depth = ep, day, grade, depth
    c.c_related, c.c_readmitted, c.c_reoperated, c.c_by_patient = (
        related,
        readmitted,
        reoperated,
        by_patient,
    )

    def any_row(mask: np.ndarray) -> np.ndarray:
        return np.bincount(ep[mask], minlength=n) > 0

    in_stay = hospital & (grade != G_V)
    c.los = c.los + np.bincount(
        ep[in_stay], weights=EXTRA_HOURS_BY_GRADE[grade[in_stay]], minlength=n
    )
    c.died_day = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(c.died_day, ep[grade == G_V], day[grade == G_V])
    c.died_in_hospital = any_row((grade == G_V) & hospital)
    c.same_day = (c.admit_hour + c.los < 24.0) & ~c.died_in_hospital
    c.complication = any_row(np.ones(len(ep), dtype=bool))
    c.major = any_row(grade >= G_IIIA)
    c.ssi = any_row(depth >= 0)
    c.readmit_30 = any_row(readmitted & (day <= 30))
    c.readmit_90 = any_row(readmitted & (day <= 90))
    c.reop_30 = any_row(reoperated & (day <= 30))
    c.reop_90 = any_row(reoperated & (day <= 90))
    reference = np.datetime64(params.reference_date, "D").astype(np.int64)
    c.follow_up = np.minimum(reference - c.surgery_day, c.died_day).astype(np.int64)


def _complication_rows(
    rng: np.random.Generator,
    kind: str,
    ep: np.ndarray,
    group: np.ndarray,
    stay_days: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Rows of one kind: episode, day, grade, SSI depth (-1 none), related (0 no, 1 yes,
    2 unknown), readmitted, reoperated, reported by the patient, during the index stay."""
    k = len(ep)
    depth = np.full(k, -1)
    hospital = rng.random(k) < {"medical": 0.45, "surgical": 0.5, "minor": 0.6}.get(kind, 0.0)
    if kind == "ssi":
        depth = _categorical(rng, np.broadcast_to(np.array([0.55, 0.30, 0.15]), (k, 3)))
        grade = _categorical(rng, GRADE_P_SSI[depth])
        window = np.where(depth == 0, 30, SSI_WINDOW[group[ep]])  # NHSN windows, §7.2
        start = np.array([4, 6, 10])[depth]
        onset = start + np.floor(rng.beta(1.3, 2.5, k) * (window - start + 1))
    else:
        grade_p = {
            "medical": GRADE_P_MEDICAL,
            "surgical": GRADE_P_SURGICAL,
            "minor": GRADE_P_MINOR,
            "unrelated": GRADE_P_UNRELATED,
        }[kind]
        grade = _categorical(rng, np.broadcast_to(grade_p, (k, len(GRADES))))
        if kind == "unrelated":
            onset = rng.integers(1, 91, k).astype(float)
        else:
            scale = {"medical": 8.0, "surgical": 12.0, "minor": 6.0}[kind]
            onset = 1 + np.floor(rng.gamma(1.2, scale, k))
    in_stay_day = rng.integers(0, 1 + np.minimum(stay_days[ep], 3))
    onset = np.where(hospital, in_stay_day, np.maximum(onset, stay_days[ep] + 1))
    onset = np.minimum(onset, 90)
    if kind == "ssi":
        onset = np.minimum(onset, window)
    if kind == "unrelated":
        related = np.zeros(k, dtype=np.int64)
    else:
        unknown = {"medical": 0.15, "minor": 0.3}.get(kind, 0.0)
        related = np.where(rng.random(k) < unknown, 2, 1)
    readmitted = ~hospital & (rng.random(k) < READMIT_BY_GRADE[grade])
    reoperated = grade == G_IIIB  # back to theatre under general anaesthesia
    by_patient = ~hospital & (grade <= G_II) & (rng.random(k) < 0.3)
    return (ep, onset.astype(np.int64), grade, depth, related, readmitted, reoperated,
            by_patient, hospital)  # fmt: skip


def _proms(c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator) -> None:
    """Scores (n, timepoint, instrument) on the instruments' grids, and which were answered."""
    n, dx, group = c.n, c.dx, c.group
    lumbar = (dx != CR)[:, None]
    d0 = np.clip(
        rng.normal(DX_ODI[dx], 16.0, n) + 1.5 * (c.asa - 2) + 2.0 * c.smoker + 0.3 * (c.bmi - 28),
        4.0,
        96.0,
    )
    improvement = rng.normal(DX_IMPROVEMENT[dx], 0.28, n) - (
        0.05 * ((dx == DS) & (group == DECOMPRESSION))
        + 0.08 * c.smoker
        + 0.05 * c.diabetes
        + 0.05 * (c.asa >= 3)
        + 0.05 * (c.bmi >= 35)
        + 0.02 * c.age_dec
        + 0.20 * c.major
        + 0.08 * (c.complication & ~c.major)
        + 0.10 * c.reop_90
    )
    c.improvement = improvement = np.clip(improvement, -0.6, 1.0)
    gain = c.completed_miss * np.select(
        [group == FUSION, group == DECOMPRESSION],
        [params.miss_odi_gain, params.miss_odi_gain_decompression],
        0.0,
    )
    curve = RECOVERY_CURVE[group]  # (n, timepoints)
    disability = d0[:, None] - curve * (d0 * improvement + gain)[:, None]

    c.back0 = np.clip(rng.normal(DX_BACK[dx], 1.8, n) + 0.04 * (d0 - DX_ODI[dx]), 0, 10)
    leg0 = np.clip(rng.normal(DX_LEG[dx], 1.8, n) + 0.03 * (d0 - DX_ODI[dx]), 0, 10)
    back_r = np.clip(improvement * 0.9 + rng.normal(0, 0.15, n), -0.6, 1.0)
    leg_r = improvement * np.where(group == DECOMPRESSION, 1.15, 1.0)  # leg pain responds best
    leg_r = np.clip(leg_r + rng.normal(0, 0.15, n), -0.6, 1.0)
    shape = disability.shape
    back = np.clip(
        np.round(c.back0[:, None] * (1 - curve * back_r[:, None]) + rng.normal(0, 1.1, shape)),
        0,
        10,
    )
    leg = np.clip(
        np.round(leg0[:, None] * (1 - curve * leg_r[:, None]) + rng.normal(0, 1.1, shape)), 0, 10
    )

    scores = np.full((n, len(TIMEPOINTS), len(INSTRUMENTS)), np.nan, dtype=np.float32)
    # ODI/NDI: ten sections 0-5 as a percentage (2-point steps), /45 when one is missing.
    noisy = np.clip(disability + rng.normal(0, 4.5, shape), 0.0, 100.0)
    nine = rng.random(shape) < 0.05
    index = np.where(nine, np.round(np.round(noisy * 0.45) / 45 * 100, 2), np.round(noisy / 2) * 2)
    scores[:, :, I_ODI] = np.where(lumbar, index, np.nan)
    scores[:, :, I_NDI] = np.where(lumbar, np.nan, index)
    # Neck and arm pain have no instrument id in the contract: NRS only for lumbar cases.
    scores[:, :, I_BACK] = np.where(lumbar, back, np.nan)
    scores[:, :, I_LEG] = np.where(lumbar, leg, np.nan)

    # PROMIS-10 physical health: Global07 (pain 0-10) recoded as in
    # clinical.instruments.promis10, Global03/06/08r from disability; raw 4-20 -> T table.
    pain = np.where(
        lumbar,
        np.maximum(back, leg),
        np.clip(np.round(disability / 10 + rng.normal(0, 1.2, shape)), 0, 10),
    )
    raw = np.select([pain == 0, pain <= 3, pain <= 6, pain <= 9], [5, 4, 3, 2], 1).astype(np.intp)
    person = rng.normal(0, 0.35, n)[:, None]
    for _ in range(3):
        item = 4.3 - 3.0 * disability / 100 + person + rng.normal(0, 0.7, shape)
        raw += np.clip(np.round(item), 1, 5).astype(np.intp)
    promis = _gph_table()[raw - 4]
    scores[:, :, I_PROMIS] = np.where(struct.site_promis[c.site][:, None], promis, np.nan)

    # EQ-5D-5L: a level per dimension (MO SC UA PD AD) from disability; US value set index.
    code = np.zeros(shape, dtype=np.intp)
    person = rng.normal(0, 0.35, n)[:, None]
    for k, weight in enumerate((1.0, 0.7, 1.0, 1.15, 0.55)):
        level = np.round(1 + weight * disability / 30 + person + rng.normal(0, 0.6, shape))
        code += (np.clip(level, 1, 5).astype(np.intp) - 1) * 5**k
    scores[:, :, I_EQ5D] = _eq5d_table()[code]
    c.scores = scores
    _answered(c, params, struct, rng)


def _answered(
    c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator
) -> None:
    """Days from surgery inside each window of clinical.schedule.DEFAULT_RULES, and which
    sessions and scores came back before the reference date."""
    n = c.n
    days = np.zeros((n, len(TIMEPOINTS)), dtype=np.int64)
    baseline = -np.minimum(np.round(rng.gamma(1.3, 10.0, n)) + 1, 90)  # up to 90 days before
    days[:, T_BASE] = np.where(rng.random(n) < 0.08, 0, baseline)
    windows = ((14, 0, 4, 7), (42, 0, 7, 14), (0, 3, 14, 28), (0, 12, 30, 60), (0, 24, 60, 90))
    for t, (offset_days, offset_months, before, after) in enumerate(windows, start=1):
        if offset_months:  # calendar months, clamped to the end of a shorter month
            target = c.months + offset_months
            first = target.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
            due = first + np.minimum(c.dom, _days_in_month(target)) - 1 - c.surgery_day
        else:
            due = np.full(n, offset_days)
        days[:, t] = due - before + np.round(rng.beta(2.0, 3.5, n) * (before + after))
    c.days = days

    responder = (
        rng.normal(0, 1.0, n)
        + struct.site_prom[c.site]
        + 0.3 * c.smoker
        - 0.12 * c.age_dec
        + 0.5 * c.major
    )
    missing = np.array(params.missing_by_timepoint)
    p_missing = _expit(_logit(missing)[None, :] + responder[:, None])
    present = rng.random((n, len(TIMEPOINTS))) >= p_missing
    present[:, T_24M] &= struct.site_long[c.site]
    present &= days <= c.follow_up[:, None]  # before the reference date and any death
    item_missing = np.array([0.03, 0.03, 0.02, 0.02, 0.05, 0.03])  # not scorable
    c.keep = present[:, :, None] & (rng.random(c.scores.shape) >= item_missing)
    c.keep &= ~np.isnan(c.scores)


def _opioids(c: _Cohort, params: SynthParams, struct: _Structure, rng: np.random.Generator) -> None:
    n, group = c.n, c.group
    none = np.select([group == FUSION, group == KYPHOPLASTY], [0.06, 0.40], 0.20)
    none = np.where(c.age >= 75, np.minimum(none * 1.5, 0.9), none)
    latent = (
        np.select(
            [group == FUSION, group == KYPHOPLASTY], [math.log(45), math.log(22)], math.log(30)
        )
        + 0.15 * (c.age < 50)
        - 0.1 * (c.age >= 75)
        + 0.04 * (c.back0 - 6)
        + struct.site_mme[c.site]
        + c.completed_miss * math.log(params.miss_discharge_mme_ratio)
        + rng.normal(0, 0.35, n)
    )
    distance = np.abs(np.log(MME_REGIMENS)[None, :] - latent[:, None])
    c.mme = np.where(rng.random(n) < none, 0.0, MME_REGIMENS[distance.argmin(axis=1)])
    c.mme_null = (rng.random(n) < 0.015) | c.died_in_hospital
    persistent = _expit(
        _logit(0.08)
        + 0.55 * (group == FUSION)
        + 0.012 * (c.mme - 30)
        + 0.45 * c.smoker
        + 0.12 * (c.back0 - 6)
        + 0.3 * (c.age < 45)
        + 0.7 * c.major
        + 0.4 * (c.improvement < 0.2)
        + rng.normal(0, 0.8, n)  # opioids before surgery: not in the registry
    )
    c.persistent = rng.random(n) < persistent
    c.persistent_null = (c.follow_up < 180) | (rng.random(n) < 0.12)


def _categories(c: _Cohort, rng: np.random.Generator) -> None:
    """complications.category of each row, from the kind it was drawn as."""
    category = KIND_CATEGORY[c.c_kind]
    minor = category < 0
    c.c_category = np.where(
        minor,
        np.where(rng.random(len(category)) < MINOR_SURGICAL_SHARE, CAT_SURGICAL, CAT_MEDICAL),
        category,
    )


def _tables(c: _Cohort, params: SynthParams, struct: _Structure) -> _Chunk:
    n = c.n
    global_index = c.first_episode + np.arange(n)
    episode_keys = _keys(global_index, struct.salts["episode"])
    # Rows in the extract's order: within each partition by episode_key (the keys' first 12
    # digits are distinct and order them), outcomes then by instrument and timepoint names,
    # complications by day and grade. The order says nothing about dates.
    partition = c.site * 10_000 + (c.year - params.start_year)
    order = np.lexsort((_mix48(global_index, struct.salts["episode"]), partition))
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    baseline = c.scores[:, T_BASE, :]
    unanswered = ~c.keep[:, T_BASE, :]
    episodes = pa.Table.from_arrays(
        [
            episode_keys,
            _keys(global_index[c.root], struct.salts["patient"]),
            _keys(c.surgeon, struct.salts["surgeon"]),
            _arrow(c.month, pa.int8()),
            _take(PROCEDURE_IDS, c.procedure),
            _take(GROUPS, c.group),
            _take(APPROACHES, c.approach),
            _arrow(c.levels, pa.int8()),
            _take(DIAGNOSES, c.dx),
            _arrow(np.minimum(c.age, dataset.AGE_TOP_CODE), pa.int16()),
            _take(SEXES, c.sex),
            _arrow(c.bmi, pa.float32(), c.bmi_null),
            _arrow(c.asa, pa.int8()),
            _arrow(c.smoker, pa.bool_(), c.smoker_null),
            _arrow(c.diabetes, pa.bool_(), c.diabetes_null),
            _arrow(np.nan_to_num(baseline[:, I_ODI]), pa.float32(), unanswered[:, I_ODI]),
            _arrow(np.nan_to_num(baseline[:, I_NDI]), pa.float32(), unanswered[:, I_NDI]),
            _arrow(np.nan_to_num(baseline[:, I_BACK]), pa.float32(), unanswered[:, I_BACK]),
            _arrow(np.nan_to_num(baseline[:, I_LEG]), pa.float32(), unanswered[:, I_LEG]),
            _arrow(c.ebl_ml, pa.int32()),
            _arrow(c.op_minutes, pa.int32()),
            _arrow(np.round(c.los, 1), pa.float32(), c.died_in_hospital),
            _arrow(c.same_day, pa.bool_()),
            _arrow(c.mme, pa.float32(), c.mme_null),
            _arrow(c.persistent, pa.bool_(), c.persistent_null),
            _arrow(c.complication, pa.bool_()),
            _arrow(c.major, pa.bool_()),
            _arrow(c.ssi, pa.bool_()),
            _arrow(c.readmit_30, pa.bool_()),
            _arrow(c.readmit_90, pa.bool_()),
            _arrow(c.reop_30, pa.bool_()),
            _arrow(c.reop_90, pa.bool_()),
            # Completed months: floor(days / 30.4375) = days * 16 // 487 (dataset).
            _arrow(np.maximum(c.follow_up, 0) * 16 // 487, pa.int16()),
        ],
        schema=dataset.EPISODES,
    ).take(pa.array(order))
    per_episode = len(TIMEPOINTS) * len(INSTRUMENTS)
    flat = np.flatnonzero(c.keep.reshape(n, per_episode))
    o_ep, slot = flat // per_episode, flat % per_episode
    rows = np.lexsort((_SLOT_RANK[slot], position[o_ep]))
    o_ep, slot = o_ep[rows], slot[rows]
    o_tp = slot // len(INSTRUMENTS)
    outcomes = pa.Table.from_arrays(
        [
            episode_keys.take(pa.array(o_ep)),
            _take(INSTRUMENTS, slot % len(INSTRUMENTS)),
            _take(TIMEPOINTS, o_tp),
            _arrow(c.days[o_ep, o_tp], pa.int16()),
            _arrow(c.scores.reshape(n, per_episode)[o_ep, slot], pa.float32()),
        ],
        schema=dataset.OUTCOMES,
    )
    rows = np.lexsort((c.c_grade, c.c_day, position[c.c_ep]))
    complications = pa.Table.from_arrays(
        [
            episode_keys.take(pa.array(c.c_ep[rows])),
            _arrow(c.c_day[rows], pa.int16()),
            _take(GRADES, c.c_grade[rows]),
            _take(SSI_DEPTHS, np.maximum(c.c_depth[rows], 0), c.c_depth[rows] < 0),
            _arrow(c.c_related[rows] == 1, pa.bool_(), c.c_related[rows] == 2),
            _arrow(c.c_readmitted[rows], pa.bool_()),
            _arrow(c.c_reoperated[rows], pa.bool_()),
            _take(REPORTERS, c.c_by_patient[rows].astype(np.int64)),
            _take(CATEGORIES, c.c_category[rows]),
        ],
        schema=dataset.COMPLICATIONS,
    )
    # Partitions: contiguous runs of the sorted episodes; the other rows follow them.
    sorted_partition = partition[order]
    change = np.r_[True, sorted_partition[1:] != sorted_partition[:-1]] if n else np.zeros(0, bool)
    starts = np.flatnonzero(change)
    bounds = np.r_[starts, n]
    o_bounds = np.asarray(np.searchsorted(position[o_ep], bounds))
    c_bounds = np.asarray(np.searchsorted(np.sort(position[c.c_ep]), bounds))
    first = order[np.minimum(bounds[:-1], max(n - 1, 0))]
    partitions = [
        (
            struct.site_codes[int(c.site[first[i]])],
            int(c.year[first[i]]),
            slice(int(bounds[i]), int(bounds[i + 1])),
            slice(int(o_bounds[i]), int(o_bounds[i + 1])),
            slice(int(c_bounds[i]), int(c_bounds[i + 1])),
        )
        for i in range(len(starts))
    ]
    return _Chunk(episodes, outcomes, complications, partitions)


def _generate_chunk(
    params: SynthParams, struct: _Structure, seed: int, number: int, sites: np.ndarray
) -> _Chunk:
    rng = np.random.default_rng([seed, 1, number])
    c = _Cohort()
    _when_where(c, params, struct, rng, sites)
    _case_mix(c, rng)
    _approach(c, params, struct, rng)
    _theatre(c, params, struct, rng)
    _complications(c, params, struct, rng)
    _proms(c, params, struct, rng)
    _opioids(c, params, struct, rng)
    _categories(c, rng)  # last: the draws above stay as they were before categories
    return _tables(c, params, struct)


def _iter_chunks(params: SynthParams, seed: int) -> Iterator[_Chunk]:
    params.validate()
    if seed < 0:
        raise ValueError("seed must not be negative")
    struct = _structure(params, seed)
    for number, sites in enumerate(_chunks(struct)):
        yield _generate_chunk(params, struct, seed, number, sites)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Planted:
    """The outliers planted in a dataset (for checking funnel plots)."""

    surgeons: tuple[tuple[str, float], ...]  # (surgeon_key, odds ratio on complications)
    sites: tuple[tuple[str, float], ...]  # (site code, odds ratio)

    def to_json(self) -> dict[str, object]:
        return {
            "surgeons": [
                {"surgeon_key": k, "complication_odds_ratio": o} for k, o in self.surgeons
            ],
            "sites": [{"site": k, "complication_odds_ratio": o} for k, o in self.sites],
        }


def planted(params: SynthParams, seed: int = 0) -> Planted:
    params.validate()
    struct = _structure(params, seed)
    keys = _keys(
        np.array([i for i, _ in struct.outlier_surgeons], dtype=np.int64), struct.salts["surgeon"]
    ).to_pylist()
    return Planted(
        surgeons=tuple(zip(keys, (o for _, o in struct.outlier_surgeons), strict=True)),
        sites=tuple((struct.site_codes[i], o) for i, o in struct.outlier_sites),
    )


def generate_tables(params: SynthParams, seed: int = 0) -> dict[str, pa.Table]:
    """The three tables in memory, each with ``site`` (string) and ``year`` (int16) appended.

    For tests and small sizes: everything is held at once.
    """
    parts: dict[str, list[pa.Table]] = {name: [] for name in dataset.TABLES}
    for chunk in _iter_chunks(params, seed):
        for name in dataset.TABLES:
            table: pa.Table = getattr(chunk, name)
            sites: list[str] = []
            years: list[int] = []
            for code, year, ep, out, comp in chunk.partitions:
                rows = {"episodes": ep, "outcomes": out, "complications": comp}[name]
                sites.extend([code] * (rows.stop - rows.start))
                years.extend([year] * (rows.stop - rows.start))
            table = table.append_column("site", pa.array(sites, pa.string()))
            parts[name].append(table.append_column("year", pa.array(years, pa.int16())))
    return {
        name: pa.concat_tables(tables) if tables else _empty(name) for name, tables in parts.items()
    }


def _empty(name: str) -> pa.Table:
    schema = dataset.TABLES[name].append(pa.field("site", pa.string()))
    return schema.append(pa.field("year", pa.int16())).empty_table()


@dataclass(frozen=True)
class SynthSummary:
    out: Path
    seed: int
    params: SynthParams
    counts: dict[str, int]
    partitions: int
    files: int
    bytes: int
    seconds: float
    planted: Planted

    def to_json(self) -> dict[str, object]:
        return {
            "out": str(self.out),
            "dataset_version": dataset.DATASET_VERSION,
            "seed": self.seed,
            **self.counts,
            "partitions": self.partitions,
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
        }


class OutputNotEmptyError(ValueError):
    pass


# The analytics store (spinepath.registry.store.STORE_DIR, not imported: it loads DuckDB)
# is derived from the dataset: replaced with it.
ANALYTICS_STORE = ".analytics"
DATASET_ENTRIES = (*dataset.TABLES, "manifest.json", ANALYTICS_STORE)


def check_output(out: Path | str, overwrite: bool = False) -> None:
    """Raise OutputNotEmptyError unless ``out`` is new, empty, or (with ``overwrite``) holds
    only a dataset this module wrote. Changes nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputNotEmptyError(f"{out} exists and is not a directory")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not overwrite:
        raise OutputNotEmptyError(f"{out} is not empty (--force replaces a synthetic dataset)")
    try:
        previous = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    if not isinstance(previous, dict) or previous.get("generator") != GENERATOR:
        raise OutputNotEmptyError(f"{out} is not empty and holds no synthetic dataset")
    extra = sorted(p.name for p in out.iterdir() if p.name not in DATASET_ENTRIES)
    if extra:
        raise OutputNotEmptyError(f"{out} holds other files ({extra[0]}); not replacing it")


def _prepare(out: Path, overwrite: bool) -> None:
    import shutil

    check_output(out, overwrite)
    if out.is_dir():
        for name in (*dataset.TABLES, ANALYTICS_STORE):
            if (out / name).exists():
                shutil.rmtree(out / name)
        (out / "manifest.json").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def generate(
    out: Path | str,
    params: SynthParams | None = None,
    seed: int = 0,
    *,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Write a synthetic dataset under ``out`` and return what was written.

    ``progress`` is called with the number of episodes written since the last call.
    ``overwrite`` replaces an earlier synthetic dataset (only one this function wrote).
    """
    import time

    started = time.perf_counter()
    params = params or SynthParams()
    params.validate()
    if seed < 0:
        raise ValueError("seed must not be negative")
    out = Path(out)
    _prepare(out, overwrite)
    partitions: dict[str, dict[str, int]] = {}  # rows per table, by partition
    patients = surgeons = 0
    # Files are written by two threads (pyarrow releases the GIL) while the next chunk is
    # generated; at most two chunks are held at once.
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        pending: list[tuple[Future[None], int]] = []
        for chunk in _iter_chunks(params, seed):
            # Patients and surgeons never span sites, so never span chunks.
            patients += pc.count_distinct(chunk.episodes.column("patient_key")).as_py()
            surgeons += pc.count_distinct(chunk.episodes.column("surgeon_key")).as_py()
            _wait(pending, progress)
            for code, year, *slices in chunk.partitions:
                rel = f"site={code}/year={year}"
                rows = {
                    name: part.stop - part.start
                    for name, part in zip(dataset.TABLES, slices, strict=True)
                }
                tables = [
                    (out / name / rel, getattr(chunk, name).slice(part.start, rows[name]))
                    for name, part in zip(dataset.TABLES, slices, strict=True)
                    if rows[name] or name == "episodes"
                ]
                pending.append((pool.submit(_write_all, tables), rows["episodes"]))
                partitions[rel] = rows
        _wait(pending, progress)
    # Readers glob every table: a table without rows still gets one empty file.
    counts = {name: sum(rows[name] for rows in partitions.values()) for name in dataset.TABLES}
    for name, schema in dataset.TABLES.items():
        if counts[name] == 0 and partitions:
            _write(out / name / next(iter(partitions)), schema.empty_table())
    files = list(out.rglob("*.parquet"))
    plants = planted(params, seed)
    summary_counts = {
        **counts,
        "patients": patients,
        "surgeons": surgeons,
        "sites": len({rel.split("/")[0] for rel in partitions}),
    }
    reference = params.reference_date
    manifest = {
        "dataset_version": dataset.DATASET_VERSION,
        "generator": GENERATOR,
        "synthetic": True,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "params": params.to_json(),
        # As the extract's manifest: follow-up is counted up to the reference date.
        "extracted_month": f"{reference.year:04d}-{reference.month:02d}",
        "tables": {name: schema.names for name, schema in dataset.TABLES.items()},
        "partition_columns": list(dataset.PARTITIONS),
        "value_sets": {"eq5d-5l": "us", "promis-10": "global physical health T-score"},
        "counts": summary_counts,
        "planted": plants.to_json(),
        "partitions": {rel: {"rows": rows} for rel, rows in sorted(partitions.items())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return SynthSummary(
        out=out,
        seed=seed,
        params=params,
        counts=summary_counts,
        partitions=len(partitions),
        files=len(files),
        bytes=sum(path.stat().st_size for path in files),
        seconds=time.perf_counter() - started,
        planted=plants,
    )


def _wait(pending: list[tuple[Future[None], int]], progress: Callable[[int], None] | None) -> None:
    for future, episodes in pending:
        future.result()
        if progress is not None:
            progress(episodes)
    pending.clear()


def _write_all(tables: list[tuple[Path, pa.Table]]) -> None:
    for directory, table in tables:
        _write(directory, table)


def _write(directory: Path, table: pa.Table) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, directory / FILE_NAME, compression=COMPRESSION)
