"""Render docs/candidacy-rules.md from the rule data, for clinical review.

    python -m spinepath.clinical.candidacy.docs > docs/candidacy-rules.md

A test asserts that the committed document equals this output, so the review
document can never drift from the rules the engine runs.
"""

from __future__ import annotations

from dataclasses import fields

from spinepath.clinical.candidacy.requirements import (
    PATHWAY_REQUIREMENTS,
    PROCEDURE_REQUIREMENTS,
    REFINEMENTS,
)
from spinepath.clinical.candidacy.rule import Rule, Stage
from spinepath.clinical.candidacy.rules import RULES, RULESET_VERSION, rules_in
from spinepath.clinical.candidacy.settings import SETTING_NOTES, CandidacySettings
from spinepath.clinical.evidence import Evidence

_TAG = {Evidence.VERIFIED: "[V]", Evidence.DERIVED: "[D]", Evidence.UNVERIFIED: "[U]"}
_STAGE_TITLES = {
    Stage.RED_FLAG: "Red flags (always first; a stopping rule ends evaluation)",
    Stage.INFORMATION: "Information (never guess)",
    Stage.PATHWAY: "Pathway (the first rule naming a pathway decides)",
    Stage.OPTIONS: "Procedure options (proposed in rank order)",
    Stage.RANKING: "Ranking (weights move a proposed procedure up or down)",
    Stage.CONTRAINDICATION: "Contraindications (remove a procedure)",
    Stage.CAUTION: "Cautions (attached to the procedures concerned)",
    Stage.DAY_SURGERY: "Day-surgery eligibility",
}

_INTRO = """\
# Candidacy rules

Generated from the rule data by
`spinepath.clinical.candidacy.docs.render_rules_markdown()`; do not edit by hand.
Regenerate with `python -m spinepath.clinical.candidacy.docs > docs/candidacy-rules.md`
(a test fails when this file and the rules differ).

Rule set version **{version}**, {count} rules. Evidence: **[V]** verified in a stored
source, **[D]** derived by spinepath from verified inputs, **[U]** unverified — a
placeholder until a clinical reviewer checks the primary source (reference
clinical.md). The JSON case format is described in docs/candidacy-cases.md.

## How the engine applies the rules

1. **Red flags** always win: any red-flag rule with the urgent pathway ends evaluation
   (`urgency` is `emergency` for cauda equina, else `urgent`).
2. **Information**: a condition the rules do not cover is `outside-scope`; a missing
   fact that could change the pathway or the first option is `needs-more-information`,
   naming the fact. Neither has a pathway.
3. **Pathway**: the pathway rules are tried in order; notes (rules without a pathway)
   fire on the way; the first rule naming a pathway decides it.
4. On `miss-candidate` or `open-surgery`: **options** rules propose procedures;
   **contraindications** remove some (`contraindicated`, `contraindicated_by`); the facts
   the remaining procedures need are checked (missing → `needs-more-information`);
   **ranking** rules add weights; the options are ordered by approach (the pathway's own
   first), weight, then proposal order; **cautions** are attached, and caution facts not
   recorded are listed in `unchecked`.
5. **Day surgery**: any "not eligible" rule wins; "eligible" needs ASA class and BMI
   recorded and within limits, else `day_surgery_eligible` is null and
   `day_surgery_missing` names what is needed.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _settings_section() -> list[str]:
    lines = [
        "## Settings [U]",
        "",
        "Fields of `CandidacySettings`; every one is an unverified, configurable default.",
        "",
        "| setting | default | why |",
        "|---|---|---|",
    ]
    defaults = CandidacySettings().to_json()
    for f in fields(CandidacySettings):
        lines.append(f"| `{f.name}` | `{defaults[f.name]}` | {_cell(SETTING_NOTES[f.name])} |")
    return [*lines, ""]


def _requirements_section() -> list[str]:
    lines = [
        "## Facts the rules need",
        "",
        "A fact is required when a different value could change the pathway or the first "
        "option; missing, it gives `needs-more-information`. *Conditional* facts are required "
        "only in the situation the reason names. `imaging.x` is field `x` of the imaging "
        "finding at the index level (named `imaging[L4-L5].x` in `missing`). Facts that can "
        "only add alternatives or cautions are not required; when not recorded they are listed "
        "in `unchecked` (see *Refinements* and the rules' *Reads*).",
        "",
    ]
    for condition, requirements in PATHWAY_REQUIREMENTS.items():
        lines += [f"### {condition}", "", "| fact | required | why |", "|---|---|---|"]
        for r in requirements:
            when = "conditional" if r.conditional else "always"
            lines.append(f"| `{r.fact}` | {when} | {_cell(r.why)} |")
        lines.append("")
    lines += [
        "### Before these procedures can be ranked",
        "",
        "| procedure | fact | required | why |",
        "|---|---|---|---|",
    ]
    for procedure, requirements in PROCEDURE_REQUIREMENTS.items():
        for r in requirements:
            when = "conditional" if r.conditional else "always"
            lines.append(f"| `{procedure}` | `{r.fact}` | {when} | {_cell(r.why)} |")
    lines += ["", "### Refinements (unchecked when not recorded)", ""]
    lines += ["| condition | facts |", "|---|---|"]
    for condition, facts in REFINEMENTS.items():
        lines.append(f"| {condition} | {', '.join(f'`{f}`' for f in facts) or '—'} |")
    return [*lines, ""]


def _rule_block(rule: Rule) -> list[str]:
    lines = [
        f"#### {rule.id}",
        "",
        f"- **Stage:** {rule.stage.value} · **version:** {rule.version} · "
        f"**evidence:** {rule.evidence.value} {_TAG[rule.evidence]}",
        f"- **Effect:** {rule.effect}",
        f"- **Rationale:** {rule.rationale}",
    ]
    if rule.pathway is not None:
        urgency = f" ({rule.urgency.value})" if rule.urgency else ""
        lines.append(f"- **Pathway:** {rule.pathway.value}{urgency}")
    if rule.procedures:
        weight = f" (weight {rule.weight:+d})" if rule.stage is Stage.RANKING else ""
        lines.append(f"- **Procedures:** {', '.join(rule.procedures)}{weight}")
    if rule.caution:
        lines.append(f"- **Caution shown:** {rule.caution}")
    if rule.day_surgery is not None:
        lines.append(f"- **Day surgery:** {'eligible' if rule.day_surgery else 'not eligible'}")
    if rule.needs:
        lines.append(f"- **Reads (unchecked when not recorded):** {', '.join(rule.needs)}")
    lines.append(f"- **Source:** {rule.source}")
    return [*lines, ""]


def render_rules_markdown() -> str:
    lines = [_INTRO.format(version=RULESET_VERSION, count=len(RULES))]
    lines += [
        "## Index",
        "",
        "| rule | stage | effect | evidence | version |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        lines.append(
            f"| [{rule.id}](#{rule.id.lower()}) | {rule.stage.value} | {_cell(rule.effect)} "
            f"| {_TAG[rule.evidence]} | {rule.version} |"
        )
    lines += ["", *_settings_section(), *_requirements_section(), "## Rules", ""]
    for stage in Stage:
        lines += [f"### {_STAGE_TITLES[stage]}", ""]
        for rule in rules_in(stage):
            lines += _rule_block(rule)
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render_rules_markdown(), end="")
