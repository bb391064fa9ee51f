"""Patients and their episodes.

Personal data (names, date of birth, MRN, contacts) lives only in Patient.
Everything that leaves the database in a URL, a log line or an extract uses
``public_id``, a random UUID that says nothing about the person.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from spinepath.accounts.models import CareTeam, Site


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not recorded"


class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient_record",
    )
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    mrn = models.CharField("hospital number (MRN)", max_length=32, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "mrn"],
                condition=~models.Q(mrn=""),
                name="patient_mrn_unique_per_site",
            )
        ]

    def __str__(self) -> str:
        # Deliberately not the name: __str__ ends up in logs and admin messages.
        return f"patient {self.public_id}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CaregiverLink(models.Model):
    """A caregiver acting for a patient, with the patient's or the clinic's agreement."""

    caregiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="caregiver_links"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="caregivers")
    relationship = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caregiver", "patient"], name="caregiver_link_once")
        ]


class Condition(models.TextChoices):
    LUMBAR_DISC_HERNIATION = "lumbar_disc_herniation", "Lumbar disc herniation with radiculopathy"
    LUMBAR_SPINAL_STENOSIS = "lumbar_spinal_stenosis", "Lumbar spinal stenosis"
    DEGENERATIVE_SPONDYLOLISTHESIS = (
        "degenerative_spondylolisthesis",
        "Degenerative spondylolisthesis",
    )
    VERTEBRAL_COMPRESSION_FRACTURE = (
        "vertebral_compression_fracture",
        "Osteoporotic vertebral compression fracture",
    )
    CERVICAL_RADICULOPATHY = "cervical_radiculopathy", "Cervical radiculopathy"
    OTHER = "other", "Other spinal condition"


class Stage(models.TextChoices):
    """Where an episode is on the pathway (DESIGN.md "The pathway")."""

    INTAKE = "intake", "Intake"
    ASSESSED = "assessed", "Assessed"
    SURGERY = "surgery", "Surgery recorded"
    RECOVERY = "recovery", "Home recovery"
    CLOSED = "closed", "Closed"


class Episode(models.Model):
    """One patient's journey for one spinal condition; every stage hangs off it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    condition = models.CharField(max_length=40, choices=Condition.choices)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.INTAKE)
    care_team = models.ForeignKey(
        CareTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="episodes"
    )
    lead_surgeon = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_episodes",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["patient", "stage"])]

    def __str__(self) -> str:
        return f"episode {self.public_id}"
