from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

CASE = {
    "condition": "lumbar_disc_herniation",
    "red_flags": [],
    "dominant_symptom": "leg_pain",
    "level": "L5-S1",
    "symptom_weeks": 12,
    "conservative_care": [{"kind": "physiotherapy", "weeks": 8, "response": "none"}],
    "neurological_deficit": "none",
    "imaging_concordant": True,
    "imaging": [
        {
            "level": "L5-S1",
            "herniation": "extrusion",
            "herniation_zone": "paracentral",
            "instability": False,
        }
    ],
    "asa_class": 2,
    "bmi": 26.0,
}


def evaluate(client, body):
    return client.post(
        "/api/v1/assessments/evaluate", data=json.dumps(body), content_type="application/json"
    )


def test_evaluate_explains_the_recommendation(client, surgeon):
    client.force_login(surgeon)
    response = evaluate(client, CASE)
    assert response.status_code == 200
    body = response.json()
    assert body["pathway"] == "miss-candidate"
    assert body["rules_fired"] and all(rule["source"] for rule in body["rules_fired"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": "L9-S9"}, "level"),
        ({"asa_class": "two"}, "asa_class"),
        ({"symtom_weeks": 3}, "symtom_weeks"),
        ({"imaging": [{"level": "L5-S1", "herniation": "huge"}]}, "imaging[0].herniation"),
    ],
)
def test_bad_cases_get_a_validation_error_naming_the_field(client, surgeon, change, field):
    client.force_login(surgeon)
    response = evaluate(client, {**CASE, **change})
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert field in response.json()["detail"]


def test_not_json_and_not_an_object_are_4xx(client, surgeon):
    client.force_login(surgeon)
    assert client.post(
        "/api/v1/assessments/evaluate", data="nope", content_type="application/json"
    ).status_code in {400, 422}
    assert evaluate(client, [CASE]).status_code in {400, 422}


def test_patients_and_anonymous_may_not_evaluate(client, patient):
    assert evaluate(client, CASE).status_code == 401
    client.force_login(patient.user)
    assert evaluate(client, CASE).status_code == 403
