"""Consultation requests: from the public self-screen to the patient's intake record."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import CareTeam, Role, Site, User
from spinepath.errors import ActionError, require_role
from spinepath.intake.models import ConsultationRequest, RequestStatus
from spinepath.outcomes.actions import do_record_response
from spinepath.patients.actions import do_create_episode, do_create_patient
from spinepath.patients.models import Condition, Episode

HANDLING_ROLES = {Role.COORDINATOR, Role.ADMIN}


def do_create_consultation_request(
    *,
    site: Site,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    preferred_contact: str,
    phone: str,
    email: str,
    preferred_times: str,
    consent_contact: bool,
    consent_keep_answers: bool,
    answers: dict[str, Any],
    result: dict[str, Any],
    screen_version: str,
) -> ConsultationRequest:
    if not consent_contact:
        raise ActionError("We can only contact you if you agree to it.", field="consent_contact")
    with transaction.atomic():
        return ConsultationRequest.objects.create(
            site=site,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            preferred_contact=preferred_contact,
            phone=phone.strip(),
            email=email.strip().lower(),
            preferred_times=preferred_times.strip(),
            consent_contact=True,
            consent_keep_answers=consent_keep_answers,
            # Without consent to keep them, the answers are not stored at all.
            answers=answers if consent_keep_answers else None,
            result=result if consent_keep_answers else None,
            screen_version=screen_version if consent_keep_answers else "",
        )


def _baseline_from_answers(actor: Any, episode: Episode, answers: dict[str, Any]) -> None:
    """What the person told the screen becomes their baseline: not asked twice."""
    for instrument, key in (("nrs-back", "back_pain"), ("nrs-leg", "leg_pain")):
        if answers.get(key) is not None:
            do_record_response(
                actor=actor,
                episode=episode,
                instrument_id=instrument,
                timepoint="baseline",
                answers=[answers[key]],
            )
    if answers.get("startback"):
        do_record_response(
            actor=actor,
            episode=episode,
            instrument_id="startback",
            timepoint="baseline",
            answers=list(answers["startback"]),
        )


def do_accept_consultation_request(
    *,
    actor: Any,
    request: ConsultationRequest,
    condition: str,
    care_team: CareTeam | None = None,
    lead_surgeon: User | None = None,
) -> Episode:
    require_role(actor, HANDLING_ROLES, "accept consultation requests")
    if condition not in Condition.values:
        raise ActionError("Choose a provisional condition.", field="condition")
    with transaction.atomic():
        locked = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.NEW:
            raise ActionError("This request has already been handled.", status=409)
        patient = do_create_patient(
            actor=actor,
            given_name=locked.given_name,
            family_name=locked.family_name,
            date_of_birth=locked.date_of_birth,
            sex="unknown",
            email=locked.email,
            phone=locked.phone,
        )
        episode = do_create_episode(
            actor=actor,
            patient=patient,
            condition=condition,
            care_team=care_team,
            lead_surgeon=lead_surgeon,
        )
        if locked.answers:
            _baseline_from_answers(actor, episode, locked.answers)
        locked.status = RequestStatus.ACCEPTED
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.episode = episode
        locked.save()
    return episode


def do_decline_consultation_request(
    *, actor: Any, request: ConsultationRequest, reason: str
) -> ConsultationRequest:
    require_role(actor, HANDLING_ROLES, "decline consultation requests")
    if not reason.strip():
        raise ActionError("Give the reason (it is kept with the request).", field="reason")
    with transaction.atomic():
        locked = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.NEW:
            raise ActionError("This request has already been handled.", status=409)
        locked.status = RequestStatus.DECLINED
        locked.decline_reason = reason.strip()[:300]
        locked.handled_by = actor
        locked.handled_at = timezone.now()
        locked.save()
    return locked
