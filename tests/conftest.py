"""Shared fixtures. Django-dependent imports are inside the fixtures, so the pure
clinical tests also run with ``-p no:django``."""

from __future__ import annotations

import pytest


@pytest.fixture
def site():
    from tests.factories import SiteFactory

    return SiteFactory(code="north", name="North Spine Centre")


@pytest.fixture
def other_site():
    from tests.factories import SiteFactory

    return SiteFactory(code="south", name="South Spine Centre")


@pytest.fixture
def surgeon(site):
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.SURGEON, site=site, email="surgeon@example.org")


@pytest.fixture
def nurse(site):
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.NURSE, site=site, email="nurse@example.org")


@pytest.fixture
def other_nurse(other_site):
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.NURSE, site=other_site, email="nurse@south.example.org")


@pytest.fixture
def analyst(site):
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.ANALYST, site=site, email="analyst@example.org")


@pytest.fixture
def care_team(site, nurse):
    from tests.factories import CareTeamFactory, add_member

    team = CareTeamFactory(site=site, name="Spine day unit")
    add_member(team, nurse, 1)
    return team


@pytest.fixture
def patient_user():
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.PATIENT, site=None, email="patient@example.org")


@pytest.fixture
def patient(site, patient_user):
    from tests.factories import PatientFactory

    return PatientFactory(site=site, user=patient_user)


@pytest.fixture
def episode(patient, care_team):
    from tests.factories import EpisodeFactory

    return EpisodeFactory(patient=patient, care_team=care_team, stage="recovery")


@pytest.fixture
def other_patient(other_site):
    from spinepath.accounts.models import Role
    from tests.factories import PatientFactory, UserFactory

    other_user = UserFactory(role=Role.PATIENT, site=None, email="other.patient@example.org")
    return PatientFactory(site=other_site, user=other_user)
