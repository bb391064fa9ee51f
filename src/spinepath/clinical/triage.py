"""Turn a home check-in into alerts for the care team.

Red-flag answers always produce an URGENT alert whatever else the check-in
says (tests/clinical/test_triage.py holds that as a property). Each alert
carries the rule that raised it, the reason in words and the data behind it.

Recovery rules over the days since surgery (day 0 = the day of surgery):
opioid use that is high, not falling or above the taper plan
(:func:`triage_opioids`), still going 90-180 days after surgery
(:func:`persistent_opioid_use`), and physiotherapy not started on time
(:func:`missed_physio`). Their thresholds are [U] programme defaults in
:class:`TriageSettings`; none of them is ever URGENT (that is kept for red
flags and infection).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from spinepath.clinical.opioids import THRESHOLD_SOURCE
from spinepath.clinical.redflags import RED_FLAGS_BY_ID, evaluate_red_flags

TRIAGE_VERSION = "2026.11-3"


class Severity(StrEnum):
    URGENT = "urgent"
    SAME_DAY = "same_day"
    ROUTINE = "routine"


SEVERITY_RANK = {Severity.URGENT: 0, Severity.SAME_DAY: 1, Severity.ROUTINE: 2}


class Wound(StrEnum):
    DRY = "dry"
    REDNESS = "redness"
    DISCHARGE = "discharge"
    OPENING = "opening"


@dataclass(frozen=True)
class CheckInFacts:
    back_pain: int | None = None  # NRS 0-10
    leg_pain: int | None = None
    wound: Wound | None = None
    temperature_c: float | None = None
    new_leg_weakness: bool = False
    saddle_numbness: bool = False
    bladder_change: bool = False
    bowel_change: bool = False


@dataclass(frozen=True)
class TriageSettings:
    # [U] 38.0 °C is the usual clinical fever threshold; configurable per programme.
    fever_celsius: float = 38.0
    # [U] programme defaults for the trend rules.
    rising_pain_checkins: int = 3  # this many check-ins in a row, each worse than the one before
    rising_pain_min_rise: int = 2  # and at least this many NRS points worse in all
    silent_hours: int = 48  # no check-in for this long while monitored
    # Source: opioids.THRESHOLD_SOURCE (CDC 2016 Rec 5, 90 MME/day [V]); [U] as a 2022
    # reference point and as a same-day trigger after surgery.
    opioid_high_mme: float = 90.0
    # [U] programme default: opioid use not lower than it was this many days ago
    # (counting the first and the last day) is "not falling".
    opioid_not_falling_days: int = 5
    # [U] programme default: MME/day above the taper plan allowed for rounding.
    opioid_taper_tolerance: float = 0.5
    # [U] programme default: days after the physio_start milestone's latest day
    # before physiotherapy counts as missed.
    physio_grace_days: int = 3
    # [U] new persistent opioid use is commonly defined as opioid use/fills 90-180
    # days after surgery (Brummett CM et al. JAMA Surg 2017;152(6):e170504); not in
    # the stored reference clinical.md.
    persistent_opioid_from_day: int = 90
    persistent_opioid_to_day: int = 180


@dataclass(frozen=True)
class ProposedAlert:
    rule_id: str
    severity: Severity
    reason: str
    patient_advice: str
    source: str
    data: Mapping[str, object] = field(default_factory=dict)


# Which check-in answer means which red flag in the catalogue.
CHECKIN_RED_FLAGS: dict[str, str] = {
    "new_leg_weakness": "cauda_equina.progressive_motor_deficit",
    "saddle_numbness": "cauda_equina.saddle_anaesthesia",
    "bladder_change": "cauda_equina.bladder_dysfunction",
    "bowel_change": "cauda_equina.bowel_dysfunction",
}

EMERGENCY_ADVICE = (
    "Go to the nearest emergency department now, or call the emergency number. Tell them you "
    "have had spine surgery and describe these symptoms. Do not wait for us to call you."
)
SRC_WOUND = (
    "[U] programme default: wound discharge, opening, or fever with wound signs may be a "
    "surgical site infection (CDC/NHSN SSI criteria, reference clinical.md §7.2)"
)


def triage_checkin(
    facts: CheckInFacts, settings: TriageSettings | None = None
) -> tuple[ProposedAlert, ...]:
    settings = settings or TriageSettings()
    alerts: list[ProposedAlert] = []

    answered = [name for name, flag in CHECKIN_RED_FLAGS.items() if getattr(facts, name)]
    if answered:
        outcome = evaluate_red_flags(CHECKIN_RED_FLAGS[name] for name in answered)
        alerts.append(
            ProposedAlert(
                rule_id="TR-REDFLAG",
                severity=Severity.URGENT,
                reason="Red flag reported: " + "; ".join(flag.label for flag in outcome.flags),
                patient_advice=EMERGENCY_ADVICE,
                source=RED_FLAGS_BY_ID[CHECKIN_RED_FLAGS[answered[0]]].source,
                data={name: True for name in answered},
            )
        )

    fever = facts.temperature_c is not None and facts.temperature_c >= settings.fever_celsius
    wound_signs = facts.wound is not None and facts.wound is not Wound.DRY
    if fever and wound_signs:
        alerts.append(
            ProposedAlert(
                rule_id="TR-FEVER-WOUND",
                severity=Severity.URGENT,
                reason=f"Fever {facts.temperature_c} °C with wound {facts.wound}",
                patient_advice=(
                    "Your care team will call you today. If you feel very unwell, shivery or "
                    "confused, go to the emergency department now."
                ),
                source=SRC_WOUND,
                data={"temperature_c": facts.temperature_c, "wound": str(facts.wound)},
            )
        )
    elif facts.wound in {Wound.DISCHARGE, Wound.OPENING}:
        alerts.append(
            ProposedAlert(
                rule_id="TR-WOUND",
                severity=Severity.SAME_DAY,
                reason=f"Wound {facts.wound}",
                patient_advice="Your care team will call you today about your wound.",
                source=SRC_WOUND,
                data={"wound": str(facts.wound)},
            )
        )
    elif fever:
        alerts.append(
            ProposedAlert(
                rule_id="TR-FEVER",
                severity=Severity.SAME_DAY,
                reason=f"Fever {facts.temperature_c} °C",
                patient_advice="Your care team will call you today.",
                source=SRC_WOUND,
                data={"temperature_c": facts.temperature_c},
            )
        )
    alerts.sort(key=lambda alert: SEVERITY_RANK[alert.severity])
    return tuple(alerts)


SRC_TREND = (
    "[U] programme default: pain that keeps rising after spine surgery, or a patient who "
    "stops checking in, needs a call from the care team (spinepath design; no stored source "
    "fixes the thresholds)"
)


@dataclass(frozen=True)
class PainPoint:
    """One earlier check-in's pain, oldest first in a history."""

    back_pain: int
    leg_pain: int

    @property
    def worst(self) -> int:
        return max(self.back_pain, self.leg_pain)


