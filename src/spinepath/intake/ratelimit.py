"""Counting attempts at public forms, without storing anyone's address.

The key is an HMAC of the client address with the secret key, so the table
says how often, never who.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from spinepath.intake.models import RateLimitHit


def client_key(request: HttpRequest, action: str) -> str:
    address = request.META.get("REMOTE_ADDR") or "unknown"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"{action}:{digest[:40]}"


def allow(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; False (and nothing counted) when the limit is reached."""
    since = timezone.now() - window
    with transaction.atomic():
        if RateLimitHit.objects.filter(key=key, at__gte=since).count() >= limit:
            return False
        RateLimitHit.objects.create(key=key)
    return True


def purge_old_hits(*, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _ = RateLimitHit.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
