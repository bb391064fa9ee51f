"""Creating and changing users."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from spinepath.accounts.models import CareTeam, CareTeamMembership, Role, Site, User
from spinepath.errors import ActionError


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
