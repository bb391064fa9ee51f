"""The SMS backends, the webhook one against a real local HTTP server."""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from spinepath.sms import (
    ConsoleSmsBackend,
    DisabledSmsBackend,
    InvalidPhoneNumber,
    PermanentSmsError,
    SmsError,
    WebhookSmsBackend,
    get_sms_backend,
    normalise_phone,
)
from tests.conftest import SmsGateway


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+44 7700 900123", "+447700900123"),
        ("+1 (415) 555-0134", "+14155550134"),
        ("0044-7700-900-123", "+447700900123"),
        ("  +61.491.570.156 ", "+61491570156"),
        ("+12345678", "+12345678"),
        ("+123456789012345", "+123456789012345"),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "No phone number"),
        ("07700 900123", "country code"),
        ("+44 7700 9001x3", "8 to 15 digits"),
        ("+1234567", "8 to 15 digits"),
        ("+1234567890123456", "8 to 15 digits"),
        ("+0 7700 900123", "8 to 15 digits"),
        ("++447700900123", "8 to 15 digits"),
    ],
)
def test_bad_phone_numbers_get_a_clear_message(raw, says):
    with pytest.raises(InvalidPhoneNumber, match=says):
        normalise_phone(raw)


def test_the_webhook_delivers_json(sms_gateway: SmsGateway):
    WebhookSmsBackend(url=sms_gateway.url).send("+44 7700 900123", "Your link: https://x/1")
    [request] = sms_gateway.requests
    assert request["method"] == "POST"
    assert request["content_type"] == "application/json"
    assert json.loads(request["body"]) == {"to": "+447700900123", "body": "Your link: https://x/1"}
    assert request["authorization"] is None


def test_credentials_in_the_url_become_basic_auth(sms_gateway: SmsGateway):
    url = sms_gateway.url.replace("http://", "http://gw%40user:s3cret@")
    backend = WebhookSmsBackend(url=url)
    assert "s3cret" not in backend.url
    backend.send("+447700900123", "hello")
    expected = "Basic " + base64.b64encode(b"gw@user:s3cret").decode()
    assert sms_gateway.requests[0]["authorization"] == expected


@pytest.mark.parametrize("status", [500, 503, 400, 302])
def test_a_gateway_error_raises(sms_gateway: SmsGateway, status: int):
    sms_gateway.status = status
    with pytest.raises(SmsError, match=f"HTTP {status}") as caught:
        WebhookSmsBackend(url=sms_gateway.url).send("+447700900123", "secret body")
    # Neither the number nor the text reaches the error (it is stored and logged).
    assert "447700900123" not in str(caught.value)
    assert "secret body" not in str(caught.value)


def test_a_gateway_that_is_down_raises():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = WebhookSmsBackend(url=f"http://127.0.0.1:{port}/sms", timeout=2)
    with pytest.raises(SmsError, match="unreachable"):
        backend.send("+447700900123", "hello")


def test_a_hung_gateway_times_out(sms_gateway: SmsGateway):
    sms_gateway.delay = 2
    with pytest.raises(SmsError, match="unreachable"):
        WebhookSmsBackend(url=sms_gateway.url, timeout=0.3).send("+447700900123", "hello")


def test_a_bad_number_is_refused_before_anything_is_sent(sms_gateway: SmsGateway):
    with pytest.raises(InvalidPhoneNumber):
        WebhookSmsBackend(url=sms_gateway.url).send("07700 900123", "hello")
    assert sms_gateway.requests == []


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://gw/sms", "http://"])
def test_the_webhook_needs_an_http_url(url):
    with pytest.raises(ImproperlyConfigured, match="SMS_WEBHOOK_URL"):
        WebhookSmsBackend(url=url)


def test_the_console_backend_writes_the_message():
    out = io.StringIO()
    ConsoleSmsBackend(stream=out).send("+44 7700 900123", "hello")
    assert "SMS to +447700900123" in out.getvalue()
    assert "hello" in out.getvalue()


def test_the_backend_comes_from_settings(settings, sms_gateway: SmsGateway):
    settings.SPINEPATH = {**settings.SPINEPATH, "SMS_BACKEND": "spinepath.sms.ConsoleSmsBackend"}
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)
    settings.SPINEPATH = {
        **settings.SPINEPATH,
        "SMS_BACKEND": "spinepath.sms.WebhookSmsBackend",
        "SMS_WEBHOOK_URL": sms_gateway.url,
    }
    backend = get_sms_backend()
    assert isinstance(backend, WebhookSmsBackend)
    backend.send("+447700900123", "via settings")
    assert json.loads(sms_gateway.requests[0]["body"])["body"] == "via settings"


def test_the_default_backend_is_the_console(settings):
    settings.SPINEPATH = {k: v for k, v in settings.SPINEPATH.items() if k != "SMS_BACKEND"}
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)


def test_in_production_the_default_backend_is_disabled(settings):
    settings.PRODUCTION = True
    settings.SPINEPATH = {k: v for k, v in settings.SPINEPATH.items() if k != "SMS_BACKEND"}
    backend = get_sms_backend()
    assert isinstance(backend, DisabledSmsBackend)
    with pytest.raises(
        PermanentSmsError, match=r"SMS is not configured \(set SPINEPATH_SMS_BACKEND\)"
    ):
        backend.send("+447700900123", "hello")
    # A configured backend is used, production or not.
    settings.SPINEPATH = {**settings.SPINEPATH, "SMS_BACKEND": "spinepath.sms.ConsoleSmsBackend"}
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"SPINEPATH_ENV": "production"}, "spinepath.sms.DisabledSmsBackend"),
        (
            {"SPINEPATH_ENV": "production", "SPINEPATH_SMS_BACKEND": ""},
            "spinepath.sms.DisabledSmsBackend",
        ),
        (
            {
                "SPINEPATH_ENV": "production",
                "SPINEPATH_SMS_BACKEND": "spinepath.sms.WebhookSmsBackend",
            },
            "spinepath.sms.WebhookSmsBackend",
        ),
        ({"SPINEPATH_ENV": "development"}, "spinepath.sms.ConsoleSmsBackend"),
    ],
)
def test_the_settings_default(tmp_path, env, backend):
    """The settings module read afresh, as a deployment starts it."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SPINEPATH_") and k != "DATABASE_URL"
    }
    environ.update(
        env,
        SECRET_KEY="x" * 64,
        SPINEPATH_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="spinepath.config.settings",
    )
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SPINEPATH['SMS_BACKEND'])",
        ],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert shown.stdout.strip() == backend


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.SPINEPATH = {**settings.SPINEPATH, "SMS_BACKEND": "spinepath.sms.NoSuchBackend"}
    with pytest.raises(ImproperlyConfigured, match="SPINEPATH_SMS_BACKEND"):
        get_sms_backend()
