"""Clinical vignettes: cases written from the reference, with the answer a clinician expects.

Each vignette (tests/clinical/vignettes/*.json) has an id, a description, the
JSON case (parsed by case_from_json, like the CLI and the API), optional
settings, and expectations:

    status, pathway, first_option      exact (null where none)
    include / exclude                  procedures that must / must not be offered
    fire / not_fire                    rule ids that must / must not fire
    urgency, day_surgery_eligible,
    day_surgery_missing, missing       exact, when given
    contraindicated                    exact set, when given
    missing_include                    facts that must be among `missing`
    unchecked_include                  facts that must be among `unchecked`
    order                              procedures offered in this relative order
    cautioned {procedure: [rule ids]}  the caution rules an option must carry
    uncautioned [procedures]           options that must carry no caution

The suite must cover every rule: a new rule without a vignette fails
`test_every_rule_fires_in_some_vignette`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from spinepath.clinical.candidacy import (
    RULES,
    CandidacySettings,
    Recommendation,
    case_from_json,
    evaluate,
)
from spinepath.clinical.candidacy.facts import StenosisGrade
from spinepath.clinical.meyerding import MeyerdingGrade

VIGNETTE_DIR = Path(__file__).parent / "vignettes"
EXPECT_KEYS = {
    "status",
    "pathway",
    "first_option",
    "include",
    "exclude",
    "fire",
    "not_fire",
    "urgency",
    "day_surgery_eligible",
    "day_surgery_missing",
    "missing",
    "missing_include",
    "unchecked_include",
    "contraindicated",
    "order",
    "cautioned",
    "uncautioned",
}


def load_vignettes() -> list[dict[str, Any]]:
    vignettes: list[dict[str, Any]] = []
    for path in sorted(VIGNETTE_DIR.glob("*.json")):
        for vignette in json.loads(path.read_text(encoding="utf-8")):
            vignette["file"] = path.name
            vignettes.append(vignette)
    return vignettes


VIGNETTES = load_vignettes()


def settings_for(vignette: dict[str, Any]) -> CandidacySettings:
    values = dict(vignette.get("settings", {}))
    if "min_stenosis_grade" in values:
        values["min_stenosis_grade"] = StenosisGrade(values["min_stenosis_grade"])
    if "decompression_alone_max_grade" in values:
        values["decompression_alone_max_grade"] = MeyerdingGrade(
            values["decompression_alone_max_grade"]
        )
    return CandidacySettings(**values)


def run(vignette: dict[str, Any]) -> Recommendation:
    return evaluate(case_from_json(vignette["case"]), settings_for(vignette))


def test_the_suite_is_large_and_well_formed() -> None:
    assert len(VIGNETTES) >= 40
    ids = [v["id"] for v in VIGNETTES]
    assert len(ids) == len(set(ids)), "vignette ids must be unique"
    for v in VIGNETTES:
        assert set(v) <= {"id", "description", "case", "settings", "expect", "file"}, v["id"]
        assert v["description"].strip(), v["id"]
        assert set(v["expect"]) <= EXPECT_KEYS, (v["id"], set(v["expect"]) - EXPECT_KEYS)
        assert {"status", "pathway", "first_option"} <= set(v["expect"]), v["id"]


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette(vignette: dict[str, Any]) -> None:
    expect = vignette["expect"]
    result = run(vignette)
    offered = [o.procedure for o in result.options]
    fired = [f.rule_id for f in result.fired]
    context = f"{vignette['id']}: {result.to_json()}"

    assert result.status.value == expect["status"], context
    assert (result.pathway.value if result.pathway else None) == expect["pathway"], context
    assert (offered[0] if offered else None) == expect["first_option"], context
    assert set(expect.get("include", ())) <= set(offered), context
    assert not set(expect.get("exclude", ())) & set(offered), context
    assert set(expect.get("fire", ())) <= set(fired), context
    assert not set(expect.get("not_fire", ())) & set(fired), context
    for key in ("urgency", "day_surgery_eligible"):
        if key in expect:
            assert getattr(result, key) == expect[key], (key, context)
    if "day_surgery_missing" in expect:
        assert list(result.day_surgery_missing) == expect["day_surgery_missing"], context
    if "missing" in expect:
        assert sorted(result.missing) == sorted(expect["missing"]), context
    assert set(expect.get("missing_include", ())) <= set(result.missing), context
    assert set(expect.get("unchecked_include", ())) <= set(result.unchecked), context
    if "contraindicated" in expect:
        assert set(result.contraindicated) == set(expect["contraindicated"]), context
    order = [p for p in offered if p in expect.get("order", ())]
    assert order == expect.get("order", []), context
    by_procedure = {o.procedure: o for o in result.options}
    for procedure, rule_ids in expect.get("cautioned", {}).items():
        assert set(rule_ids) <= set(by_procedure[procedure].caution_rules), (procedure, context)
    for procedure in expect.get("uncautioned", ()):
        assert by_procedure[procedure].cautions == (), (procedure, context)


def test_every_rule_fires_in_some_vignette() -> None:
    fired = {f.rule_id for v in VIGNETTES for f in run(v).fired}
    missing = [rule.id for rule in RULES if rule.id not in fired]
    assert missing == [], f"rules no vignette exercises: {missing}"


def test_every_vignette_case_round_trips_through_the_parser() -> None:
    from spinepath.clinical.candidacy import case_to_json

    for v in VIGNETTES:
        facts = case_from_json(v["case"])
        assert case_from_json(case_to_json(facts)) == facts, v["id"]
