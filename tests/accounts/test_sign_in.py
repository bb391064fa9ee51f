from __future__ import annotations

import pytest
from django.conf import settings

from spinepath.accounts.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (Role.NURSE, "/clinic/"),
        (Role.SURGEON, "/clinic/"),
        (Role.COORDINATOR, "/clinic/"),
        (Role.ADMIN, "/clinic/"),
        (Role.ANALYST, "/registry/"),
        (Role.PATIENT, "/me/"),
        (Role.CAREGIVER, "/me/"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home(client, site, role, home):
    needs_site = role not in (Role.PATIENT, Role.CAREGIVER)
    user = UserFactory(role=role, site=site if needs_site else None)
    response = client.post(
        "/accounts/login/", {"username": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_wrong_password_is_refused(client, nurse):
    response = client.post("/accounts/login/", {"username": nurse.email, "password": "nope"})
    assert response.status_code == 200
    assert b"correct" in response.content  # "Please enter a correct email address and password"
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_out(client, nurse):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": nurse.email, "password": "nope"})
    response = client.post("/accounts/login/", {"username": nurse.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post(client, nurse):
    client.force_login(nurse)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/clinic/").status_code == 302


def test_staff_must_belong_to_a_site():
    from django.core.exceptions import ValidationError

    from spinepath.accounts.models import User

    with pytest.raises(ValidationError):
        User.objects.create_user(email="x@example.org", password=PASSWORD, role=Role.NURSE)


def test_production_uses_argon2_first():
    import subprocess
    import sys

    code = (
        "import os; os.environ['SPINEPATH_ENV']='production';"
        "os.environ['SECRET_KEY']='k'*60;"
        "from spinepath.config import settings as s;"
        "print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
        "True",
        "31536000",
        "False",
    ]


@pytest.mark.parametrize("secret", ["", "short", "spinepath-development-key-not-for-production"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    import subprocess
    import sys

    code = "from spinepath.config import settings"
    env = {"SPINEPATH_ENV": "production", "SECRET_KEY": secret, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr
