"""Explainable candidacy: which pathway and which procedures fit a case, and why.

    from spinepath.clinical.candidacy import CaseFacts, evaluate
    recommendation = evaluate(CaseFacts(...))

Rules are data (spinepath.clinical.candidacy.rules), each with an id,
condition, effect, rationale, source and version; the engine
(spinepath.clinical.candidacy.engine) applies them in a fixed order and
returns every rule that fired.
"""

from spinepath.clinical.candidacy.engine import evaluate
from spinepath.clinical.candidacy.facts import CaseFacts, Deficit
from spinepath.clinical.candidacy.result import (
    Pathway,
    ProcedureOption,
    Recommendation,
    RuleFiring,
    Status,
)
from spinepath.clinical.candidacy.rules import RULES, RULESET_VERSION, CandidacySettings

__all__ = [
    "RULES",
    "RULESET_VERSION",
    "CandidacySettings",
    "CaseFacts",
    "Deficit",
    "Pathway",
    "ProcedureOption",
    "Recommendation",
    "RuleFiring",
    "Status",
    "evaluate",
]
