"""Text messages behind a small backend interface.

The worker hands an SMS to ``get_sms_backend().send(to, body)``; a backend
returns when the gateway has accepted the message and raises otherwise, so the
outbox retries it. Three backends ship:

- ``ConsoleSmsBackend`` writes the message to standard output (the demo, and
  development without a gateway), as Django's console e-mail backend does.
- ``WebhookSmsBackend`` POSTs ``{"to": …, "body": …}`` as JSON to
  ``SPINEPATH["SMS_WEBHOOK_URL"]``: the shape most SMS gateways accept behind a
  small adapter. Basic-auth credentials may be given in the URL
  (``https://user:secret@gateway.example/sms``); they are sent as an
  ``Authorization`` header and never appear in an error message.
- ``DisabledSmsBackend`` refuses every message with PermanentSmsError.

``SPINEPATH["SMS_BACKEND"]`` (env ``SPINEPATH_SMS_BACKEND``) names the backend
class by dotted path. The default is the console backend, except in production
(``SPINEPATH_ENV=production``), where it is ``DisabledSmsBackend``: a message is
never printed to a server's console, it fails at once (PermanentSmsError, which
the worker records and does not retry) saying SMS is not configured.

Error messages name the failure, never the number or the text: they end up in
the outbox's ``last_error`` and in the worker's log.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import urllib.error
import urllib.request
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "spinepath.sms.ConsoleSmsBackend"
PRODUCTION_DEFAULT_BACKEND = "spinepath.sms.DisabledSmsBackend"
DEFAULT_TIMEOUT_SECONDS = 10.0

# E.164 allows at most 15 digits; fewer than 8 is no reachable mobile number anywhere.
_PHONE = re.compile(r"\+[1-9]\d{7,14}")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


class SmsError(Exception):
    """The message was not accepted; the outbox will try again later."""


class PermanentSmsError(Exception):
    """The message cannot be sent however often it is tried (no SMS gateway is
    configured): the outbox gives it up at once, recorded."""


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be texted as written."""


def normalise_phone(raw: str) -> str:
    """Return a number as ``+`` and 8 to 15 digits, or raise InvalidPhoneNumber.

    Loose on purpose: spaces, dashes, dots, brackets and slashes are dropped and a
    leading international ``00`` becomes ``+``; a national number without its country
    code is refused with a message saying so, because guessing the country would text
    a stranger.
    """
    number = _PHONE_SEPARATORS.sub("", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    if not number:
        raise InvalidPhoneNumber("No phone number was given.")
    if not number.startswith("+"):
        raise InvalidPhoneNumber(
            "Write the phone number with its country code, starting with + (for example "
            "+44 7700 900123)."
        )
    if not _PHONE.fullmatch(number):
        raise InvalidPhoneNumber(
            "A phone number is + followed by 8 to 15 digits (for example +44 7700 900123)."
        )
    return number


class SmsBackend(Protocol):
    def send(self, to: str, body: str) -> None:
        """Hand one message to the gateway; raise if it was not accepted."""
        ...


class ConsoleSmsBackend:
    """Writes each message to a stream (standard output) instead of sending it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, to: str, body: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {normalise_phone(to)}\n{body}\n{'-' * 40}\n")
        stream.flush()


class DisabledSmsBackend:
    """Production's default when no backend is configured: refuses every message."""

    def send(self, to: str, body: str) -> None:
        raise PermanentSmsError("SMS is not configured (set SPINEPATH_SMS_BACKEND)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET and call that success.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebhookSmsBackend:
    """POSTs {"to", "body"} as JSON to an HTTP(S) gateway; any non-2xx answer raises."""

    def __init__(self, url: str | None = None, timeout: float | None = None) -> None:
        url = url if url is not None else settings.SPINEPATH.get("SMS_WEBHOOK_URL", "")
        parts = urlsplit(url or "")
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ImproperlyConfigured(
                "SPINEPATH_SMS_WEBHOOK_URL must be an http:// or https:// URL for the "
                "webhook SMS backend"
            )
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self.headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            parts = parts._replace(netloc=host if parts.port is None else f"{host}:{parts.port}")
        self.url = urlunsplit(parts)
        self.timeout = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, to: str, body: str) -> None:
        payload = json.dumps({"to": normalise_phone(to), "body": body}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=payload, headers=self.headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(1024)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise SmsError(f"SMS gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"SMS gateway unreachable: {type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise SmsError(f"SMS gateway answered HTTP {status}")


def get_sms_backend() -> SmsBackend:
    """The backend SPINEPATH["SMS_BACKEND"] names (dotted path); when it names none,
    the console in development and the disabled backend in production."""
    default = (
        PRODUCTION_DEFAULT_BACKEND if getattr(settings, "PRODUCTION", False) else DEFAULT_BACKEND
    )
    path = settings.SPINEPATH.get("SMS_BACKEND") or default
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SPINEPATH_SMS_BACKEND: cannot import {path!r}") from exc
    return backend_class()  # type: ignore[no-any-return]
