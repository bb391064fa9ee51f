"""The clinician's assessment and the candidacy recommendation made from it.

The recommendation is stored as the engine produced it (rules fired, sources,
rule-set version) so that what the clinician saw can always be shown again,
even after the rules change.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from spinepath.clinical.candidacy.facts import LUMBAR_LEVELS, Deficit
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

    # Findings. None means "not recorded", never "no".
    symptom_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    conservative_care_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    neurological_deficit = models.CharField(
        max_length=12, choices=[(d.value, d.value.capitalize()) for d in Deficit], blank=True
    )
    red_flags = models.JSONField(default=list, blank=True)
    imaging_concordant = models.BooleanField(null=True, blank=True)
    level = models.CharField(
        max_length=8, choices=[(level, level) for level in LUMBAR_LEVELS], blank=True
    )
    slip_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
    )
    instability = models.BooleanField(null=True, blank=True)
    bmi = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(90)],
    )
    asa_class = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    smoker = models.BooleanField(null=True, blank=True)
    diabetes = models.BooleanField(null=True, blank=True)
    anticoagulated = models.BooleanField(null=True, blank=True)
    osteoporosis = models.BooleanField(null=True, blank=True)
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
