"""factory-boy factories for the domain models. Passwords are always PASSWORD."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from spinepath.accounts.models import CareTeam, CareTeamMembership, Role, Site, User
from spinepath.patients.models import CaregiverLink, Condition, Episode, Patient, Stage
from spinepath.surgery.models import SurgicalCase

PASSWORD = "correct-horse-battery-staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"site{n}")
    name = factory.Sequence(lambda n: f"Spine Centre {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.NURSE
    site = factory.LazyAttribute(
        lambda o: SiteFactory() if o.role not in (Role.PATIENT, Role.CAREGIVER) else None
    )
    password = factory.django.Password(PASSWORD)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    site = factory.SubFactory(SiteFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: date(1968, 5, 17))
    sex = "female"
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    patient = factory.SubFactory(PatientFactory)
    condition = Condition.LUMBAR_DISC_HERNIATION
    stage = Stage.INTAKE


class SurgicalCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurgicalCase

    episode = factory.SubFactory(EpisodeFactory, stage=Stage.SURGERY)
    site = factory.LazyAttribute(lambda o: o.episode.patient.site)
    surgeon = factory.LazyAttribute(lambda o: UserFactory(role=Role.SURGEON, site=o.site))
    recorded_by = factory.LazyAttribute(lambda o: o.surgeon)
    procedure = "tubular_microdiscectomy"
    approach = "miss"
    level = "L4-L5"
    side = "left"
    surgery_start = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=4))
    incision_length_mm = 22
    estimated_blood_loss_ml = 40
    operative_minutes = 70
    asa_class = 2


def add_member(team: CareTeam, user: User, order: int = 1) -> None:
    CareTeamMembership.objects.create(team=team, user=user, escalation_order=order)


def link_caregiver(patient: Patient, caregiver: User) -> None:
    CaregiverLink.objects.create(patient=patient, caregiver=caregiver, relationship="spouse")
