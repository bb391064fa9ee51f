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
    # What the patient says they took since the last check-in: [{drug, strength_mg, count}],
    # and the MME/day the clinical core made of it (clinical.opioid_use.reported_use).
    analgesics = models.JSONField(default=list, blank=True)
    opioid_use = models.JSONField(default=dict, blank=True)
    mme_per_day = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    # Days since the surgery date (site calendar) when submitted; null before surgery.
    day_after_surgery = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["episode", "submitted_at"])]

    @property
    def mme_display(self) -> str:
        """The reported MME/day in words that never hide a partial or failed calculation."""
        if not self.opioid_use:
            return "not reported"
        if self.mme_per_day is None:
            return "opioids taken, not calculable"
        if not self.opioid_use.get("complete", True):
            return f"at least {self.mme_per_day:g} MME/day (an opioid could not be counted)"
        return f"{self.mme_per_day:g} MME/day"


def _photo_path(instance: WoundPhoto, filename: str) -> str:
    # Random names: nothing about the patient in a path on disk.
    return f"wound-photos/{instance.public_id.hex[:2]}/{instance.public_id.hex}.jpg"


class WoundPhoto(models.Model):
    """A check-in's wound photo, re-encoded without metadata, stored under MEDIA_ROOT
    (outside the web root) and served only through recovery.access.access_wound_photo."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkin = models.OneToOneField(CheckIn, on_delete=models.PROTECT, related_name="photo")
    image = models.FileField(upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class AlertOutcome(models.TextChoices):
    ADVICE_GIVEN = "advice_given", "Advice given by phone"
    SEEN_IN_CLINIC = "seen_in_clinic", "Seen in clinic"
    SENT_TO_EMERGENCY = "sent_to_emergency", "Sent to the emergency department"
    READMITTED = "readmitted", "Readmitted"
    NO_ACTION = "no_action", "No action needed"
    OTHER = "other", "Other"


# Outcomes after which the care team is asked to record a complication.
COMPLICATION_OUTCOMES = frozenset({AlertOutcome.READMITTED, AlertOutcome.SENT_TO_EMERGENCY})


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
    outcome = models.CharField(max_length=20, choices=AlertOutcome.choices, blank=True)
    # Set when the resolution led to a complication record (readmission and the like).
    complication = models.ForeignKey(
        "outcomes.Complication", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
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


class AlertNote(models.Model):
    """A care-team note on an alert: calls made, advice given. Append-only in the UI."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="notes")
    # None for notes spinepath writes itself (an alert opened again by new facts).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


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
    # Where to send: blank means the recipient's e-mail at send time; an SMS carries the
    # phone number it was queued for.
    address = models.CharField(max_length=254, blank=True)
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


class NotificationAttempt(models.Model):
    """Every try at sending a message, successful or not: the delivery record."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["notification", "number", "id"]


class MilestoneSource(models.TextChoices):
    CHECKIN = "checkin", "Patient check-in"
    STAFF = "staff", "Care team"


class MilestoneRecord(models.Model):
    """A discharge-plan milestone reached: walking, physio_start, driving, desk or heavy work."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="milestones")
    milestone_id = models.CharField(max_length=20)
    achieved_on = models.DateField()
    source = models.CharField(max_length=8, choices=MilestoneSource.choices)
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["achieved_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "milestone_id"], name="milestone_once")
        ]


class Monitoring(models.Model):
    """Home monitoring of one episode: started by the discharge, in the same transaction."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="monitoring")
    enrolled_at = models.DateTimeField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    first_checkin_due = models.DateTimeField()
    active = models.BooleanField(default=True)
    # The site-local day the daily course review (milestones, persistent opioids) last ran.
    course_reviewed_on = models.DateField(null=True, blank=True)
