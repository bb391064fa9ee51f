from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from spinepath.accounts.models import CLINICAL_ROLES
from spinepath.audit.log import log_listing
from spinepath.errors import require_role
from spinepath.patients.access import access_episode
from spinepath.recovery.access import access_alert, worklist_alerts
from spinepath.recovery.actions import (
    do_acknowledge_alert,
    do_add_alert_note,
    do_resolve_alert,
    do_submit_checkin,
)
from spinepath.recovery.models import Alert
from spinepath.recovery.schemas import AlertOut, CheckInIn, CheckInOut, NoteIn, ResolveIn

router = Router(tags=["recovery"])


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.public_id,
        episode_id=alert.episode.public_id,
        severity=alert.severity,
        rule_id=alert.rule_id,
        reason=alert.reason,
        source=alert.source,
        status=alert.status,
        raised_at=alert.raised_at,
        acknowledged_at=alert.acknowledged_at,
        data=alert.data,
        outcome=alert.outcome,
        resolved_at=alert.resolved_at,
    )


@router.post("/episodes/{episode_id}/checkins", response={201: CheckInOut})
def submit_checkin(
    request: HttpRequest, episode_id: UUID, payload: CheckInIn
) -> Status[CheckInOut]:
    episode = access_episode(
        request.user, episode_id, purpose="api: daily check-in", action="create"
    )
    fields = payload.model_dump()
    result = do_submit_checkin(actor=request.user, episode=episode, **fields)
    return Status(
        201,
        CheckInOut(
            id=result.checkin.public_id,
            submitted_at=result.checkin.submitted_at,
            mme_per_day=result.checkin.mme_per_day,
            alerts=[_alert_out(alert) for alert in result.alerts],
            advice=list(result.advice),
        ),
    )


@router.get("/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest) -> list[AlertOut]:
    require_role(request.user, CLINICAL_ROLES, "see the alert worklist")
    alerts = list(worklist_alerts(request.user)[:500])
    log_listing(
        user=request.user,
        object_type="alert",
        purpose="api: alert worklist",
        patient_public_ids=[alert.episode.patient.public_id for alert in alerts],
    )
    return [_alert_out(alert) for alert in alerts]


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut)
def acknowledge_alert(request: HttpRequest, alert_id: UUID) -> AlertOut:
    alert = access_alert(request.user, alert_id, purpose="api: acknowledge alert", action="update")
    return _alert_out(do_acknowledge_alert(actor=request.user, alert=alert))


@router.post("/alerts/{alert_id}/resolve", response=AlertOut)
def resolve_alert(request: HttpRequest, alert_id: UUID, payload: ResolveIn) -> AlertOut:
    alert = access_alert(request.user, alert_id, purpose="api: resolve alert", action="update")
    return _alert_out(do_resolve_alert(actor=request.user, alert=alert, **payload.model_dump()))


@router.post("/alerts/{alert_id}/notes", response={201: dict[str, object]})
def add_alert_note(
    request: HttpRequest, alert_id: UUID, payload: NoteIn
) -> Status[dict[str, object]]:
    alert = access_alert(request.user, alert_id, purpose="api: add alert note", action="update")
    note = do_add_alert_note(actor=request.user, alert=alert, text=payload.text)
    return Status(201, {"created_at": note.created_at, "text": note.text})
