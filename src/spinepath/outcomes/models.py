"""Questionnaire responses and complications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
from spinepath.clinical.instruments import INSTRUMENTS
from spinepath.patients.models import Episode


class QuestionnaireResponse(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    instrument = models.CharField(max_length=24)
    instrument_version = models.CharField(max_length=24)
    timepoint = models.CharField(max_length=12)  # baseline, 2w, 6w, 3m, 12m, 24m
    # Answers in the instrument's published item order; null = not answered.
    answers = models.JSONField()
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    scorable = models.BooleanField()
    not_scorable_reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["episode", "instrument", "timepoint"])]
        constraints = [
            models.CheckConstraint(
                name="qr_score_iff_scorable",
                condition=models.Q(scorable=True, score__isnull=False)
                | models.Q(scorable=False, score__isnull=True),
            )
        ]


class Complication(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="complications")
    description = models.CharField(max_length=300)
    onset_date = models.DateField()
    clavien_dindo = models.CharField(
        max_length=4, choices=[(g.value, g.value) for g in ClavienDindoGrade]
    )
    # Clavien-Dindo "d" suffix: still present at discharge.
    disability_at_discharge = models.BooleanField(default=False)
    ssi_depth = models.CharField(
        max_length=12, choices=[(d.value, d.value) for d in SSIDepth], blank=True
    )
    related_to_surgery = models.BooleanField(null=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-onset_date", "-id"]


class ScheduledStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"


class ScheduledQuestionnaire(models.Model):
    """A questionnaire due at a follow-up time point, with its window (clinical.schedule).

    The dates are the site's calendar dates: "today" for a row is the local date in
    the time zone of the patient's site (outcomes.followup.local_today).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="scheduled_questionnaires"
    )
    instrument = models.CharField(max_length=24)
    timepoint = models.CharField(max_length=12)
    due = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField()
    status = models.CharField(
        max_length=10, choices=ScheduledStatus.choices, default=ScheduledStatus.DUE
    )
    response = models.OneToOneField(
        QuestionnaireResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due", "instrument"]
        # The worker and the overdue queue look at rows still due (or lately missed)
        # by one of the three dates; each has its index so a tick stays cheap.
        indexes = [
            models.Index(fields=["status", "window_start"], name="sq_status_window_start"),
            models.Index(fields=["status", "due"], name="sq_status_due"),
            models.Index(fields=["status", "window_end"], name="sq_status_window_end"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "instrument", "timepoint"], name="scheduled_questionnaire_once"
            )
        ]

    @property
    def instrument_name(self) -> str:
        instrument = INSTRUMENTS.get(self.instrument)
        return instrument.name if instrument is not None else self.instrument


CALL_NOTES_MAX = 1000


class CallOutcome(models.TextChoices):
    COMPLETED_BY_PHONE = "completed_by_phone", "Completed by phone"
    WILL_COMPLETE_ONLINE = "will_complete_online", "Will complete online"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    DECLINED = "declined", "Declined"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    OTHER = "other", "Other (see notes)"


class FollowUpCall(models.Model):
    """A call to a patient about an overdue follow-up time point.

    Per episode and time point, not per questionnaire row: one call covers every
    instrument of the time point.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="follow_up_calls")
    timepoint = models.CharField(max_length=12)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=24, choices=CallOutcome.choices)
    notes = models.CharField(max_length=CALL_NOTES_MAX, blank=True)

    class Meta:
        ordering = ["-called_at", "-id"]
        indexes = [models.Index(fields=["episode", "timepoint", "called_at"])]
        constraints = [
            models.CheckConstraint(
                name="follow_up_call_outcome_valid",
                condition=models.Q(outcome__in=CallOutcome.values),
            )
        ]
