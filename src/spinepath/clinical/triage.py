"""Turn a home check-in into alerts for the care team.

Red-flag answers always produce an URGENT alert whatever else the check-in
says (tests/clinical/test_triage.py holds that as a property). Each alert
carries the rule that raised it, the reason in words and the data behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise

from spinepath.clinical.redflags import RED_FLAGS_BY_ID, evaluate_red_flags

TRIAGE_VERSION = "2026.11-2"


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