def triage_trend(
    history: Sequence[PainPoint], settings: TriageSettings | None = None
) -> tuple[ProposedAlert, ...]:
    """Rules over the recent check-ins (oldest first, the newest last)."""
    settings = settings or TriageSettings()
    recent = list(history)[-settings.rising_pain_checkins :]
    if len(recent) < settings.rising_pain_checkins:
        return ()
    worst = [point.worst for point in recent]
    rising = all(later > earlier for earlier, later in pairwise(worst))
    if not rising or worst[-1] - worst[0] < settings.rising_pain_min_rise:
        return ()
    return (
        ProposedAlert(
            rule_id="TR-PAIN-RISING",
            severity=Severity.SAME_DAY,
            reason=f"Pain rising over {len(worst)} check-ins: " + " → ".join(map(str, worst)),
            patient_advice="Your pain is getting worse. Your care team will call you today.",
            source=SRC_TREND,
            data={"worst_pain": worst},
        ),
    )


def silent_patient(
    hours_since_last: float, settings: TriageSettings | None = None
) -> ProposedAlert | None:
    """A monitored patient who has not checked in for too long."""
    settings = settings or TriageSettings()
    if hours_since_last < settings.silent_hours:
        return None
    return ProposedAlert(
        rule_id="TR-SILENT",
        severity=Severity.SAME_DAY,
        reason=f"No check-in for {int(hours_since_last)} hours",
        patient_advice="We have not heard from you. Please do your daily check-in.",
        source=SRC_TREND,
        data={"hours_since_last": int(hours_since_last)},
    )


