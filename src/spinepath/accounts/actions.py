"""Creating and changing users; issuing and using one-time sign-in links."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from spinepath.accounts.models import (
    CareTeam,
    CareTeamMembership,
    Role,
    SignInLink,
    SignInLinkChannel,
    Site,
    User,
)
from spinepath.accounts.sign_in_links import (
    DEFAULT_NEXT_PATH,
    LINK_ROLES,
    link_minutes,
    new_token,
    refuse_unless_usable,
    safe_next_path,
    token_hash_from,
)
from spinepath.errors import ActionError
from spinepath.recovery.models import Notification
from spinepath.sms import InvalidPhoneNumber, normalise_phone

log = logging.getLogger(__name__)


def do_create_user(
    *,
    email: str,
    role: str,
    password: str,
    full_name: str = "",
    site: Site | None = None,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ActionError(
            f"unknown role {role!r}; choose one of {', '.join(Role.values)}", field="role"
        )
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ActionError("a user with that e-mail address already exists", field="email")
    candidate = User(email=email, role=role, full_name=full_name, site=site)
    if check_password:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise ActionError(" ".join(exc.messages), field="password") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                role=role,
                full_name=full_name,
                site=site,
                is_staff=role == Role.ADMIN,
            )
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages)) from None


def do_add_care_team_member(*, team: CareTeam, user: User, escalation_order: int) -> None:
    if user.site_id != team.site_id:
        raise ActionError("a care team member must work at the team's site")
    CareTeamMembership.objects.update_or_create(
        team=team, user=user, defaults={"escalation_order": escalation_order}
    )


def _phone_for(user: User) -> str:
    # Patients carry their mobile number on the patient record; caregivers have none yet.
    record = getattr(user, "patient_record", None)
    return record.phone if record is not None else ""


def do_issue_sign_in_link(
    *,
    user: User,
    channel: str = "email",
    next_path: str = DEFAULT_NEXT_PATH,
    now: datetime | None = None,
    requested_ip_hash: str = "",
) -> SignInLink:
    """Make a one-time sign-in link and queue the message that carries it.

    Only patients and caregivers, only active accounts. ``next_path`` must be a
    relative path under /me/, else the check-in page is used. An SMS goes to the
    patient's mobile number (Notification.address); without one it is refused.
    The returned link has the raw token on ``link.token`` (never stored).
    """
    if user.role not in LINK_ROLES:
        raise ActionError(
            "Staff sign in with their password; sign-in links are for patients and caregivers.",
            status=403,
        )
    if not user.is_active:
        raise ActionError("This account is not active.", status=403)
    if channel not in SignInLinkChannel.values:
        raise ActionError("Choose e-mail or text message.", field="channel")
    address = ""
    if channel == SignInLinkChannel.SMS:
        phone = _phone_for(user)
        if not phone:
            raise ActionError(
                "There is no mobile number on record for this account; ask for the link by "
                "e-mail, or ask your care team to add your number.",
                field="channel",
            )
        try:
            address = normalise_phone(phone)
        except InvalidPhoneNumber as exc:
            raise ActionError(
                f"The mobile number on record cannot be texted. {exc}", field="channel"
            ) from None
    now = now or timezone.now()
    minutes = link_minutes()
    token, token_hash = new_token(at=now)
    url = settings.SPINEPATH["BASE_URL"] + reverse("accounts:link_sign_in", args=[token])
    if channel == SignInLinkChannel.SMS:
        subject = "spinepath sign-in link"
        body = f"spinepath: your sign-in link. It works once, for {minutes} minutes: {url}"
    else:
        subject = "spinepath: your sign-in link"
        # Nothing clinical: the link, how long it works, and what to do if unasked.
        body = (
            "Hello,\n\n"
            f"Here is your link to sign in to spinepath. It works once, for the next "
            f"{minutes} minutes:\n\n{url}\n\n"
            'Open it and press "Sign in".\n\n'
            "If you did not ask for this link, you can ignore this message.\n"
        )
    with transaction.atomic():
        link = SignInLink.objects.create(
            user=user,
            token_hash=token_hash,
            channel=channel,
            next_path=safe_next_path(next_path),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
            requested_ip_hash=requested_ip_hash[:64],
        )
        Notification.objects.create(
            recipient=user,
            channel=channel,
            address=address,
            kind="sign_in_link",
            dedupe_key=f"sign-in-link:{link.public_id}",
            subject=subject,
            body=body,
        )
    log.info("sign-in link %s issued to user %s by %s", link.public_id, user.public_id, channel)
    link.token = token  # type: ignore[attr-defined]
    return link


def do_consume_sign_in_link(*, token: str, now: datetime | None = None) -> SignInLink:
    """Use a sign-in link up; return it (with its user) or raise SignInLinkRefused.

    The row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transaction serialises writers), so two clicks on one link sign in once. Call
    it inside the transaction that also signs the user in, so that both happen or
    neither does.
    """
    now = now or timezone.now()
    token_hash = token_hash_from(token)
    with transaction.atomic():
        links = SignInLink.objects.select_related("user").filter(token_hash=token_hash)
        if connection.features.has_select_for_update_of:
            links = links.select_for_update(of=("self",))
        else:
            links = links.select_for_update()
        link = refuse_unless_usable(links.first(), now)
        link.used_at = now
        link.save(update_fields=["used_at"])
    return link
