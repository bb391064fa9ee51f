"""State changes to patients and episodes. Each runs in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from spinepath.accounts.models import CLINICAL_ROLES, CareTeam, Role, User
from spinepath.audit.log import log_access
from spinepath.errors import ActionError, require_role
from spinepath.patients.models import CaregiverLink, Episode, Patient, Stage


def do_create_patient(
    *,
    actor: Any,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    sex: str,
    mrn: str = "",
    email: str = "",
    phone: str = "",
    user: User | None = None,
) -> Patient:
    require_role(actor, CLINICAL_ROLES, "register patients")
    mrn = mrn.strip()
    if mrn and Patient.objects.filter(site_id=actor.site_id, mrn=mrn).exists():
        raise ActionError("A patient with that hospital number already exists.", field="mrn")
    try:
        with transaction.atomic():
            patient = Patient.objects.create(
                site_id=actor.site_id,
                given_name=given_name.strip(),
                family_name=family_name.strip(),
                date_of_birth=date_of_birth,
                sex=sex,
                mrn=mrn,
                email=email.strip().lower(),
                phone=phone.strip(),
                user=user,
                created_by=actor,
            )
            log_access(
                user=actor,
                object_type="patient",
                object_id=patient.public_id,
                patient_public_id=patient.public_id,
                purpose="register patient",
                granted=True,
                action="create",
            )
    except IntegrityError:
        raise ActionError(
            "A patient with that hospital number already exists.", field="mrn"
        ) from None
    return patient


def do_create_episode(
    *,
    actor: Any,
    patient: Patient,
    condition: str,
    care_team: CareTeam | None = None,
    lead_surgeon: User | None = None,
) -> Episode:
    require_role(actor, CLINICAL_ROLES, "open episodes")
    if care_team is not None and care_team.site_id != patient.site_id:
        raise ActionError("The care team belongs to another site.", field="care_team")
    if lead_surgeon is not None and (
        lead_surgeon.site_id != patient.site_id or lead_surgeon.role != Role.SURGEON
    ):
        raise ActionError("The lead surgeon must be a surgeon at this site.", field="lead_surgeon")
    with transaction.atomic():
        episode = Episode.objects.create(
            patient=patient,
            condition=condition,
            care_team=care_team,
            lead_surgeon=lead_surgeon,
            created_by=actor,
            stage=Stage.INTAKE,
        )
        log_access(
            user=actor,
            object_type="episode",
            object_id=episode.public_id,
            patient_public_id=patient.public_id,
            purpose="open episode",
            granted=True,
            action="create",
        )
    return episode


def do_link_caregiver(*, patient: Patient, caregiver: User, relationship: str = "") -> None:
    if caregiver.role != Role.CAREGIVER:
        raise ActionError("Only a caregiver account can act for a patient.")
    CaregiverLink.objects.get_or_create(
        patient=patient, caregiver=caregiver, defaults={"relationship": relationship}
    )


def do_advance_stage(episode: Episode, stage: Stage) -> None:
    """Move forward along the pathway, never back (a late record must not rewind it).

    The condition is in the UPDATE itself, so a stale copy of the episode
    cannot move the stored stage backwards.
    """
    order = list(Stage.values)
    earlier = order[: order.index(stage)]
    if Episode.objects.filter(pk=episode.pk, stage__in=earlier).update(stage=stage):
        episode.stage = stage
