"""Clavien-Dindo grades and NHSN SSI surveillance windows."""

from __future__ import annotations

from datetime import date

import pytest

from spinepath.clinical.complications import (
    CLAVIEN_DINDO,
    DEFAULT_SSI_CONFIG,
    ClavienDindoGrade,
    SSIDepth,
    SSISurveillanceConfig,
    format_grade,
    parse_grade,
    ssi_surveillance_days,
    ssi_window,
)
from spinepath.clinical.evidence import Evidence


def test_grades_and_values() -> None:
    assert [g.value for g in ClavienDindoGrade] == ["I", "II", "IIIa", "IIIb", "IVa", "IVb", "V"]
    assert all(len(g.value) <= 4 for g in ClavienDindoGrade)  # fits the outcomes model column
    assert set(CLAVIEN_DINDO) == set(ClavienDindoGrade)
    assert all(d.source and d.definition for d in CLAVIEN_DINDO.values())
    assert "general anaesthesia" in CLAVIEN_DINDO[ClavienDindoGrade.IIIB].definition
    assert [g.major for g in ClavienDindoGrade] == [False, False, True, True, True, True, True]


@pytest.mark.parametrize(
    ("grade", "disability", "text"),
    [(ClavienDindoGrade.IIIA, True, "IIIa-d"), (ClavienDindoGrade.II, False, "II"),
     (ClavienDindoGrade.IVB, True, "IVb-d"), (ClavienDindoGrade.I, True, "I-d")],
)  # fmt: skip
def test_d_suffix_round_trips(grade: ClavienDindoGrade, disability: bool, text: str) -> None:
    assert format_grade(grade, disability) == text
    assert parse_grade(text) == (grade, disability)


def test_parse_is_forgiving_about_case_but_not_content() -> None:
    assert parse_grade(" iiia-D ") == (ClavienDindoGrade.IIIA, True)
    for bad in ("VI", "IIIc", "", "III", "V-d"):
        with pytest.raises(ValueError):
            parse_grade(bad)
    with pytest.raises(ValueError, match="death"):
        format_grade(ClavienDindoGrade.V, disability=True)


@pytest.mark.parametrize(
    ("category", "depth", "days"),
    [("laminectomy", SSIDepth.DEEP, 30), ("laminectomy", SSIDepth.ORGAN_SPACE, 30),
     ("fusion", SSIDepth.DEEP, 90), ("fusion", SSIDepth.ORGAN_SPACE, 90),
     ("fusion", SSIDepth.SUPERFICIAL, 30), ("laminectomy", SSIDepth.SUPERFICIAL, 30),
     ("FUSN", SSIDepth.DEEP, 90), ("LAM", SSIDepth.DEEP, 30), ("RFUSN", SSIDepth.ORGAN_SPACE, 90),
     ("discectomy", SSIDepth.DEEP, 30), ("vertebral_augmentation", SSIDepth.DEEP, 90)],
)  # fmt: skip
def test_default_windows(category: str, depth: SSIDepth, days: int) -> None:
    assert ssi_surveillance_days(category, depth) == days


def test_windows_are_unverified_and_configurable() -> None:
    assert DEFAULT_SSI_CONFIG.evidence is Evidence.UNVERIFIED
    config = SSISurveillanceConfig(deep_and_organ_space_days={"fusion": 365}, superficial_days=14)
    assert ssi_surveillance_days("fusion", SSIDepth.DEEP, config) == 365
    assert ssi_surveillance_days("fusion", SSIDepth.SUPERFICIAL, config) == 14
    with pytest.raises(ValueError, match="laminectomy"):
        ssi_surveillance_days("laminectomy", SSIDepth.DEEP, config)


def test_unknown_category_raises() -> None:
    with pytest.raises(ValueError, match="craniotomy"):
        ssi_surveillance_days("craniotomy", SSIDepth.DEEP)


def test_window_counts_the_procedure_date_as_day_1() -> None:
    assert ssi_window(date(2026, 3, 1), "laminectomy", SSIDepth.DEEP) == (
        date(2026, 3, 1),
        date(2026, 3, 30),
    )
    start, end = ssi_window(date(2026, 3, 1), "fusion", SSIDepth.ORGAN_SPACE)
    assert (end - start).days + 1 == 90
