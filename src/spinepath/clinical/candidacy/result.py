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


@dataclass(frozen=True)
class ProcedureOption:
    procedure: str
    label: str
    approach: str
    rank: int
    cautions: tuple[str, ...] = ()


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

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "pathway": self.pathway.value if self.pathway else None,
            "options": [
                {
                    "procedure": o.procedure,
                    "label": o.label,
                    "approach": o.approach,
                    "rank": o.rank,
                    "cautions": list(o.cautions),
                }
                for o in self.options
            ],
            "contraindicated": list(self.contraindicated),
            "day_surgery_eligible": self.day_surgery_eligible,
            "missing": list(self.missing),
            "reasons": list(self.reasons),
            "rules_fired": [
                {
                    "id": f.rule_id,
                    "effect": f.effect,
                    "rationale": f.rationale,
                    "source": f.source,
                    "version": f.version,
                }
                for f in self.fired
            ],
            "ruleset_version": self.ruleset_version,
        }
