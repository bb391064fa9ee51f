"""The registry extract: the operated episodes of this database as the pseudonymised Parquet
dataset of spinepath.registry.dataset (the contract), partitioned by site and year.

What leaves the database, and what does not:

* keys: ``episode_key``, ``patient_key`` and ``surgeon_key`` are HMAC-SHA256 of the record's
  ``public_id`` (with the kind of record, so the three never collide) under the registry's
  own secret ``SPINEPATH["REGISTRY_KEY"]``, truncated to 32 hex digits (128 bits). The same
  record keeps the same key in every extract made with the same secret; without the secret
  a key cannot be linked back to a record. In development a key derived from SECRET_KEY is
  used, with a warning; in production the extract refuses to run without one.
* dates: none. The surgery is known by its year (the partition) and month; everything
  else is a whole number of days from the surgery date on the operating site's calendar.
  Ages are whole years at surgery, top-coded at 90; follow-up is in completed months (in
  days it would date the surgery, given the extract date). No names, contacts, MRNs, dates
  of birth, free text or local ids.
* rows: only operated episodes (a SurgicalCase whose surgery has started); outcomes are
  the scorable questionnaire responses (the latest per instrument and time point);
  complications only those confirmed (staff entries, and patient reports confirmed by
  staff; pending and rejected reports are left out).

Incremental: ``manifest.json`` holds, per partition, a fingerprint of its source rows
(row counts and latest change times of cases, episodes, patients, assessments, discharge
plans, questionnaire responses, confirmed complications and the check-ins of the
persistent-opioid window, plus its episodes' completed months of follow-up). A later run
rewrites only partitions whose fingerprint changed and removes those with no rows left. The
fingerprint is stored as an HMAC, never as the timestamps themselves.

Re-identification exposure is reported, not suppressed: the summary counts the episodes
whose quasi-identifiers (site, year, month of surgery, age, sex) are shared
by fewer than SMALL_CELL episodes in the dataset as written.

Efficient: a fixed number of bulk queries for the fingerprints, then a fixed number per
chunk of CHUNK episodes for the partitions to write; nothing per episode.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from tqdm import tqdm

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth, ssi_surveillance_days
from spinepath.clinical.instruments.eq5d_value_sets import DEFAULT_VALUE_SET
from spinepath.clinical.procedures import PROCEDURES_BY_ID, SSICategory
from spinepath.clinical.schedule import DEFAULT_RULES
from spinepath.intake.models import Assessment
from spinepath.outcomes.models import (
    Complication,
    ComplicationStatus,
    QuestionnaireResponse,
    ssi_category,
    ssi_onset_in_window,
)
from spinepath.patients.models import Episode, Patient
from spinepath.recovery.models import CheckIn
from spinepath.recovery.programme import triage_settings
from spinepath.registry.dataset import (
    AGE_TOP_CODE,
    DATASET_VERSION,
    TABLES,
    follow_up_months,
)
from spinepath.surgery.models import DischargePlan, LengthOfStay, SurgicalCase

log = logging.getLogger(__name__)

# Bump when the way rows are derived changes: every partition is then rewritten.
EXTRACT_VERSION = "2"
KEY_HEX_DIGITS = 32
MIN_KEY_LENGTH = 32
CHUNK = 500  # episodes per detail query (well under SQLite's bound-parameter limit)
MANIFEST = "manifest.json"
PART_FILE = "part-0.parquet"
STAGING_PREFIX = ".staging-"
LOCK_FILE = ".extract.lock"
# The contract's instruments (dataset.OUTCOMES); others (STarT Back, EQ-5D-3L) stay out.
OUTCOME_INSTRUMENTS = ("odi", "ndi", "nrs-back", "nrs-leg", "promis-10", "eq5d-5l")
TIMEPOINTS = tuple(rule.id for rule in DEFAULT_RULES)
# Complications, major complications: onset on day 0..90 after surgery.
COMPLICATION_DAYS = 90
# follow_up_months is the only published value that changes with the passing of time alone:
# the fingerprint holds the partition's total of completed months, so a partition is
# rewritten whenever one of its episodes completes another month and the column is current.
# Quasi-identifier cells shared by fewer episodes than this are counted in the summary.
SMALL_CELL = 5
QUASI_IDENTIFIERS = ("site", "year", "surgery_month", "age", "sex")
INT16_MAX = 32767
_SAFE_SITE_CODE = re.compile(r"^[A-Za-z0-9_-]+$")
_PARTITION_PATH = re.compile(r"^site=[A-Za-z0-9_-]+/year=[0-9]{4}$")

DEV_KEY_WARNING = (
    "SPINEPATH_REGISTRY_KEY is not set: using a key derived from SECRET_KEY (development "
    "only). Set SPINEPATH_REGISTRY_KEY to a long random secret of its own before sharing "
    "an extract; pseudonyms change with the key."
)


class ExtractError(Exception):
    """The extract cannot run as asked (no key in production, an unusable directory)."""


# --- keys ---------------------------------------------------------------------------------


def registry_key() -> tuple[bytes, str | None]:
    """The registry secret, and a warning when a development default stands in for it."""
    configured = str(settings.SPINEPATH.get("REGISTRY_KEY") or "")
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ExtractError(
                f"SPINEPATH_REGISTRY_KEY must be at least {MIN_KEY_LENGTH} characters"
            )
        return configured.encode(), None
    if getattr(settings, "PRODUCTION", False):
        raise ExtractError(
            "SPINEPATH_REGISTRY_KEY is not set; the registry extract needs its own secret in "
            "production (generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    derived = hmac.new(
        settings.SECRET_KEY.encode(), b"spinepath registry pseudonym key v1", hashlib.sha256
    ).hexdigest()
    return derived.encode(), DEV_KEY_WARNING


def pseudonym(key: bytes, kind: str, public_id: object) -> str:
    """A stable pseudonym of one record: HMAC-SHA256(key, "<kind>:<public_id>"), truncated."""
    message = f"{kind}:{public_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:KEY_HEX_DIGITS]


def _key_id(key: bytes) -> str:
    """Names the key in the manifest without revealing it: a new key rewrites everything."""
    return hmac.new(key, b"spinepath registry key id", hashlib.sha256).hexdigest()[:16]


# --- the cases ----------------------------------------------------------------------------


@dataclass
class _Case:
    """One operated episode, with what the partition and the episode row need."""

    case_id: int
    episode_id: int
    patient_id: int
    site: str
    zone: str  # the operating site's time zone: its calendar dates every day count
    surgery_date: date
    row: dict[str, Any]  # the episodes columns known from the case query
    follow_up_months: int
    procedure: str
    # Exact days since surgery at the extract: decides which windows are complete; never
    # published (with the extract date it would give the surgery date).
    follow_up_days: int = 0
    # The last day of the persistent-opioid window (the programme's triage settings).
    opioid_last_day: int = 180

    def observed(self, last_day: int) -> bool:
        """Whether every day up to ``last_day`` after surgery is over."""
        return self.follow_up_days > last_day

    def horizons_passed(self) -> int:
        return sum(self.observed(day) for day in _horizons(self.procedure, self.opioid_last_day))

    @property
    def partition(self) -> tuple[str, int]:
        return (self.site, self.surgery_date.year)


_CASE_FIELDS = (
    "id",
    "episode_id",
    "episode__public_id",
    "episode__patient_id",
    "episode__patient__public_id",
    "episode__patient__date_of_birth",
    "episode__patient__sex",
    "episode__condition",
    "site__code",
    "site__time_zone",
    "surgeon__public_id",
    "surgery_start",
    "procedure",
    "approach",
    "estimated_blood_loss_ml",
    "operative_minutes",
    "length_of_stay_hours",
    "length_of_stay_category",
    "discharged_at",
    "asa_class",
)


def procedure_group(procedure: str) -> str | None:
    """decompression / fusion / kyphoplasty (dataset.EPISODES.procedure_group)."""
    known = PROCEDURES_BY_ID.get(procedure)
    if known is None:
        return None
    if known.fusion:
        return "fusion"
    if known.ssi_category is SSICategory.VERTEBRAL_AUGMENTATION:
        return "kyphoplasty"
    return "decompression"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _load_cases(key: bytes, now: datetime) -> list[_Case]:
    zones: dict[str, ZoneInfo] = {}
    opioid_last_day = triage_settings().persistent_opioid_to_day
    cases = []
    rows = (
        SurgicalCase.objects.filter(surgery_start__lte=now)
        .order_by("id")
        .values_list(*_CASE_FIELDS)
    )
    for values in rows.iterator(chunk_size=2000):
        r = dict(zip(_CASE_FIELDS, values, strict=True))
        zone = zones.setdefault(r["site__time_zone"], ZoneInfo(r["site__time_zone"]))
        operated = r["surgery_start"].astimezone(zone).date()
        days = max(0, (now.astimezone(zone).date() - operated).days)
        months = min(INT16_MAX, follow_up_months(days))
        discharged = r["discharged_at"] is not None
        los = r["length_of_stay_hours"]
        cases.append(
            _Case(
                case_id=r["id"],
                episode_id=r["episode_id"],
                patient_id=r["episode__patient_id"],
                site=r["site__code"],
                zone=r["site__time_zone"],
                surgery_date=operated,
                procedure=r["procedure"],
                follow_up_months=months,
                follow_up_days=days,
                opioid_last_day=opioid_last_day,
                row={
                    "episode_key": pseudonym(key, "episode", r["episode__public_id"]),
                    "patient_key": pseudonym(key, "patient", r["episode__patient__public_id"]),
                    "surgeon_key": pseudonym(key, "user", r["surgeon__public_id"]),
                    "surgery_month": operated.month,
                    "procedure": r["procedure"],
                    "procedure_group": procedure_group(r["procedure"]),
                    "approach": r["approach"],
                    # A SurgicalCase records one index level (SurgicalCase.level, one of
                    # LUMBAR_LEVELS); it cannot express a multi-level operation.
                    "levels": 1,
                    "diagnosis": r["episode__condition"],
                    # Top-coded: 90 stands for 90 or older (HIPAA Safe Harbor).
                    "age": min(AGE_TOP_CODE, _age(r["episode__patient__date_of_birth"], operated)),
                    "sex": r["episode__patient__sex"] or "unknown",
                    "asa": r["asa_class"],
                    "ebl_ml": r["estimated_blood_loss_ml"],
                    "op_minutes": r["operative_minutes"],
                    "los_hours": float(los) if discharged and los is not None else None,
                    "same_day": (
                        r["length_of_stay_category"] == LengthOfStay.SAME_DAY
                        if discharged
                        else None
                    ),
                    "follow_up_months": months,
                },
            )
        )
    return cases


# --- fingerprints -------------------------------------------------------------------------


Stamp = tuple[int, datetime | None]  # rows, latest change


def _merge(a: Stamp, b: Stamp) -> Stamp:
    latest = max((t for t in (a[1], b[1]) if t is not None), default=None)
    return (a[0] + b[0], latest)


def _grouped(queryset: Any, by: str, count: str, latest: str) -> dict[int, Stamp]:
    rows = (
        queryset.order_by()
        .values(by)
        .annotate(n=Count(count), m=Max(latest))
        .values_list(by, "n", "m")
    )
    return {key: (n, m) for key, n, m in rows}


def _source_stamps(cases: Sequence[_Case]) -> dict[str, dict[int, Stamp]]:
    """Per source table, per episode: (rows, latest change). Eight grouped queries.

    The history tables (django-simple-history) count every change, deletions included,
    so their row count only grows and their latest date moves with any edit."""
    operated = SurgicalCase.objects.values("episode_id")
    window = triage_settings()
    case_episode = {c.case_id: c.episode_id for c in cases}
    patient_episodes: dict[int, list[int]] = defaultdict(list)
    for c in cases:
        patient_episodes[c.patient_id].append(c.episode_id)

    def by_case(stamps: dict[int, Stamp]) -> dict[int, Stamp]:
        return {case_episode[k]: v for k, v in stamps.items() if k in case_episode}

    def by_patient(stamps: dict[int, Stamp]) -> dict[int, Stamp]:
        out: dict[int, Stamp] = {}
        for patient_id, stamp in stamps.items():
            for episode_id in patient_episodes.get(patient_id, ()):
                out[episode_id] = stamp
        return out

    case_history = SurgicalCase.history.model.objects  # type: ignore[attr-defined]
    plan_history = DischargePlan.history.model.objects  # type: ignore[attr-defined]
    return {
        "cases": by_case(_grouped(case_history.all(), "id", "history_id", "history_date")),
        "episodes": _grouped(
            Episode.history.model.objects.filter(id__in=operated),  # type: ignore[attr-defined]
            "id",
            "history_id",
            "history_date",
        ),
        "patients": by_patient(
            _grouped(
                Patient.history.model.objects.filter(  # type: ignore[attr-defined]
                    id__in=SurgicalCase.objects.values("episode__patient_id")
                ),
                "id",
                "history_id",
                "history_date",
            )
        ),
        "assessments": _grouped(
            Assessment.history.model.objects.filter(  # type: ignore[attr-defined]
                episode_id__in=operated
            ),
            "episode_id",
            "history_id",
            "history_date",
        ),
        "plans": by_case(_grouped(plan_history.all(), "case_id", "history_id", "history_date")),
        "responses": _grouped(
            QuestionnaireResponse.objects.filter(episode_id__in=operated),
            "episode_id",
            "id",
            "submitted_at",
        ),
        "complications": _grouped(
            Complication.objects.filter(
                episode_id__in=operated, status=ComplicationStatus.CONFIRMED
            ),
            "episode_id",
            "id",
            "updated_at",
        ),
        "checkins": _grouped(
            CheckIn.objects.filter(
                episode_id__in=operated,
                day_after_surgery__gte=window.persistent_opioid_from_day,
                day_after_surgery__lte=window.persistent_opioid_to_day,
            ),
            "episode_id",
            "id",
            "submitted_at",
        ),
    }


def _fingerprints(key: bytes, cases: Sequence[_Case]) -> dict[tuple[str, int], str]:
    stamps = _source_stamps(cases)
    parts: dict[tuple[str, int], dict[str, Any]] = {}
    for c in cases:
        part = parts.setdefault(
            c.partition,
            {
                "episodes_in": 0,
                "months": 0,
                "horizons": 0,
                "zone": c.zone,
                **{s: (0, None) for s in stamps},
            },
        )
        part["episodes_in"] += 1
        # The sum changes whenever any episode's completed months do: with the same episodes
        # and surgery dates (else other parts change), every count moves the same way as the
        # extract date, so no increase can hide behind a decrease.
        part["months"] += c.follow_up_months
        # ... and a flag turns from unknown to false when its window closes, which may fall
        # between two month boundaries.
        part["horizons"] += c.horizons_passed()
        for source, per_episode in stamps.items():
            part[source] = _merge(part[source], per_episode.get(c.episode_id, (0, None)))
    out = {}
    for partition, part in parts.items():
        canonical = json.dumps(
            {
                k: [v[0], v[1].isoformat() if v[1] else None] if isinstance(v, tuple) else v
                for k, v in sorted(part.items())
            },
            sort_keys=True,
        )
        # An HMAC, not the stamps: the latest change times would date the surgeries.
        out[partition] = hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()
    return out


# --- rows of the partitions to write ----------------------------------------------------


def _chunks(items: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Details:
    assessment: dict[int, dict[str, Any]] = field(default_factory=dict)
    plan: dict[int, dict[str, Any]] = field(default_factory=dict)  # by case id
    responses: dict[int, list[tuple[str, str, Decimal, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    complications: dict[int, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    opioid_checkins: dict[int, list[tuple[dict[str, Any], Decimal | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )


_COMPLICATION_FIELDS = (
    "episode_id",
    "onset_date",
    "clavien_dindo",
    "ssi_depth",
    "related_to_surgery",
    "readmitted",
    "readmitted_on",
    "reoperated",
    "reoperated_on",
    "reported_by",
)


def _load_details(cases: Sequence[_Case]) -> _Details:
    """Five bulk queries per chunk of episodes."""
    details = _Details()
    window = triage_settings()
    for chunk in _chunks([c.episode_id for c in cases]):
        assessments = (
            Assessment.objects.filter(episode_id__in=chunk)
            .order_by("episode_id", "-assessed_at", "-id")
            .values_list("episode_id", "case")
        )
        for episode_id, case in assessments:
            details.assessment.setdefault(episode_id, case if isinstance(case, dict) else {})
        seen: set[tuple[int, str, str]] = set()
        responses = (
            QuestionnaireResponse.objects.filter(
                episode_id__in=chunk,
                scorable=True,
                instrument__in=OUTCOME_INSTRUMENTS,
                timepoint__in=TIMEPOINTS,
            )
            .order_by("episode_id", "instrument", "timepoint", "-submitted_at", "-id")
            .values_list("episode_id", "instrument", "timepoint", "score", "submitted_at")
        )
        for episode_id, instrument, timepoint, score, submitted_at in responses:
            # The latest scorable answer per instrument and time point (a re-entry by
            # phone supersedes the first).
            if (episode_id, instrument, timepoint) in seen or score is None:
                continue
            seen.add((episode_id, instrument, timepoint))
            details.responses[episode_id].append((instrument, timepoint, score, submitted_at))
        confirmed = Complication.objects.filter(
            episode_id__in=chunk, status=ComplicationStatus.CONFIRMED
        ).values_list(*_COMPLICATION_FIELDS)
        for values in confirmed:
            row = dict(zip(_COMPLICATION_FIELDS, values, strict=True))
            details.complications[row["episode_id"]].append(row)
        checkins = CheckIn.objects.filter(
            episode_id__in=chunk,
            day_after_surgery__gte=window.persistent_opioid_from_day,
            day_after_surgery__lte=window.persistent_opioid_to_day,
        ).values_list("episode_id", "opioid_use", "mme_per_day")
        for episode_id, use, mme in checkins:
            details.opioid_checkins[episode_id].append((use or {}, mme))
    case_ids = [c.case_id for c in cases]
    for chunk in _chunks(case_ids):
        for case_id, summary in DischargePlan.objects.filter(case_id__in=chunk).values_list(
            "case_id", "medicine_summary"
        ):
            details.plan[case_id] = summary if isinstance(summary, dict) else {}
    return details


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _asa(case_asa: int | None, assessed: object) -> int | None:
    for value in (case_asa, assessed):
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return value
    return None


def _discharge_mme(summary: dict[str, Any] | None) -> float | None:
    """The plan's total prescribed MME/day; None without a plan, or when an opioid in it
    could not be converted (the total would understate it)."""
    if not summary or summary.get("complete") is False:
        return None
    return _number(summary.get("total_mme_per_day"))


def _persistent_opioid(checkins: list[tuple[dict[str, Any], Decimal | None]]) -> bool | None:
    """Opioids reported at any check-in on days 90-180 (the programme's window); False when
    every check-in there that answered the painkiller question reported none; None when no
    check-in there answered it."""
    answered = [(use, mme) for use, mme in checkins if use]
    if not answered:
        return None
    return any(bool(use.get("lines")) or (mme is not None and mme > 0) for use, mme in answered)


def _within(day: date | None, operated: date, days: int) -> bool:
    return day is not None and 0 <= (day - operated).days <= days


def _episode_row(c: _Case, details: _Details) -> dict[str, Any]:
    row = dict(c.row)
    assessed = details.assessment.get(c.episode_id, {})
    row["bmi"] = _number(assessed.get("bmi"))
    row["asa"] = _asa(row["asa"], assessed.get("asa_class"))
    row["smoker"] = _flag(assessed.get("smoker", assessed.get("smoking")))
    row["diabetes"] = _flag(assessed.get("diabetes"))
    baseline = {
        instrument: float(score)
        for instrument, timepoint, score, _ in details.responses.get(c.episode_id, ())
        if timepoint == "baseline"
    }
    row["baseline_odi"] = baseline.get("odi")
    row["baseline_ndi"] = baseline.get("ndi")
    row["baseline_nrs_back"] = baseline.get("nrs-back")
    row["baseline_nrs_leg"] = baseline.get("nrs-leg")
    row["discharge_mme"] = (
        _discharge_mme(details.plan.get(c.case_id)) if row["los_hours"] is not None else None
    )
    # Opioids reported in the window are known at once; "none" only once the window is over.
    persistent = _persistent_opioid(details.opioid_checkins.get(c.episode_id, []))
    row["persistent_opioid"] = persistent if persistent or c.observed(c.opioid_last_day) else None
    events = details.complications.get(c.episode_id, [])
    early = [e for e in events if _within(e["onset_date"], c.surgery_date, COMPLICATION_DAYS)]
    # An event in a window is known as soon as it is recorded; its absence only once the
    # window is over. Until then the flag is null (unknown), so a rate never counts a
    # patient operated last week as "no readmission within 90 days".
    row["complication"] = _known(bool(early), c.observed(COMPLICATION_DAYS))
    row["major_complication"] = _known(
        any(e["clavien_dindo"] and ClavienDindoGrade(e["clavien_dindo"]).major for e in early),
        c.observed(COMPLICATION_DAYS),
    )
    ssi = [
        ssi_onset_in_window(e["onset_date"], e["ssi_depth"], c.surgery_date, c.procedure)
        for e in events
        if e["ssi_depth"]
    ]
    ssi_days = _ssi_last_day(c.procedure)
    row["ssi"] = (
        True
        if any(ssi)
        else (None if None in ssi or ssi_days is None else _known(False, c.observed(ssi_days)))
    )
    for name, flag, day_field in (
        ("readmit", "readmitted", "readmitted_on"),
        ("reop", "reoperated", "reoperated_on"),
    ):
        for days in (30, 90):
            row[f"{name}_{days}"] = _known(
                any(e[flag] and _within(e[day_field], c.surgery_date, days) for e in events),
                c.observed(days),
            )
    return row


def _known(event: bool, window_over: bool) -> bool | None:
    return True if event else (False if window_over else None)


def _ssi_last_day(procedure: str) -> int | None:
    """The last day after surgery of the longest NHSN window (deep and organ-space SSI) for
    ``procedure``; None when its category is unknown."""
    category = ssi_category(procedure)
    if category is None:
        return None
    try:
        return ssi_surveillance_days(category, SSIDepth.DEEP) - 1
    except ValueError:
        return None


def _horizons(procedure: str, opioid_last_day: int) -> tuple[int, ...]:
    ssi_days = _ssi_last_day(procedure)
    return (30, COMPLICATION_DAYS, opioid_last_day, *((ssi_days,) if ssi_days is not None else ()))


def _outcome_rows(c: _Case, details: _Details, zone: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "episode_key": c.row["episode_key"],
            "instrument": instrument,
            "timepoint": timepoint,
            "days_from_surgery": _clamp(
                (submitted_at.astimezone(zone).date() - c.surgery_date).days
            ),
            "score": float(score),
        }
        for instrument, timepoint, score, submitted_at in details.responses.get(c.episode_id, ())
    ]


def _complication_rows(c: _Case, details: _Details) -> list[dict[str, Any]]:
    return [
        {
            "episode_key": c.row["episode_key"],
            "days_from_surgery": _clamp((e["onset_date"] - c.surgery_date).days),
            "clavien_dindo": e["clavien_dindo"],
            "ssi_depth": e["ssi_depth"] or None,
            "related": e["related_to_surgery"],
            "readmitted": e["readmitted"],
            "reoperated": e["reoperated"],
            "reported_by": e["reported_by"],
            "category": _category(e),
        }
        for e in details.complications.get(c.episode_id, ())
    ]


def _category(e: dict[str, Any]) -> str | None:
    """complications.category: ``ssi`` when an SSI depth is recorded. Complication has no
    type field beyond that (the description is free text, never parsed or extracted), so
    other complications are null (not recorded), never guessed as surgical or medical."""
    return "ssi" if e["ssi_depth"] else None


def _clamp(days: int) -> int:
    return max(-INT16_MAX, min(INT16_MAX, days))


def _table(name: str, rows: list[dict[str, Any]], sort: Sequence[str]) -> pa.Table:
    """Rows in a fixed order (by pseudonym, so the order says nothing about dates)."""
    schema = TABLES[name]
    rows = sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in sort))
    return pa.Table.from_pydict(
        {column: [r[column] for r in rows] for column in schema.names}, schema=schema
    )


# --- the dataset directory ------------------------------------------------------------------


def partition_path(site: str, year: int) -> str:
    return f"site={site}/year={year}"


@dataclass(frozen=True)
class ExtractSummary:
    out: str
    dataset_version: str
    written: int
    unchanged: int
    removed: int
    rows_written: dict[str, int]
    rows: dict[str, int]
    warnings: tuple[str, ...] = ()
    # Episodes whose quasi-identifier cell holds fewer than SMALL_CELL episodes.
    small_cell_episodes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "dataset_version": self.dataset_version,
            "partitions": {
                "written": self.written,
                "unchanged": self.unchanged,
                "removed": self.removed,
                "total": self.written + self.unchanged,
            },
            "rows_written": self.rows_written,
            "rows": self.rows,
            "small_cells": {
                "quasi_identifiers": list(QUASI_IDENTIFIERS),
                "threshold": SMALL_CELL,
                "episodes": self.small_cell_episodes,
            },
            "warnings": list(self.warnings),
        }


def _check_directory(out: Path) -> None:
    """A dataset directory, or one that may become one: refuse to write into anything else."""
    if out.exists() and not out.is_dir():
        raise ExtractError(f"{out} is not a directory")
    # Hidden entries are ours (the lock, staging left by an interrupted first run).
    if (
        out.is_dir()
        and not (out / MANIFEST).exists()
        and any(p for p in out.iterdir() if not p.name.startswith("."))
    ):
        raise ExtractError(
            f"{out} is not empty and holds no {MANIFEST}; choose an empty or new directory"
        )


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExtractError(f"{path} cannot be read ({exc}); choose another directory") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("partitions"), dict):
        raise ExtractError(f"{path} is not a spinepath registry manifest")
    return manifest


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    with open(out / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExtractError(f"another extract is writing to {out}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _remove_partition(out: Path, relative: str) -> None:
    for table in TABLES:
        target = out / table / relative
        if target.is_dir():
            shutil.rmtree(target)
        site_dir = target.parent
        if site_dir.is_dir() and not any(site_dir.iterdir()):
            site_dir.rmdir()


def _value_sets() -> dict[str, Any]:
    """How the scores that depend on a choice were made: the EQ-5D-5L value set(s) of the
    extracted responses (one query), and the PROMIS-10 summary used."""
    used = sorted(
        {
            str(v)
            for v in QuestionnaireResponse.objects.filter(instrument="eq5d-5l", scorable=True)
            .order_by()
            .values_list("details__value_set", flat=True)
            .distinct()
            if v
        }
    )
    return {
        "eq5d-5l": used[0] if len(used) == 1 else (used or DEFAULT_VALUE_SET),
        "promis-10": "global physical health T-score",
    }


def _settings_fingerprint(key: bytes) -> str:
    """What, besides the source rows, changes every partition: the contract and extract
    versions, the key, and the persistent-opioid window."""
    window = triage_settings()
    text = json.dumps(
        {
            "dataset": DATASET_VERSION,
            "extract": EXTRACT_VERSION,
            "key": _key_id(key),
            "opioid_window": [window.persistent_opioid_from_day, window.persistent_opioid_to_day],
        },
        sort_keys=True,
    )
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def extract(
    out: Path | str,
    *,
    from_scratch: bool = False,
    now: datetime | None = None,
    progress: bool = False,
) -> ExtractSummary:
    """Write (or bring up to date) the registry dataset under ``out``."""
    key, warning = registry_key()
    if warning:
        log.warning(warning)
    now = now or timezone.now()
    out = Path(out)
    _check_directory(out)
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        return _extract(out, key, now, from_scratch, progress, (warning,) if warning else ())


def _extract(
    out: Path,
    key: bytes,
    now: datetime,
    from_scratch: bool,
    progress: bool,
    warnings: tuple[str, ...],
) -> ExtractSummary:
    _check_directory(out)  # again, now that no other run can be writing
    manifest = _read_manifest(out)
    for stale in out.glob(f"{STAGING_PREFIX}*"):  # left by an interrupted run
        shutil.rmtree(stale, ignore_errors=True)
    settings_fp = _settings_fingerprint(key)
    previous: dict[str, Any] = {
        rel: entry
        for rel, entry in (manifest["partitions"] if manifest else {}).items()
        if isinstance(entry, dict)
    }
    comparable = (
        manifest is not None and not from_scratch and manifest.get("settings") == settings_fp
    )

    cases = _load_cases(key, now)
    for c in cases:
        if not _SAFE_SITE_CODE.match(c.site):
            raise ExtractError(f"site code {c.site!r} cannot name a partition directory")
    fingerprints = _fingerprints(key, cases)
    by_partition: dict[tuple[str, int], list[_Case]] = defaultdict(list)
    for c in cases:
        by_partition[c.partition].append(c)

    current = {partition_path(*p): p for p in by_partition}
    changed = sorted(
        (
            p
            for rel, p in current.items()
            if not comparable or previous.get(rel, {}).get("fingerprint") != fingerprints[p]
        ),
    )
    # Only names this module writes: a hand-edited manifest never deletes anything else.
    removed = sorted(r for r in set(previous) - set(current) if _PARTITION_PATH.match(r))
    partitions: dict[str, Any] = {
        rel: previous[rel] for rel in current if comparable and rel in previous
    }
    rows_written = dict.fromkeys(TABLES, 0)
    staging = out / f"{STAGING_PREFIX}{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        with tqdm(
            total=len(changed) + len(removed),
            desc="registry partitions",
            unit="part",
            disable=not progress,
        ) as bar:
            for batch in _batches(changed, by_partition):
                details = _load_details([c for p in batch for c in by_partition[p]])
                for p in batch:
                    rel = partition_path(*p)
                    counts = _write_partition(out, staging, rel, by_partition[p], details)
                    for table, n in counts.items():
                        rows_written[table] += n
                    partitions[rel] = {
                        "site": p[0],
                        "year": p[1],
                        "fingerprint": fingerprints[p],
                        "rows": counts,
                    }
                    bar.update()
            for rel in removed:
                _remove_partition(out, rel)
                bar.update()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest_out = {
        "dataset_version": DATASET_VERSION,
        "extract_version": EXTRACT_VERSION,
        "settings": settings_fp,
        "key_id": _key_id(key),
        # The month only: with the day, follow_up_months would narrow the surgery dates.
        "extracted_month": f"{now.year:04d}-{now.month:02d}",
        "tables": {name: schema.names for name, schema in TABLES.items()},
        "partition_columns": ["site", "year"],
        "value_sets": _value_sets(),
        "partitions": dict(sorted(partitions.items())),
    }
    text = json.dumps(manifest_out, indent=2) + "\n"
    # Unchanged, it is left alone: readers reload the dataset when the manifest changes.
    if manifest is None or (out / MANIFEST).read_text(encoding="utf-8") != text:
        _write_atomically(out / MANIFEST, text.encode())
    totals = dict.fromkeys(TABLES, 0)
    for entry in partitions.values():
        for table in TABLES:
            totals[table] += int(entry.get("rows", {}).get(table, 0))
    return ExtractSummary(
        out=str(out),
        dataset_version=DATASET_VERSION,
        written=len(changed),
        unchanged=len(current) - len(changed),
        removed=len(removed),
        rows_written=rows_written,
        rows=totals,
        warnings=warnings,
        small_cell_episodes=small_cell_episodes(out, sorted(partitions)),
    )


def small_cell_episodes(out: Path, partitions: Sequence[str]) -> int:
    """Episodes, in the given partitions as written, whose combination of site, year, month
    of surgery, age (in whole years, as published) and sex is shared by fewer than
    SMALL_CELL episodes.

    Site and year are the partition, so every cell lies in one file: one DuckDB query over
    three columns of the episodes files (well under a second for 2,000 partitions)."""
    files = [str(out / "episodes" / rel / PART_FILE) for rel in partitions]
    if not files:
        return 0
    import duckdb

    with duckdb.connect() as db:
        found = db.execute(
            "SELECT coalesce(sum(n), 0)::BIGINT FROM ("
            "  SELECT count(*) AS n FROM read_parquet(?, hive_partitioning = true,"
            "    hive_types = {'site': VARCHAR, 'year': INTEGER})"
            "  GROUP BY site, year, surgery_month, age, sex"
            ") WHERE n < ?",
            [files, SMALL_CELL],
        ).fetchone()
    return int(found[0]) if found else 0


def _batches(
    partitions: Sequence[tuple[str, int]], by_partition: dict[tuple[str, int], list[_Case]]
) -> Iterable[list[tuple[str, int]]]:
    """Partitions grouped so each batch's detail queries cover about CHUNK episodes."""
    batch: list[tuple[str, int]] = []
    size = 0
    for p in partitions:
        batch.append(p)
        size += len(by_partition[p])
        if size >= CHUNK:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _write_partition(
    out: Path,
    staging: Path,
    rel: str,
    cases: Sequence[_Case],
    details: _Details,
) -> dict[str, int]:
    """Write the partition's three files in the staging directory, then move each into
    place with an atomic rename: a reader sees the old file or the new one, never half."""
    zones: dict[str, ZoneInfo] = {}
    tables = {
        "episodes": _table("episodes", [_episode_row(c, details) for c in cases], ["episode_key"]),
        "outcomes": _table(
            "outcomes",
            [row for c in cases for row in _outcome_rows(c, details, _case_zone(c, zones))],
            ["episode_key", "instrument", "timepoint"],
        ),
        "complications": _table(
            "complications",
            [row for c in cases for row in _complication_rows(c, details)],
            ["episode_key", "days_from_surgery", "clavien_dindo"],
        ),
    }
    staged = {}
    for name, table in tables.items():
        # Not *.parquet until it is in place: no reader's glob picks up a staged file.
        path = staging / name / rel / f"{PART_FILE}.tmp"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd")
        staged[name] = path
    for name, path in staged.items():
        target = out / name / rel
        target.mkdir(parents=True, exist_ok=True)
        os.replace(path, target / PART_FILE)
        for other in target.iterdir():
            if other.name != PART_FILE:
                if other.is_dir():
                    shutil.rmtree(other)
                else:
                    other.unlink()
    return {name: table.num_rows for name, table in tables.items()}


def _case_zone(c: _Case, zones: dict[str, ZoneInfo]) -> ZoneInfo:
    return zones.setdefault(c.zone, ZoneInfo(c.zone))
