"""Recording questionnaire responses (scored on arrival), follow-up questionnaires and
calls, and complications."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, Role
from spinepath.clinical.complications import ClavienDindoGrade, SSIDepth
from spinepath.clinical.instruments import get_instrument
from spinepath.clinical.schedule import DEFAULT_RULES, follow_up_schedule
from spinepath.errors import ActionError, require_role
from spinepath.outcomes.followup import local_today, zone
from spinepath.outcomes.instruments import outcome_instruments
from spinepath.outcomes.models import (
    CALL_NOTES_MAX,
    REVIEW_NOTE_MAX,
    CallOutcome,
    Complication,
    ComplicationStatus,
    FollowUpCall,
    QuestionnaireResponse,
    ReportedBy,
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


GRADES = frozenset(g.value for g in ClavienDindoGrade)
DEPTHS = frozenset(d.value for d in SSIDepth)
DESCRIPTION_MAX = 300


def surgery_date(episode: Episode) -> date | None:
    """The day of the operation on the operating site's calendar; None when not operated."""
    try:
        case = episode.surgical_case
    except ObjectDoesNotExist:
        return None
    return case.surgery_start.astimezone(zone(case.site.time_zone)).date()


@dataclass(frozen=True)
class ComplicationDetails:
    """What staff record about a complication, checked by :func:`check_details`."""

    clavien_dindo: str
    disability_at_discharge: bool = False
    ssi_depth: str = ""
    related_to_surgery: bool | None = None
    readmitted: bool = False
    readmitted_on: date | None = None
    reoperated: bool = False
    reoperated_on: date | None = None


def _check_day(day: date, *, what: str, field: str, operated: date | None, today: date) -> None:
    if day > today:
        raise ActionError(f"The {what} is in the future.", field=field)
    if operated is not None and day < operated:
        raise ActionError(
            f"The {what} ({day:%-d %B %Y}) is before the surgery ({operated:%-d %B %Y}).",
            field=field,
        )


def check_details(
    episode: Episode, details: ComplicationDetails, *, onset_date: date, now: datetime | None = None
) -> None:
    """Refuse, with a message against the field, anything that cannot be true: an unknown
    grade or SSI depth, dates in the future (site calendar) or before the surgery, a
    readmission or reoperation without its date (or a date without it), a return to theatre
    graded below IIIa, or grade V with the "d" suffix."""
    if details.clavien_dindo not in GRADES:
        raise ActionError("Choose the Clavien-Dindo grade.", field="clavien_dindo")
    grade = ClavienDindoGrade(details.clavien_dindo)
    if details.disability_at_discharge and grade is ClavienDindoGrade.V:
        raise ActionError(
            'Grade V (death) takes no "d" (still present at discharge) suffix.',
            field="disability_at_discharge",
        )
    if details.ssi_depth and details.ssi_depth not in DEPTHS:
        raise ActionError("Unknown SSI depth.", field="ssi_depth")
    if details.related_to_surgery not in (None, True, False):
        raise ActionError("Say whether it is related to the surgery.", field="related_to_surgery")
    today = local_today(episode.patient.site.time_zone, now or timezone.now())
    operated = surgery_date(episode)
    _check_day(onset_date, what="onset date", field="onset_date", operated=operated, today=today)
    for event, flag, day, noun in (
        ("readmitted", details.readmitted, details.readmitted_on, "readmission"),
        ("reoperated", details.reoperated, details.reoperated_on, "reoperation"),
    ):
        if flag and day is None:
            raise ActionError(f"Give the date of the {noun}.", field=f"{event}_on")
        if not flag and day is not None:
            raise ActionError(
                f"A {noun} date was given, but not that the patient was {event}.",
                field=event,
            )
        if day is not None:
            _check_day(
                day, what=f"{noun} date", field=f"{event}_on", operated=operated, today=today
            )
    if details.reoperated and not grade.major:
        # Source: Clavien-Dindo (reference clinical.md §7.1): an intervention under
        # anaesthesia or not is grade III; a return to theatre is never I or II.
        raise ActionError(
            "A return to theatre is a surgical intervention: Clavien-Dindo grade IIIa or worse.",
            field="clavien_dindo",
        )


