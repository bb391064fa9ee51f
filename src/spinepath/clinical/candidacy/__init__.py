"""Explainable candidacy: which pathway and which procedures fit a case, and why.

    from spinepath.clinical.candidacy import CaseFacts, evaluate, case_from_json
    recommendation = evaluate(case_from_json(json.loads(text)))
    recommendation.to_json()

Rules are data (rules.py gathers pathway_rules, option_rules and
day_surgery_rules), each with an id, stage, condition, effect, rationale,
source, evidence marker and version; the engine (engine.py) applies them in a
fixed order and returns every rule that fired. case_json.py is the one parser
of the JSON case format; docs.py renders docs/candidacy-rules.md.
"""

from spinepath.clinical.candidacy.case_json import (
    CaseValidationError,
    case_from_json,
    case_to_json,
)
from spinepath.clinical.candidacy.engine import evaluate
from spinepath.clinical.candidacy.facts import (
    CaseFacts,
    ConservativeTreatment,
    Deficit,
    LevelFinding,
)
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
    "CaseValidationError",
    "ConservativeTreatment",
    "Deficit",
    "LevelFinding",
    "Pathway",
    "ProcedureOption",
    "Recommendation",
    "RuleFiring",
    "Status",
    "case_from_json",
    "case_to_json",
    "evaluate",
]
