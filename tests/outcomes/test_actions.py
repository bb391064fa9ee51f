"""The follow-up actions on their own: windows on the site's calendar, refusals that write
nothing, and call outcomes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from spinepath.errors import ActionError
from spinepath.outcomes.actions import (
    do_complete_scheduled_questionnaire,
    do_record_follow_up_call,
)
from spinepath.outcomes.models import (
    FollowUpCall,
    QuestionnaireResponse,
    ScheduledQuestionnaire,
    ScheduledStatus,
)
from tests.factories import EpisodeFactory, PatientFactory, SiteFactory, UserFactory
from tests.outcomes.conftest import at, rows_at, schedule

pytestmark = pytest.mark.django_db

SYDNEY = "Australia/Sydney"
SURGERY = date(2026, 3, 2)  # 2w window: 12-23 March


@pytest.fixture
def far_leg():
    site = SiteFactory(code="syd", name="Sydney Spine", time_zone=SYDNEY)
    user = UserFactory(role="patient", site=None, email="far@example.org")
    episode = EpisodeFactory(patient=PatientFactory(site=site, user=user), stage="recovery")
    schedule(episode, SURGERY)
    return next(r for r in rows_at(episode, "2w") if r.instrument == "nrs-leg")


def complete(row, now, answers=(4,)):
    return do_complete_scheduled_questionnaire(
        actor=row.episode.patient.user, scheduled=row, answers=list(answers), now=now
    )


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (at(date(2026, 3, 11), 23, 59, SYDNEY), "opens on 12 March 2026"),
        (at(date(2026, 3, 24), 0, 0, SYDNEY), "closed on 23 March 2026"),
    ],
)
def test_the_window_is_the_sites_calendar_and_refusals_write_nothing(far_leg, now, message):
    with pytest.raises(ActionError) as refused:
        complete(far_leg, now)
    assert refused.value.status == 409 and message in refused.value.message
    far_leg.refresh_from_db()
    assert far_leg.status == ScheduledStatus.DUE and far_leg.response is None
    assert not QuestionnaireResponse.objects.exists()


@pytest.mark.parametrize(
    "now",
    [at(date(2026, 3, 12), 0, 0, SYDNEY), at(date(2026, 3, 23), 23, 59, SYDNEY)],
)
def test_first_and_last_minute_of_the_window_are_accepted(far_leg, now):
    response = complete(far_leg, now)
    assert response.submitted_at == now and response.timepoint == "2w"
    far_leg.refresh_from_db()
    assert far_leg.status == ScheduledStatus.COMPLETED and far_leg.response == response


def test_missed_and_completed_rows_are_refused_with_409(far_leg):
    complete(far_leg, at(date(2026, 3, 15), 10, 0, SYDNEY))
    with pytest.raises(ActionError, match="already been answered") as refused:
        complete(far_leg, at(date(2026, 3, 15), 11, 0, SYDNEY))
    assert refused.value.status == 409
    other = next(r for r in rows_at(far_leg.episode, "2w") if r.instrument == "nrs-back")
    ScheduledQuestionnaire.objects.filter(pk=other.pk).update(status=ScheduledStatus.MISSED)
    with pytest.raises(ActionError, match="can no longer be answered"):
        complete(other, at(date(2026, 3, 15), 11, 0, SYDNEY))
    assert QuestionnaireResponse.objects.count() == 1


def test_invalid_answers_write_nothing(far_leg):
    with pytest.raises(ActionError) as refused:
        complete(far_leg, at(date(2026, 3, 15), 10, 0, SYDNEY), answers=(11,))
    assert refused.value.field == "answers"
    far_leg.refresh_from_db()
    assert far_leg.status == ScheduledStatus.DUE
    assert not QuestionnaireResponse.objects.exists()


def test_a_not_scorable_response_still_completes_the_row(far_leg):
    response = complete(far_leg, at(date(2026, 3, 15), 10, 0, SYDNEY), answers=(None,))
    assert response.scorable is False and response.score is None
    assert response.not_scorable_reason == "nrs-leg not answered"
    far_leg.refresh_from_db()
    assert far_leg.status == ScheduledStatus.COMPLETED


def test_call_outcomes_are_checked(far_leg, nurse):
    for outcome, notes, field in [("lost", "", "outcome"), ("other", "x" * 1001, "notes")]:
        with pytest.raises(ActionError) as refused:
            do_record_follow_up_call(actor=nurse, scheduled=far_leg, outcome=outcome, notes=notes)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        do_record_follow_up_call(
            actor=far_leg.episode.patient.user, scheduled=far_leg, outcome="declined"
        )
    assert not FollowUpCall.objects.exists()
    call = do_record_follow_up_call(
        actor=nurse, scheduled=far_leg, outcome="declined", notes="x" * 1000
    )
    assert (call.episode_id, call.timepoint, len(call.notes)) == (far_leg.episode_id, "2w", 1000)