# ---------------------------------------------------------------------------
# Recovery rules: opioid use and physiotherapy, by day since surgery
# ---------------------------------------------------------------------------

SRC_OPIOID_HIGH = (
    f"[U] {THRESHOLD_SOURCE}; reference clinical.md §6. A same-day call at the high "
    "reference point after surgery is a spinepath programme default"
)
SRC_OPIOID_NOT_FALLING = (
    "[U] spinepath programme default: after surgery opioid use should fall and follow the "
    'taper plan (CDC 2022 Rec 4 "lowest effective dosage" and Rec 6 "no greater quantity '
    'than needed", reference clinical.md §6 [V]); the day window and the 0.5 MME/day tolerance '
    "are not in any stored source"
)
SRC_OPIOID_PERSISTENT = (
    "[U] new persistent opioid use is commonly defined as opioid use or fills 90-180 days after "
    "surgery (Brummett CM et al. JAMA Surg 2017;152(6):e170504); not in the stored reference "
    "clinical.md; the window is a configurable programme default"
)
SRC_PHYSIO = (
    "[U] spinepath programme default: physiotherapy should start by the latest day of the "
    "discharge plan's physio_start milestone (DEFAULT_MILESTONE_DAYS, reference clinical.md §9.2 "
    "[U]) plus a grace period"
)

OPIOID_HIGH_ADVICE = (
    "You are taking a high dose of opioid painkillers. Your care team will call you today. Do not "
    "take more than your plan says. If you are very sleepy or your breathing is slow or shallow, "
    "call the emergency number now."
)
OPIOID_NOT_FALLING_ADVICE = (
    "Your opioid painkiller use is not coming down as planned. Your care team will be in touch to "
    "talk about your pain relief."
)
OPIOID_PERSISTENT_ADVICE = (
    "You are still taking opioid painkillers a long time after your operation. Your care team "
    "will be in touch to review your pain relief with you."
)
PHYSIO_MISSED_ADVICE = (
    "Your physiotherapy should have started by now. Your care team will be in touch to arrange it."
)


