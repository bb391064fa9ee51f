"""The operation, its record, readiness assessments and the discharge decision."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from spinepath.accounts.models import Site
from spinepath.clinical.candidacy.facts import LUMBAR_LEVELS
from spinepath.clinical.procedures import PROCEDURES
from spinepath.patients.models import Episode


class Approach(models.TextChoices):
    MISS = "miss", "Minimally invasive"
    OPEN = "open", "Open"
    CONVERTED = "converted", "MISS converted to open"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    MIDLINE = "midline", "Midline"


class LengthOfStay(models.TextChoices):
    SAME_DAY = "same_day", "Same day"
    NEXT_DAY = "next_day", "Next day"
    LONGER = "longer", "Longer"


class SurgicalCase(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="surgical_case")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cases")
    surgeon = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.CharField(max_length=48, choices=[(p.id, p.label) for p in PROCEDURES])
    approach = models.CharField(max_length=10, choices=Approach.choices)
    conversion_reason = models.CharField(max_length=300, blank=True)
    level = models.CharField(max_length=8, choices=[(level, level) for level in LUMBAR_LEVELS])
    side = models.CharField(max_length=10, choices=Side.choices)
    surgery_start = models.DateTimeField()

    # Operative record.
    incision_length_mm = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    estimated_blood_loss_ml = models.PositiveIntegerField(validators=[MaxValueValidator(10000)])
    operative_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    fluoroscopy_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(36000)]
    )
    durotomy = models.BooleanField(default=False)
    intraoperative_events = models.TextField(blank=True)
    asa_class = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    # Discharge decision.
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discharge_override_reason = models.TextField(blank=True)
    discharge_cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    length_of_stay_hours = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True
    )
    length_of_stay_category = models.CharField(
        max_length=10, choices=LengthOfStay.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-surgery_start", "-id"]
        indexes = [models.Index(fields=["site", "surgery_start"])]
        constraints = [
            models.CheckConstraint(
                name="case_conversion_has_reason",
                condition=~models.Q(approach="converted") | ~models.Q(conversion_reason=""),
            )
        ]


class DischargeAssessment(models.Model):
    """One timestamped readiness assessment; the latest one counts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        SurgicalCase, on_delete=models.PROTECT, related_name="discharge_assessments"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)
    # Modified PADSS item scores, 0-2 each.
    mpadss = models.JSONField()
    # Spine same-day checklist: criterion id -> true / false / null (not recorded).
    checklist = models.JSONField()
    mpadss_total = models.PositiveSmallIntegerField()
    ready = models.BooleanField()
    unmet = models.JSONField(default=list)

    class Meta:
        ordering = ["-assessed_at", "-id"]
