"""Patient-reported events: a check-in alert that may be a complication becomes a pending
Complication for staff to confirm (with a grade) or reject in the reconciliation queue
(/clinic/events/).

Called by recovery.actions.raise_alert when it opens a new alert (a repeat merged into an
open alert makes no second event), inside the check-in's transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, transaction

from spinepath.outcomes.followup import local_today
from spinepath.outcomes.models import Complication, ComplicationStatus, ReportedBy

log = logging.getLogger(__name__)

# Wound and fever alerts (clinical.triage.triage_checkin) may be a surgical site infection.
# [U] programme choice: these three, because the CDC/NHSN SSI criteria start from wound
# drainage, dehiscence and fever (reference clinical.md §7.2).
PATIENT_REPORTED_RULES = frozenset({"TR-WOUND", "TR-FEVER-WOUND", "TR-FEVER"})


def record_patient_reported_event(alert: Any) -> Complication | None:
    """A pending, patient-reported Complication for a new wound or fever alert.

    The description is the alert's reason, the onset the check-in's date at the patient's
    site; the grade, SSI depth and relation to the surgery are left for staff. Nothing is
    made for other rules, or for an alert without a check-in."""
    if alert.rule_id not in PATIENT_REPORTED_RULES or alert.checkin_id is None:
        return None
    checkin = alert.checkin
    episode = alert.episode
    try:
        # A savepoint: should the event fail, the check-in and its alerts (a red flag among
        # them, perhaps) are still saved; the alert itself reaches the care team.
        with transaction.atomic():
            return Complication.objects.create(
                episode=episode,
                description=f"Reported at a check-in: {alert.reason}"[:300],
                onset_date=local_today(episode.patient.site.time_zone, checkin.submitted_at),
                clavien_dindo="",
                reported_by=ReportedBy.PATIENT,
                status=ComplicationStatus.PENDING,
                alert=alert,
                recorded_by_id=checkin.submitted_by_id,
            )
    except DatabaseError:
        log.exception("no patient-reported event recorded for alert %s", alert.public_id)
        return None
