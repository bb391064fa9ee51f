from __future__ import annotations

import pytest

from spinepath.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_users_and_sites_but_not_patients(client, site, patient):
    admin = UserFactory(role=Role.ADMIN, site=site, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/site/").status_code == 200
    assert client.get("/admin/accounts/careteam/add/").status_code == 200
    assert client.get("/admin/patients/patient/").status_code == 404
    assert client.get(f"/admin/patients/patient/{patient.pk}/change/").status_code == 404


def test_clinical_staff_cannot_open_the_admin(client, nurse):
    client.force_login(nurse)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
