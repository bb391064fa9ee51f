from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable():
    # A real unreachable database: a PostgreSQL URL on a port nothing listens on.
    code = (
        "import django, os; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spinepath.config.settings_test",
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.split() == ["503", "unreachable"], out.stderr[-2000:]


def test_unknown_pages_are_404_pages_and_api_404s_are_json(client):
    assert client.get("/no/such/page/").status_code == 404
    response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_home_page_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"emergency department" in response.content