def _check_mme(value: float | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be 0 or more, got {value!r}")


@dataclass(frozen=True)
class OpioidPoint:
    """The opioid use reported at one check-in, oldest first in a history."""

    day: int  # days since surgery, 0 = day of surgery
    mme_per_day: float | None  # None = not reported or not calculable

    def __post_init__(self) -> None:
        _check_mme(self.mme_per_day, "mme_per_day")


@dataclass(frozen=True)
class TaperPoint:
    """One step of the taper plan: a step function of the day since surgery."""

    day: int  # from this day after surgery ...
    mme_per_day: float  # ... the plan allows this MME/day

    def __post_init__(self) -> None:
        if self.mme_per_day is None:
            raise ValueError("a taper step needs an MME/day figure")
        _check_mme(self.mme_per_day, "taper mme_per_day")


def planned_mme_on(day: int, taper: Sequence[TaperPoint]) -> float | None:
    """The MME/day the taper plan allows on ``day``.

    The plan is a step function: each step holds from its day until the next
    step's day, and the last step holds for ever (0 after a final 0 step). None
    before the first step or with no plan. Steps may be given in any order; two
    steps on the same day are refused as ambiguous.
    """
    steps = sorted(taper, key=lambda step: step.day)
    for earlier, later in pairwise(steps):
        if earlier.day == later.day:
            raise ValueError(f"the taper plan has two steps on day {later.day}")
    planned: float | None = None
    for step in steps:
        if step.day > day:
            break
        planned = step.mme_per_day
    return planned


def _fmt(value: float) -> str:
    return f"{value:g}"


def _series(points: Sequence[OpioidPoint]) -> list[dict[str, object]]:
    return [{"day": p.day, "mme_per_day": p.mme_per_day} for p in points]


def _not_falling_window(
    reported: Sequence[OpioidPoint], newest: OpioidPoint, days: int
) -> tuple[list[OpioidPoint], OpioidPoint | None, int | None]:
    """The reported points of the last ``days`` days, their earliest, and the days covered.

    The window holds the reported points with ``newest.day - days <= day <=
    newest.day``. It covers ``newest.day - earliest.day + 1`` days, counting the
    first and the last day (check-ins on days 2, 3, 4, 5 and 6 cover 5 days).
    The earliest point and the span are None unless a check-in earlier than the
    newest is in the window and the span reaches ``days``.
    """
    window = [p for p in reported if newest.day - days <= p.day <= newest.day]
    earlier = [p for p in window if p is not newest]
    if not earlier:
        return window, None, None
    earliest = min(earlier, key=lambda p: p.day)
    span = newest.day - earliest.day + 1
    if span < days:
        return window, None, None
    return window, earliest, span


def triage_opioids(
    history: Sequence[OpioidPoint],
    taper: Sequence[TaperPoint] = (),
    settings: TriageSettings | None = None,
) -> tuple[ProposedAlert, ...]:
    """Opioid rules on the check-in just made (the last point of ``history``).

    * TR-OPIOID-HIGH (same day): the newest MME/day is at least
      ``opioid_high_mme``.
    * TR-OPIOID-NOT-FALLING (routine), when either
      (a) the reported points of the last ``opioid_not_falling_days`` days cover
      at least that many days (see :func:`_not_falling_window`) and the newest
      MME/day is not below the earliest of them; or
      (b) a taper plan is given and the newest MME/day is above the plan's figure
      for that day by more than ``opioid_taper_tolerance``.

    Points whose MME/day is None are ignored; nothing fires when the newest is
    None or 0. Both rules can fire together; the most urgent comes first.
    """
    settings = settings or TriageSettings()
    if settings.opioid_not_falling_days < 1:
        raise ValueError("opioid_not_falling_days must be at least 1")
    if not history:
        return ()
    newest = history[-1]
    current = newest.mme_per_day
    if current is None or current <= 0:
        return ()
    reported = [p for p in history if p.mme_per_day is not None]
    alerts: list[ProposedAlert] = []

    if current >= settings.opioid_high_mme:
        alerts.append(
            ProposedAlert(
                rule_id="TR-OPIOID-HIGH",
                severity=Severity.SAME_DAY,
                reason=(
                    f"Opioid use {_fmt(current)} MME/day is at or above "
                    f"{_fmt(settings.opioid_high_mme)} MME/day"
                ),
                patient_advice=OPIOID_HIGH_ADVICE,
                source=SRC_OPIOID_HIGH,
                data={"mme_per_day": current, "threshold": settings.opioid_high_mme},
            )
        )

    reasons: list[str] = []
    criteria: list[str] = []
    window, earliest, span = _not_falling_window(reported, newest, settings.opioid_not_falling_days)
    earliest_mme = None if earliest is None else earliest.mme_per_day
    if span is not None and earliest_mme is not None and current >= earliest_mme:
        criteria.append("not_falling")
        reasons.append(
            f"Opioid use not falling over {span} days: "
            f"{_fmt(earliest_mme)} → {_fmt(current)} MME/day"
        )
    planned = planned_mme_on(newest.day, taper)
    if planned is not None and current > planned + settings.opioid_taper_tolerance:
        criteria.append("above_taper")
        reasons.append(
            f"Opioid use {_fmt(current)} MME/day is above the taper plan's "
            f"{_fmt(planned)} MME/day for day {newest.day}"
        )
    if criteria:
        alerts.append(
            ProposedAlert(
                rule_id="TR-OPIOID-NOT-FALLING",
                severity=Severity.ROUTINE,
                reason="; ".join(reasons),
                patient_advice=OPIOID_NOT_FALLING_ADVICE,
                source=SRC_OPIOID_NOT_FALLING,
                data={
                    "criteria": criteria,
                    "mme_per_day": current,
                    "day": newest.day,
                    "series": _series(sorted(window, key=lambda p: p.day)),
                    "window_days": settings.opioid_not_falling_days,
                    "covered_days": span,
                    "earliest_mme_per_day": earliest_mme,
                    "planned_mme_per_day": planned,
                    "tolerance": settings.opioid_taper_tolerance,
                },
            )
        )
    alerts.sort(key=lambda alert: SEVERITY_RANK[alert.severity])
    return tuple(alerts)


def persistent_opioid_use(
    history: Sequence[OpioidPoint], settings: TriageSettings | None = None
) -> ProposedAlert | None:
    """TR-OPIOID-PERSISTENT (routine): opioids still taken 90-180 days after surgery.

    Fires on any point with ``persistent_opioid_from_day <= day <=
    persistent_opioid_to_day`` and MME/day above 0; the reason names the latest.
    """
    settings = settings or TriageSettings()
    low, high = settings.persistent_opioid_from_day, settings.persistent_opioid_to_day
    in_window = [
        (p, p.mme_per_day)
        for p in history
        if low <= p.day <= high and p.mme_per_day is not None and p.mme_per_day > 0
    ]
    if not in_window:
        return None
    latest, mme = max(in_window, key=lambda pair: pair[0].day)
    return ProposedAlert(
        rule_id="TR-OPIOID-PERSISTENT",
        severity=Severity.ROUTINE,
        reason=f"Still taking opioids {latest.day} days after surgery ({_fmt(mme)} MME/day)",
        patient_advice=OPIOID_PERSISTENT_ADVICE,
        source=SRC_OPIOID_PERSISTENT,
        data={
            "day": latest.day,
            "mme_per_day": mme,
            "from_day": low,
            "to_day": high,
            "series": _series(sorted((p for p, _ in in_window), key=lambda p: p.day)),
        },
    )


def missed_physio(
    physio_by_day: int,
    today_day: int,
    started: bool,
    settings: TriageSettings | None = None,
) -> ProposedAlert | None:
    """TR-PHYSIO-MISSED (routine): physiotherapy not started after its milestone.

    ``physio_by_day`` is the latest day of the plan's physio_start milestone
    (``to_day``, or ``from_day`` when ``to_day`` is None). Fires when not
    started and ``today_day > physio_by_day + physio_grace_days``.
    """
    settings = settings or TriageSettings()
    due = physio_by_day + settings.physio_grace_days
    if started or today_day <= due:
        return None
    return ProposedAlert(
        rule_id="TR-PHYSIO-MISSED",
        severity=Severity.ROUTINE,
        reason=(
            f"Physiotherapy not started: due by day {physio_by_day} after surgery, "
            f"now day {today_day}"
        ),
        patient_advice=PHYSIO_MISSED_ADVICE,
        source=SRC_PHYSIO,
        data={
            "physio_by_day": physio_by_day,
            "today_day": today_day,
            "grace_days": settings.physio_grace_days,
            "days_overdue": today_day - physio_by_day,
        },
    )


SRC_OPIOID_UNCOUNTED = (
    "[U] spinepath design: CDC 2022 gives no MME factor for buprenorphine, and a patch or an "
    "unlisted opioid cannot be counted from tablets (reference clinical.md §6); a total that "
    "leaves one out would understate the dose, so a clinician reviews it"
)


def uncounted_opioids(drugs: Sequence[str]) -> ProposedAlert | None:
    """TR-OPIOID-UNCOUNTED (routine): the patient took an opioid that has no MME here.

    ``drugs`` are the opioids reported as taken whose MME could not be calculated.
    """
    if not drugs:
        return None
    names = ", ".join(sorted(set(drugs)))
    return ProposedAlert(
        rule_id="TR-OPIOID-UNCOUNTED",
        severity=Severity.ROUTINE,
        reason=f"Opioid taken that cannot be put in MME: {names}",
        patient_advice="",
        source=SRC_OPIOID_UNCOUNTED,
        data={"not_counted": sorted(set(drugs))},
    )
