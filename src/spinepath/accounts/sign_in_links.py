"""One-time sign-in links: the token, its hash, and what a link may lead to.

A token is a random value signed with Django's TimestampSigner (salt
``spinepath.sign-in-link``), so a tampered or truncated token is refused before
the database is asked, and an old one is refused by its own timestamp even if
the row were lost. The database keeps only the SHA-256 of the random value
(SignInLink.token_hash); the row makes the link single-use.

Reading a link (the GET page) never changes it; ``do_consume_sign_in_link``
(accounts.actions) uses it up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from spinepath.accounts.models import Role, SignInLink
from spinepath.errors import ActionError

SALT = "spinepath.sign-in-link"
DEFAULT_NEXT_PATH = "/me/checkin/"
# Roles that may sign in with a link. Staff keep a password (and, later, MFA).
LINK_ROLES = frozenset({Role.PATIENT, Role.CAREGIVER})
# [U] programme defaults, not clinical thresholds: how often one address, and one
# client address, may ask for a link in an hour.
LINKS_PER_ADDRESS_PER_HOUR = 5
LINK_REQUESTS_PER_CLIENT_PER_HOUR = 20

_MAX_TOKEN_LENGTH = 200
_NEXT_PATH = re.compile(r"/me/(?:[A-Za-z0-9_\-]+/)*(?:[A-Za-z0-9_\-]+)?")


def link_minutes() -> int:
    """SPINEPATH["SIGN_IN_LINK_MINUTES"]: how long a link works ([U] default 30)."""
    return int(settings.SPINEPATH.get("SIGN_IN_LINK_MINUTES", 30))


class _Signer(signing.TimestampSigner):
    """A TimestampSigner that can sign "as of" a given time, so that an action's
    ``now`` (and the tests' time travel) governs the signature's age too."""

    def __init__(self, at: datetime | None = None) -> None:
        super().__init__(salt=SALT)
        self._at = at

    def timestamp(self) -> str:
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token(*, at: datetime | None = None) -> tuple[str, str]:
    """A fresh (token, token_hash). Only the hash may be stored."""
    value = secrets.token_urlsafe(24)
    return _Signer(at).sign(value), _hash(value)


class SignInLinkRefused(ActionError):
    """A link that cannot sign anyone in. ``reason`` is for logs; ``message`` for people.

    400 for a link that was never good (tampered, unknown, or for an account that may
    not use links), 410 for one that was good and is no longer (expired or used).
    """

    MESSAGES = {
        "tampered": "This sign-in link is not valid. It may have been copied incompletely.",
        "unknown": "This sign-in link is not valid. It may have been copied incompletely.",
        "expired": "This sign-in link has expired.",
        "used": "This sign-in link has already been used. Each link works only once.",
        "not_allowed": "This sign-in link cannot be used for this account.",
    }
    STATUS = {"tampered": 400, "unknown": 400, "not_allowed": 400, "expired": 410, "used": 410}

    def __init__(self, reason: str, link: SignInLink | None = None) -> None:
        super().__init__(self.MESSAGES[reason], status=self.STATUS[reason])
        self.reason = reason
        self.link = link


def token_hash_from(token: str) -> str:
    """The stored hash for a presented token; SignInLinkRefused if the signature is bad
    (400) or older than the link lifetime (410)."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise SignInLinkRefused("tampered")
    try:
        value = _Signer().unsign(token, max_age=timedelta(minutes=link_minutes()))
    except signing.SignatureExpired:
        raise SignInLinkRefused("expired") from None
    except signing.BadSignature:
        raise SignInLinkRefused("tampered") from None
    return _hash(value)


def refuse_unless_usable(link: SignInLink | None, now: datetime) -> SignInLink:
    """The link, if it can sign its user in at ``now``; SignInLinkRefused otherwise."""
    if link is None:
        raise SignInLinkRefused("unknown")
    if link.used_at is not None:
        raise SignInLinkRefused("used", link)
    if link.expires_at <= now:
        raise SignInLinkRefused("expired", link)
    if not link.user.is_active or link.user.role not in LINK_ROLES:
        raise SignInLinkRefused("not_allowed", link)
    return link


def read_sign_in_link(token: str, *, now: datetime | None = None) -> SignInLink:
    """Look a link up without using it (the GET page: mail scanners follow links)."""
    token_hash = token_hash_from(token)
    link = SignInLink.objects.select_related("user").filter(token_hash=token_hash).first()
    return refuse_unless_usable(link, now or timezone.now())


def masked_email(email: str) -> str:
    """An address shown on the link's page so that people can tell whose account it is,
    without the page giving the address away: the first and last character of the local
    part and the whole domain ("p•••t@example.org")."""
    local, at, domain = (email or "").rpartition("@")
    if not at or not local:
        return "•••"
    shown = local[0] + "•••" + (local[-1] if len(local) > 2 else "")
    return f"{shown}@{domain}"


def safe_next_path(path: object) -> str:
    """A relative path under /me/ (letters, digits, _ and -, no query), else the default."""
    if isinstance(path, str) and len(path) <= 200 and _NEXT_PATH.fullmatch(path):
        return path
    return DEFAULT_NEXT_PATH


def address_key(email: str) -> str:
    """Rate-limit key for one e-mail address: an HMAC, so the table never holds it."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{SALT}:{email}".encode(), hashlib.sha256
    ).hexdigest()
    return f"sign-in-link-address:{digest[:40]}"


def purge_old_sign_in_links(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete links that expired more than ``older_than`` ago (their use, if any, stays
    in the access log). For the worker's tick list (spinepath.tasks)."""
    deleted, _ = SignInLink.objects.filter(expires_at__lt=timezone.now() - older_than).delete()
    return deleted
