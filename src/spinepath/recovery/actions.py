"""Check-ins, the alerts they raise, and what the care team does with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, CareTeamMembership, Role
from spinepath.clinical.triage import (
    SEVERITY_RANK,
    TRIAGE_VERSION,
    CheckInFacts,
    PainPoint,
    ProposedAlert,
    Severity,
    Wound,
    triage_checkin,
    triage_trend,
)
from spinepath.errors import ActionError, require_role
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.models import Alert, AlertStatus, CheckIn, Notification

RECENT_CHECKINS = 7  # how far back the trend rules look


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    alerts: tuple[Alert, ...]
    advice: tuple[str, ...]  # what the patient is told now, most urgent first

    @property
    def urgent(self) -> bool:
        return any(alert.severity == Severity.URGENT for alert in self.alerts)


def do_submit_checkin(
    *,
    actor: Any,
    episode: Episode,
    back_pain: int,
    leg_pain: int,
    wound: str,
    temperature_c: Decimal | None = None,
    walking_minutes: int | None = None,
    new_leg_weakness: bool = False,
    saddle_numbness: bool = False,
    bladder_change: bool = False,
    bowel_change: bool = False,
    notes: str = "",
) -> CheckInResult:
    """Record a check-in, triage it and raise or merge alerts, in one transaction."""
    require_role(actor, {Role.PATIENT, Role.CAREGIVER}, "submit check-ins")
    if wound not in Wound.__members__.values():
        raise ActionError("Choose how the wound looks.", field="wound")
    if episode.stage == Stage.CLOSED:
        raise ActionError("This episode is closed; check-ins are no longer collected.")
    facts = CheckInFacts(
        back_pain=back_pain,
        leg_pain=leg_pain,
        wound=Wound(wound),
        temperature_c=float(temperature_c) if temperature_c is not None else None,
        new_leg_weakness=new_leg_weakness,
        saddle_numbness=saddle_numbness,
        bladder_change=bladder_change,
        bowel_change=bowel_change,
    )
    with transaction.atomic():
        # Serialise check-ins of one episode, so two at once cannot both open an alert.
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        checkin = CheckIn(
            episode=episode,
            submitted_by=actor,
            back_pain=back_pain,
            leg_pain=leg_pain,
            wound=wound,
            temperature_c=temperature_c,
            walking_minutes=walking_minutes,
            new_leg_weakness=new_leg_weakness,
            saddle_numbness=saddle_numbness,
            bladder_change=bladder_change,
            bowel_change=bowel_change,
            notes=notes,
        )
        checkin.full_clean()
        checkin.save()
        history = [
            PainPoint(back_pain=b, leg_pain=leg)
            for b, leg in reversed(
                episode.checkins.order_by("-submitted_at", "-id").values_list(
                    "back_pain", "leg_pain"
                )[:RECENT_CHECKINS]
            )
        ]
        proposals = sorted(
            (*triage_checkin(facts), *triage_trend(history)),
            key=lambda proposal: SEVERITY_RANK[proposal.severity],
        )
        alerts = tuple(raise_alert(episode, checkin, proposal) for proposal in proposals)
    return CheckInResult(
        checkin=checkin, alerts=alerts, advice=tuple(p.patient_advice for p in proposals)
    )


def raise_alert(episode: Episode, checkin: CheckIn | None, proposal: ProposedAlert) -> Alert:
    """Open a new alert, or merge a repeat into the open one for the same rule."""
    existing = (
        Alert.objects.select_for_update()
        .filter(
            episode=episode,
            rule_id=proposal.rule_id,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
        .first()
    )
    if existing is not None:
        repeats = int(existing.data.get("repeats", 1)) + 1
        existing.data = {**existing.data, **proposal.data, "repeats": repeats}
        existing.checkin = checkin or existing.checkin
        existing.save(update_fields=["data", "checkin"])
        return existing
    alert = Alert.objects.create(
        episode=episode,
        checkin=checkin,
        site_id=episode.patient.site_id,
        severity=proposal.severity,
        severity_rank=SEVERITY_RANK[proposal.severity],
        rule_id=proposal.rule_id,
        reason=proposal.reason,
        patient_advice=proposal.patient_advice,
        source=proposal.source,
        data={**proposal.data, "triage_version": TRIAGE_VERSION, "repeats": 1},
    )
    _notify_care_team(alert)
    return alert


def _notify_care_team(alert: Alert) -> None:
    """Queue one e-mail per first-line team member; the worker sends it."""
    episode = alert.episode
    if episode.care_team_id is None:
        return
    first_line = CareTeamMembership.objects.filter(
        team_id=episode.care_team_id, user__is_active=True
    ).order_by("escalation_order", "id")
    memberships = list(first_line)
    if not memberships:
        return
    lowest = memberships[0].escalation_order
    alert.escalation_level = lowest
    alert.save(update_fields=["escalation_level"])
    worklist = settings.SPINEPATH["BASE_URL"] + reverse("recovery:worklist")
    for membership in memberships:
        if membership.escalation_order != lowest:
            break
        Notification.objects.get_or_create(
            dedupe_key=f"alert:{alert.public_id}:raised:{membership.user_id}",
            defaults={
                "recipient_id": membership.user_id,
                "kind": "alert",
                # No patient details in e-mail: the worklist shows them after sign-in.
                "subject": f"spinepath: new {alert.get_severity_display().lower()} alert",
                "body": (
                    f"A new {alert.get_severity_display().lower()} alert ({alert.rule_id}) was "
                    f"raised at {_site_time(alert):%H:%M}. Open the worklist: {worklist}"
                ),
            },
        )


def _site_time(alert: Alert) -> datetime:
    return timezone.localtime(alert.raised_at, ZoneInfo(alert.site.time_zone))


def do_acknowledge_alert(*, actor: Any, alert: Alert) -> Alert:
    require_role(actor, CLINICAL_ROLES, "acknowledge alerts")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise ActionError("This alert has already been acknowledged.", status=409)
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_by = actor
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    return locked


def do_resolve_alert(*, actor: Any, alert: Alert, resolution: str) -> Alert:
    require_role(actor, CLINICAL_ROLES, "resolve alerts")
    if not resolution.strip():
        raise ActionError("Say how the alert was resolved.", field="resolution")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.RESOLVED:
            raise ActionError("This alert is already resolved.", status=409)
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_by, locked.acknowledged_at = actor, now
        locked.status = AlertStatus.RESOLVED
        locked.resolved_by, locked.resolved_at = actor, now
        locked.resolution = resolution.strip()[:300]
        locked.save()
    return locked
