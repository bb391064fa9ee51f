"""Apply the candidacy rules to one case.

Order: red flags (they always win) → information check (never guess) →
the first pathway rule that sets a pathway → procedure options, less the
contraindicated ones, with cautions → day-surgery eligibility.
"""

from __future__ import annotations

from spinepath.clinical.candidacy.facts import CaseFacts
from spinepath.clinical.candidacy.result import (
    Pathway,
    ProcedureOption,
    Recommendation,
    RuleFiring,
    Status,
)
from spinepath.clinical.candidacy.rules import (
    REQUIRED_FACTS,
    RULES,
    RULESET_VERSION,
    CandidacySettings,
    Rule,
    Stage,
)
from spinepath.clinical.procedures import PROCEDURES_BY_ID
from spinepath.clinical.redflags import evaluate_red_flags


def _firing(rule: Rule) -> RuleFiring:
    return RuleFiring(rule.id, rule.effect, rule.rationale, rule.source, rule.version)


def _result(
    status: Status,
    pathway: Pathway | None,
    fired: list[RuleFiring],
    *,
    missing: tuple[str, ...] = (),
    options: tuple[ProcedureOption, ...] = (),
    contraindicated: tuple[str, ...] = (),
    day_surgery: bool | None = None,
    reasons: tuple[str, ...] = (),
) -> Recommendation:
    return Recommendation(
        status=status,
        pathway=pathway,
        options=options,
        contraindicated=contraindicated,
        day_surgery_eligible=day_surgery,
        missing=missing,
        fired=tuple(fired),
        ruleset_version=RULESET_VERSION,
        reasons=reasons or tuple(f.effect for f in fired),
    )


def evaluate(facts: CaseFacts, settings: CandidacySettings | None = None) -> Recommendation:
    settings = settings or CandidacySettings()
    fired: list[RuleFiring] = []

    def stage_rules(stage: Stage) -> list[Rule]:
        return [rule for rule in RULES if rule.stage is stage and rule.when(facts, settings)]

    red = stage_rules(Stage.RED_FLAG)
    if red:
        outcome = evaluate_red_flags(facts.red_flags)
        return _result(
            Status.RECOMMENDATION,
            Pathway.URGENT,
            [_firing(rule) for rule in red],
            reasons=tuple(f"Red flag: {flag.label}" for flag in outcome.pathway_flags),
        )

    if facts.condition is None:
        return _result(Status.NEEDS_MORE_INFORMATION, None, fired, missing=("condition",))
    required = REQUIRED_FACTS.get(facts.condition)
    if required is None:
        return _result(
            Status.OUTSIDE_SCOPE,
            None,
            fired,
            reasons=(
                "The candidacy rules do not cover this condition yet; the clinician decides.",
            ),
        )
    missing = tuple(name for name in required if getattr(facts, name) is None)
    if missing:
        return _result(Status.NEEDS_MORE_INFORMATION, None, fired, missing=missing)

    pathway: Pathway | None = None
    for rule in stage_rules(Stage.PATHWAY):
        fired.append(_firing(rule))
        if rule.pathway is not None:
            pathway = rule.pathway
            break
    if pathway not in {Pathway.MISS_CANDIDATE, Pathway.OPEN_SURGERY}:
        return _result(Status.RECOMMENDATION, pathway, fired)

    ranked: list[str] = []
    for rule in stage_rules(Stage.OPTIONS):
        fired.append(_firing(rule))
        ranked.extend(p for p in rule.procedures if p not in ranked)
    contraindicated: list[str] = []
    for rule in stage_rules(Stage.CONTRAINDICATION):
        hits = [p for p in rule.procedures if p in ranked]
        if hits:
            fired.append(_firing(rule))
            contraindicated.extend(hits)
    cautions: dict[str, list[str]] = {}
    for rule in stage_rules(Stage.CAUTION):
        hits = [p for p in rule.procedures if p in ranked and p not in contraindicated]
        if hits:
            fired.append(_firing(rule))
            for procedure in hits:
                cautions.setdefault(procedure, []).append(rule.caution)

    options = tuple(
        ProcedureOption(
            procedure=procedure_id,
            label=PROCEDURES_BY_ID[procedure_id].label,
            approach=PROCEDURES_BY_ID[procedure_id].approach.value,
            rank=rank,
            cautions=tuple(cautions.get(procedure_id, ())),
        )
        for rank, procedure_id in enumerate(
            (p for p in ranked if p not in contraindicated), start=1
        )
    )

    day_surgery: bool | None = None
    for rule in stage_rules(Stage.DAY_SURGERY):
        fired.append(_firing(rule))
        day_surgery = rule.day_surgery
        if day_surgery is False:
            break

    return _result(
        Status.RECOMMENDATION,
        pathway,
        fired,
        options=options,
        contraindicated=tuple(contraindicated),
        day_surgery=day_surgery,
    )
