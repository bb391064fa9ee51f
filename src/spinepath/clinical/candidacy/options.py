"""Turn the option-stage rules into ranked, explained procedure options.

Ranking: procedures of the pathway's own approach first (MISS options on the
MISS pathway, open ones on the open pathway), then by the sum of the ranking
rules' weights, then in the order the option rules proposed them. Each option
carries the ids of the rules that proposed and moved it, and its cautions
with the rules behind them.
"""

from __future__ import annotations

from dataclasses import dataclass

from spinepath.clinical.candidacy.case import Case
from spinepath.clinical.candidacy.requirements import procedures_missing, unrecorded
from spinepath.clinical.candidacy.result import Pathway, ProcedureOption
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.candidacy.rules import rules_in
from spinepath.clinical.procedures import PROCEDURES_BY_ID, Approach


@dataclass(frozen=True)
class OptionPlan:
    options: tuple[ProcedureOption, ...]
    contraindicated_by: tuple[tuple[str, tuple[str, ...]], ...]
    fired: tuple[Rule, ...]
    missing: tuple[str, ...]  # facts the offered procedures need before they can be ranked
    unchecked: tuple[str, ...]  # unrecorded facts that a caution on an option would read


def _hits(rule: Rule, among: list[str]) -> list[str]:
    return [p for p in rule.procedures if p in among]


def plan_options(case: Case) -> OptionPlan:
    fired: list[Rule] = []
    placed_by: dict[str, list[str]] = {}  # insertion order = proposal order
    for rule in rules_in(Stage.OPTIONS):
        if rule.when(case):
            fired.append(rule)
            for procedure in rule.procedures:
                placed_by.setdefault(procedure, []).append(rule.id)

    ruled_out: dict[str, list[str]] = {}
    for rule in rules_in(Stage.CONTRAINDICATION):
        hits = _hits(rule, list(placed_by)) if rule.when(case) else []
        if hits:
            fired.append(rule)
            for procedure in hits:
                ruled_out.setdefault(procedure, []).append(rule.id)
    remaining = [p for p in placed_by if p not in ruled_out]
    contraindicated_by = tuple((p, tuple(ids)) for p, ids in ruled_out.items())

    missing = procedures_missing(case, remaining)
    if missing:
        return OptionPlan((), contraindicated_by, tuple(fired), missing, ())

    weight = dict.fromkeys(remaining, 0)
    for rule in rules_in(Stage.RANKING):
        hits = _hits(rule, remaining) if rule.when(case) else []
        if hits:
            fired.append(rule)
            for procedure in hits:
                weight[procedure] += rule.weight
                placed_by[procedure].append(rule.id)

    cautions: dict[str, list[tuple[str, str]]] = {}
    unchecked: list[str] = []
    for rule in rules_in(Stage.CAUTION):
        concerned = _hits(rule, remaining)
        if not concerned:
            continue
        unchecked.extend(n for n in unrecorded(case, rule.needs) if n not in unchecked)
        if rule.when(case):
            fired.append(rule)
            for procedure in concerned:
                cautions.setdefault(procedure, []).append((rule.caution, rule.id))

    own = Approach.OPEN if case.pathway is Pathway.OPEN_SURGERY else Approach.MISS
    order = {p: i for i, p in enumerate(placed_by)}
    ranked = sorted(
        remaining,
        key=lambda p: (PROCEDURES_BY_ID[p].approach is not own, -weight[p], order[p]),
    )
    options = tuple(
        ProcedureOption(
            procedure=p,
            label=PROCEDURES_BY_ID[p].label,
            approach=PROCEDURES_BY_ID[p].approach.value,
            rank=rank,
            cautions=tuple(text for text, _ in cautions.get(p, ())),
            rules=tuple(placed_by[p]),
            caution_rules=tuple(rule_id for _, rule_id in cautions.get(p, ())),
        )
        for rank, p in enumerate(ranked, start=1)
    )
    return OptionPlan(options, contraindicated_by, tuple(fired), (), tuple(unchecked))
