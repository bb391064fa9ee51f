"""Questionnaire responses and complications."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
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
    """A questionnaire due at a follow-up time point, with its window (clinical.schedule)."""

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
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "instrument", "timepoint"], name="scheduled_questionnaire_once"
            )
        ]
