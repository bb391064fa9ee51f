"""Recording questionnaire responses (scored on arrival), follow-up questionnaires and
calls, and complications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, Role
from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
from spinepath.clinical.instruments import get_instrument
from spinepath.clinical.schedule import DEFAULT_RULES, follow_up_schedule
from spinepath.errors import ActionError, require_role
from spinepath.outcomes.followup import local_today
from spinepath.outcomes.instruments import outcome_instruments
from spinepath.outcomes.models import (
    CALL_NOTES_MAX,
    CallOutcome,
    Complication,
    FollowUpCall,
    QuestionnaireResponse,
    ScheduledQuestionnaire,
    ScheduledStatus,
)
from spinepath.patients.models import Episode

TIMEPOINTS = frozenset(rule.id for rule in DEFAULT_RULES)


def do_record_response(
    *,
    actor: Any,
    episode: Episode,
    instrument_id: str,
    timepoint: str,
    answers: list[int | None],
    options: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> QuestionnaireResponse:
    require_role(actor, CLINICAL_ROLES | {Role.PATIENT, Role.CAREGIVER}, "record questionnaires")
    if timepoint not in TIMEPOINTS:
        raise ActionError("Unknown time point.", field="timepoint")
    try:
        instrument = get_instrument(instrument_id)
        result = instrument.score(answers, **(options or {}))
    except ValueError as exc:
        raise ActionError(str(exc), field="answers") from None
    with transaction.atomic():
        return QuestionnaireResponse.objects.create(
            episode=episode,
            instrument=instrument.id,
            instrument_version=instrument.version,
            timepoint=timepoint,
            answers=list(answers),
            score=Decimal(str(round(result.score, 3))) if result.score is not None else None,
            scorable=result.score is not None,
            not_scorable_reason=(result.reason or "")[:300] if result.score is None else "",
            details=result.to_json(),
            submitted_by=actor,
            submitted_at=now or timezone.now(),
        )


def do_record_complication(
    *,
    actor: Any,
    episode: Episode,
    description: str,
    onset_date: date,
    clavien_dindo: str,
    disability_at_discharge: bool = False,
    ssi_depth: str = "",
    related_to_surgery: bool | None = None,
) -> Complication:
    require_role(actor, CLINICAL_ROLES, "record complications")
    if clavien_dindo not in {g.value for g in ClavienDindoGrade}:
        raise ActionError("Unknown Clavien-Dindo grade.", field="clavien_dindo")
    if ssi_depth and ssi_depth not in {d.value for d in SSIDepth}:
        raise ActionError("Unknown SSI depth.", field="ssi_depth")
    if onset_date > timezone.localdate():
        raise ActionError("The onset date is in the future.", field="onset_date")
    if not description.strip():
        raise ActionError("Describe the complication.", field="description")
    with transaction.atomic():
        return Complication.objects.create(
            episode=episode,
            description=description.strip(),
            onset_date=onset_date,
            clavien_dindo=clavien_dindo,
            disability_at_discharge=disability_at_discharge,
            ssi_depth=ssi_depth,
            related_to_surgery=related_to_surgery,
            recorded_by=actor,
        )


def do_schedule_follow_up(*, episode: Episode, surgery_date: date) -> list[ScheduledQuestionnaire]:
    """Every follow-up questionnaire of the episode, due from the surgery date.

    Idempotent: a time point already scheduled is left as it is.
    """
    rows = []
    for timepoint in follow_up_schedule(surgery_date):
        if timepoint.id == "baseline":
            continue
        for instrument in outcome_instruments(episode):
            row, _ = ScheduledQuestionnaire.objects.get_or_create(
                episode=episode,
                instrument=instrument,
                timepoint=timepoint.id,
                defaults={
                    "due": timepoint.due,
                    "window_start": timepoint.window_start,
                    "window_end": timepoint.window_end,
                },
            )
            rows.append(row)
    return rows


def do_complete_scheduled_questionnaire(
    *,
    actor: Any,
    scheduled: ScheduledQuestionnaire,
    answers: list[int | None],
    now: datetime | None = None,
) -> QuestionnaireResponse:
    """Answer a follow-up questionnaire inside its window: the response is recorded (and
    scored) at the row's time point, linked to the row, and the row is completed.

    Refused with nothing written when the window has not opened or has closed (the
    site's calendar date) or the row is no longer due (409: answered already, missed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            ScheduledQuestionnaire.objects.select_for_update(of=("self",))
            .select_related("episode__patient__site")
            .get(pk=scheduled.pk)
        )
        if locked.status == ScheduledStatus.COMPLETED:
            raise ActionError("This questionnaire has already been answered.", status=409)
        if locked.status != ScheduledStatus.DUE:
            raise ActionError(
                "This questionnaire closed on "
                f"{locked.window_end:%-d %B %Y} and can no longer be answered.",
                status=409,
            )
        today = local_today(locked.episode.patient.site.time_zone, now)
        if today < locked.window_start:
            raise ActionError(
                f"This questionnaire opens on {locked.window_start:%-d %B %Y}.", status=409
            )
        if today > locked.window_end:
            raise ActionError(
                "This questionnaire closed on "
                f"{locked.window_end:%-d %B %Y} and can no longer be answered.",
                status=409,
            )
        response = do_record_response(
            actor=actor,
            episode=locked.episode,
            instrument_id=locked.instrument,
            timepoint=locked.timepoint,
            answers=answers,
            now=now,
        )
        locked.response = response
        locked.status = ScheduledStatus.COMPLETED
        locked.save(update_fields=["response", "status"])
    scheduled.response, scheduled.status = response, locked.status
    return response


def do_record_follow_up_call(
    *,
    actor: Any,
    scheduled: ScheduledQuestionnaire,
    outcome: str,
    notes: str = "",
    now: datetime | None = None,
) -> FollowUpCall:
    """Record a call to the patient about the time point ``scheduled`` belongs to."""
    require_role(actor, CLINICAL_ROLES, "record follow-up calls")
    if outcome not in CallOutcome.values:
        raise ActionError("Choose what came of the call.", field="outcome")
    notes = (notes or "").strip()
    if len(notes) > CALL_NOTES_MAX:
        raise ActionError(
            f"Notes may be at most {CALL_NOTES_MAX} characters (they are {len(notes)}).",
            field="notes",
        )
    with transaction.atomic():
        return FollowUpCall.objects.create(
            episode_id=scheduled.episode_id,
            timepoint=scheduled.timepoint,
            called_by=actor,
            called_at=now or timezone.now(),
            outcome=outcome,
            notes=notes,
        )
