"""The extract's privacy coarsening (follow-up months, top-coded ages, the small-cell count)
and the columns added in dataset 2026.11-2 (baseline NDI, complication category), with the
evidence that levels and length of stay are what the records can say."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from spinepath.cli import main
from spinepath.clinical.candidacy.facts import LUMBAR_LEVELS
from spinepath.outcomes.actions import do_record_complication, do_record_response
from spinepath.patients.models import Episode
from spinepath.registry.dataset import COMPLICATION_CATEGORIES, follow_up_months
from spinepath.registry.extract import extract, pseudonym, small_cell_episodes
from spinepath.surgery.actions import do_discharge, do_record_discharge_assessment
from spinepath.surgery.models import DischargePlan, SurgicalCase
from tests.factories import PatientFactory
from tests.registry.test_extract import (
    KEY,
    LONDON,
    ODI_ANSWERS,
    Clinic,
    _assert_no_identifiers,
    _at,
    _read,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry_key(settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "REGISTRY_KEY": KEY}


@pytest.fixture
def clinic():
    return Clinic()


def _episode(out, episode) -> dict:
    key = pseudonym(KEY.encode(), "episode", episode.public_id)
    [row] = [r for r in _read(out, "episodes") if r["episode_key"] == key]
    return row


# --- follow-up in completed months -----------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "months"),
    [(-3, 0), (0, 0), (30, 0), (31, 1), (60, 1), (61, 2), (91, 2), (92, 3), (365, 11),
     (366, 12), (730, 23), (731, 24), (3653, 120)],
)  # fmt: skip
def test_follow_up_months_are_completed_months_of_30_4375_days(days, months):
    assert follow_up_months(days) == months
    assert months == max(0, int(days // 30.4375))


# --- ages ---------------------------------------------------------------------------------


def _born(operated: date, years: int) -> date:
    """A date of birth that makes the patient ``years`` old on the day ``operated``."""
    return date(operated.year - years, 1, 1)


def test_ages_over_90_are_written_as_90(clinic, tmp_path):
    operated = clinic.today - timedelta(days=60)
    episodes = {}
    for years in (89, 90, 91, 104):
        patient = PatientFactory(site=clinic.north, date_of_birth=_born(operated, years))
        episodes[years] = clinic._operate(patient, clinic.surgeon, operated, LONDON)
    extract(tmp_path)
    written = {years: _episode(tmp_path, episode)["age"] for years, episode in episodes.items()}
    assert written == {89: 89, 90: 90, 91: 90, 104: 90}
    assert max(r["age"] for r in _read(tmp_path, "episodes")) == 90


# --- small cells --------------------------------------------------------------------------


def test_the_summary_counts_episodes_in_small_quasi_identifier_cells(clinic, tmp_path):
    # A, B and C are alone in their cells (site, year, month, age, sex).
    summary = extract(tmp_path)
    assert summary.small_cell_episodes == 3
    assert summary.to_json()["small_cells"] == {
        "quasi_identifiers": ["site", "year", "surgery_month", "age", "sex"],
        "threshold": 5,
        "episodes": 3,
    }
    # Five patients operated the same day, aged 42, of one sex: one cell of five.
    operated = clinic.today - timedelta(days=200)
    patients = [
        PatientFactory(site=clinic.north, date_of_birth=_born(operated, years), sex="other")
        for years in (42, 42, 42, 42, 42)
    ]
    for patient in patients:
        clinic._operate(patient, clinic.surgeon, operated, LONDON)
    summary = extract(tmp_path)
    assert summary.rows["episodes"] == 8 and summary.small_cell_episodes == 3
    # One of them turns out to be 43 (ages are published in years): a cell of four and
    # one of one.
    patients[0].date_of_birth = _born(operated, 43)
    patients[0].save()
    summary = extract(tmp_path)
    assert summary.written == 1 and summary.small_cell_episodes == 3 + 4 + 1
    # Counted over what was written: unchanged partitions count as well.
    again = extract(tmp_path)
    assert again.written == 0 and again.small_cell_episodes == 8
    rels = json.loads((tmp_path / "manifest.json").read_text())["partitions"]
    assert small_cell_episodes(tmp_path, sorted(rels)) == 8
    assert small_cell_episodes(tmp_path, []) == 0


def test_the_command_prints_the_small_cell_count(clinic, tmp_path, capsys):
    assert main(["registry", "extract", "--out", str(tmp_path), "--no-progress"]) == 0
    assert json.loads(capsys.readouterr().out)["small_cells"]["episodes"] == 3


# --- levels and length of stay --------------------------------------------------------------


def test_an_operation_records_one_level_so_levels_is_1():
    """Evidence for ``levels = 1``: SurgicalCase.level holds one of LUMBAR_LEVELS (one motion
    segment, "L4-L5"), never a range or a list; no other field counts levels. Should the
    record learn multi-level operations, this fails and the extract must count them."""
    level = SurgicalCase._meta.get_field("level")
    assert [value for value, _ in level.choices] == list(LUMBAR_LEVELS)
    assert all(value.count("-") == 1 for value in LUMBAR_LEVELS)
    names = {f.name for f in SurgicalCase._meta.get_fields()}
    assert not {n for n in names if "level" in n} - {"level"}


def test_los_counts_from_the_start_of_the_operation(clinic, tmp_path):
    """No admission or arrival time is recorded (SurgicalCase, Episode): the discharge
    records hours from surgery_start, and the extract writes those."""
    for model in (SurgicalCase, Episode, DischargePlan):
        names = {f.name for f in model._meta.get_fields()}
        assert not {n for n in names if "admi" in n or "arriv" in n}, model
    patient = PatientFactory(site=clinic.north)
    episode = clinic._operate(patient, clinic.surgeon, clinic.today - timedelta(days=3), LONDON)
    case = episode.surgical_case
    do_record_discharge_assessment(
        actor=clinic.nurse,
        case=case,
        mpadss={
            "vital_signs": 2,
            "ambulation": 2,
            "nausea_vomiting": 2,
            "pain": 2,
            "surgical_bleeding": 2,
        },
        checklist={
            "ambulating": True,
            "voided": True,
            "tolerating_oral": True,
            "pain_controlled_oral": True,
            "neuro_unchanged": True,
            "wound_dry": True,
            "no_orthostatic_intolerance": True,
            "responsible_adult": True,
        },
    )
    do_discharge(
        actor=clinic.nurse, case=case, now=case.surgery_start + timedelta(hours=7, minutes=30)
    )
    extract(tmp_path)
    row = _episode(tmp_path, episode)
    assert row["los_hours"] == pytest.approx(7.5) and row["same_day"] is True


# --- baseline NDI ---------------------------------------------------------------------------


def test_baseline_ndi_of_a_cervical_episode(clinic, tmp_path):
    patient = PatientFactory(site=clinic.north)
    operated = clinic.today - timedelta(days=50)
    episode = clinic._operate(patient, clinic.surgeon, operated, LONDON)
    Episode.objects.filter(pk=episode.pk).update(condition="cervical_radiculopathy")
    for instrument, timepoint, day, answers in (
        ("ndi", "baseline", -7, [2] * 10),  # 20 of 50 -> 40 %
        ("ndi", "6w", 42, [1] * 10),
        ("nrs-back", "baseline", -7, [4]),
    ):
        do_record_response(
            actor=clinic.nurse,
            episode=episode,
            instrument_id=instrument,
            timepoint=timepoint,
            answers=answers,
            now=_at(operated + timedelta(days=day), 10, LONDON),
        )
    extract(tmp_path)
    row = _episode(tmp_path, episode)
    assert row["diagnosis"] == "cervical_radiculopathy"
    assert row["baseline_ndi"] == pytest.approx(40.0) and row["baseline_odi"] is None
    a = _episode(tmp_path, clinic.a)  # lumbar: an ODI, no NDI
    assert a["baseline_odi"] == pytest.approx(50.0) and a["baseline_ndi"] is None
    outcomes = {
        (r["instrument"], r["timepoint"]): r["score"]
        for r in _read(tmp_path, "outcomes")
        if r["episode_key"] == row["episode_key"]
    }
    assert outcomes[("ndi", "baseline")] == pytest.approx(row["baseline_ndi"])


# --- complication category ---------------------------------------------------------------


def test_complication_category_is_ssi_or_not_recorded(clinic, tmp_path):
    """Complication records no type beyond its SSI depth (the description is free text):
    ``ssi`` for an SSI, null otherwise, never a guess."""
    do_record_complication(
        actor=clinic.nurse,
        episode=clinic.b,
        description="Urinary retention, catheterised",
        onset_date=clinic.surgery_b + timedelta(days=1),
        clavien_dindo="I",
    )
    do_record_complication(
        actor=clinic.nurse,
        episode=clinic.b,
        description="Superficial wound infection",
        onset_date=clinic.surgery_b + timedelta(days=9),
        clavien_dindo="II",
        ssi_depth="superficial",
    )
    extract(tmp_path)
    rows = sorted(
        (r["days_from_surgery"], r["ssi_depth"], r["category"])
        for r in _read(tmp_path, "complications")
    )
    assert rows == [(1, None, None), (9, "superficial", "ssi"), (20, "deep", "ssi")]
    assert {r[2] for r in rows} - {None} <= set(COMPLICATION_CATEGORIES)


def test_the_new_columns_name_nobody(clinic, tmp_path):
    """The identifier scan of test_extract over the new columns (an NDI, a category, an age
    over 90)."""
    old = PatientFactory(
        site=clinic.north,
        given_name="Ottoline",
        family_name="Vanterpool",
        date_of_birth=date(1925, 3, 3),
    )
    episode = clinic._operate(old, clinic.surgeon, clinic.today - timedelta(days=70), LONDON)
    do_record_response(
        actor=clinic.nurse,
        episode=episode,
        instrument_id="ndi",
        timepoint="baseline",
        answers=ODI_ANSWERS,
        now=timezone.now() - timedelta(days=75),
    )
    extract(tmp_path)
    _assert_no_identifiers(tmp_path)
    assert _episode(tmp_path, episode)["age"] == 90
