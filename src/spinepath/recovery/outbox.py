"""Queueing messages in the outbox (recovery.models.Notification)."""

from __future__ import annotations

from spinepath.recovery.models import Notification


def queue_new(wanted: dict[str, Notification]) -> int:
    """Queue the messages whose dedupe keys are not queued yet; return how many were new.

    One query to find the keys already there, one insert; a second worker racing on the
    same keys loses quietly on the unique dedupe_key.
    """
    if not wanted:
        return 0
    queued = set(
        Notification.objects.filter(dedupe_key__in=list(wanted)).values_list(
            "dedupe_key", flat=True
        )
    )
    new = [note for key, note in wanted.items() if key not in queued]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
