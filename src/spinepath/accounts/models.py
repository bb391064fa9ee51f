"""Who may sign in, in which role, at which site.

A user has exactly one role. Staff roles are bound to one site and see only
that site's patients; patients and caregivers reach patient records through
Patient.user and CaregiverLink (spinepath.patients), never through a site.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CAREGIVER = "caregiver", "Caregiver"
    NURSE = "nurse", "Nurse"
    SURGEON = "surgeon", "Surgeon"
    COORDINATOR = "coordinator", "Coordinator"
    ANALYST = "analyst", "Registry analyst"
    ADMIN = "admin", "Administrator"


# Roles that care for patients of their own site.
CLINICAL_ROLES = frozenset({Role.NURSE, Role.SURGEON, Role.COORDINATOR, Role.ADMIN})
# Roles that must belong to a site.
SITE_ROLES = CLINICAL_ROLES | {Role.ANALYST}


class Site(models.Model):
    """A hospital or day-surgery centre running the programme."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="Europe/London")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    # Staff: urgent alerts are also sent here by text message (E.164, e.g. +447700900123).
    phone = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    is_active = models.BooleanField(default=True)
    # is_staff is Django's "may open /admin/", not our clinical staff roles.
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["role"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_role_valid", condition=models.Q(role__in=[r.value for r in Role])
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or f"user {self.public_id}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.role in SITE_ROLES and self.site_id is None:
            raise ValidationError({"site": "Staff and analysts must belong to a site."})
        if self.role in {Role.PATIENT, Role.CAREGIVER} and self.site_id is not None:
            raise ValidationError(
                {"site": "Patients and caregivers reach records through their own link."}
            )

    @property
    def is_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def home_url(self) -> str:
        if self.role in {Role.PATIENT, Role.CAREGIVER}:
            return "/me/"
        if self.role == Role.ANALYST:
            return "/registry/"
        return "/clinic/"


class CareTeam(models.Model):
    """The people who answer a group of patients' alerts, in escalation order."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="care_teams")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(User, through="CareTeamMembership", related_name="care_teams")
    # A programme that nobody watches in real time must tell its patients so.
    monitored_hours = models.CharField(
        max_length=200, default="Monday to Friday, 08:00 to 18:00", blank=True
    )

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="care_team_name_unique_per_site")
        ]

    def __str__(self) -> str:
        return self.name


class CareTeamMembership(models.Model):
    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    # 1 is called first; an unacknowledged alert escalates to the next number.
    escalation_order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["escalation_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="care_team_member_once")
        ]


class SignInLinkChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class SignInLink(models.Model):
    """A one-time sign-in link for a patient or caregiver who keeps no password.

    Only the SHA-256 of the token is stored, so a copy of the database signs nobody
    in. The token itself is signed and time-stamped (accounts.sign_in_links); the row
    makes it single-use and lets the clinic see when links were asked for and used.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(
        max_length=8, choices=SignInLinkChannel.choices, default=SignInLinkChannel.EMAIL
    )
    # Validated when issued: a relative path under /me/.
    next_path = models.CharField(max_length=200, default="/me/checkin/")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # HMAC of the requesting client address (as intake.ratelimit keys it), never the address.
    requested_ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"sign-in link {self.public_id}"
