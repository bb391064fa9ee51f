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


class Anaesthesia(models.TextChoices):
    GENERAL = "general", "General"
    SPINAL = "spinal", "Spinal"
    LOCAL_SEDATION = "local_sedation", "Local with sedation"


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
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    fluoroscopy_dose_mgy_cm2 = models.DecimalField(
        "fluoroscopy dose (mGy·cm²)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100000)],
    )
    durotomy = models.BooleanField(default=False)
    intraoperative_events = models.TextField(blank=True)
    implants = models.CharField(max_length=300, blank=True)
    drain = models.BooleanField(default=False)
    anaesthesia = models.CharField(
        max_length=16, choices=Anaesthesia.choices, default=Anaesthesia.GENERAL
    )
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


class PacuAssessment(models.Model):
    """Modified Aldrete score for leaving the recovery room; timestamped, repeatable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        SurgicalCase, on_delete=models.PROTECT, related_name="pacu_assessments"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)
    items = models.JSONField()
    total = models.PositiveSmallIntegerField()
    ready = models.BooleanField()

    class Meta:
        ordering = ["-assessed_at", "-id"]


class DischargePlan(models.Model):
    """What the patient takes home: made from the case at discharge, then edited by staff.

    ``content`` is spinepath.clinical.discharge_plan DischargePlanContent.to_json()
    (wound care, activity, milestones, warning signs, OTC options, follow-up);
    ``medicines`` the prescribed lines and ``medicine_summary`` their MME/day and
    taper as computed by the clinical core when they were last saved.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(SurgicalCase, on_delete=models.PROTECT, related_name="plan")
    content = models.JSONField()
    medicines = models.JSONField(default=list)
    medicine_summary = models.JSONField(default=dict)
    staff_notes = models.TextField(blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()
