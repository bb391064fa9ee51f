"""Turn a home check-in into alerts for the care team.

Red-flag answers always produce an URGENT alert whatever else the check-in
says (tests/clinical/test_triage.py holds that as a property). Each alert
carries the rule that raised it, the reason in words and the data behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from spinepath.clinical.redflags import RED_FLAGS_BY_ID, evaluate_red_flags

TRIAGE_VERSION = "2026.11-1"


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
