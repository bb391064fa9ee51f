"""The registry extract: the contract's schemas exactly, no direct identifier anywhere,
incremental runs that rewrite only what changed, a bounded number of queries, and the
data dictionary in step with the contract."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from spinepath.cli import main
from spinepath.intake.models import Assessment
from spinepath.outcomes.actions import (
    ComplicationDetails,
    do_confirm_event,
    do_record_complication,
    do_record_response,
)
from spinepath.outcomes.models import Complication
from spinepath.recovery.models import Alert, CheckIn
from spinepath.registry.dataset import PARTITIONS, TABLES
from spinepath.registry.extract import ExtractError, extract, pseudonym
from spinepath.surgery.models import SurgicalCase
from spinepath.surgery.plans import do_create_discharge_plan, do_update_discharge_plan
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    SiteFactory,
    SurgicalCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

KEY = "registry-test-key-0123456789-abcdefghijklmnop"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"
OXY = {
    "drug": "oxycodone",
    "strength_mg": 5,
    "dose_mg": 5,
    "doses_per_day": 4,
    "days": 5,
    "as_needed": True,
}
ODI_ANSWERS = [3, 3, 2, 2, 3, 2, 2, 3, 2, 3]  # 25 of 50 -> 50.0


@pytest.fixture(autouse=True)
def registry_key(settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": KEY}


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


class Clinic:
    """Two sites, three operated episodes in three partitions, one not operated."""

    def __init__(self) -> None:
        now = timezone.now()
        self.today = now.astimezone(LONDON).date()
        self.north = SiteFactory(code="north", name="North Spine Centre")
        self.south = SiteFactory(code="south", name="South Spine Centre", time_zone=NEW_YORK.key)
        self.nurse = UserFactory(role="nurse", site=self.north, email="nurse@north.example")
        self.surgeon = UserFactory(
            role="surgeon", site=self.north, email="ms.okoye@north.example", full_name="Ms Okoye"
        )
        self.south_surgeon = UserFactory(role="surgeon", site=self.south, full_name="Dr Reyes")

        # A: a MIS-TLIF 500 days ago, readmitted and reoperated for a deep SSI.
        self.patient_a = PatientFactory(
            site=self.north,
            given_name="Hermione",
            family_name="Grangerfield",
            date_of_birth=date(1961, 7, 31),
            sex="female",
            mrn="NRTH777123",
            email="hermione@example.org",
            phone="+44 7700 900123",
            user=UserFactory(role="patient", site=None, email="hermione@example.org"),
        )
        self.surgery_a = self.today - timedelta(days=500)
        self.a = self._operate(
            self.patient_a,
            self.surgeon,
            self.surgery_a,
            LONDON,
            procedure="mis_tlif",
            stay_hours=26,
            asa_class=2,
        )
        case_json = {"bmi": 31.5, "asa_class": 3, "smoker": True, "diabetes": False}
        Assessment.objects.create(
            episode=self.a,
            assessed_by=self.surgeon,
            case=case_json,
            status="ok",
            recommendation={},
            ruleset_version="t",
        )
        for timepoint, day, answers in (("baseline", -20, ODI_ANSWERS), ("3m", 92, [1] * 10)):
            do_record_response(
                actor=self.nurse,
                episode=self.a,
                instrument_id="odi",
                timepoint=timepoint,
                answers=answers,
                now=_at(self.surgery_a + timedelta(days=day), 11, LONDON),
            )
        do_record_response(  # not scorable: left out
            actor=self.nurse,
            episode=self.a,
            instrument_id="odi",
            timepoint="12m",
            answers=[None] * 10,
            now=_at(self.surgery_a + timedelta(days=370), 11, LONDON),
        )
        do_record_response(
            actor=self.nurse,
            episode=self.a,
            instrument_id="nrs-leg",
            timepoint="baseline",
            answers=[7],
            now=_at(self.surgery_a - timedelta(days=20), 11, LONDON),
        )
        self.ssi = do_record_complication(
            actor=self.nurse,
            episode=self.a,
            description="Deep SSI, washout under GA",
            onset_date=self.surgery_a + timedelta(days=20),
            clavien_dindo="IIIb",
            ssi_depth="deep",
            related_to_surgery=True,
            readmitted=True,
            readmitted_on=self.surgery_a + timedelta(days=21),
            reoperated=True,
            reoperated_on=self.surgery_a + timedelta(days=22),
        )
        self.pending = self._patient_report(self.a, 40)
        self.rejected = self._patient_report(self.a, 45, status="rejected", review_note="No")
        CheckIn.objects.create(
            episode=self.a,
            submitted_by=self.patient_a.user,
            submitted_at=_at(self.surgery_a + timedelta(days=100), 9, LONDON),
            back_pain=2,
            leg_pain=1,
            wound="dry",
            opioid_use={"days": 1.0, "complete": True, "lines": [{"drug": "oxycodone"}]},
            mme_per_day=Decimal("15.00"),
            day_after_surgery=100,
        )

        # B: a tubular microdiscectomy 40 days ago, same-day discharge.
        self.patient_b = PatientFactory(
            site=self.north, given_name="Bartholomew", family_name="Quigley", sex="male"
        )
        self.surgery_b = self.today - timedelta(days=40)
        self.b = self._operate(
            self.patient_b, self.surgeon, self.surgery_b, LONDON, stay_hours=5, asa_class=1
        )

        # C: in New York, operated 10 days ago, still in hospital.
        self.patient_c = PatientFactory(
            site=self.south, given_name="Cornelius", family_name="Abernathy-Quist"
        )
        self.surgery_c = timezone.now().astimezone(NEW_YORK).date() - timedelta(days=10)
        self.c = self._operate(self.patient_c, self.south_surgeon, self.surgery_c, NEW_YORK)

        # D: not operated, never in the registry.
        # Names are fixed: a random one ("Lin", "Tom") could be part of a column's vocabulary
        # ("baseline", "discectomy") and fail the identifier scan by chance.
        self.d = EpisodeFactory(
            patient=PatientFactory(
                site=self.north, given_name="Dorothea", family_name="Wolstenholme"
            )
        )

    def _operate(self, patient, surgeon, day, zone, *, stay_hours=None, **fields):
        start = _at(day, 9, zone)
        case = SurgicalCaseFactory(
            episode=EpisodeFactory(patient=patient, stage="recovery"),
            surgeon=surgeon,
            recorded_by=surgeon,
            surgery_start=start,
            **fields,
        )
        if stay_hours is not None:
            case.discharged_at = start + timedelta(hours=stay_hours)
            case.length_of_stay_hours = Decimal(stay_hours)
            case.length_of_stay_category = "same_day" if stay_hours < 12 else "next_day"
            case.save()
            plan = do_create_discharge_plan(actor=surgeon, case=case)
            do_update_discharge_plan(actor=surgeon, plan=plan, medicines=[OXY], staff_notes="")
        return case.episode

    def _patient_report(self, episode, day, *, status="pending", review_note=""):
        return Complication.objects.create(
            episode=episode,
            description="Reported at a check-in: Wound discharge",
            onset_date=self.surgery_a + timedelta(days=day),
            reported_by="patient",
            status=status,
            review_note=review_note,
            recorded_by=episode.patient.user or self.nurse,
        )


@pytest.fixture
def clinic():
    return Clinic()


def _read(out: Path, table: str) -> list[dict]:
    result = duckdb.connect().execute(
        "SELECT * FROM read_parquet(?, hive_partitioning = true, "
        "hive_types = {'site': VARCHAR, 'year': INTEGER})",
        [f"{out}/{table}/**/*.parquet"],
    )
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def _files(out: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.rglob("*.parquet"))
    }


def _by_key(rows, key):
    return {row["episode_key"]: row for row in rows if row["episode_key"] == key}


# --- the contract -------------------------------------------------------------------------


def test_every_file_has_the_contracts_schema_and_partitions(clinic, tmp_path):
    summary = extract(tmp_path)
    assert summary.written == 3 and summary.unchanged == 0
    expected = {
        f"site=north/year={clinic.surgery_a.year}",
        f"site=north/year={clinic.surgery_b.year}",
        f"site=south/year={clinic.surgery_c.year}",
    }
    assert clinic.surgery_a.year != clinic.surgery_b.year
    for table, schema in TABLES.items():
        files = sorted((tmp_path / table).rglob("*.parquet"))
        assert {str(f.parent.relative_to(tmp_path / table)) for f in files} == expected
        for path in files:
            written = pq.read_schema(path)
            assert written.equals(schema), (table, path)
            assert written.names == schema.names
            assert not set(PARTITIONS) & set(written.names)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["partitions"]) == expected
    assert manifest["tables"] == {name: schema.names for name, schema in TABLES.items()}
    assert manifest["value_sets"]["eq5d-5l"] == "us"  # none recorded: the default
    assert summary.rows == {"episodes": 3, "outcomes": 3, "complications": 1}


def test_the_episode_rows_say_what_happened(clinic, tmp_path):
    extract(tmp_path)
    episodes = {row["episode_key"]: row for row in _read(tmp_path, "episodes")}
    assert len(episodes) == 3  # D was not operated
    a = episodes[pseudonym(KEY.encode(), "episode", clinic.a.public_id)]
    assert a["patient_key"] == pseudonym(KEY.encode(), "patient", clinic.patient_a.public_id)
    assert a["surgeon_key"] == pseudonym(KEY.encode(), "user", clinic.surgeon.public_id)
    assert (a["site"], a["year"], a["surgery_month"]) == (
        "north",
        clinic.surgery_a.year,
        clinic.surgery_a.month,
    )
    born = date(1961, 7, 31)
    age = (
        clinic.surgery_a.year
        - born.year
        - ((clinic.surgery_a.month, clinic.surgery_a.day) < (7, 31))
    )
    assert a["age"] == age and a["sex"] == "female"
    assert (a["procedure"], a["procedure_group"], a["approach"], a["levels"]) == (
        "mis_tlif",
        "fusion",
        "miss",
        1,
    )
    assert a["diagnosis"] == "lumbar_disc_herniation"
    assert a["bmi"] == pytest.approx(31.5) and a["asa"] == 2  # the operative record's ASA
    assert a["smoker"] is True and a["diabetes"] is False
    assert a["baseline_odi"] == pytest.approx(50.0) and a["baseline_nrs_leg"] == 7
    assert a["baseline_nrs_back"] is None
    assert (a["ebl_ml"], a["op_minutes"]) == (40, 70)
    assert a["los_hours"] == pytest.approx(26) and a["same_day"] is False
    assert a["discharge_mme"] == pytest.approx(30.0)  # oxycodone 5 mg x4 x1.5
    assert a["persistent_opioid"] is True
    assert a["complication"] and a["major_complication"] and a["ssi"]
    assert a["readmit_30"] and a["readmit_90"] and a["reop_30"] and a["reop_90"]
    assert a["follow_up_months"] == 16  # 500 days: 16 completed months of 30.4375 days

    b = episodes[pseudonym(KEY.encode(), "episode", clinic.b.public_id)]
    assert (b["procedure_group"], b["same_day"], b["los_hours"]) == ("decompression", True, 5)
    assert b["persistent_opioid"] is None  # no check-in on days 90-180
    assert not (b["complication"] or b["ssi"] or b["readmit_90"] or b["reop_90"])
    assert b["follow_up_months"] == 1
    assert b["smoker"] is None and b["bmi"] is None  # no assessment recorded

    c = episodes[pseudonym(KEY.encode(), "episode", clinic.c.public_id)]
    assert c["site"] == "south" and c["follow_up_months"] == 0
    for column in ("los_hours", "same_day", "discharge_mme"):
        assert c[column] is None  # not discharged


def test_outcomes_and_complications(clinic, tmp_path):
    extract(tmp_path)
    key_a = pseudonym(KEY.encode(), "episode", clinic.a.public_id)
    outcomes = sorted(
        (r["instrument"], r["timepoint"], r["days_from_surgery"], r["score"])
        for r in _read(tmp_path, "outcomes")
        if r["episode_key"] == key_a
    )
    assert outcomes == [
        ("nrs-leg", "baseline", -20, 7.0),
        ("odi", "3m", 92, 20.0),
        ("odi", "baseline", -20, 50.0),
    ]
    [complication] = _read(tmp_path, "complications")  # pending and rejected left out
    assert complication == {
        "episode_key": key_a,
        "days_from_surgery": 20,
        "clavien_dindo": "IIIb",
        "ssi_depth": "deep",
        "related": True,
        "readmitted": True,
        "reoperated": True,
        "reported_by": "staff",
        "category": "ssi",
        "site": "north",
        "year": clinic.surgery_a.year,
    }


# --- no direct identifiers ----------------------------------------------------------------


def _identifiers() -> tuple[set[str], set[date]]:
    """Everything that could identify a person or a record, from the whole database."""
    from spinepath.accounts.models import User
    from spinepath.outcomes.models import QuestionnaireResponse
    from spinepath.patients.models import Episode, Patient

    words: set[str] = set()
    days: set[date] = set()
    for p in Patient.objects.all():
        words |= {p.given_name, p.family_name, p.display_name, p.email, p.phone, p.mrn}
        words |= {str(p.public_id), p.public_id.hex}
        days.add(p.date_of_birth)
    for u in User.objects.all():
        words |= {u.email, u.full_name, u.phone, str(u.public_id), u.public_id.hex}
    for model in (Episode, SurgicalCase, Complication, Alert, CheckIn, QuestionnaireResponse):
        for public_id in model.objects.values_list("public_id", flat=True):
            words |= {str(public_id), public_id.hex}
    for case in SurgicalCase.objects.select_related("site"):
        zone = ZoneInfo(case.site.time_zone)
        for moment in (case.surgery_start, case.discharged_at, case.recorded_at):
            if moment is not None:
                days |= {moment.astimezone(zone).date(), moment.astimezone(ZoneInfo("UTC")).date()}
    for c in Complication.objects.all():
        days |= {d for d in (c.onset_date, c.readmitted_on, c.reoperated_on) if d}
    for moment in CheckIn.objects.values_list("submitted_at", flat=True):
        days.add(moment.date())
    for moment in QuestionnaireResponse.objects.values_list("submitted_at", flat=True):
        days.add(moment.date())
    return {w.strip() for w in words if w and len(w.strip()) >= 3}, days


def _date_forms(day: date) -> set[str]:
    return {
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%d/%m/%Y"),
        day.strftime("%m/%d/%Y"),
        day.strftime("%d.%m.%Y"),
    }


DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
HEX = re.compile(r"[0-9a-f]+")


def _found(text: str, needles: set[str]) -> set[str]:
    """Needles in ``text``: as a substring, or as a whole token when the needle is short and
    could be part of a hex pseudonym by chance ("Dee", "Abe")."""
    low = text.lower()
    tokens = set(re.split(r"[^0-9a-z@.+]+", low))
    hits = set()
    for needle in needles:
        n = needle.lower()
        short_hex = HEX.fullmatch(n) is not None and len(n) < 12
        if (n in low and not short_hex) or n in tokens:
            hits.add(needle)
    return hits


def _assert_no_identifiers(out: Path) -> None:
    words, days = _identifiers()
    day_strings = set().union(*(_date_forms(d) for d in days)) if days else set()
    day_numbers = set()
    for d in days:
        day_numbers |= {
            int(d.strftime("%Y%m%d")),
            d.toordinal(),
            (d - date(1970, 1, 1)).days,
            d.year * 1000 + d.timetuple().tm_yday,
        }
    scanned = 0
    for table, schema in TABLES.items():
        for path in sorted((out / table).rglob("*.parquet")):
            columns = pq.read_table(path)
            assert columns.schema.equals(schema)
            for name in columns.column_names:
                column = columns.column(name)
                kind = str(column.type)
                assert "date" not in kind and "timestamp" not in kind, (table, name)
                for value in column.to_pylist():
                    scanned += 1
                    if value is None:
                        continue
                    if isinstance(value, str):
                        assert not _found(value, words), (table, name, value)
                        assert not DATE_PATTERN.search(value), (table, name, value)
                        assert not _found(value, day_strings), (table, name, value)
                    elif isinstance(value, int) and not isinstance(value, bool):
                        assert value not in day_numbers, (table, name, value)
    assert scanned > 0
    # Nor in the manifest or the paths.
    manifest = (out / "manifest.json").read_text()
    assert not _found(manifest, words | day_strings)
    assert not DATE_PATTERN.search(manifest)
    for path in out.rglob("*"):
        assert not _found(str(path.relative_to(out)), words | day_strings)


def test_no_column_holds_a_direct_identifier(clinic, tmp_path):
    extract(tmp_path)
    _assert_no_identifiers(tmp_path)
    # The check itself finds what it looks for.
    words, days = _identifiers()
    assert _found("x hermione@example.org", words) and "NRTH777123" in words
    assert clinic.surgery_a in days and date(1961, 7, 31) in days


def test_the_demo_clinic_extract_matches_the_contract_and_names_nobody(tmp_path):
    from spinepath.demo_data import load_demo

    load_demo(patients=14)
    summary = extract(tmp_path)
    assert summary.rows["episodes"] == SurgicalCase.objects.count() > 0
    _assert_no_identifiers(tmp_path)
    episodes = _read(tmp_path, "episodes")
    assert {row["site"] for row in episodes} <= {"demo-north", "demo-south"}
    assert all(len(row["episode_key"]) == 32 for row in episodes)
    assert len({row["episode_key"] for row in episodes}) == len(episodes)
    # Pending reports from wound check-ins never reach the registry.
    confirmed = Complication.objects.filter(
        status="confirmed", episode__surgical_case__isnull=False
    )
    assert summary.rows["complications"] == confirmed.count()


# --- incremental --------------------------------------------------------------------------


def test_a_second_run_writes_nothing_when_nothing_changed(clinic, tmp_path):
    extract(tmp_path)
    before = _files(tmp_path)
    manifest = (tmp_path / "manifest.json").read_text()
    stamp = (tmp_path / "manifest.json").stat().st_mtime_ns
    summary = extract(tmp_path)
    assert (summary.written, summary.unchanged, summary.removed) == (0, 3, 0)
    # The manifest is left alone too: the dashboards reload when it changes.
    assert (tmp_path / "manifest.json").stat().st_mtime_ns == stamp
    assert summary.rows_written == {"episodes": 0, "outcomes": 0, "complications": 0}
    assert summary.rows == {"episodes": 3, "outcomes": 3, "complications": 1}
    assert _files(tmp_path) == before
    assert (tmp_path / "manifest.json").read_text() == manifest


def test_one_changed_episode_rewrites_only_its_partition(clinic, tmp_path):
    extract(tmp_path)
    before = _files(tmp_path)
    do_record_response(
        actor=clinic.nurse, episode=clinic.b, instrument_id="odi", timepoint="2w", answers=[2] * 10
    )
    summary = extract(tmp_path)
    assert (summary.written, summary.unchanged) == (1, 2)
    after = _files(tmp_path)
    touched = f"site=north/year={clinic.surgery_b.year}"
    for path, stamp in before.items():
        if touched in path:
            assert after[path][0] != stamp[0], path
        else:
            assert after[path] == stamp, path
    assert summary.rows["outcomes"] == 4


def test_a_pending_report_changes_nothing_until_it_is_confirmed(clinic, tmp_path):
    extract(tmp_path)
    Complication.objects.create(
        episode=clinic.b,
        description="Reported at a check-in: Fever 38.2 °C",
        onset_date=clinic.surgery_b + timedelta(days=3),
        reported_by="patient",
        status="pending",
        recorded_by=clinic.nurse,
    )
    assert extract(tmp_path).written == 0
    do_confirm_event(
        actor=clinic.nurse,
        event=clinic.pending,
        details=ComplicationDetails("II", ssi_depth="superficial"),
    )
    summary = extract(tmp_path)
    assert (summary.written, summary.rows["complications"]) == (1, 2)
    reported = [r for r in _read(tmp_path, "complications") if r["reported_by"] == "patient"]
    assert len(reported) == 1 and reported[0]["days_from_surgery"] == 40


def test_a_partition_without_rows_is_removed(clinic, tmp_path):
    extract(tmp_path)
    SurgicalCase.objects.filter(episode=clinic.c).delete()
    summary = extract(tmp_path)
    assert (summary.written, summary.unchanged, summary.removed) == (0, 2, 1)
    for table in TABLES:
        assert not (tmp_path / table / "site=south").exists()
    assert all(
        "south" not in p for p in json.loads((tmp_path / "manifest.json").read_text())["partitions"]
    )


def _months(out: Path) -> dict[str, int]:
    return {r["site"] + str(r["year"]): r["follow_up_months"] for r in _read(out, "episodes")}


def test_completing_a_month_of_follow_up_rewrites_the_partition(clinic, tmp_path):
    now = timezone.now()
    a, b, c = (f"north{clinic.surgery_a.year}", f"north{clinic.surgery_b.year}", "south")
    c += str(clinic.surgery_c.year)
    extract(tmp_path, now=now)
    assert _months(tmp_path) == {a: 16, b: 1, c: 0}  # 500, 40 and 10 days
    # A day on, no episode completes a month: nothing is written.
    assert extract(tmp_path, now=now + timedelta(days=1)).written == 0
    # 20 days on A completes a month (520 days; B 60, C 30 days: not yet), and C's 30-day
    # SSI window (days 0-29) is over, so its SSI flag turns from unknown to false.
    before = _files(tmp_path)
    summary = extract(tmp_path, now=now + timedelta(days=20))
    assert (summary.written, summary.unchanged) == (2, 1)
    assert _months(tmp_path) == {a: 17, b: 1, c: 0}
    for path, stamp in _files(tmp_path).items():
        rewritten = f"site=north/year={clinic.surgery_a.year}" in path or "site=south" in path
        assert (stamp == before[path]) == (not rewritten), path
    # 21 days on B (61 days) and C (31 days) complete one more.
    summary = extract(tmp_path, now=now + timedelta(days=21))
    assert (summary.written, summary.unchanged) == (2, 1)
    assert _months(tmp_path) == {a: 17, b: 2, c: 1}


def test_no_opioids_reported_is_not_known_until_the_opioid_window_is_over(clinic, tmp_path):
    """A day-95 check-in without painkillers leaves persistent use unknown until day 180
    is over; then it is false."""
    CheckIn.objects.create(
        episode=clinic.b,
        submitted_by=clinic.nurse,
        submitted_at=_at(clinic.surgery_b + timedelta(days=95), 9, LONDON),
        back_pain=1,
        leg_pain=0,
        wound="dry",
        opioid_use={"days": 1.0, "complete": True, "lines": []},
        mme_per_day=Decimal("0"),
        day_after_surgery=95,
    )

    def persistent(days_after: int) -> bool | None:
        now = _at(clinic.surgery_b + timedelta(days=days_after), 12, LONDON)
        extract(tmp_path / str(days_after), now=now)
        rows = _read(tmp_path / str(days_after), "episodes")
        return next(
            r["persistent_opioid"]
            for r in rows
            if r["year"] == clinic.surgery_b.year
            and r["site"] == "north"
            and r["follow_up_months"] < 12
        )

    assert persistent(100) is None
    assert persistent(181) is False


def test_a_window_not_yet_over_leaves_its_flag_unknown(clinic, tmp_path):
    """No event yet is not "no event": a flag is null until its window is over, true as
    soon as an event is recorded."""
    extract(tmp_path)
    rows = {r["site"] + str(r["year"]): r for r in _read(tmp_path, "episodes")}
    a = rows[f"north{clinic.surgery_a.year}"]  # 500 days: every window over, events in them
    b = rows[f"north{clinic.surgery_b.year}"]  # 40 days, no events
    c = rows[f"south{clinic.surgery_c.year}"]  # 10 days, no events
    flags = ("complication", "major_complication", "ssi", "readmit_30", "readmit_90", "reop_30")
    assert {f: a[f] for f in flags} == dict.fromkeys(flags, True)
    assert a["reop_90"] is True
    assert {f: c[f] for f in (*flags, "reop_90")} == dict.fromkeys((*flags, "reop_90"), None)
    # B: the 30-day windows (and a microdiscectomy's 30-day SSI window) are over; the
    # 90-day ones are not.
    assert (b["readmit_30"], b["reop_30"], b["ssi"]) == (False, False, False)
    assert (b["readmit_90"], b["reop_90"], b["complication"], b["major_complication"]) == (
        None,
        None,
        None,
        None,
    )


def test_from_scratch_and_a_new_key_rewrite_everything(clinic, tmp_path, settings):
    extract(tmp_path)
    assert extract(tmp_path, from_scratch=True).written == 3
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": "another-key-" + "x" * 30}
    summary = extract(tmp_path)
    assert summary.written == 3
    keys = {r["episode_key"] for r in _read(tmp_path, "episodes")}
    assert pseudonym(KEY.encode(), "episode", clinic.a.public_id) not in keys


def test_the_extract_costs_the_same_queries_for_few_episodes_or_many(
    clinic, tmp_path, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as few:
        extract(tmp_path / "one")
    for n in range(8):
        patient = PatientFactory(site=clinic.north)
        episode = clinic._operate(
            patient, clinic.surgeon, clinic.today - timedelta(days=60 + n), LONDON, stay_hours=6
        )
        do_record_response(
            actor=clinic.nurse,
            episode=episode,
            instrument_id="odi",
            timepoint="baseline",
            answers=ODI_ANSWERS,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        summary = extract(tmp_path / "two")
    assert summary.rows["episodes"] == 11


# --- keys, refusals, the command ---------------------------------------------------------


def test_production_refuses_without_a_registry_key(clinic, tmp_path, settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": ""}
    settings.PRODUCTION = True
    with pytest.raises(ExtractError, match="SPINEPATH_REGISTRY_KEY is not set"):
        extract(tmp_path)
    assert not any(tmp_path.iterdir())
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": "short"}
    with pytest.raises(ExtractError, match="at least 32 characters"):
        extract(tmp_path)


def test_development_derives_a_key_and_warns(clinic, tmp_path, settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": ""}
    summary = extract(tmp_path)
    assert summary.warnings and "SPINEPATH_REGISTRY_KEY is not set" in summary.warnings[0]
    keys = {r["episode_key"] for r in _read(tmp_path, "episodes")}
    assert pseudonym(KEY.encode(), "episode", clinic.a.public_id) not in keys
    assert len(keys) == 3


def test_a_directory_that_is_not_a_dataset_is_refused(clinic, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExtractError, match="not empty"):
        extract(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_command_prints_a_json_summary_and_a_progress_bar(clinic, tmp_path, capsys):
    assert main(["registry", "extract", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["partitions"] == {"written": 3, "unchanged": 0, "removed": 0, "total": 3}
    assert summary["rows"] == {"episodes": 3, "outcomes": 3, "complications": 1}
    assert "registry partitions" in captured.err
    assert main(["registry", "extract", "--out", str(tmp_path), "--no-progress"]) == 0
    again = capsys.readouterr()
    assert json.loads(again.out)["partitions"]["unchanged"] == 3
    assert "registry partitions" not in again.err
    assert main(["registry", "extract", "--out", str(tmp_path), "--since-scratch"]) == 0
    assert json.loads(capsys.readouterr().out)["partitions"]["written"] == 3


def test_the_command_refuses_bad_input_in_one_line(clinic, tmp_path, capsys, settings):
    (tmp_path / "junk").write_text("x")
    assert main(["registry", "extract", "--out", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "not empty" in err
    assert main(["registry"]) == 2
    assert "choose a subcommand: extract" in capsys.readouterr().err
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": ""}
    settings.PRODUCTION = True
    assert main(["registry", "extract", "--out", str(tmp_path / "new")]) == 2
    assert "SPINEPATH_REGISTRY_KEY" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["registry", "extract"])
    assert usage.value.code == 2


# --- the data dictionary --------------------------------------------------------------------


def _dictionary_columns() -> dict[str, set[str]]:
    """Column names per table: the backticked first cell of each row of the table under a
    heading "## Table `name`"."""
    tables: dict[str, set[str]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## Table `(\w+)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), set())
        elif line.startswith("## "):
            current = None
        elif current is not None:
            cell = re.match(r"^\|\s*`(\w+)`\s*\|", line)
            if cell:
                current.add(cell.group(1))
    return tables


def test_the_data_dictionary_describes_every_column_and_no_other():
    documented = _dictionary_columns()
    assert set(documented) == set(TABLES)
    for name, schema in TABLES.items():
        assert documented[name] == set(schema.names), name
    text = DICTIONARY.read_text(encoding="utf-8")
    for partition in PARTITIONS:
        assert f"`{partition}`" in text


def test_pseudonyms_are_stable_and_distinct_by_kind():
    public_id = uuid.uuid4()
    key = KEY.encode()
    assert pseudonym(key, "patient", public_id) == pseudonym(key, "patient", public_id)
    assert pseudonym(key, "patient", public_id) != pseudonym(key, "episode", public_id)
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym(key, "user", public_id))
    assert public_id.hex[:32] != pseudonym(key, "patient", public_id)
