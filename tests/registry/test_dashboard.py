from __future__ import annotations

import pytest

from tests.factories import EpisodeFactory, SurgicalCaseFactory

pytestmark = pytest.mark.django_db


def test_analyst_sees_aggregates_without_names(client, analyst, patient):
    SurgicalCaseFactory(
        episode=EpisodeFactory(patient=patient, stage="surgery"), estimated_blood_loss_ml=50
    )
    client.force_login(analyst)
    response = client.get("/registry/")
    assert response.status_code == 200
    assert b"miss" in response.content
    assert patient.family_name.encode() not in response.content


def test_clinical_staff_and_patients_cannot_open_the_registry(client, nurse, patient):
    client.force_login(nurse)
    assert client.get("/registry/").status_code == 403
    client.force_login(patient.user)
    assert client.get("/registry/").status_code == 403
