"""Who may read which patient: the one rule, through the guards, with its log."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404

from spinepath.accounts.models import Role
from spinepath.audit.context import RequestOrigin, reset_origin, set_origin
from spinepath.audit.models import AccessLog, AppendOnlyError
from spinepath.patients.access import access_episode, access_patient, patients_visible_to
from tests.factories import EpisodeFactory, PatientFactory, UserFactory, link_caregiver

pytestmark = pytest.mark.django_db


def test_staff_read_patients_of_their_site_and_the_read_is_logged(nurse, patient):
    token = set_origin(RequestOrigin(channel="web", ip_address="10.1.2.3", request_id="r1"))
    try:
        assert access_patient(nurse, patient.public_id, purpose="care") == patient
    finally:
        reset_origin(token)
    row = AccessLog.objects.get()
    assert row.outcome == "granted"
    assert row.user_public_id == nurse.public_id
    assert row.role == "nurse"
    assert row.patient_public_id == patient.public_id
    assert row.ip_address == "10.1.2.3"
    assert row.purpose == "care"
    assert row.channel == "web"


def test_staff_of_another_site_get_404_and_a_denied_log_row(other_nurse, patient):
    with pytest.raises(Http404):
        access_patient(other_nurse, patient.public_id, purpose="care")
    row = AccessLog.objects.get()
    assert row.outcome == "denied"
    assert row.patient_public_id == patient.public_id


def test_patient_reads_only_their_own_record(patient, other_patient):
    assert access_patient(patient.user, patient.public_id, purpose="self") == patient
    with pytest.raises(Http404):
        access_patient(patient.user, other_patient.public_id, purpose="self")


def test_caregiver_reads_only_linked_patients(patient, other_patient):
    caregiver = UserFactory(role=Role.CAREGIVER, site=None)
    link_caregiver(patient, caregiver)
    assert access_patient(caregiver, patient.public_id, purpose="proxy") == patient
    with pytest.raises(Http404):
        access_patient(caregiver, other_patient.public_id, purpose="proxy")


def test_analysts_and_inactive_users_read_no_patient(analyst, patient, nurse):
    with pytest.raises(Http404):
        access_patient(analyst, patient.public_id, purpose="curious")
    nurse.is_active = False
    nurse.save()
    with pytest.raises(Http404):
        access_patient(nurse, patient.public_id, purpose="care")


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", "12", "00000000-0000-0000-0000-000000000000"])
def test_malformed_or_unknown_ids_are_404_and_not_echoed_into_the_log(nurse, bad_id):
    with pytest.raises(Http404):
        access_episode(nurse, bad_id, purpose="care")
    row = AccessLog.objects.get()
    assert row.outcome == "denied"
    assert bad_id not in {"not-a-uuid", "12"} or row.object_id == "malformed"


def test_visibility_queryset_matches_the_guard(site, other_site, nurse):
    mine = PatientFactory.create_batch(3, site=site)
    PatientFactory.create_batch(2, site=other_site)
    assert set(patients_visible_to(nurse)) == set(mine)


def test_episode_guard_follows_the_patient(nurse, other_nurse, patient):
    episode = EpisodeFactory(patient=patient)
    assert access_episode(nurse, episode.public_id, purpose="care") == episode
    with pytest.raises(Http404):
        access_episode(other_nurse, episode.public_id, purpose="care")


def test_access_log_is_append_only(nurse, patient):
    access_patient(nurse, patient.public_id, purpose="care")
    row = AccessLog.objects.get()
    row.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    # Bulk updates bypass the model; the database trigger refuses them too.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(purpose="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.get(pk=row.pk).purpose == "care"


def test_a_stale_copy_never_moves_the_stage_backwards(patient):
    from spinepath.patients.actions import do_advance_stage
    from spinepath.patients.models import Episode, Stage

    episode = EpisodeFactory(patient=patient, stage=Stage.INTAKE)
    stale = Episode.objects.get(pk=episode.pk)
    do_advance_stage(episode, Stage.RECOVERY)
    do_advance_stage(stale, Stage.ASSESSED)
    episode.refresh_from_db()
    assert episode.stage == Stage.RECOVERY


def test_clinical_condition_list_matches_the_episode_choices():
    # The clinical core cannot import Django, so it keeps its own copy of the list.
    from spinepath.clinical.candidacy.facts import CONDITIONS
    from spinepath.patients.models import Condition

    assert tuple(CONDITIONS) == tuple(Condition.values)
