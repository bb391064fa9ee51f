from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from spinepath.patients.access import access_episode, access_patient
from spinepath.patients.schemas import EpisodeOut, PatientOut

router = Router(tags=["patients"])


@router.get("/patients/{patient_id}", response=PatientOut)
def get_patient(request: HttpRequest, patient_id: UUID) -> PatientOut:
    patient = access_patient(request.user, patient_id, purpose="api: read patient")
    return PatientOut(
        id=patient.public_id,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        site=patient.site.code,
    )


@router.get("/episodes/{episode_id}", response=EpisodeOut)
def get_episode(request: HttpRequest, episode_id: UUID) -> EpisodeOut:
    episode = access_episode(request.user, episode_id, purpose="api: read episode")
    return EpisodeOut(
        id=episode.public_id,
        patient_id=episode.patient.public_id,
        condition=episode.condition,
        stage=episode.stage,
        opened_at=episode.opened_at,
    )
