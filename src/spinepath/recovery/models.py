"""Daily check-ins, the alerts triage raises from them, and the notification outbox."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from spinepath.clinical.triage import Severity, Wound
from spinepath.patients.models import Episode

NRS = [MinValueValidator(0), MaxValueValidator(10)]


class CheckIn(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="checkins")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    back_pain = models.PositiveSmallIntegerField(validators=NRS)
    leg_pain = models.PositiveSmallIntegerField(validators=NRS)
    wound = models.CharField(
        max_length=12, choices=[(w.value, w.value.capitalize()) for w in Wound]
    )
    temperature_c = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(44)],
    )
    walking_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    new_leg_weakness = models.BooleanField(default=False)
    saddle_numbness = models.BooleanField(default=False)
    bladder_change = models.BooleanField(default=False)
    bowel_change = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["episode", "submitted_at"])]


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="alerts")
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    # Denormalised from the patient so the worklist is one indexed query per site.
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="alerts")
    severity = models.CharField(
        max_length=10,
        choices=[(s.value, s.value.replace("_", " ").capitalize()) for s in Severity],
    )
    severity_rank = models.PositiveSmallIntegerField()  # 0 urgent, 1 same day, 2 routine
    rule_id = models.CharField(max_length=32)
    reason = models.CharField(max_length=500)
    patient_advice = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=500)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)
    # The escalation order (CareTeamMembership.escalation_order) last told of this alert.
    escalation_level = models.PositiveSmallIntegerField(default=1)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["severity_rank", "raised_at", "id"]
        indexes = [models.Index(fields=["site", "status", "severity_rank", "raised_at"])]
        constraints = [
            # Repeats merge into the open alert; the database holds that line too.
            models.UniqueConstraint(
                fields=["episode", "rule_id"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="alert_one_open_per_rule",
            )
        ]


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"


class Notification(models.Model):
    """The outbox: a message is a row first, sent by the worker, never lost."""

    channel = models.CharField(max_length=8, default="email")  # email | sms
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    # No personal data in the body beyond what the recipient may see anyway: alerts
    # carry a link to the worklist, not the patient's name.
    body = models.TextField()
    kind = models.CharField(max_length=32)
    # Makes enqueueing idempotent: the same event never makes two messages.
    dedupe_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]


class Monitoring(models.Model):
    """Home monitoring of one episode: started by the discharge, in the same transaction."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="monitoring")
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_checkin_due = models.DateTimeField()
    active = models.BooleanField(default=True)
