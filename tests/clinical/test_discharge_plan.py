"""The default discharge plan and its medicine figures (reference clinical.md §5.3, §6, §7, §9.2)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.discharge_plan import (
    MILESTONE_IDS,
    DischargePlanContent,
    MedicineLine,
    PlanSettings,
    PlanValidationError,
    ProcedureGroup,
    default_plan,
    medicine_lines_from_json,
    plan_from_json,
    plan_medicines,
    procedure_group,
)
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.procedures import PROCEDURES, PROCEDURES_BY_ID
from spinepath.clinical.redflags import RED_FLAGS, Group
from spinepath.clinical.schedule import follow_up_schedule

SURGERY = date(2026, 3, 2)
ALL_IDS = [p.id for p in PROCEDURES]
GROUP_EXAMPLE = {
    ProcedureGroup.DECOMPRESSION_MISS: "tubular_microdiscectomy",
    ProcedureGroup.DECOMPRESSION_OPEN: "open_laminectomy",
    ProcedureGroup.FUSION_MISS: "mis_tlif",
    ProcedureGroup.FUSION_OPEN: "open_fusion",
    ProcedureGroup.KYPHOPLASTY: "kyphoplasty",
}


def line(
    drug: str,
    dose: float | None,
    per_day: float | None,
    *,
    strength_mg: float | None = None,
    days: int | None = 3,
    as_needed: bool = False,
    mcg_per_hour: float | None = None,
) -> MedicineLine:
    return MedicineLine(
        drug=drug,
        strength_mg=strength_mg,
        dose_mg=dose,
        doses_per_day=per_day,
        days=days,
        as_needed=as_needed,
        mcg_per_hour=mcg_per_hour,
    )


def milestones(procedure_id: str) -> dict[str, tuple[int, int | None]]:
    plan = default_plan(procedure_id, SURGERY)
    return {m.id: (m.from_day, m.to_day) for m in plan.milestones}


# --- MME -------------------------------------------------------------------


def test_cdc_worked_examples() -> None:
    # Reference §6: hydrocodone 5 mg QID = 20 MME/day; oxycodone 10 mg BID = 30 MME/day.
    plan = plan_medicines([line("hydrocodone", 5, 4)])
    assert plan.mme == (20,) and plan.total_mme_per_day == 20
    plan = plan_medicines([line("oxycodone", 10, 2)])
    assert plan.mme == (30,) and plan.total_mme_per_day == 30


def test_as_needed_counts_at_its_maximum_and_non_opioids_have_no_mme() -> None:
    plan = plan_medicines(
        [
            line("paracetamol", 1000, 4),
            line("oxycodone", 5, 6, as_needed=True),
            line("ibuprofen", 400, None, as_needed=True),
        ]
    )
    assert plan.mme == (None, 45, None)
    assert plan.mme_status == (None, "calculated", None)
    assert plan.total_mme_per_day == 45


def test_fentanyl_patch_in_mcg_per_hour() -> None:
    plan = plan_medicines([line("fentanyl-patch", None, None, mcg_per_hour=25)])
    assert plan.mme == (60,)
    assert plan.taper_unit == "mcg/h" and plan.taper[-1].daily_dose == 0


def test_flags_at_50_and_90_with_naloxone_warning() -> None:
    low = plan_medicines([line("oxycodone", 10, 3)])  # 45
    assert low.flags == () and not any("naloxone" in w for w in low.warnings)
    mid = plan_medicines([line("oxycodone", 10, 4)])  # 60
    assert "mme_ge_50" in mid.flags and "mme_ge_90" not in mid.flags
    assert any("naloxone" in w for w in mid.warnings)
    high = plan_medicines([line("oxycodone", 15, 4)])  # 90
    assert {"mme_ge_50", "mme_ge_90"} <= set(high.flags)
    assert {n.id for n in high.notices} >= {"naloxone", "high_mme"}


def test_buprenorphine_not_calculated_and_left_out() -> None:
    plan = plan_medicines([line("buprenorphine", 0.2, 3), line("oxycodone", 5, 4)])
    assert plan.mme == (None, 30)
    assert plan.mme_status == ("not calculated", "calculated")
    assert plan.total_mme_per_day == 30 and not plan.complete
    assert "incomplete_total" in plan.flags
    assert plan.taper_drug == "oxycodone"
    only = plan_medicines([line("buprenorphine", 0.2, 3)])
    assert only.taper == () and only.total_mme_per_day == 0


def test_warnings_for_long_course_and_two_opioids() -> None:
    plan = plan_medicines([line("oxycodone", 5, 4, days=10), line("tramadol", 50, 4)])
    ids = {n.id for n in plan.notices}
    assert {"opioid_days", "multiple_opioids", "taper_in_mme", "no_non_opioid"} <= ids
    assert plan.total_mme_per_day == 30 + 40
    assert plan.taper_unit == "MME/day" and plan.taper[0].daily_dose == 70
    assert all(n.source and n.evidence in Evidence for n in plan.notices)
    assert next(n for n in plan.notices if n.id == "opioid_days").evidence is Evidence.UNVERIFIED


def test_no_opioid_no_taper_no_warnings() -> None:
    plan = plan_medicines([line("paracetamol", 1000, 4)])
    assert plan.taper == () and plan.total_mme_per_day == 0 and plan.warnings == ()


def test_paracetamol_over_4_g() -> None:
    plan = plan_medicines([line("paracetamol", 1000, 5)])
    assert "paracetamol_over_max" in plan.flags


def test_taper_uses_line_strength_then_settings() -> None:
    plan = plan_medicines([line("oxycodone", 10, 4, strength_mg=10)], start_date=SURGERY)
    assert [s.daily_dose for s in plan.taper] == [40, 30, 20, 10, 0]
    assert plan.taper[1].start_date == SURGERY + timedelta(days=2)
    assert plan.taper[0].mme_per_day == 60
    default = plan_medicines([line("oxycodone", 10, 4)])
    assert all(s.daily_dose % 5 == 0 for s in default.taper)


@given(
    drug=st.sampled_from(["oxycodone", "hydrocodone", "morphine", "tramadol", "codeine"]),
    dose=st.sampled_from([5, 7.5, 10, 15, 30, 50, 60]),
    per_day=st.integers(min_value=1, max_value=8),
    fraction=st.sampled_from([0.1, 0.2, 0.25, 0.5, 1.0]),
    second=st.booleans(),
)
def test_taper_never_increases_and_ends_at_zero(
    drug: str, dose: float, per_day: int, fraction: float, second: bool
) -> None:
    lines = [line(drug, dose, per_day, as_needed=True)]
    if second:
        lines.append(line("hydromorphone", 2, 4))
    plan = plan_medicines(lines, settings=PlanSettings(taper_fraction=fraction))
    assert plan.taper, plan.warnings
    doses = [s.daily_dose for s in plan.taper]
    assert all(b <= a for a, b in pairwise(doses))
    assert doses[-1] == 0
    assert doses[0] == (plan.total_mme_per_day if second else dose * per_day)


# --- validation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([{"drug": "oxycontin", "dose_mg": 10, "doses_per_day": 2}], "lines[0].drug"),
        ([{"drug": "oxycodone ER", "dose_mg": 10, "doses_per_day": 2}], "lines[0].drug"),
        ([{"drug": "fentanyl", "dose_mg": 10, "doses_per_day": 2}], "lines[0].drug"),
        ([{"drug": "oxycodone", "dose_mg": -5, "doses_per_day": 2}], "lines[0].dose_mg"),
        ([{"drug": "oxycodone", "doses_per_day": 2}], "lines[0].dose_mg"),
        ([{"drug": "oxycodone", "dose_mg": 5}], "lines[0].doses_per_day"),
        (
            [{"drug": "oxycodone", "dose_mg": 5, "as_needed": True}],
            "lines[0].doses_per_day",
        ),
        ([{"drug": "paracetamol", "dose_mg": 500}], "lines[0].doses_per_day"),
        (
            [
                {"drug": "paracetamol", "dose_mg": 1000, "doses_per_day": 4},
                {"drug": "oxycodone", "dose_mg": 5, "doses_per_day": 0},
            ],
            "lines[1].doses_per_day",
        ),
        ([{"drug": "oxycodone", "dose_mg": 5, "doses_per_day": 4, "days": 0}], "lines[0].days"),
        ([{"drug": "oxycodone", "dose_mg": 5, "doses_per_day": 4, "days": 2.5}], "lines[0].days"),
        ([{"drug": "oxycodone", "dose_mg": "5", "doses_per_day": 4}], "lines[0].dose_mg"),
        ([{"drug": "oxycodone", "dose_mg": True, "doses_per_day": 4}], "lines[0].dose_mg"),
        (
            [{"drug": "oxycodone", "dose_mg": 5, "doses_per_day": 4, "as_needed": "yes"}],
            "lines[0].as_needed",
        ),
        ([{"drug": "fentanyl-patch", "dose_mg": 25}], "lines[0].mcg_per_hour"),
        ([{"drug": "fentanyl-patch", "mcg_per_hour": 25, "dose_mg": 1}], "lines[0].dose_mg"),
        ([{"drug": "morphine", "mcg_per_hour": 25}], "lines[0].mcg_per_hour"),
        ([{"drug": "morphine", "dose_mg": 5, "doses_per_day": 4, "route": "po"}], "lines[0].route"),
        ([{"dose_mg": 5, "doses_per_day": 4}], "lines[0].drug"),
        (["oxycodone"], "lines[0]"),
        ({"drug": "oxycodone"}, "lines"),
    ],
)
def test_line_validation_names_the_field(data: object, field: str) -> None:
    with pytest.raises(PlanValidationError) as info:
        medicine_lines_from_json(data)
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_plan_medicines_validates_objects_too() -> None:
    with pytest.raises(PlanValidationError) as info:
        plan_medicines([line("paracetamol", 1000, 4), line("norco", 5, 4)])
    assert info.value.field == "lines[1].drug"
    with pytest.raises(PlanValidationError) as info:
        plan_medicines([line("oxycodone", 5, 4)], factors="cdc1999")
    assert info.value.field == "factors"


def test_lines_json_parse_canonicalises_and_round_trips() -> None:
    lines = medicine_lines_from_json(
        [
            {"drug": "Oxycodone", "strength_mg": 5, "dose_mg": 5, "doses_per_day": 4,
             "days": 3, "as_needed": True, "note": "IR tablets"},
            {"drug": "Transdermal Fentanyl", "mcg_per_hour": 12},
            {"drug": "Paracetamol", "dose_mg": 1000, "doses_per_day": 4},
        ]
    )  # fmt: skip
    assert [x.drug for x in lines] == ["oxycodone", "fentanyl-patch", "paracetamol"]
    assert medicine_lines_from_json([x.to_json() for x in lines]) == lines
    plan = plan_medicines(lines)
    json.dumps(plan.to_json())
    assert plan.to_json()["lines"][0]["mme_per_day"] == 30


# --- milestones ------------------------------------------------------------


def test_groups() -> None:
    assert {procedure_group(p) for p in PROCEDURES} == set(ProcedureGroup)
    for group, pid in GROUP_EXAMPLE.items():
        assert procedure_group(PROCEDURES_BY_ID[pid]) is group


@pytest.mark.parametrize("procedure_id", ALL_IDS)
def test_milestones_complete_ordered_and_sourced(procedure_id: str) -> None:
    plan = default_plan(procedure_id, SURGERY)
    assert sorted(m.id for m in plan.milestones) == sorted(MILESTONE_IDS)
    starts = [m.from_day for m in plan.milestones]
    assert starts == sorted(starts)
    for m in plan.milestones:
        assert m.to_day is None or m.to_day >= m.from_day
        assert m.text and m.source and isinstance(m.evidence, Evidence)
    by_id = {m.id: m for m in plan.milestones}
    # Return to work and driving rest on practice pages only: never claimed as verified.
    for mid in ("driving", "desk_work", "heavy_work", "physio_start"):
        assert by_id[mid].evidence is Evidence.UNVERIFIED


def test_walking_the_same_day_after_miss() -> None:
    for pid in ("tubular_microdiscectomy", "mis_decompression_ulbd", "mis_tlif", "kyphoplasty"):
        walking = milestones(pid)["walking"]
        assert walking[0] == 0
    walk = next(m for m in default_plan("mis_tlif", SURGERY).milestones if m.id == "walking")
    assert walk.evidence is Evidence.VERIFIED and "Parrish" in walk.source


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("tubular_microdiscectomy", "mis_tlif"),  # fusion later than decompression (MISS)
        ("open_discectomy", "open_fusion"),  # … and open
        ("tubular_microdiscectomy", "open_discectomy"),  # open no earlier than MISS
        ("mis_tlif", "open_fusion"),
    ],
)
def test_later_milestones(earlier: str, later: str) -> None:
    a, b = milestones(earlier), milestones(later)
    for mid in MILESTONE_IDS:
        assert b[mid][0] >= a[mid][0], mid
        end_a, end_b = a[mid][1], b[mid][1]
        assert end_b is None or (end_a is not None and end_b >= end_a), mid
    assert any(b[mid] != a[mid] for mid in MILESTONE_IDS)


def test_fusion_strictly_later_for_work_physio_and_driving() -> None:
    decomp, fusion = milestones("tubular_microdiscectomy"), milestones("mis_tlif")
    for mid in ("physio_start", "driving", "desk_work", "heavy_work"):
        assert fusion[mid][0] > decomp[mid][0], mid
    assert milestones("open_fusion")["walking"][0] > fusion["walking"][0]  # Goldstein 2016


def test_milestone_settings_change_text_and_mark_unverified() -> None:
    days = dict(PlanSettings().milestone_days)
    days[ProcedureGroup.FUSION_MISS] = {
        **days[ProcedureGroup.FUSION_MISS],
        "walking": (0, 0),
    }
    plan = default_plan("mis_tlif", SURGERY, settings=PlanSettings(milestone_days=days))
    walk = next(m for m in plan.milestones if m.id == "walking")
    assert walk.to_day == 0 and walk.evidence is Evidence.UNVERIFIED
    assert walk.source == "programme setting" and "day of your operation" in walk.text


def test_bad_settings_refused() -> None:
    with pytest.raises(ValueError, match="wound_check_days"):
        default_plan("mis_tlif", SURGERY, settings=PlanSettings(wound_check_days=(14, 10)))


def test_unknown_procedure() -> None:
    with pytest.raises(PlanValidationError) as info:
        default_plan("laser_magic", SURGERY)
    assert info.value.field == "procedure"


# --- warning signs, OTC ----------------------------------------------------


@pytest.mark.parametrize("procedure_id", ALL_IDS)
def test_every_warning_sign_has_an_action(procedure_id: str) -> None:
    plan = default_plan(procedure_id, SURGERY)
    ids = [w.id for w in plan.warning_signs]
    assert len(ids) == len(set(ids))
    for sign in plan.warning_signs:
        assert sign.sign.strip() and sign.action.strip() and sign.source.strip()
        assert sign.urgency in {"emergency", "same_day", "routine"}
        if sign.urgency == "emergency":
            assert "emergency" in sign.action.lower()
        elif sign.urgency == "same_day":
            assert "today" in sign.action
        else:
            assert "check-in" in sign.action


@pytest.mark.parametrize("procedure_id", ALL_IDS)
def test_every_cauda_equina_flag_is_an_emergency_sign(procedure_id: str) -> None:
    plan = default_plan(procedure_id, SURGERY)
    emergency = {f for w in plan.warning_signs if w.urgency == "emergency" for f in w.red_flag_ids}
    ces = {flag.id for flag in RED_FLAGS if flag.group is Group.CAUDA_EQUINA}
    assert ces <= emergency
    # Every self-reported cauda equina flag has a sign of its own.
    own = {w.id for w in plan.warning_signs if w.urgency == "emergency"}
    assert {
        f.id for f in RED_FLAGS if f.group is Group.CAUDA_EQUINA and not f.examination_only
    } <= own


def test_other_warning_signs_and_urgency() -> None:
    signs = {w.id: w for w in default_plan("mis_tlif", SURGERY).warning_signs}
    assert signs["wound_infection"].urgency == "same_day"
    assert "38 °C" in signs["wound_infection"].sign
    assert signs["wound_opening"].urgency == "same_day"
    assert signs["csf_leak_headache"].urgency == "same_day"
    assert signs["calf_swelling"].urgency == "emergency"
    assert signs["breathless_chest_pain"].urgency == "emergency"
    assert signs["calf_swelling"].evidence is Evidence.UNVERIFIED
    assert signs["pain_uncontrolled"].urgency == "same_day"
    assert "§7.2" in signs["wound_infection"].source


def test_otc_first_paracetamol_then_nsaid_with_cautions() -> None:
    plan = default_plan("mis_tlif", SURGERY)
    names = [o.name for o in plan.otc_first]
    assert names[0] == "Paracetamol"
    assert "4 g in 24 hours" in plan.otc_first[0].how
    nsaids = [o for o in plan.otc_first if o.name in {"Ibuprofen", "Naproxen"}]
    assert nsaids and all("only if your surgeon agrees" in o.how for o in nsaids)
    caution = plan.otc_first[1].caution.lower()
    for word in ("stomach", "kidney", "asthma", "blood thinner", "fusion"):
        assert word in caution
    assert all(o.evidence is Evidence.UNVERIFIED for o in plan.otc_first)
    assert any("lowest dose" in s.text for s in plan.pain_relief)


# --- follow-up -------------------------------------------------------------


def test_follow_up_dates() -> None:
    plan = default_plan("tubular_microdiscectomy", SURGERY)
    by_id = {f.id: f for f in plan.follow_up}
    wound = by_id["wound_check"]
    assert wound.kind == "appointment"
    assert (wound.window_start, wound.window_end) == (
        SURGERY + timedelta(days=10),
        SURGERY + timedelta(days=14),
    )
    assert by_id["surgeon_review"].due == SURGERY + timedelta(weeks=6)
    schedule = [t for t in follow_up_schedule(SURGERY) if t.due > SURGERY]
    questionnaires = [f for f in plan.follow_up if f.kind == "questionnaire"]
    assert [(f.id, f.due, f.window_start, f.window_end) for f in questionnaires] == [
        (t.id, t.due, t.window_start, t.window_end) for t in schedule
    ]
    assert [f.id for f in questionnaires] == ["2w", "6w", "3m", "12m"]
    dues = [f.due for f in plan.follow_up]
    assert dues == sorted(dues)
    with_24 = default_plan("mis_tlif", SURGERY, settings=PlanSettings(include_24_months=True))
    assert "24m" in {f.id for f in with_24.follow_up}


# --- JSON ------------------------------------------------------------------


@pytest.mark.parametrize("procedure_id", ALL_IDS)
def test_json_round_trip(procedure_id: str) -> None:
    plan = default_plan(procedure_id, SURGERY)
    data = json.loads(json.dumps(plan.to_json()))
    assert plan_from_json(data) == plan


def edited(**changes: object) -> dict[str, object]:
    data = json.loads(json.dumps(default_plan("mis_tlif", SURGERY).to_json()))
    data.update(changes)
    return data  # type: ignore[no-any-return]


def test_staff_edits_are_kept() -> None:
    data = edited(activity=["Walk to the shop and back each day."])
    data["milestones"][0]["text"] = "Walk the same day."  # type: ignore[index]
    plan = plan_from_json(data)
    assert isinstance(plan, DischargePlanContent)
    assert plan.activity == ("Walk to the shop and back each day.",)
    assert plan.milestones[0].text == "Walk the same day."


def test_cauda_equina_signs_cannot_be_removed_or_downgraded() -> None:
    data = edited()
    signs = data["warning_signs"]
    data["warning_signs"] = [w for w in signs if w["id"] != "cauda_equina.bladder_dysfunction"]  # type: ignore[attr-defined]
    with pytest.raises(PlanValidationError) as info:
        plan_from_json(data)
    assert info.value.field == "warning_signs" and "bladder" in info.value.message
    data = edited()
    data["warning_signs"][0]["urgency"] = "routine"  # type: ignore[index]
    with pytest.raises(PlanValidationError):
        plan_from_json(data)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("procedure",), "laser_magic", "procedure"),
        (("surgery_date",), "2026-02-30", "surgery_date"),
        (("wound_care",), "keep it dry", "wound_care"),
        (("activity",), ["ok", ""], "activity[1]"),
        (("milestones", 1, "from_day"), -1, "milestones[1].from_day"),
        (("milestones", 1, "to_day"), 0, "milestones[1].to_day"),
        (("milestones", 0, "evidence"), "sure", "milestones[0].evidence"),
        (("milestones", 1, "id"), "walking", "milestones[1].id"),
        (("warning_signs", 5, "action"), " ", "warning_signs[5].action"),
        (("warning_signs", 5, "urgency"), "later", "warning_signs[5].urgency"),
        (("warning_signs", 5, "red_flag_ids"), ["nope"], "warning_signs[5].red_flag_ids"),
        (("otc_first", 0, "how"), None, "otc_first[0].how"),
        (("follow_up", 0, "due"), "next week", "follow_up[0].due"),
        (("follow_up", 0, "kind"), "visit", "follow_up[0].kind"),
        (("follow_up", 0, "window_end"), "2026-03-01", "follow_up[0].window_end"),
        (("colour",), "blue", "plan.colour"),
    ],
)
def test_plan_validation_names_the_field(
    path: tuple[object, ...], value: object, field: str
) -> None:
    data: object = edited()
    target = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(PlanValidationError) as info:
        plan_from_json(data)
    assert info.value.field == field
