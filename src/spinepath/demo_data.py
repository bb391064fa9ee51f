"""A believable demo clinic, made through the same actions the pages use.

Deterministic (seeded) and idempotent: a second run finds the demo sites and
changes nothing. Everything is written in one transaction, so an interrupted
run leaves no half-made clinic behind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from spinepath.accounts.actions import do_add_care_team_member, do_create_user
from spinepath.accounts.models import CareTeam, Role, Site, User
from spinepath.intake.actions import do_decide_assessment, do_record_assessment
from spinepath.intake.models import Assessment
from spinepath.outcomes.actions import do_record_complication, do_record_response
from spinepath.patients.actions import do_create_episode, do_create_patient, do_link_caregiver
from spinepath.patients.models import Condition, Episode, Patient, Stage
from spinepath.recovery.actions import do_acknowledge_alert, do_resolve_alert, do_submit_checkin
from spinepath.recovery.models import Alert, AlertStatus
from spinepath.surgery.actions import (
    do_discharge,
    do_record_discharge_assessment,
    do_record_pacu_assessment,
    do_record_surgery,
)
from spinepath.surgery.models import SurgicalCase
from spinepath.surgery.plans import do_update_discharge_plan

DEMO_PASSWORD = "spinepath-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_SITES = (("demo-north", "Northgate Spine Centre"), ("demo-south", "Southbank Day Surgery"))

GIVEN = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Grace",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Ella",
    "Jack",
    "Sofia",
    "Theo",
    "Ivy",
    "Henry",
    "Priya",
    "Tariq",
    "Mei",
    "Kwame",
    "Aisha",
    "Jonas",
    "Ines",
    "Mateo",
    "Zara",
    "Yusuf",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Lewis",
    "Okafor",
    "Nowak",
    "Garcia",
    "Murphy",
    "Chen",
    "Hughes",
    "Clarke",
    "Ali",
]

# Stage mix of the demo episodes (fractions of the total).
STAGE_MIX = (
    (Stage.INTAKE, 0.12),
    (Stage.ASSESSED, 0.15),
    (Stage.SURGERY, 0.08),
    (Stage.RECOVERY, 0.50),
    (Stage.CLOSED, 0.15),
)
CONDITION_MIX = (
    (Condition.LUMBAR_DISC_HERNIATION, 0.45),
    (Condition.LUMBAR_SPINAL_STENOSIS, 0.25),
    (Condition.DEGENERATIVE_SPONDYLOLISTHESIS, 0.22),
    (Condition.VERTEBRAL_COMPRESSION_FRACTURE, 0.08),
)
OPEN_ALTERNATIVE = {
    "tubular_microdiscectomy": "open_discectomy",
    "endoscopic_transforaminal_discectomy": "open_discectomy",
    "endoscopic_interlaminar_discectomy": "open_discectomy",
    "mis_decompression_ulbd": "open_laminectomy",
    "mis_tlif": "open_fusion",
    "llif_xlif": "open_fusion",
    "olif": "open_fusion",
}


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    patients: int
    episodes: int
    alerts: int
    sign_ins: tuple[tuple[str, str], ...]


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([value for value, _ in mix], weights=[w for _, w in mix])[0]


def _sign_ins() -> tuple[tuple[str, str], ...]:
    wanted = [
        ("surgeon", "surgeon@north.demo"),
        ("nurse", "nurse@north.demo"),
        ("coordinator", "coordinator@north.demo"),
        ("nurse", "nurse@south.demo"),
        ("analyst", "analyst@north.demo"),
        ("admin", "admin@north.demo"),
        ("patient", "patient@demo.example"),
        ("caregiver", "caregiver@demo.example"),
    ]
    existing = set(
        User.objects.filter(email__in=[e for _, e in wanted]).values_list("email", flat=True)
    )
    return tuple((role, email) for role, email in wanted if email in existing)


def _summary(created: bool) -> DemoSummary:
    sites = Site.objects.filter(code__in=[code for code, _ in DEMO_SITES])
    return DemoSummary(
        created=created,
        patients=Patient.objects.filter(site__in=sites).count(),
        episodes=Episode.objects.filter(patient__site__in=sites).count(),
        alerts=Alert.objects.filter(site__in=sites, status=AlertStatus.OPEN).count(),
        sign_ins=_sign_ins(),
    )


def load_demo(*, patients: int = 120, progress: bool = False, seed: int = 20261123) -> DemoSummary:
    if Site.objects.filter(code=DEMO_SITES[0][0]).exists():
        return _summary(created=False)
    rng = random.Random(seed)
    with transaction.atomic():
        staff = _make_staff()
        with tqdm(total=patients, desc="demo patients", disable=not progress, unit="pt") as bar:
            for index in range(patients):
                site_code = DEMO_SITES[index % 2][0]
                _make_patient_journey(rng, staff[site_code], index)
                bar.update()
        _make_portal_users(staff)
    return _summary(created=True)


def _user(email: str, role: str, name: str, site: Site | None, *, password: bool = True) -> User:
    if password:
        return do_create_user(
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            full_name=name,
            site=site,
            check_password=False,
        )
    return User.objects.create_user(email=email, role=role, full_name=name, site=site)


def _make_staff() -> dict[str, dict[str, Any]]:
    staff: dict[str, dict[str, Any]] = {}
    surgeon_names = {
        "demo-north": ["Ms Helen Okoye", "Mr Tomas Reyes", "Dr Anika Sharma"],
        "demo-south": ["Mr David Lindqvist", "Ms Rachel Adeyemi", "Dr Kenji Watanabe"],
    }
    nurse_names = {
        "demo-north": ["Nurse Sam Porter", "Nurse Lucy Chen", "Nurse Omar Haddad"],
        "demo-south": ["Nurse Beth Morgan", "Nurse Ravi Iyer", "Nurse Claire Dubois"],
    }
    for code, name in DEMO_SITES:
        site = Site.objects.create(code=code, name=name)
        short = code.split("-")[1]
        surgeons = [
            _user(
                f"surgeon@{short}.demo" if i == 0 else f"surgeon{i + 1}@{short}.demo",
                Role.SURGEON,
                n,
                site,
            )
            for i, n in enumerate(surgeon_names[code])
        ]
        nurses = [
            _user(
                f"nurse@{short}.demo" if i == 0 else f"nurse{i + 1}@{short}.demo",
                Role.NURSE,
                n,
                site,
            )
            for i, n in enumerate(nurse_names[code])
        ]
        coordinator = _user(f"coordinator@{short}.demo", Role.COORDINATOR, "Jo Coordinator", site)
        team = CareTeam.objects.create(site=site, name=f"{name} recovery team")
        for nurse in nurses:
            do_add_care_team_member(team=team, user=nurse, escalation_order=1)
        for surgeon in surgeons:
            do_add_care_team_member(team=team, user=surgeon, escalation_order=2)
        staff[code] = {
            "site": site,
            "surgeons": surgeons,
            "nurses": nurses,
            "coordinator": coordinator,
            "team": team,
        }
    north = staff["demo-north"]["site"]
    _user("analyst@north.demo", Role.ANALYST, "Registry Analyst", north)
    _user("admin@north.demo", Role.ADMIN, "Clinic Administrator", north)
    return staff


def _finding(level: str, **overrides: Any) -> dict[str, Any]:
    """A fully reported MRI level: every finding recorded, "none" unless said otherwise."""
    return {
        "level": level,
        "herniation": "none",
        "migration": "none",
        "central_stenosis": "none",
        "lateral_recess_stenosis": "none",
        "foraminal_stenosis": "none",
        "slip_percent": 0.0,
        "instability": False,
        "fracture": False,
        "deformity": False,
        "posterior_wall_disrupted": False,
        "retropulsion": False,
        **overrides,
    }


def _case(rng: random.Random, condition: str, age: int) -> dict[str, Any]:
    """A candidacy case as the assessment form would produce it."""
    weeks = rng.choice([4, 8, 10, 12, 16, 26, 40])
    level = rng.choices(["L3-L4", "L4-L5", "L5-S1"], weights=[0.15, 0.5, 0.35])[0]
    case: dict[str, Any] = {
        "condition": condition,
        "red_flags": [],
        "dominant_symptom": "leg_pain",
        "side": rng.choice(["left", "right"]),
        "level": level,
        "symptom_weeks": weeks + rng.randint(0, 8),
        "conservative_care": [
            {"kind": "medication", "weeks": weeks, "response": rng.choice(["none", "partial"])},
            {"kind": "physiotherapy", "weeks": max(1, weeks - 2), "response": "partial"},
        ],
        "neurological_deficit": rng.choices(["none", "stable"], weights=[0.8, 0.2])[0],
        "disabling_pain": False,
        "imaging_concordant": rng.random() > 0.05,
        "imaging": [
            _finding(
                level,
                herniation="extrusion",
                herniation_zone=rng.choice(["paracentral", "paracentral", "foraminal"]),
            )
        ],
        "age": age,
        "bmi": round(rng.uniform(21, 37), 1),
        "asa_class": rng.choices([1, 2, 3], weights=[0.25, 0.55, 0.2])[0],
        "smoker": rng.random() < 0.18,
        "diabetes": rng.random() < 0.12,
        "anticoagulated": rng.random() < 0.07,
        "osteoporosis": rng.random() < 0.1,
        "prior_surgery_at_level": False,
    }
    if condition == Condition.LUMBAR_SPINAL_STENOSIS:
        case["dominant_symptom"] = "neurogenic_claudication"
        case["side"] = "bilateral"
        case["imaging"] = [
            _finding(level, central_stenosis="severe", lateral_recess_stenosis="moderate")
        ]
    if condition == Condition.DEGENERATIVE_SPONDYLOLISTHESIS:
        case["dominant_symptom"] = "neurogenic_claudication"
        case["imaging"] = [
            _finding(
                level,
                central_stenosis="moderate",
                lateral_recess_stenosis="moderate",
                slip_percent=float(rng.choice([12, 18, 24, 30, 35, 45])),
                instability=rng.random() < 0.6,
            )
        ]
    if condition == Condition.VERTEBRAL_COMPRESSION_FRACTURE:
        case["dominant_symptom"] = "fracture_pain"
        case["osteoporosis"] = True
        case["side"] = "central"
        case["level"] = "L1-L2"
        case["imaging"] = [_finding("L1-L2", fracture=True)]
    return case


def _odi_answers(rng: random.Random, severity: float) -> list[int | None]:
    """Ten ODI sections around a disability level (0 best … 1 worst)."""
    return [max(0, min(5, round(rng.gauss(severity * 5, 0.9)))) for _ in range(10)]


def _make_patient_journey(rng: random.Random, staff: dict[str, Any], index: int) -> None:
    nurse = rng.choice(staff["nurses"])
    surgeon = rng.choice(staff["surgeons"])
    stage = _pick(rng, STAGE_MIX)
    condition = _pick(rng, CONDITION_MIX)
    age = (
        rng.randint(28, 84)
        if condition != Condition.VERTEBRAL_COMPRESSION_FRACTURE
        else rng.randint(62, 90)
    )
    today = timezone.localdate()
    born = today - timedelta(days=age * 365 + rng.randint(0, 364))
    patient = do_create_patient(
        actor=nurse,
        given_name=rng.choice(GIVEN),
        family_name=rng.choice(FAMILY),
        date_of_birth=born,
        sex=rng.choice(["female", "male"]),
        mrn=f"{staff['site'].code[5:].upper()}{100000 + index}",
        email="",
        phone="",
    )
    episode = do_create_episode(
        actor=nurse,
        patient=patient,
        condition=condition,
        care_team=staff["team"],
        lead_surgeon=surgeon,
    )
    days_ago = {
        Stage.INTAKE: rng.randint(0, 10),
        Stage.ASSESSED: rng.randint(5, 30),
        Stage.SURGERY: 0,
        Stage.RECOVERY: rng.randint(1, 80),
        Stage.CLOSED: rng.randint(120, 400),
    }[stage]
    surgery_day = today - timedelta(days=days_ago)
    opened = _at(surgery_day - timedelta(days=rng.randint(20, 60)), 9)
    Episode.objects.filter(pk=episode.pk).update(opened_at=opened)
    if stage == Stage.INTAKE:
        return

    case = _case(rng, condition, age)
    assessment = do_record_assessment(actor=surgeon, episode=episode, case=case)
    Assessment.objects.filter(pk=assessment.pk).update(assessed_at=opened + timedelta(days=7))
    baseline = rng.uniform(0.35, 0.7)
    do_record_response(
        actor=nurse,
        episode=episode,
        instrument_id="odi",
        timepoint="baseline",
        answers=_odi_answers(rng, baseline),
    )
    options = assessment.recommendation.get("options") or []
    if stage == Stage.ASSESSED or not options:
        if assessment.pathway and rng.random() < 0.6:
            do_decide_assessment(actor=surgeon, assessment=assessment, accept=True)
        return
    do_decide_assessment(actor=surgeon, assessment=assessment, accept=True)

    procedure = options[0]["procedure"]
    approach = "miss"
    if procedure in OPEN_ALTERNATIVE and rng.random() < 0.25:
        procedure, approach = OPEN_ALTERNATIVE[procedure], "open"
    elif options[0]["approach"] == "open":
        approach = "open"
    fusion = "fusion" in procedure or procedure in {"mis_tlif", "llif_xlif", "olif"}
    start = (
        timezone.now() - timedelta(hours=rng.randint(2, 5))
        if stage == Stage.SURGERY
        else _at(surgery_day, rng.choice([8, 9, 10, 11, 13]))
    )
    is_miss = approach == "miss"
    case = do_record_surgery(
        actor=surgeon,
        episode=episode,
        procedure=procedure,
        approach=approach,
        conversion_reason="",
        level=case["level"],
        side=rng.choice(["left", "right", "bilateral"]),
        surgery_start=start,
        incision_length_mm=rng.randint(18, 30) if is_miss else rng.randint(50, 120),
        estimated_blood_loss_ml=int(
            max(5, rng.gauss(60 if is_miss else 330, 25 if is_miss else 90)) * (2 if fusion else 1)
        ),
        operative_minutes=int(max(35, rng.gauss(150 if fusion else 75, 25))),
        fluoroscopy_seconds=rng.randint(20, 120) if is_miss else rng.randint(5, 40),
        durotomy=rng.random() < 0.03,
        intraoperative_events="",
        asa_class=case["asa_class"],
    )
    aldrete = {"activity": 2, "respiration": 2, "circulation": 2, "consciousness": 2}
    if stage == Stage.SURGERY:
        # Today's list: some still in the recovery room, some on the ward, some ready.
        progress = index % 3
        do_record_pacu_assessment(
            actor=nurse, case=case, scores={**aldrete, "oxygen_saturation": 1 if progress else 0}
        )
        if progress:
            _readiness(case, nurse, ready=progress == 2)
        return

    do_record_pacu_assessment(actor=nurse, case=case, scores={**aldrete, "oxygen_saturation": 2})
    _readiness(case, nurse, ready=False)
    _readiness(case, nurse, ready=True)
    stay_hours = (
        rng.choice([4, 5, 6, 7]) if is_miss and not fusion else rng.choice([22, 26, 50, 75])
    )
    do_discharge(
        actor=nurse, case=case, now=min(start + timedelta(hours=stay_hours), timezone.now())
    )
    if rng.random() < 0.6:
        do_update_discharge_plan(
            actor=nurse,
            plan=case.plan,
            medicines=[
                {"drug": "paracetamol", "dose_mg": 1000.0, "doses_per_day": 4.0, "days": 7},
                {
                    "drug": "oxycodone",
                    "strength_mg": 5.0,
                    "dose_mg": 5.0,
                    "doses_per_day": 4.0,
                    "days": rng.choice([3, 5]),
                    "as_needed": True,
                },
            ],
            staff_notes="",
        )
    _recovery(rng, episode, patient, nurse, stage, surgery_day, days_ago, baseline, is_miss)


def _readiness(case: SurgicalCase, nurse: User, *, ready: bool) -> None:
    mpadss = {
        "vital_signs": 2,
        "ambulation": 2 if ready else 1,
        "nausea_vomiting": 2,
        "pain": 2 if ready else 1,
        "surgical_bleeding": 2,
    }
    checklist = {
        "ambulating": ready,
        "voided": ready,
        "tolerating_oral": True,
        "pain_controlled_oral": ready,
        "neuro_unchanged": True,
        "wound_dry": True,
        "no_orthostatic_intolerance": True,
        "responsible_adult": True,
    }
    do_record_discharge_assessment(actor=nurse, case=case, mpadss=mpadss, checklist=checklist)


def _recovery(
    rng: random.Random,
    episode: Episode,
    patient: Patient,
    nurse: User,
    stage: str,
    surgery_day: date,
    days_ago: int,
    baseline: float,
    is_miss: bool,
) -> None:
    reporter = User.objects.create_user(
        email=f"p-{patient.public_id.hex[:12]}@patients.demo", role=Role.PATIENT
    )
    Patient.objects.filter(pk=patient.pk).update(user=reporter)
    on_opioids = bool(episode.surgical_case.plan.medicines)
    # Six days of daily check-ins: the latest ones (up to today) while recovering.
    last_day = days_ago if stage == Stage.RECOVERY else min(days_ago, 14)
    for day in range(max(1, last_day - 5), last_day + 1):
        when = min(_at(surgery_day + timedelta(days=day), 8 + day % 12), timezone.now())
        red_flag = rng.random() < 0.025
        wound = rng.choices(["dry", "redness", "discharge"], weights=[0.86, 0.1, 0.04])[0]
        fever = rng.random() < 0.04
        # Oxycodone 5 mg tablets, fewer each day; a few patients keep taking the same.
        tablets = max(0, (4 if on_opioids else 0) - (day // 2 if rng.random() < 0.9 else 0))
        result = do_submit_checkin(
            now=when,
            actor=reporter,
            episode=episode,
            back_pain=max(0, min(10, round(rng.gauss(6 - day * 0.3, 1.2)))),
            leg_pain=max(0, min(10, round(rng.gauss(5 - day * 0.35, 1.2)))),
            wound=wound,
            temperature_c=Decimal("38.3")
            if fever
            else Decimal(str(round(rng.gauss(36.8, 0.3), 1))),
            walking_minutes=min(240, 10 + day * rng.randint(4, 9)),
            bladder_change=red_flag and rng.random() < 0.3,
            new_leg_weakness=red_flag,
            analgesics=[{"drug": "oxycodone", "strength_mg": 5.0, "count": tablets}]
            if on_opioids
            else None,
            milestones_reached=["physio_start"] if day >= 7 and rng.random() < 0.5 else (),
        )
        for alert in result.alerts:
            Alert.objects.filter(pk=alert.pk, raised_at__gt=when).update(raised_at=when)
            alert.refresh_from_db()
            age_days = (timezone.localdate() - when.date()).days
            if age_days > 3 and alert.status != AlertStatus.RESOLVED:
                do_resolve_alert(
                    actor=nurse, alert=alert, outcome="advice_given", resolution="Phoned"
                )
            elif age_days > 1 and alert.status == AlertStatus.OPEN:
                do_acknowledge_alert(actor=nurse, alert=alert)
    gain = 0.55 if is_miss else 0.45
    for timepoint, after in (("2w", 14), ("6w", 42), ("3m", 91), ("12m", 365)):
        if days_ago >= after:
            do_record_response(
                actor=nurse,
                episode=episode,
                instrument_id="odi",
                timepoint=timepoint,
                answers=_odi_answers(rng, max(0.02, baseline * (1 - gain * min(1, after / 91)))),
            )
    if rng.random() < (0.05 if is_miss else 0.12):
        do_record_complication(
            actor=nurse,
            episode=episode,
            description=rng.choice(
                [
                    "Superficial wound infection treated with antibiotics",
                    "Urinary retention",
                    "CSF leak managed with bed rest",
                ]
            ),
            onset_date=surgery_day + timedelta(days=min(days_ago, rng.randint(2, 12))),
            clavien_dindo=rng.choice(["I", "II"]),
            related_to_surgery=True,
        )
    if stage == Stage.CLOSED:
        Episode.objects.filter(pk=episode.pk).update(
            stage=Stage.CLOSED, closed_at=_at(surgery_day + timedelta(days=365), 12)
        )


def _make_portal_users(staff: dict[str, dict[str, Any]]) -> None:
    """Give one recovering patient a known sign-in, and a caregiver for another."""
    site = staff["demo-north"]["site"]
    recovering = list(
        Patient.objects.filter(site=site, episodes__stage=Stage.RECOVERY).order_by("id")[:2]
    )
    if not recovering:
        return
    first = recovering[0]
    account = first.user
    if account is not None:
        account.email = "patient@demo.example"
        account.full_name = first.display_name
        account.set_password(DEMO_PASSWORD)
        account.save()
    caregiver = _user("caregiver@demo.example", Role.CAREGIVER, "Demo Caregiver", None)
    do_link_caregiver(patient=recovering[-1], caregiver=caregiver, relationship="partner")


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, _minute(day)))


def _minute(day: date) -> int:
    """A minute that varies by day, so demo times do not all read :00."""
    return (day.toordinal() * 7) % 60
