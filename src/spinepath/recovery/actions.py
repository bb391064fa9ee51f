"""Check-ins, the alerts they raise, and what the care team does with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from spinepath.accounts.models import CLINICAL_ROLES, CareTeamMembership, Role
from spinepath.clinical.discharge_plan import DEFAULT_NON_OPIOIDS, MILESTONE_IDS
from spinepath.clinical.opioid_use import ReportedUse, TakenDose, is_opioid, reported_use
from spinepath.clinical.opioids import MMEStatus
from spinepath.clinical.triage import (
    CHECKIN_RED_FLAGS,
    SEVERITY_RANK,
    TRIAGE_VERSION,
    CheckInFacts,
    PainPoint,
    ProposedAlert,
    Severity,
    TriageSettings,
    Wound,
    triage_checkin,
    triage_opioids,
    triage_trend,
    uncounted_opioids,
)
from spinepath.errors import ActionError, require_role
from spinepath.outcomes.events import record_patient_reported_event
from spinepath.outcomes.models import Complication
from spinepath.patients.models import Episode, Stage
from spinepath.recovery.alert_messages import queue_alert_messages
from spinepath.recovery.course import (
    day_after_surgery,
    opioid_history,
    surgery_date,
    taper_points,
)
from spinepath.recovery.models import (
    Alert,
    AlertNote,
    AlertOutcome,
    AlertStatus,
    CheckIn,
    MilestoneRecord,
    MilestoneSource,
    WoundPhoto,
)
from spinepath.recovery.photos import PreparedPhoto
from spinepath.recovery.programme import triage_settings

RECENT_CHECKINS = 7  # how far back the trend rules look


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn | None  # None when only red-flag answers could be taken
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
    analgesics: Sequence[Mapping[str, Any]] | None = None,
    photo: PreparedPhoto | None = None,
    milestones_reached: Iterable[str] = (),
    now: datetime | None = None,
) -> CheckInResult:
    """Record a check-in, triage it and raise or merge alerts, in one transaction.

    ``analgesics`` is what the patient took since the last check-in,
    [{drug, strength_mg, count}], or None when the question was not answered.
    """
    require_role(actor, {Role.PATIENT, Role.CAREGIVER}, "submit check-ins")
    now = now or timezone.now()
    if wound not in Wound.__members__.values():
        raise ActionError("Choose how the wound looks.", field="wound")
    if episode.stage == Stage.CLOSED:
        raise ActionError("This episode is closed; check-ins are no longer collected.")
    taken = _taken_doses(analgesics)
    reached = set(milestones_reached)
    unknown = reached - set(MILESTONE_IDS)
    if unknown:
        raise ActionError("Unknown milestone.", field="milestones")
    programme = triage_settings()
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
    day = day_after_surgery(episode, now)
    stored = _store_photo(photo) if photo is not None else None
    try:
        return _submit(
            actor,
            episode,
            facts,
            stored,
            taken,
            reached,
            day,
            now,
            programme,
            walking_minutes=walking_minutes,
            temperature_c=temperature_c,
            notes=notes,
        )
    except BaseException:
        if stored is not None:  # nothing half-written: no row, so no file either
            stored.image.delete(save=False)
        raise


def _submit(
    actor: Any,
    episode: Episode,
    facts: CheckInFacts,
    stored: WoundPhoto | None,
    taken: list[TakenDose] | None,
    reached: set[str],
    day: int | None,
    now: datetime,
    programme: TriageSettings,
    *,
    walking_minutes: int | None,
    temperature_c: Decimal | None,
    notes: str,
) -> CheckInResult:
    with transaction.atomic():
        # Serialise check-ins of one episode, so two at once cannot both open an alert.
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        use = _period_use(episode, taken, now) if taken is not None else None
        checkin = CheckIn(
            episode=episode,
            submitted_by=actor,
            submitted_at=now,
            back_pain=facts.back_pain,
            leg_pain=facts.leg_pain,
            wound=str(facts.wound),
            temperature_c=temperature_c,
            walking_minutes=walking_minutes,
            new_leg_weakness=facts.new_leg_weakness,
            saddle_numbness=facts.saddle_numbness,
            bladder_change=facts.bladder_change,
            bowel_change=facts.bowel_change,
            notes=notes,
            analgesics=[
                {"drug": t.drug, "strength_mg": t.strength_mg, "count": t.count}
                for t in (taken or ())
            ],
            opioid_use=use.to_json() if use is not None else {},
            mme_per_day=(
                Decimal(str(round(use.total_mme_per_day, 2)))
                if use is not None and use.total_mme_per_day is not None
                else None
            ),
            day_after_surgery=day,
        )
        try:
            checkin.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ActionError(f"{field.replace('_', ' ')}: {messages[0]}", field=field) from None
        checkin.save()
        if stored is not None:
            stored.checkin = checkin
            stored.save()
        if walking_minutes:
            reached.add("walking")
        _record_milestones(episode, checkin, actor, reached, now)
        history = [
            PainPoint(back_pain=b, leg_pain=leg)
            for b, leg in reversed(
                episode.checkins.order_by("-submitted_at", "-id").values_list(
                    "back_pain", "leg_pain"
                )[:RECENT_CHECKINS]
            )
        ]
        proposals = [*triage_checkin(facts, programme), *triage_trend(history, programme)]
        if day is not None and checkin.mme_per_day is not None:
            opioids = opioid_history(episode)
            proposals.extend(triage_opioids(opioids, taper_points(episode), programme))
        if use is not None:
            uncounted = uncounted_opioids(
                [line.drug for line in use.lines if line.status is not MMEStatus.CALCULATED]
            )
            if uncounted is not None:
                proposals.append(uncounted)
        proposals.sort(key=lambda proposal: SEVERITY_RANK[proposal.severity])
        alerts = tuple(raise_alert(episode, checkin, proposal) for proposal in proposals)
    return CheckInResult(
        checkin=checkin, alerts=alerts, advice=tuple(p.patient_advice for p in proposals)
    )


# Above this a report is a typing slip, not a dose (the highest doses seen in palliative care
# are in the low thousands of MME/day); refused with a message rather than stored.
MAX_PLAUSIBLE_MME_PER_DAY = 5000


def _period_use(episode: Episode, taken: list[TakenDose], now: datetime) -> ReportedUse:
    """MME/day over the last day of reports, not just since the last check-in.

    A count covers the time since the previous check-in. Check-ins closer together than a
    day are added up over the day before ``now`` (back to the last check-in outside it, or
    one that did not report painkillers), so twice-daily reports are not halved and a report
    an hour after the last is not multiplied up.
    """
    earlier = episode.checkins.filter(submitted_at__lte=now).order_by("-submitted_at", "-id")
    window_start = now - timedelta(hours=24)
    combined = list(taken)
    start = None
    for submitted_at, analgesics, use in earlier.values_list(
        "submitted_at", "analgesics", "opioid_use"
    )[:24]:
        start = submitted_at
        if submitted_at <= window_start or not use:
            break
        combined.extend(
            TakenDose(drug=a["drug"], strength_mg=a["strength_mg"], count=a["count"])
            for a in analgesics
        )
    hours = (now - start).total_seconds() / 3600 if start is not None else None
    use = reported_use(combined, hours)
    if use.total_mme_per_day is not None and use.total_mme_per_day > MAX_PLAUSIBLE_MME_PER_DAY:
        raise ActionError(
            "Painkillers: those numbers add up to far more than anyone takes in a day. "
            "Check the strength and how many you took.",
            field="analgesics",
        )
    return use


def do_report_red_flags(*, actor: Any, episode: Episode, flags: Iterable[str]) -> CheckInResult:
    """Raise the urgent alert for red-flag answers alone, when the rest of a check-in could
    not be taken: a red flag is never lost to a mistake elsewhere in the form."""
    require_role(actor, {Role.PATIENT, Role.CAREGIVER}, "submit check-ins")
    answered = set(flags)
    facts = CheckInFacts(**{name: name in answered for name in CHECKIN_RED_FLAGS})
    proposals = [p for p in triage_checkin(facts, triage_settings()) if p.rule_id == "TR-REDFLAG"]
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        alerts = tuple(raise_alert(episode, None, proposal) for proposal in proposals)
    return CheckInResult(
        checkin=None, alerts=alerts, advice=tuple(p.patient_advice for p in proposals)
    )


def _taken_doses(analgesics: Sequence[Mapping[str, Any]] | None) -> list[TakenDose] | None:
    if analgesics is None:
        return None
    taken = []
    for line in analgesics:
        drug = str(line.get("drug", "")).strip().lower()
        # A brand or misspelt name would count as "not an opioid" and vanish from the total.
        if drug and not is_opioid(drug) and drug not in DEFAULT_NON_OPIOIDS:
            raise ActionError(
                f"Painkillers: unknown medicine {drug!r}; use the generic name, such as "
                "oxycodone, tramadol or paracetamol.",
                field="analgesics",
            )
        try:
            dose = TakenDose(
                drug=str(line["drug"]),
                strength_mg=float(line["strength_mg"]),
                count=float(line["count"]),
            )
            reported_use([dose], None)  # the clinical core checks each line
        except (KeyError, TypeError, ValueError) as exc:
            raise ActionError(f"Painkillers: {exc}", field="analgesics") from None
        taken.append(dose)
    return taken


def _store_photo(photo: PreparedPhoto) -> WoundPhoto:
    """Write the file first, under a random name; the row comes in the transaction."""
    record = WoundPhoto(
        width=photo.width,
        height=photo.height,
        size_bytes=len(photo.content),
        sha256=photo.sha256,
    )
    record.image.save("wound.jpg", ContentFile(photo.content), save=False)
    return record


def _record_milestones(
    episode: Episode, checkin: CheckIn | None, actor: Any, reached: set[str], now: datetime
) -> None:
    if not reached:
        return
    already = set(
        MilestoneRecord.objects.filter(episode=episode, milestone_id__in=reached).values_list(
            "milestone_id", flat=True
        )
    )
    zone = ZoneInfo(episode.patient.site.time_zone)
    # ignore_conflicts: a staff entry of the same milestone at the same moment wins quietly.
    MilestoneRecord.objects.bulk_create(
        ignore_conflicts=True,
        objs=[
            MilestoneRecord(
                episode=episode,
                milestone_id=milestone_id,
                achieved_on=now.astimezone(zone).date(),
                source=MilestoneSource.CHECKIN if checkin else MilestoneSource.STAFF,
                checkin=checkin,
                recorded_by=actor,
                recorded_at=now,
            )
            for milestone_id in sorted(reached - already)
        ],
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
        return _merge_repeat(existing, checkin, proposal)
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
    record_patient_reported_event(alert)  # wound and fever alerts: an event for staff to review
    _notify_care_team(alert)
    return alert


def _merge_repeat(alert: Alert, checkin: CheckIn | None, proposal: ProposedAlert) -> Alert:
    """A repeat updates the open alert to the newest facts. If it says something new after
    someone acknowledged the alert, the alert opens again: its SLA clock restarts, the first
    line is told again, and a note records what changed. Otherwise nobody would hear of, say,
    a second red-flag symptom reported after the first was acknowledged."""
    repeats = int(alert.data.get("repeats", 1)) + 1
    news = proposal.reason != alert.reason
    reopen = news and alert.status == AlertStatus.ACKNOWLEDGED
    if reopen:
        AlertNote.objects.create(
            alert=alert,
            author=None,
            text=(
                f"Opened again by a new check-in: {proposal.reason}. It had been acknowledged "
                f"by {alert.acknowledged_by} with: {alert.reason}."
            ),
        )
        alert.data = {
            **alert.data,
            "first_raised_at": alert.data.get("first_raised_at") or alert.raised_at.isoformat(),
        }
        alert.status = AlertStatus.OPEN
        alert.acknowledged_by = alert.acknowledged_at = None
        alert.raised_at = timezone.now()
        alert.escalated_at = None
    alert.data = {**alert.data, **proposal.data, "repeats": repeats}
    alert.reason = proposal.reason
    alert.patient_advice = proposal.patient_advice
    alert.checkin = checkin or alert.checkin
    alert.save()
    if reopen:
        _notify_care_team(alert, event=f"reopened-{repeats}")
    return alert


def _notify_care_team(alert: Alert, event: str = "raised") -> None:
    """Queue one e-mail per first-line team member (and a text for urgent alerts to those
    with a phone number); the worker sends them."""
    episode = alert.episode
    if episode.care_team_id is None:
        return
    first_line = (
        CareTeamMembership.objects.filter(team_id=episode.care_team_id, user__is_active=True)
        .select_related("user")
        .order_by("escalation_order", "id")
    )
    memberships = list(first_line)
    if not memberships:
        return
    lowest = memberships[0].escalation_order
    alert.escalation_level = lowest
    alert.save(update_fields=["escalation_level"])
    severity = alert.get_severity_display().lower()
    again = event != "raised"
    for membership in memberships:
        if membership.escalation_order != lowest:
            break
        queue_alert_messages(
            alert,
            membership.user,
            event=event,
            kind="alert",
            subject=f"spinepath: {'updated' if again else 'new'} {severity} alert",
            text=(
                f"A {severity} alert ({alert.rule_id}) was "
                f"{'opened again with new information' if again else 'raised'} at "
                f"{_site_time(alert):%H:%M}."
            ),
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


def do_resolve_alert(*, actor: Any, alert: Alert, outcome: str, resolution: str = "") -> Alert:
    """Close an alert with what was done. Readmission and the like prompt the caller to
    record a complication (COMPLICATION_OUTCOMES); linking it is do_link_complication."""
    require_role(actor, CLINICAL_ROLES, "resolve alerts")
    if outcome not in AlertOutcome.values:
        raise ActionError("Choose the outcome.", field="outcome")
    resolution = resolution.strip()
    if outcome == AlertOutcome.OTHER and not resolution:
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
        locked.outcome = outcome
        locked.resolution = resolution[:300]
        locked.save()
    return locked


def do_add_alert_note(*, actor: Any, alert: Alert, text: str) -> AlertNote:
    require_role(actor, CLINICAL_ROLES, "add notes to alerts")
    text = text.strip()
    if not text:
        raise ActionError("Write the note.", field="text")
    if len(text) > 2000:
        raise ActionError("Keep the note under 2,000 characters.", field="text")
    with transaction.atomic():
        return AlertNote.objects.create(alert=alert, author=actor, text=text)


def do_link_complication(*, actor: Any, alert: Alert, complication: Complication) -> Alert:
    require_role(actor, CLINICAL_ROLES, "record complications")
    if complication.episode_id != alert.episode_id:
        raise ActionError("That complication belongs to another episode.")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.complication_id not in (None, complication.pk):
            raise ActionError("This alert is already linked to a complication.", status=409)
        locked.complication = complication
        locked.save(update_fields=["complication"])
    return locked


def do_record_milestone(
    *, actor: Any, episode: Episode, milestone_id: str, achieved_on: date, note: str = ""
) -> MilestoneRecord:
    """The care team records a milestone reached (a physio letter, a phone call)."""
    require_role(actor, CLINICAL_ROLES, "record milestones")
    if milestone_id not in MILESTONE_IDS:
        raise ActionError("Unknown milestone.", field="milestone_id")
    zone = ZoneInfo(episode.patient.site.time_zone)
    if achieved_on > timezone.now().astimezone(zone).date():
        raise ActionError("The date is in the future.", field="achieved_on")
    operated = surgery_date(episode)
    if operated is not None and achieved_on < operated:
        raise ActionError("The date is before the operation.", field="achieved_on")
    with transaction.atomic():
        Episode.objects.select_for_update().filter(pk=episode.pk).first()
        record, created = MilestoneRecord.objects.get_or_create(
            episode=episode,
            milestone_id=milestone_id,
            defaults={
                "achieved_on": achieved_on,
                "source": MilestoneSource.STAFF,
                "recorded_by": actor,
                "note": note.strip()[:300],
            },
        )
        if not created:
            raise ActionError("This milestone is already recorded.", status=409)
    return record
