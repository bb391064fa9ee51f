"""The clinician's assessment and the candidacy recommendation made from it.

The recommendation is stored as the engine produced it (rules fired, sources,
rule-set version) so that what the clinician saw can always be shown again,
even after the rules change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from spinepath.patients.models import Episode


class Decision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"


class Assessment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    # The case as the candidacy engine read it (spinepath.clinical.candidacy
    # case_to_json): findings, conservative-care log, imaging per level and
    # comorbidities. Absent keys mean "not recorded", never "no".
    case = models.JSONField()
    notes = models.TextField(blank=True)

    # The recommendation, as produced.
    status = models.CharField(max_length=24)
    pathway = models.CharField(max_length=24, blank=True)
    recommendation = models.JSONField()
    ruleset_version = models.CharField(max_length=24)

    # The clinician's decision.
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decided_pathway = models.CharField(max_length=24, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="assessment_override_has_reason",
                condition=~models.Q(decision="overridden") | ~models.Q(decision_reason=""),
            )
        ]


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ConsultationRequest(models.Model):
    """A member of the public asking for a consultation after the self-screen.

    Stored only with consent to be contacted. The screen answers are kept only
    when the person also agreed to that; on acceptance they become the
    patient's intake record (Episode.consultation_request), so nothing is
    asked twice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(
        "accounts.Site", on_delete=models.PROTECT, related_name="consultation_requests"
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    preferred_contact = models.CharField(
        max_length=8, choices=[("phone", "Phone"), ("email", "E-mail")]
    )
    preferred_times = models.CharField(max_length=200, blank=True)
    consent_contact = models.BooleanField()
    consent_keep_answers = models.BooleanField()
    # Null when the person did not agree to keep their answers.
    answers = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    screen_version = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    episode = models.OneToOneField(
        Episode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_request",
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["site", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="consultation_needs_contact_consent", condition=models.Q(consent_contact=True)
            ),
            models.CheckConstraint(
                name="consultation_answers_need_consent",
                condition=models.Q(consent_keep_answers=True) | models.Q(answers__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"consultation request {self.public_id}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class RateLimitHit(models.Model):
    """One counted attempt at a public form; the key is a salted hash, never an address."""

    key = models.CharField(max_length=80)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]
