from __future__ import annotations

import pytest

from spinepath.accounts.models import User
from spinepath.demo_data import DEMO_PASSWORD, load_demo
from spinepath.patients.models import Episode, Patient
from spinepath.recovery.models import Alert

pytestmark = pytest.mark.django_db


def test_demo_covers_every_stage_and_a_second_run_duplicates_nothing():
    first = load_demo(patients=60)
    assert first.created and first.patients == 60 and first.episodes == 60
    stages = set(Episode.objects.values_list("stage", flat=True))
    assert stages == {"intake", "assessed", "surgery", "recovery", "closed"}
    assert Alert.objects.filter(status="open").exists()
    assert Alert.objects.filter(status="resolved").exists()
    assert {role for role, _ in first.sign_ins} >= {
        "surgeon",
        "nurse",
        "patient",
        "caregiver",
        "analyst",
    }
    for _, email in first.sign_ins:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)

    counts = (User.objects.count(), Patient.objects.count(), Alert.objects.count())
    second = load_demo(patients=60)
    assert not second.created
    assert (User.objects.count(), Patient.objects.count(), Alert.objects.count()) == counts


def test_demo_sign_ins_reach_their_pages(client):
    load_demo(patients=40)
    for email, page in [
        ("nurse@north.demo", "/clinic/"),
        ("patient@demo.example", "/me/"),
        ("analyst@north.demo", "/registry/"),
    ]:
        client.post("/accounts/login/", {"username": email, "password": DEMO_PASSWORD})
        assert client.get(page).status_code == 200
        client.post("/accounts/logout/")
