"""The access log: who read or changed which patient's record, when, from where, why.

Append-only: the model refuses updates and deletes, and on PostgreSQL a
trigger (migration 0002) refuses them at the database too, so not even a
bug or a shell session can rewrite history.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    pass


class AccessLog(models.Model):
    class Outcome(models.TextChoices):
        GRANTED = "granted"
        DENIED = "denied"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Ids, not foreign keys: the log must outlive the rows it describes and must
    # never cascade away with them.
    user_public_id = models.UUIDField(null=True)
    role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16, default="read")  # read | list | create | update
    object_type = models.CharField(max_length=48)
    object_id = models.CharField(max_length=64, blank=True)
    patient_public_id = models.UUIDField(null=True, db_index=True)
    purpose = models.CharField(max_length=120)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    channel = models.CharField(max_length=16)
    ip_address = models.GenericIPAddressField(null=True)
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user_public_id", "at"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the access log is append-only")
