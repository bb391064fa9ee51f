"""Apply the candidacy rules to one case.

Order: red flags (they always win) → information (never guess; conditions the
rules do not cover are outside scope) → the first pathway rule that names a
pathway → on a surgical pathway, procedure options (proposed, contraindicated,
checked for the facts they need, ranked, cautioned) → day-surgery eligibility.
Every rule that fired is returned with its source.
"""

from __future__ import annotations

from dataclasses import replace

from spinepath.clinical.candidacy.case import RULED_CONDITIONS, Case
from spinepath.clinical.candidacy.day_surgery_rules import day_surgery_missing as ds_missing
from spinepath.clinical.candidacy.facts import CaseFacts
from spinepath.clinical.candidacy.options import plan_options
from spinepath.clinical.candidacy.requirements import REFINEMENTS, pathway_missing, unrecorded
from spinepath.clinical.candidacy.result import (
    Pathway,
    ProcedureOption,
    Recommendation,
    RuleFiring,
    Status,
)
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.candidacy.rules import RULES_BY_ID, RULESET_VERSION, rules_in
from spinepath.clinical.candidacy.settings import CandidacySettings
from spinepath.clinical.redflags import Urgency

SURGICAL = frozenset({Pathway.MISS_CANDIDATE, Pathway.OPEN_SURGERY})
_URGENCY_ORDER = (Urgency.EMERGENCY, Urgency.URGENT)


def firing(rule: Rule) -> RuleFiring:
    return RuleFiring(
        rule.id,
        rule.effect,
        rule.rationale,
        rule.source,
        rule.version,
        stage=rule.stage.value,
        evidence=rule.evidence.value,
    )


def _result(
    case: Case,
    status: Status,
    pathway: Pathway | None,
    fired: list[Rule],
    *,
    reasons: tuple[str, ...] = (),
    urgency: str | None = None,
    missing: tuple[str, ...] = (),
    options: tuple[ProcedureOption, ...] = (),
    contraindicated_by: tuple[tuple[str, tuple[str, ...]], ...] = (),
    day_surgery_eligible: bool | None = None,
    day_surgery_missing: tuple[str, ...] = (),
    unchecked: tuple[str, ...] = (),
) -> Recommendation:
    return Recommendation(
        status=status,
        pathway=pathway,
        options=options,
        contraindicated=tuple(procedure for procedure, _ in contraindicated_by),
        day_surgery_eligible=day_surgery_eligible,
        missing=missing,
        fired=tuple(firing(rule) for rule in fired),
        ruleset_version=RULESET_VERSION,
        reasons=reasons or tuple(rule.effect for rule in fired),
        urgency=urgency,
        contraindicated_by=contraindicated_by,
        unchecked=unchecked,
        day_surgery_missing=day_surgery_missing,
        settings=case.settings.to_json(),
    )


def evaluate(facts: CaseFacts, settings: CandidacySettings | None = None) -> Recommendation:
    case = Case(facts, settings or CandidacySettings())

    fired = [rule for rule in rules_in(Stage.RED_FLAG) if rule.when(case)]
    stopping = [rule for rule in fired if rule.pathway is Pathway.URGENT]
    if stopping:
        urgency = next(u for u in _URGENCY_ORDER if any(r.urgency is u for r in stopping))
        flags = tuple(f"Red flag: {flag.label}" for flag in case.red_flags.pathway_flags)
        return _result(
            case,
            Status.RECOMMENDATION,
            Pathway.URGENT,
            fired,
            reasons=(*(rule.effect for rule in stopping), *flags),
            urgency=urgency.value,
        )

    if case.condition is not None and case.condition not in RULED_CONDITIONS:
        fired.append(RULES_BY_ID["SCOPE-OUTSIDE"])
        return _result(case, Status.OUTSIDE_SCOPE, None, fired)
    missing = pathway_missing(case)
    if missing:
        fired.append(RULES_BY_ID["INFO-MISSING"])
        return _needs_more(case, fired, missing)

    pathway, pathway_urgency = _decide_pathway(case, fired)
    case = replace(case, pathway=pathway)
    if pathway not in SURGICAL:
        return _result(
            case,
            Status.RECOMMENDATION,
            pathway,
            fired,
            urgency=pathway_urgency.value if pathway_urgency else None,
        )

    plan = plan_options(case)
    if plan.missing:
        notes = [rule for rule in fired if rule.stage is Stage.RED_FLAG]
        return _needs_more(
            case,
            [*notes, RULES_BY_ID["INFO-MISSING"]],
            plan.missing,
            f"The findings so far point to {pathway.value}; ranking the procedures needs more.",
        )
    fired.extend(plan.fired)

    eligible, day_rules = _day_surgery(case)
    fired.extend(day_rules)
    unchecked = list(unrecorded(case, REFINEMENTS.get(case.condition or "", ())))
    unchecked.extend(n for n in plan.unchecked if n not in unchecked)
    if eligible is not False:
        for rule in rules_in(Stage.DAY_SURGERY):
            unchecked.extend(n for n in unrecorded(case, rule.needs) if n not in unchecked)
    return _result(
        case,
        Status.RECOMMENDATION,
        pathway,
        fired,
        options=plan.options,
        contraindicated_by=plan.contraindicated_by,
        day_surgery_eligible=eligible,
        day_surgery_missing=ds_missing(case) if eligible is None else (),
        unchecked=tuple(unchecked),
        reasons=_reasons(fired, plan.options),
    )


def _decide_pathway(case: Case, fired: list[Rule]) -> tuple[Pathway, Urgency | None]:
    for rule in rules_in(Stage.PATHWAY):
        if rule.when(case):
            fired.append(rule)
            if rule.pathway is not None:
                return rule.pathway, rule.urgency
    raise AssertionError("PW-MISS always names a pathway")


def _day_surgery(case: Case) -> tuple[bool | None, list[Rule]]:
    day_rules = [rule for rule in rules_in(Stage.DAY_SURGERY) if rule.when(case)]
    if any(rule.day_surgery is False for rule in day_rules):
        return False, day_rules
    return (True if day_rules else None), day_rules


def _needs_more(
    case: Case, fired: list[Rule], missing: tuple[str, ...], *notes: str
) -> Recommendation:
    reasons = (f"Needs more information: {', '.join(missing)}", *notes)
    return _result(
        case, Status.NEEDS_MORE_INFORMATION, None, fired, missing=missing, reasons=reasons
    )


def _reasons(fired: list[Rule], options: tuple[ProcedureOption, ...]) -> tuple[str, ...]:
    effects = [rule.effect for rule in fired if rule.stage is not Stage.CAUTION]
    if options:
        effects.append(f"First option: {options[0].label}")
    return tuple(effects)
