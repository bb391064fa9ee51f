"""Recovery triage: opioid use (high, not falling, above the taper plan, persistent) and
physiotherapy not started on time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.discharge_plan import DEFAULT_MILESTONE_DAYS, ProcedureGroup
from spinepath.clinical.opioids import THRESHOLD_SOURCE
from spinepath.clinical.triage import (
    TRIAGE_VERSION,
    OpioidPoint,
    ProposedAlert,
    Severity,
    TaperPoint,
    TriageSettings,
    missed_physio,
    persistent_opioid_use,
    planned_mme_on,
    triage_opioids,
)


def series(*pairs: tuple[int, float | None]) -> list[OpioidPoint]:
    return [OpioidPoint(day, mme) for day, mme in pairs]


def rules(alerts: tuple[ProposedAlert, ...]) -> list[str]:
    return [a.rule_id for a in alerts]


def test_version_and_defaults() -> None:
    assert TRIAGE_VERSION == "2026.11-3"
    s = TriageSettings()
    assert s.opioid_high_mme == 90.0
    assert s.opioid_not_falling_days == 5
    assert s.physio_grace_days == 3
    assert (s.persistent_opioid_from_day, s.persistent_opioid_to_day) == (90, 180)


# --- TR-OPIOID-HIGH ---------------------------------------------------------


def test_high_mme_at_the_threshold_is_same_day() -> None:
    (alert,) = triage_opioids(series((1, 90.0)))
    assert (alert.rule_id, alert.severity) == ("TR-OPIOID-HIGH", Severity.SAME_DAY)
    assert alert.data == {"mme_per_day": 90.0, "threshold": 90.0}
    assert THRESHOLD_SOURCE in alert.source and alert.source.startswith("[U]")
    assert "emergency" in alert.patient_advice


def test_high_mme_just_below_the_threshold_does_not_fire() -> None:
    assert triage_opioids(series((1, 89.9))) == ()
    assert triage_opioids(series((1, 89.0))) == ()


def test_high_mme_threshold_is_configurable() -> None:
    settings = TriageSettings(opioid_high_mme=50)
    assert rules(triage_opioids(series((1, 50.0)), settings=settings)) == ["TR-OPIOID-HIGH"]


def test_only_the_newest_point_counts_for_high() -> None:
    assert triage_opioids(series((1, 120.0), (2, 40.0))) == ()


# --- TR-OPIOID-NOT-FALLING (a): over a window of days ----------------------


def test_not_falling_over_five_days_fires() -> None:
    (alert,) = triage_opioids(series((2, 30), (3, 30), (4, 30), (5, 30), (6, 30)))
    assert (alert.rule_id, alert.severity) == ("TR-OPIOID-NOT-FALLING", Severity.ROUTINE)
    assert alert.reason == "Opioid use not falling over 5 days: 30 → 30 MME/day"
    assert alert.data["criteria"] == ["not_falling"]
    assert alert.data["covered_days"] == 5
    assert alert.data["series"] == [{"day": d, "mme_per_day": 30} for d in range(2, 7)]
    assert alert.data["planned_mme_per_day"] is None
    assert alert.source.startswith("[U]") and alert.patient_advice


def test_not_falling_needs_the_window_covered() -> None:
    # Days 3..6 cover only 4 days: one short.
    assert triage_opioids(series((3, 30), (4, 30), (5, 30), (6, 30))) == ()
    # Only the two ends reported still covers 5 days.
    assert rules(triage_opioids(series((2, 30), (6, 30)))) == ["TR-OPIOID-NOT-FALLING"]
    # A point older than the window is not used as the comparison.
    assert triage_opioids(series((0, 30), (4, 30), (6, 30))) == ()


def test_not_falling_compares_with_the_earliest_point_in_the_window() -> None:
    # Window for day 8 is days 3..8; the earliest there is day 3 (20); rising.
    (alert,) = triage_opioids(series((1, 50), (3, 20), (5, 40), (8, 25)))
    assert alert.reason == "Opioid use not falling over 6 days: 20 → 25 MME/day"
    assert alert.data["earliest_mme_per_day"] == 20
    assert [p["day"] for p in alert.data["series"]] == [3, 5, 8]  # type: ignore[attr-defined]


def test_falling_use_does_not_fire() -> None:
    assert triage_opioids(series((2, 30), (3, 25), (4, 20), (5, 20), (6, 29.9))) == ()


def test_rising_use_fires() -> None:
    assert rules(triage_opioids(series((2, 10), (6, 20)))) == ["TR-OPIOID-NOT-FALLING"]


def test_unreported_points_are_ignored() -> None:
    # The day-2 point is None, so the window's earliest reported point is day 3: 4 days.
    assert triage_opioids(series((2, None), (3, 30), (6, 30))) == ()
    # And an unreported newest check-in fires nothing, whatever came before.
    assert triage_opioids(series((2, 200), (3, 30), (6, None))) == ()


def test_nothing_fires_when_the_newest_use_is_zero() -> None:
    assert triage_opioids(series((2, 0), (6, 0))) == ()
    taper = (TaperPoint(0, 30), TaperPoint(4, 0))
    assert triage_opioids(series((2, 30), (6, 0)), taper) == ()
    assert triage_opioids([]) == ()


def test_not_falling_window_is_configurable() -> None:
    settings = TriageSettings(opioid_not_falling_days=3)
    assert rules(triage_opioids(series((4, 30), (6, 30)), settings=settings)) == [
        "TR-OPIOID-NOT-FALLING"
    ]
    assert triage_opioids(series((5, 30), (6, 30)), settings=settings) == ()
    with pytest.raises(ValueError, match="opioid_not_falling_days"):
        triage_opioids(series((6, 30)), settings=TriageSettings(opioid_not_falling_days=0))


# --- TR-OPIOID-NOT-FALLING (b): above the taper plan -----------------------


TAPER = (TaperPoint(0, 40), TaperPoint(3, 30), TaperPoint(6, 15), TaperPoint(9, 0))


def test_planned_mme_is_a_step_function() -> None:
    assert planned_mme_on(5, ()) is None
    assert planned_mme_on(-1, TAPER) is None
    assert planned_mme_on(0, TAPER) == 40
    assert planned_mme_on(2, TAPER) == 40
    assert planned_mme_on(3, TAPER) == 30
    assert planned_mme_on(8, TAPER) == 15
    assert planned_mme_on(9, TAPER) == 0
    assert planned_mme_on(400, TAPER) == 0
    assert planned_mme_on(7, tuple(reversed(TAPER))) == 15  # any order
    with pytest.raises(ValueError, match="two steps on day 3"):
        planned_mme_on(5, (TaperPoint(3, 30), TaperPoint(3, 20)))


def test_above_the_taper_plan_fires() -> None:
    (alert,) = triage_opioids(series((6, 30)), TAPER)
    assert alert.rule_id == "TR-OPIOID-NOT-FALLING"
    assert alert.reason == "Opioid use 30 MME/day is above the taper plan's 15 MME/day for day 6"
    assert alert.data["criteria"] == ["above_taper"]
    assert alert.data["planned_mme_per_day"] == 15
    assert alert.data["covered_days"] is None


def test_taper_tolerance_is_half_an_mme() -> None:
    assert triage_opioids(series((6, 15.5)), TAPER) == ()
    assert rules(triage_opioids(series((6, 15.6)), TAPER)) == ["TR-OPIOID-NOT-FALLING"]
    # Any use after a final 0 step is above the plan.
    assert rules(triage_opioids(series((9, 0.6)), TAPER)) == ["TR-OPIOID-NOT-FALLING"]
    assert triage_opioids(series((9, 0.5)), TAPER) == ()


def test_no_taper_comparison_before_the_plan_starts() -> None:
    late_plan = (TaperPoint(10, 5),)
    assert triage_opioids(series((6, 30)), late_plan) == ()


def test_both_branches_give_one_alert_naming_both() -> None:
    (alert,) = triage_opioids(series((1, 30), (6, 30)), TAPER)
    assert alert.data["criteria"] == ["not_falling", "above_taper"]
    assert alert.reason == (
        "Opioid use not falling over 6 days: 30 → 30 MME/day; "
        "Opioid use 30 MME/day is above the taper plan's 15 MME/day for day 6"
    )


def test_high_and_not_falling_fire_together_most_urgent_first() -> None:
    alerts = triage_opioids(series((1, 100), (6, 100)), TAPER)
    assert [(a.rule_id, a.severity) for a in alerts] == [
        ("TR-OPIOID-HIGH", Severity.SAME_DAY),
        ("TR-OPIOID-NOT-FALLING", Severity.ROUTINE),
    ]


def test_points_refuse_bad_figures() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        OpioidPoint(1, -1.0)
    with pytest.raises(ValueError, match="finite"):
        OpioidPoint(1, float("nan"))
    with pytest.raises(ValueError, match="finite"):
        TaperPoint(1, float("inf"))


# --- TR-OPIOID-PERSISTENT ---------------------------------------------------


def test_persistent_use_from_day_90() -> None:
    alert = persistent_opioid_use(series((30, 40), (92, 20)))
    assert alert is not None
    assert (alert.rule_id, alert.severity) == ("TR-OPIOID-PERSISTENT", Severity.ROUTINE)
    assert alert.reason == "Still taking opioids 92 days after surgery (20 MME/day)"
    assert alert.data["day"] == 92 and alert.data["mme_per_day"] == 20
    assert "Brummett" in alert.source and alert.source.startswith("[U]")
    assert alert.patient_advice


def test_persistent_use_window_boundaries() -> None:
    assert persistent_opioid_use(series((89, 20))) is None
    assert persistent_opioid_use(series((90, 20))) is not None
    assert persistent_opioid_use(series((180, 20))) is not None
    assert persistent_opioid_use(series((181, 20))) is None
    assert persistent_opioid_use(series((100, 0), (120, None))) is None
    assert persistent_opioid_use([]) is None


def test_persistent_use_names_the_latest_point_and_is_configurable() -> None:
    alert = persistent_opioid_use(series((95, 30), (150, 10), (200, 5)))
    assert alert is not None and alert.data["day"] == 150
    settings = TriageSettings(persistent_opioid_from_day=60, persistent_opioid_to_day=90)
    assert persistent_opioid_use(series((61, 5)), settings) is not None


# --- TR-PHYSIO-MISSED -------------------------------------------------------


def test_physio_missed_after_the_grace_days() -> None:
    assert missed_physio(21, 24, started=False) is None  # 21 + 3: still in grace
    alert = missed_physio(21, 25, started=False)
    assert alert is not None
    assert (alert.rule_id, alert.severity) == ("TR-PHYSIO-MISSED", Severity.ROUTINE)
    assert alert.patient_advice == (
        "Your physiotherapy should have started by now. Your care team will be in touch to "
        "arrange it."
    )
    assert alert.data["days_overdue"] == 4
    assert alert.source.startswith("[U]")


def test_physio_started_never_fires() -> None:
    assert missed_physio(21, 200, started=True) is None


def test_physio_grace_is_configurable() -> None:
    assert missed_physio(21, 22, False, TriageSettings(physio_grace_days=0)) is not None
    assert missed_physio(21, 21, False, TriageSettings(physio_grace_days=0)) is None


def test_physio_by_day_from_the_default_plan() -> None:
    from_day, to_day = DEFAULT_MILESTONE_DAYS[ProcedureGroup.DECOMPRESSION_MISS]["physio_start"]
    by_day = to_day if to_day is not None else from_day
    assert missed_physio(by_day, by_day + 4, started=False) is not None


# --- properties -------------------------------------------------------------

mme = st.none() | st.floats(0, 500, allow_nan=False)
histories = st.lists(st.tuples(st.integers(-7, 200), mme), min_size=1, max_size=12).map(
    lambda pairs: [OpioidPoint(day, value) for day, value in sorted(pairs, key=lambda p: p[0])]
)
tapers = st.lists(
    st.tuples(st.integers(0, 60), st.floats(0, 200, allow_nan=False)),
    max_size=5,
    unique_by=lambda pair: pair[0],
).map(lambda steps: tuple(TaperPoint(day, value) for day, value in steps))


@given(histories, tapers)
def test_opioid_triage_is_never_urgent(
    history: list[OpioidPoint], taper: tuple[TaperPoint, ...]
) -> None:
    alerts = triage_opioids(history, taper)
    assert all(a.severity is not Severity.URGENT for a in alerts)
    for alert in alerts:
        assert alert.reason and alert.source and alert.patient_advice
    newest = history[-1].mme_per_day
    if newest is None or newest == 0:
        assert alerts == ()


@given(histories, tapers, st.floats(90, 1000, allow_nan=False))
def test_newest_at_or_above_the_high_threshold_always_gives_high(
    history: list[OpioidPoint], taper: tuple[TaperPoint, ...], newest: float
) -> None:
    day = history[-1].day
    history = [*history, OpioidPoint(day, newest)]
    alerts = triage_opioids(history, taper)
    assert alerts[0].rule_id == "TR-OPIOID-HIGH"
    assert alerts[0].severity is Severity.SAME_DAY
