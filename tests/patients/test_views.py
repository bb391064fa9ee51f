from __future__ import annotations

import pytest

from spinepath.audit.models import AccessLog
from spinepath.patients.models import Episode, Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/clinic/", "/clinic/patients/", "/me/", "/me/checkin/", "/registry/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_surgeon_registers_a_patient_and_opens_an_episode(client, surgeon, care_team):
    client.force_login(surgeon)
    response = client.post(
        "/clinic/patients/new/",
        {
            "given_name": "Rosa",
            "family_name": "Diaz",
            "date_of_birth": "1971-03-02",
            "sex": "female",
            "mrn": "N123456",
            "email": "rosa@example.org",
            "phone": "",
        },
    )
    patient = Patient.objects.get(mrn="N123456")
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/patients/{patient.public_id}/"
    # Neither the name nor the MRN appears in the URL.
    assert "Diaz" not in response["Location"] and "N123456" not in response["Location"]
    response = client.post(
        f"/clinic/patients/{patient.public_id}/episodes/new/",
        {
            "condition": "lumbar_disc_herniation",
            "care_team": care_team.pk,
            "lead_surgeon": surgeon.pk,
        },
    )
    episode = Episode.objects.get(patient=patient)
    assert response["Location"] == f"/clinic/episodes/{episode.public_id}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Lumbar disc herniation" in page.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", b"in the future"),
        ("date_of_birth", "yesterday", b"Enter a valid date"),
        ("sex", "dragon", b"Select a valid choice"),
        ("given_name", "", b"This field is required"),
    ],
)
def test_bad_patient_input_shows_the_field_error_and_saves_nothing(
    client, nurse, field, value, message
):
    client.force_login(nurse)
    data = {"given_name": "A", "family_name": "B", "date_of_birth": "1970-01-01", "sex": "male"}
    data[field] = value
    response = client.post("/clinic/patients/new/", data)
    assert response.status_code == 200
    assert message in response.content
    assert Patient.objects.count() == 0


def test_duplicate_mrn_is_refused_with_a_message(client, nurse, patient):
    client.force_login(nurse)
    response = client.post(
        "/clinic/patients/new/",
        {
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1970-01-01",
            "sex": "male",
            "mrn": patient.mrn,
        },
    )
    assert b"already exists" in response.content
    assert Patient.objects.count() == 1


def test_patient_search_is_posted_so_names_stay_out_of_urls(client, nurse, patient):
    client.force_login(nurse)
    response = client.post("/clinic/patients/", {"q": patient.family_name})
    assert response.status_code == 200
    assert patient.family_name.encode() in response.content
    assert AccessLog.objects.filter(action="list", patient_public_id=patient.public_id).exists()


def test_foreign_patient_page_is_404(client, other_nurse, patient):
    client.force_login(other_nurse)
    assert client.get(f"/clinic/patients/{patient.public_id}/").status_code == 404
    assert client.get("/clinic/patients/not-an-id/").status_code == 404


def test_patients_cannot_open_clinic_pages(client, patient):
    client.force_login(patient.user)
    assert client.get("/clinic/").status_code == 403
    assert client.get(f"/clinic/patients/{patient.public_id}/").status_code == 403
