"""What the engine returns, and its stable JSON form (stored by the intake app).

`to_json()` keeps the keys the Django side renders; new keys are only ever added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    RECOMMENDATION = "recommendation"
    NEEDS_MORE_INFORMATION = "needs-more-information"
    OUTSIDE_SCOPE = "outside-scope"  # no rules for this condition: the clinician decides


class Pathway(StrEnum):
    URGENT = "urgent"
    CONSERVATIVE_CARE = "conservative-care"
    MISS_CANDIDATE = "miss-candidate"
    OPEN_SURGERY = "open-surgery"
    NOT_SURGICAL = "not-surgical"


@dataclass(frozen=True)
class RuleFiring:
    rule_id: str
    effect: str
    rationale: str
    source: str
    version: str
    stage: str = ""
    evidence: str = ""  # spinepath.clinical.evidence.Evidence value


@dataclass(frozen=True)
class ProcedureOption:
    procedure: str
    label: str
    approach: str
    rank: int
    cautions: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # the option and ranking rules that placed it
    caution_rules: tuple[str, ...] = ()  # the rules behind `cautions`, in the same order


@dataclass(frozen=True)
class Recommendation:
    status: Status
    pathway: Pathway | None
    options: tuple[ProcedureOption, ...]
    contraindicated: tuple[str, ...]  # procedure ids ruled out, with reasons in `fired`
    day_surgery_eligible: bool | None
    missing: tuple[str, ...]
    fired: tuple[RuleFiring, ...]
    ruleset_version: str
    reasons: tuple[str, ...] = field(default=())
    urgency: str | None = None  # "emergency" or "urgent" on the urgent pathway
    contraindicated_by: tuple[tuple[str, tuple[str, ...]], ...] = ()  # procedure -> rule ids
    unchecked: tuple[str, ...] = ()  # unrecorded facts a caution would have read
    day_surgery_missing: tuple[str, ...] = ()  # facts day-surgery eligibility still needs
    settings: dict[str, object] = field(default_factory=dict)  # thresholds it was made with

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "pathway": self.pathway.value if self.pathway else None,
            "urgency": self.urgency,
            "options": [
                {
                    "procedure": o.procedure,
                    "label": o.label,
                    "approach": o.approach,
                    "rank": o.rank,
                    "cautions": list(o.cautions),
                    "rules": list(o.rules),
                    "caution_rules": list(o.caution_rules),
                }
                for o in self.options
            ],
            "contraindicated": list(self.contraindicated),
            "contraindicated_by": {p: list(ids) for p, ids in self.contraindicated_by},
            "day_surgery_eligible": self.day_surgery_eligible,
            "day_surgery_missing": list(self.day_surgery_missing),
            "missing": list(self.missing),
            "unchecked": list(self.unchecked),
            "reasons": list(self.reasons),
            "rules_fired": [
                {
                    "id": f.rule_id,
                    "stage": f.stage,
                    "effect": f.effect,
                    "rationale": f.rationale,
                    "source": f.source,
                    "evidence": f.evidence,
                    "version": f.version,
                }
                for f in self.fired
            ],
            "ruleset_version": self.ruleset_version,
            "settings": dict(self.settings),
        }
