"""Home recovery: a full check-in (painkillers, triage with trend and opioid rules) and
the progress pages with their server-rendered charts."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone
from tests.factories import SurgicalCaseFactory

from spinepath.recovery.actions import do_submit_checkin
from spinepath.surgery.plans import do_create_discharge_plan, do_update_discharge_plan

pytestmark = pytest.mark.django_db

OXY = {
    "drug": "oxycodone",
    "strength_mg": 5,
    "dose_mg": 5,
    "doses_per_day": 4,
    "days": 5,
    "as_needed": True,
}


@pytest.fixture
def recovering(episode, surgeon):
    """Operated 30 days ago, with a plan and 30 daily check-ins behind it."""
    start = timezone.now() - timedelta(days=30)
    case = SurgicalCaseFactory(
        episode=episode, surgeon=surgeon, recorded_by=surgeon, surgery_start=start
    )
    plan = do_create_discharge_plan(actor=surgeon, case=case)
    do_update_discharge_plan(actor=surgeon, plan=plan, medicines=[OXY], staff_notes="")
    for day in range(1, 30):
        do_submit_checkin(
            actor=episode.patient.user,
            episode=episode,
            back_pain=max(0, 6 - day // 5),
            leg_pain=max(0, 5 - day // 5),
            wound="dry",
            walking_minutes=10 + day * 3,
            analgesics=[{"drug": "oxycodone", "strength_mg": 5, "count": max(0, 4 - day // 3)}],
            now=start + timedelta(days=day, hours=9),
        )
    return episode


def test_checkin_with_painkillers_and_30_days_of_history(benchmark, recovering) -> None:
    minutes = count()

    def submit() -> None:
        do_submit_checkin(
            actor=recovering.patient.user,
            episode=recovering,
            back_pain=2,
            leg_pain=1,
            wound="dry",
            walking_minutes=90,
            analgesics=[{"drug": "oxycodone", "strength_mg": 5, "count": 1}],
            now=timezone.now() + timedelta(minutes=next(minutes)),
        )

    benchmark(submit)


def test_patient_progress_page(benchmark, client, recovering) -> None:
    client.force_login(recovering.patient.user)
    client.get("/me/progress/")  # the chart renderer starts once per process

    def page() -> None:
        assert client.get("/me/progress/").status_code == 200

    benchmark(page)


def test_clinic_recovery_page(benchmark, client, nurse, recovering) -> None:
    client.force_login(nurse)
    url = f"/clinic/episodes/{recovering.public_id}/recovery/"
    client.get(url)

    def page() -> None:
        assert client.get(url).status_code == 200

    benchmark(page)


def test_patient_progress_page_after_new_data(benchmark, client, recovering) -> None:
    """The first view after a check-in: every chart rendered afresh."""
    from spinepath.charts import _svg

    client.force_login(recovering.patient.user)
    client.get("/me/progress/")

    def page() -> None:
        _svg.cache_clear()
        assert client.get("/me/progress/").status_code == 200

    benchmark(page)


@pytest.fixture
def many_monitored(nurse, care_team, site):
    """300 patients at home: monitored, with a follow-up schedule whose 2-week point is due."""
    from tests.factories import EpisodeFactory, PatientFactory, UserFactory

    from spinepath.outcomes.actions import do_schedule_follow_up
    from spinepath.recovery.models import Monitoring

    today = timezone.localdate()
    for index in range(300):
        user = UserFactory(role="patient", site=None, email=f"bench{index}@example.org")
        patient = PatientFactory(site=site, user=user)
        episode = EpisodeFactory(patient=patient, care_team=care_team, stage="recovery")
        Monitoring.objects.create(
            episode=episode,
            enrolled_at=timezone.now() - timedelta(days=20),
            enrolled_by=nurse,
            first_checkin_due=timezone.now() - timedelta(days=19),
        )
        # Due 2 to 6 days ago, window still open: on the overdue queue.
        do_schedule_follow_up(episode=episode, surgery_date=today - timedelta(days=16 + index % 5))


def test_follow_up_queue_with_300_overdue_patients(benchmark, client, nurse, many_monitored):
    client.force_login(nurse)

    def page() -> None:
        assert client.get("/clinic/follow-up/").status_code == 200

    benchmark(page)


def test_worker_reminder_tasks_over_300_monitored_patients(benchmark, many_monitored) -> None:
    """A tick's reminder work once the day's messages are queued (the steady state)."""
    from spinepath.outcomes.tasks import send_follow_up_reminders
    from spinepath.recovery.reminders import queue_checkin_reminders

    later = timezone.now().replace(hour=12)
    queue_checkin_reminders(now=later)
    send_follow_up_reminders(now=later)

    def tick() -> None:
        queue_checkin_reminders(now=later)
        send_follow_up_reminders(now=later)

    benchmark(tick)
