"""Questionnaire responses and complications."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth, ssi_window
from spinepath.clinical.instruments import INSTRUMENTS
from spinepath.clinical.procedures import PROCEDURES_BY_ID
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


class ReportedBy(models.TextChoices):
    STAFF = "staff", "Care team"
    PATIENT = "patient", "Patient (check-in)"


class ComplicationStatus(models.TextChoices):
    # Staff entries are confirmed as they are made; a patient's report waits in the
    # reconciliation queue (/clinic/events/) until staff confirm or reject it.
    CONFIRMED = "confirmed", "Confirmed"
    PENDING = "pending", "Waiting for review"
    REJECTED = "rejected", "Rejected"


REVIEW_NOTE_MAX = 500

# Readmission and reoperation windows count days after the surgery date (day 0): within 30
# days means on day 0 to day 30 inclusive, as NSQIP counts 30-day events.


class Complication(models.Model):
    """A complication, readmission or reoperation after surgery.

    Entered by staff (confirmed at once), or reported by the patient through a check-in
    alert (wound, fever) and then pending until staff confirm it with a grade or reject it.
    Only confirmed rows count in outcomes and the registry extract.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="complications")
    description = models.CharField(max_length=300)
    onset_date = models.DateField()
    # Blank only on a patient's report not confirmed by staff (a check constraint holds that).
    clavien_dindo = models.CharField(
        max_length=4, choices=[(g.value, g.value) for g in ClavienDindoGrade], blank=True
    )
    # Clavien-Dindo "d" suffix: still present at discharge.
    disability_at_discharge = models.BooleanField(default=False)
    ssi_depth = models.CharField(
        max_length=12, choices=[(d.value, d.value) for d in SSIDepth], blank=True
    )
    related_to_surgery = models.BooleanField(null=True)
    readmitted = models.BooleanField(default=False)
    readmitted_on = models.DateField(null=True, blank=True)
    reoperated = models.BooleanField(default=False)
    reoperated_on = models.DateField(null=True, blank=True)
    reported_by = models.CharField(
        max_length=8, choices=ReportedBy.choices, default=ReportedBy.STAFF
    )
    status = models.CharField(
        max_length=10, choices=ComplicationStatus.choices, default=ComplicationStatus.CONFIRMED
    )
    # Why it was rejected (required then), or a note made when confirming.
    review_note = models.CharField(max_length=REVIEW_NOTE_MAX, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The check-in alert that reported it (patient-reported events), or the alert whose
    # resolution led staff to record it. Alerts are not deleted in the app; should one be,
    # the complication stays.
    alert = models.ForeignKey(
        "recovery.Alert",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_complications",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Any change (a review, a correction): the registry extract's incremental fingerprint.
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-onset_date", "-id"]
        indexes = [
            models.Index(fields=["status", "recorded_at"], name="complication_status_recorded"),
            models.Index(fields=["episode", "status"], name="complication_episode_status"),
        ]
        constraints = [
            models.CheckConstraint(
                name="complication_status_valid",
                condition=models.Q(status__in=ComplicationStatus.values),
            ),
            models.CheckConstraint(
                name="complication_reported_by_valid",
                condition=models.Q(reported_by__in=ReportedBy.values),
            ),
            # Confirmed means graded; a patient's report has no grade until staff give it
            # one (pending), or none at all when it is not a complication (rejected).
            models.CheckConstraint(
                name="complication_graded_when_confirmed",
                condition=models.Q(status__in=["pending", "rejected"])
                | models.Q(clavien_dindo__in=[g.value for g in ClavienDindoGrade]),
            ),
            models.CheckConstraint(
                name="complication_review_only_of_patient_reports",
                condition=~models.Q(status__in=["pending", "rejected"])
                | models.Q(reported_by="patient"),
            ),
            models.CheckConstraint(
                name="complication_rejection_has_reason",
                condition=~models.Q(status="rejected") | ~models.Q(review_note=""),
            ),
            models.CheckConstraint(
                name="complication_readmitted_on_iff_readmitted",
                condition=models.Q(readmitted=True, readmitted_on__isnull=False)
                | models.Q(readmitted=False, readmitted_on__isnull=True),
            ),
            models.CheckConstraint(
                name="complication_reoperated_on_iff_reoperated",
                condition=models.Q(reoperated=True, reoperated_on__isnull=False)
                | models.Q(reoperated=False, reoperated_on__isnull=True),
            ),
            # One patient-reported event per alert: raising an alert makes at most one.
            models.UniqueConstraint(
                fields=["alert"],
                condition=models.Q(reported_by="patient"),
                name="complication_one_report_per_alert",
            ),
        ]

    # --- computed from the surgery date (the site's calendar) -------------------------

    def surgical_case(self) -> Any | None:
        try:
            return self.episode.surgical_case
        except ObjectDoesNotExist:  # not operated
            return None

    def surgery_date(self) -> date | None:
        """The day of the operation on the operating site's calendar; None when not operated."""
        case = self.surgical_case()
        if case is None:
            return None
        return case.surgery_start.astimezone(ZoneInfo(case.site.time_zone)).date()

    def days_from_surgery(
        self, day: date | None = None, *, operated: date | None = None
    ) -> int | None:
        """Days from the surgery date to ``day`` (the onset by default); day 0 = surgery."""
        operated = operated or self.surgery_date()
        if operated is None:
            return None
        return ((day or self.onset_date) - operated).days

    def readmitted_within(self, days: int, *, operated: date | None = None) -> bool | None:
        """Readmitted on day 0..``days`` after surgery; None when not operated."""
        return _within(self.readmitted_on if self.readmitted else None, days, operated, self)

    def reoperated_within(self, days: int, *, operated: date | None = None) -> bool | None:
        """Returned to theatre on day 0..``days`` after surgery; None when not operated."""
        return _within(self.reoperated_on if self.reoperated else None, days, operated, self)

    @property
    def readmitted_30(self) -> bool | None:
        return self.readmitted_within(30)

    @property
    def readmitted_90(self) -> bool | None:
        return self.readmitted_within(90)

    @property
    def reoperated_30(self) -> bool | None:
        return self.reoperated_within(30)

    @property
    def reoperated_90(self) -> bool | None:
        return self.reoperated_within(90)

    def ssi_in_window(
        self, *, operated: date | None = None, procedure: str | None = None
    ) -> bool | None:
        """Whether this is an SSI whose onset falls in the NHSN surveillance window for the
        procedure's category and the SSI depth (clinical.complications.ssi_window).

        False when it is not an SSI; None when that cannot be said (not operated, or a
        procedure without an SSI category)."""
        if not self.ssi_depth:
            return False
        if operated is None or procedure is None:
            case = self.surgical_case()
            if case is None:
                return None
            operated = operated or self.surgery_date()
            procedure = procedure or case.procedure
        return ssi_onset_in_window(self.onset_date, self.ssi_depth, operated, procedure)


def ssi_onset_in_window(
    onset: date, depth: str, operated: date | None, procedure: str
) -> bool | None:
    """An SSI of ``depth`` with ``onset`` inside the NHSN window after ``procedure`` on
    ``operated`` (day 1 = the procedure date); None when the window is not known."""
    if operated is None:
        return None
    category = ssi_category(procedure)
    if category is None:
        return None
    try:
        first, last = ssi_window(operated, category, SSIDepth(depth))
    except ValueError:
        return None
    return first <= onset <= last


def ssi_category(procedure: str) -> str | None:
    """The NHSN operative category of a clinical.procedures id (None when unknown)."""
    known = PROCEDURES_BY_ID.get(procedure)
    return known.ssi_category.value if known is not None else None


def _within(
    day: date | None, days: int, operated: date | None, complication: Complication
) -> bool | None:
    operated = operated or complication.surgery_date()
    if operated is None:
        return None
    return day is not None and 0 <= (day - operated).days <= days


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
