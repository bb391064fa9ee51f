"""Candidacy rules: one test per rule, the red-flag precedence, and never a guess."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.candidacy import (
    RULES,
    CandidacySettings,
    CaseFacts,
    Deficit,
    Pathway,
    Status,
    evaluate,
)
from spinepath.clinical.candidacy.facts import LUMBAR_LEVELS
from spinepath.clinical.candidacy.rules import REQUIRED_FACTS
from spinepath.clinical.redflags import RED_FLAGS, Urgency

LDH = CaseFacts(
    condition="lumbar_disc_herniation",
    symptom_weeks=14,
    conservative_care_weeks=10,
    neurological_deficit=Deficit.NONE,
    imaging_concordant=True,
    level="L4-L5",
    slip_percent=0,
    instability=False,
    osteoporosis=False,
    asa_class=2,
    bmi=27.0,
)
DS = replace(LDH, condition="degenerative_spondylolisthesis", slip_percent=20, instability=True)


def fired(facts: CaseFacts) -> list[str]:
    return [f.rule_id for f in evaluate(facts).fired]


def procedures(facts: CaseFacts) -> list[str]:
    return [o.procedure for o in evaluate(facts).options]


def test_every_rule_has_id_rationale_source_and_version() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert rule.rationale and rule.source and rule.version and rule.effect


def test_rf1_red_flags_win_over_everything() -> None:
    for flag in RED_FLAGS:
        result = evaluate(replace(LDH, red_flags=frozenset({flag.id})))
        if flag.urgency is Urgency.RISK_FACTOR:
            assert result.pathway is Pathway.MISS_CANDIDATE
        else:
            assert result.pathway is Pathway.URGENT
            assert fired(replace(LDH, red_flags=frozenset({flag.id}))) == ["RF-1"]
            assert result.options == ()


@given(
    st.sets(
        st.sampled_from([f.id for f in RED_FLAGS if f.urgency is not Urgency.RISK_FACTOR]),
        min_size=1,
    )
)
def test_red_flags_route_to_urgent_even_with_no_other_information(flags: set[str]) -> None:
    assert evaluate(CaseFacts(red_flags=frozenset(flags))).pathway is Pathway.URGENT


@pytest.mark.parametrize("condition", sorted(REQUIRED_FACTS))
def test_missing_facts_are_named_and_nothing_is_recommended(condition: str) -> None:
    result = evaluate(CaseFacts(condition=condition, symptom_weeks=10))
    assert result.status is Status.NEEDS_MORE_INFORMATION
    assert result.pathway is None and result.options == ()
    assert set(result.missing) == set(REQUIRED_FACTS[condition]) - {"symptom_weeks"}


def test_no_condition_needs_more_information_and_cervical_is_outside_scope() -> None:
    assert evaluate(CaseFacts()).missing == ("condition",)
    assert evaluate(replace(LDH, condition="cervical_radiculopathy")).status is Status.OUTSIDE_SCOPE


def test_pw_imaging_discordant_imaging_is_not_surgical() -> None:
    result = evaluate(replace(LDH, imaging_concordant=False))
    assert result.pathway is Pathway.NOT_SURGICAL
    assert fired(replace(LDH, imaging_concordant=False)) == ["PW-IMAGING"]


@pytest.mark.parametrize(
    ("weeks", "pathway"), [(5, Pathway.CONSERVATIVE_CARE), (6, Pathway.MISS_CANDIDATE)]
)
def test_pw_conservative_borderline_at_six_weeks(weeks: int, pathway: Pathway) -> None:
    assert evaluate(replace(LDH, conservative_care_weeks=weeks)).pathway is pathway


def test_pw_conservative_threshold_is_configurable() -> None:
    settings = CandidacySettings(min_conservative_weeks=12)
    assert evaluate(LDH, settings).pathway is Pathway.CONSERVATIVE_CARE


def test_pw_deficit_exception_allows_earlier_surgery() -> None:
    facts = replace(LDH, conservative_care_weeks=2, neurological_deficit=Deficit.STABLE)
    assert evaluate(facts).pathway is Pathway.MISS_CANDIDATE
    assert "PW-DEFICIT-EXCEPTION" in fired(facts)


@pytest.mark.parametrize(
    ("slip", "pathway"),
    [
        (25, Pathway.MISS_CANDIDATE),
        (50, Pathway.MISS_CANDIDATE),
        (50.1, Pathway.OPEN_SURGERY),
        (76, Pathway.OPEN_SURGERY),
    ],
)
def test_pw_high_grade_slip_borderlines(slip: float, pathway: Pathway) -> None:
    result = evaluate(replace(DS, slip_percent=slip))
    assert result.pathway is pathway
    if pathway is Pathway.OPEN_SURGERY:
        assert [o.procedure for o in result.options] == ["open_fusion"]
        assert "OPT-HIGH-GRADE" in fired(replace(DS, slip_percent=slip))


def test_opt_ldh_ranks_tubular_first_with_endoscopic_options() -> None:
    assert procedures(LDH) == [
        "tubular_microdiscectomy",
        "endoscopic_transforaminal_discectomy",
        "endoscopic_interlaminar_discectomy",
        "open_discectomy",
    ]
    assert "OPT-LDH" in fired(LDH)


def test_opt_ldh_instability_needs_fusion() -> None:
    facts = replace(LDH, instability=True)
    assert procedures(facts) == ["mis_tlif", "open_fusion"]
    assert "OPT-LDH-INSTABILITY" in fired(facts)


def test_opt_lss_decompression_without_instability_fusion_with_it() -> None:
    lss = replace(LDH, condition="lumbar_spinal_stenosis")
    assert procedures(lss) == ["mis_decompression_ulbd", "open_laminectomy"]
    assert "OPT-LSS" in fired(lss)
    assert procedures(replace(lss, instability=True))[0] == "mis_tlif"


def test_opt_fusion_for_low_grade_spondylolisthesis() -> None:
    assert procedures(DS) == ["mis_tlif", "llif_xlif", "olif", "open_fusion"]
    assert "OPT-FUSION" in fired(DS)


def test_opt_vcf_kyphoplasty() -> None:
    vcf = replace(LDH, condition="vertebral_compression_fracture", osteoporosis=True)
    assert procedures(vcf) == ["kyphoplasty"]
    assert "OPT-VCF" in fired(vcf)


def test_ci_xlif_l5s1_removes_lateral_fusion_and_cautions_oblique() -> None:
    facts = replace(DS, level="L5-S1")
    result = evaluate(facts)
    assert "llif_xlif" not in procedures(facts)
    assert result.contraindicated == ("llif_xlif",)
    olif = next(o for o in result.options if o.procedure == "olif")
    assert any("vascular" in c for c in olif.cautions)
    assert {"CI-XLIF-L5S1", "CA-OLIF-L5S1"} <= set(fired(facts))
    assert "llif_xlif" in procedures(replace(DS, level="L4-L5"))


def test_ca_tf_l5s1_cautions_transforaminal_endoscopy() -> None:
    result = evaluate(replace(LDH, level="L5-S1"))
    tf = next(o for o in result.options if o.procedure == "endoscopic_transforaminal_discectomy")
    assert tf.cautions and "CA-TF-L5S1" in [f.rule_id for f in result.fired]


def test_ca_osteoporosis_screws_on_every_fusion_option() -> None:
    result = evaluate(replace(DS, osteoporosis=True))
    for option in result.options:
        assert any("screw" in c for c in option.cautions)
    assert "CA-OSTEOPOROSIS-SCREWS" in [f.rule_id for f in result.fired]
    assert not any(o.cautions for o in evaluate(replace(LDH, osteoporosis=True)).options)


@pytest.mark.parametrize(
    ("asa", "bmi", "eligible", "rule"),
    [
        (3, 40.0, True, "DS-ELIGIBLE"),
        (4, 30.0, False, "DS-NOT-ELIGIBLE"),
        (2, 40.5, False, "DS-NOT-ELIGIBLE"),
        (None, 30.0, None, None),
    ],
)
def test_day_surgery_eligibility(
    asa: int | None, bmi: float, eligible: bool | None, rule: str | None
) -> None:
    facts = replace(LDH, asa_class=asa, bmi=bmi)
    assert evaluate(facts).day_surgery_eligible is eligible
    if rule:
        assert rule in fired(facts)


cases = st.builds(
    CaseFacts,
    condition=st.sampled_from(sorted(REQUIRED_FACTS)),
    symptom_weeks=st.none() | st.integers(0, 200),
    conservative_care_weeks=st.none() | st.integers(0, 200),
    neurological_deficit=st.none() | st.sampled_from([Deficit.NONE, Deficit.STABLE]),
    imaging_concordant=st.none() | st.booleans(),
    level=st.none() | st.sampled_from(LUMBAR_LEVELS),
    slip_percent=st.none() | st.floats(0, 120),
    instability=st.none() | st.booleans(),
    osteoporosis=st.none() | st.booleans(),
    asa_class=st.none() | st.integers(1, 5),
    bmi=st.none() | st.floats(15, 60),
)


@given(cases)
def test_every_recommendation_is_explained_and_consistent(facts: CaseFacts) -> None:
    result = evaluate(facts)
    if result.status is Status.RECOMMENDATION:
        assert result.pathway is not None and result.fired
        for firing in result.fired:
            assert firing.source
    else:
        assert result.pathway is None and result.options == ()
    if result.options:
        assert [o.rank for o in result.options] == list(range(1, len(result.options) + 1))
        assert not set(result.contraindicated) & {o.procedure for o in result.options}
