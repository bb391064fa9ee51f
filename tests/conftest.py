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


# --- sign-in links and SMS (tests/accounts/test_sign_in_links.py, tests/test_sms.py,
# tests/recovery/test_worker.py) ---------------------------------------------------------


class SmsGateway:
    """What the local SMS gateway received, and how it answers (status, delay in seconds)."""

    def __init__(self) -> None:
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []
        self.url = ""

    def bodies(self) -> list[dict]:
        import json

        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def sms_gateway():
    """A real HTTP server in a thread standing in for an SMS gateway's webhook."""
    import http.server
    import threading
    import time

    gateway = SmsGateway()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            gateway.requests.append(
                {
                    "method": "POST",
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "body": self.rfile.read(length).decode(),
                }
            )
            if gateway.delay:
                time.sleep(gateway.delay)
            try:
                self.send_response(gateway.status)
                if 300 <= gateway.status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:  # the client gave up (timeout tests)
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def caregiver_user(patient):
    """A caregiver linked to ``patient``; caregivers have no phone number on record."""
    from spinepath.accounts.models import Role
    from tests.factories import UserFactory, link_caregiver

    user = UserFactory(role=Role.CAREGIVER, site=None, email="carer@example.org")
    link_caregiver(patient, user)
    return user
