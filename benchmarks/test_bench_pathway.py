"""Performance suite (make bench). Figures go to docs/performance.md; never asserted in make test."""

from __future__ import annotations

import pytest

from spinepath.clinical.candidacy import CaseFacts, Deficit, evaluate
from spinepath.clinical.triage import CheckInFacts, Wound, triage_checkin

CASE = CaseFacts(
    condition="degenerative_spondylolisthesis",
    symptom_weeks=20,
    conservative_care_weeks=12,
    neurological_deficit=Deficit.NONE,
    imaging_concordant=True,
    level="L5-S1",
    slip_percent=22,
    instability=True,
    osteoporosis=True,
    asa_class=2,
    bmi=29.0,
)


def test_candidacy_evaluation(benchmark) -> None:
    result = benchmark(evaluate, CASE)
    assert result.options


def test_checkin_triage(benchmark) -> None:
    facts = CheckInFacts(
        back_pain=6, leg_pain=4, wound=Wound.REDNESS, temperature_c=38.3, bladder_change=True
    )
    assert benchmark(triage_checkin, facts)


@pytest.mark.django_db
def test_worklist_page_with_200_open_alerts(benchmark, client, nurse, care_team) -> None:
    from tests.factories import EpisodeFactory, PatientFactory, UserFactory

    from spinepath.recovery.actions import do_submit_checkin

    for _ in range(200):
        user = UserFactory(role="patient", site=None)
        episode = EpisodeFactory(
            patient=PatientFactory(site=nurse.site, user=user),
            care_team=care_team,
            stage="recovery",
        )
        do_submit_checkin(
            actor=user, episode=episode, back_pain=5, leg_pain=5, wound="dry", bladder_change=True
        )
    client.force_login(nurse)
    response = benchmark(client.get, "/clinic/")
    assert response.status_code == 200
