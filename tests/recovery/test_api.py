from __future__ import annotations

import json

import pytest

from spinepath.recovery.models import Alert, CheckIn

pytestmark = pytest.mark.django_db

CALM = {"back_pain": 3, "leg_pain": 2, "wound": "dry"}


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/episodes/{episode_id}/checkins" in paths
    assert "/api/v1/alerts" in paths


def test_api_requires_sign_in(client, episode):
    response = post_json(client, f"/api/v1/episodes/{episode.public_id}/checkins", CALM)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_checkin_over_the_api_raises_an_urgent_alert(client, episode, nurse):
    client.force_login(episode.patient.user)
    response = post_json(
        client, f"/api/v1/episodes/{episode.public_id}/checkins", {**CALM, "saddle_numbness": True}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["alerts"][0]["severity"] == "urgent"
    assert "emergency department" in body["advice"][0]

    client.force_login(nurse)
    alerts = client.get("/api/v1/alerts").json()
    assert [a["id"] for a in alerts] == [body["alerts"][0]["id"]]
    ack = client.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge")
    assert ack.status_code == 200
    assert ack.json()["status"] == "acknowledged"
    again = client.post(f"/api/v1/alerts/{alerts[0]['id']}/acknowledge")
    assert again.status_code == 409
    assert "already" in again.json()["detail"]


@pytest.mark.parametrize(
    "bad",
    [
        {"back_pain": 11},
        {"back_pain": "lots"},
        {"wound": "green"},
        {"temperature_c": 60},
        {"leg_pain": None},
    ],
)
def test_bad_api_input_is_a_4xx_json_error_and_saves_nothing(client, episode, bad):
    client.force_login(episode.patient.user)
    response = post_json(client, f"/api/v1/episodes/{episode.public_id}/checkins", {**CALM, **bad})
    assert 400 <= response.status_code < 500
    assert response.json()
    assert not CheckIn.objects.exists()


def test_api_foreign_and_malformed_ids_are_404(client, episode, other_patient):
    client.force_login(other_patient.user)
    response = post_json(client, f"/api/v1/episodes/{episode.public_id}/checkins", CALM)
    assert response.status_code == 404
    assert client.get("/api/v1/patients/not-a-uuid").status_code in {404, 422}
    assert client.get(f"/api/v1/patients/{episode.patient.public_id}").status_code == 404
    assert not Alert.objects.exists()


def test_patients_may_not_list_the_worklist(client, episode):
    client.force_login(episode.patient.user)
    response = client.get("/api/v1/alerts")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_nul_characters_are_refused_not_a_500(client, episode):
    client.force_login(episode.patient.user)
    response = post_json(
        client, f"/api/v1/episodes/{episode.public_id}/checkins", {**CALM, "notes": "a\x00b"}
    )
    assert response.status_code == 422
    assert "NUL" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_painkillers_resolution_and_notes_over_the_api(client, episode, nurse):
    client.force_login(episode.patient.user)
    url = f"/api/v1/episodes/{episode.public_id}/checkins"
    bad = post_json(
        client, url, {**CALM, "analgesics": [{"drug": "oxycodone", "strength_mg": 5, "count": -2}]}
    )
    assert bad.status_code == 422
    unknown = post_json(
        client,
        url,
        {
            **CALM,
            "wound": "opening",
            "analgesics": [{"drug": "OxyContin", "strength_mg": 10, "count": 2}],
        },
    )
    assert unknown.status_code == 400
    assert "use the generic name" in unknown.json()["detail"]
    assert not CheckIn.objects.exists()
    body = post_json(
        client,
        url,
        {
            **CALM,
            "wound": "opening",
            "analgesics": [{"drug": "tramadol", "strength_mg": 50, "count": 4}],
        },
    ).json()
    assert float(body["mme_per_day"]) == 40.0
    alert_id = body["alerts"][0]["id"]

    client.force_login(nurse)
    assert (
        post_json(client, f"/api/v1/alerts/{alert_id}/resolve", {"outcome": "maybe"}).status_code
        == 422
    )
    assert post_json(client, f"/api/v1/alerts/{alert_id}/notes", {"text": ""}).status_code == 422
    note = post_json(client, f"/api/v1/alerts/{alert_id}/notes", {"text": "Phoned back."})
    assert note.status_code == 201
    done = post_json(client, f"/api/v1/alerts/{alert_id}/resolve", {"outcome": "seen_in_clinic"})
    assert done.status_code == 200
    assert done.json()["outcome"] == "seen_in_clinic"
    again = post_json(client, f"/api/v1/alerts/{alert_id}/resolve", {"outcome": "no_action"})
    assert again.status_code == 409
    assert Alert.objects.get().notes.get().text == "Phoned back."