def _description(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError("Describe the complication.", field="description")
    if len(text) > DESCRIPTION_MAX:
        raise ActionError(
            f"Keep the description under {DESCRIPTION_MAX} characters.", field="description"
        )
    return text


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
    readmitted: bool = False,
    readmitted_on: date | None = None,
    reoperated: bool = False,
    reoperated_on: date | None = None,
    alert: Any | None = None,
) -> Complication:
    """A complication entered by staff: confirmed as it is recorded."""
    require_role(actor, CLINICAL_ROLES, "record complications")
    details = ComplicationDetails(
        clavien_dindo=clavien_dindo,
        disability_at_discharge=disability_at_discharge,
        ssi_depth=ssi_depth or "",
        related_to_surgery=related_to_surgery,
        readmitted=readmitted,
        readmitted_on=readmitted_on,
        reoperated=reoperated,
        reoperated_on=reoperated_on,
    )
    text = _description(description)
    check_details(episode, details, onset_date=onset_date)
    if alert is not None and alert.episode_id != episode.pk:
        raise ActionError("That alert belongs to another episode.")
    with transaction.atomic():
        return Complication.objects.create(
            episode=episode,
            description=text,
            onset_date=onset_date,
            reported_by=ReportedBy.STAFF,
            status=ComplicationStatus.CONFIRMED,
            alert=alert,
            recorded_by=actor,
            **asdict(details),
        )


def do_confirm_event(
    *,
    actor: Any,
    event: Complication,
    details: ComplicationDetails,
    description: str | None = None,
    onset_date: date | None = None,
    note: str = "",
) -> Complication:
    """Confirm a patient-reported event with the grade and what followed (readmission,
    reoperation); the description and onset may be corrected. The alert that reported it
    is linked to it, unless already linked to another complication.

    Refused with 409 when someone has reviewed it already."""
    require_role(actor, CLINICAL_ROLES, "review patient-reported events")
    note = (note or "").strip()
    if len(note) > REVIEW_NOTE_MAX:
        raise ActionError(f"Keep the note under {REVIEW_NOTE_MAX} characters.", field="review_note")
    text = _description(description) if description is not None else None
    with transaction.atomic():
        locked = _lock_pending(event)
        onset = onset_date or locked.onset_date
        check_details(locked.episode, details, onset_date=onset)
        for name, value in asdict(details).items():
            setattr(locked, name, value)
        if text is not None:
            locked.description = text
        locked.onset_date = onset
        locked.status = ComplicationStatus.CONFIRMED
        locked.review_note = note
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save()
        if locked.alert is not None and locked.alert.complication_id is None:
            from spinepath.recovery.actions import do_link_complication

            do_link_complication(actor=actor, alert=locked.alert, complication=locked)
    return locked


def do_reject_event(*, actor: Any, event: Complication, reason: str) -> Complication:
    """Reject a patient-reported event (not a complication), with the reason.

    Refused with 409 when someone has reviewed it already."""
    require_role(actor, CLINICAL_ROLES, "review patient-reported events")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say why this is not a complication.", field="reason")
    if len(reason) > REVIEW_NOTE_MAX:
        raise ActionError(f"Keep the reason under {REVIEW_NOTE_MAX} characters.", field="reason")
    with transaction.atomic():
        locked = _lock_pending(event)
        locked.status = ComplicationStatus.REJECTED
        locked.review_note = reason
        locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
        locked.save()
    return locked


def _lock_pending(event: Complication) -> Complication:
    locked = (
        Complication.objects.select_for_update(of=("self",))
        .select_related("episode__patient__site", "alert", "reviewed_by")
        .get(pk=event.pk)
    )
    if locked.status != ComplicationStatus.PENDING:
        who = f" by {locked.reviewed_by}" if locked.reviewed_by is not None else ""
        raise ActionError(
            f"This event has already been reviewed ({locked.get_status_display().lower()}{who}).",
            status=409,
        )
    return locked


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
