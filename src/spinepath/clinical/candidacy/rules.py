"""The candidacy rule set, as data, in the order the engine applies it.

Each rule has an id, a stage, a condition over a Case, an effect, a rationale,
a source, an evidence marker and a version (rule.py). The rules live by stage
in pathway_rules.py, option_rules.py and day_surgery_rules.py;
docs/candidacy-rules.md is generated from them (docs.py). Thresholds no stored
source fixes are CandidacySettings fields marked [U] (settings.py).

Bump RULESET_VERSION whenever a rule is added, removed or changed, and the
changed rule's own version.
"""

from __future__ import annotations

from spinepath.clinical.candidacy.day_surgery_rules import DAY_SURGERY_RULES
from spinepath.clinical.candidacy.option_rules import (
    CAUTION_RULES,
    CONTRAINDICATION_RULES,
    OPTION_RULES,
    RANKING_RULES,
)
from spinepath.clinical.candidacy.pathway_rules import (
    INFORMATION_RULES,
    PATHWAY_RULES,
    RED_FLAG_RULES,
)
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.candidacy.settings import CandidacySettings

RULESET_VERSION = "2026.11-2"

RULES: tuple[Rule, ...] = (
    *RED_FLAG_RULES,
    *INFORMATION_RULES,
    *PATHWAY_RULES,
    *OPTION_RULES,
    *RANKING_RULES,
    *CONTRAINDICATION_RULES,
    *CAUTION_RULES,
    *DAY_SURGERY_RULES,
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rules_in(stage: Stage) -> tuple[Rule, ...]:
    return tuple(rule for rule in RULES if rule.stage is stage)


__all__ = ["RULES", "RULESET_VERSION", "RULES_BY_ID", "CandidacySettings", "Rule", "Stage"]
