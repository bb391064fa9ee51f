from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from spinepath.api_types import Text


class TakenIn(Schema):
    drug: str = Field(min_length=1, max_length=40)
    strength_mg: float = Field(gt=0, le=1000)
    count: int = Field(ge=0, le=100)


class CheckInIn(Schema):
    back_pain: int = Field(ge=0, le=10)
    leg_pain: int = Field(ge=0, le=10)
    wound: Literal["dry", "redness", "discharge", "opening"]
    temperature_c: Decimal | None = Field(default=None, ge=30, le=44, decimal_places=1)
    walking_minutes: int | None = Field(default=None, ge=0, le=1440)
    new_leg_weakness: bool = False
    saddle_numbness: bool = False
    bladder_change: bool = False
    bowel_change: bool = False
    notes: Text = Field(default="", max_length=2000)
    # Painkillers taken since the last check-in; omitted or null = not reported.
    analgesics: list[TakenIn] | None = Field(default=None, max_length=20)
    milestones_reached: list[Literal["physio_start", "driving", "desk_work", "heavy_work"]] = []


class AlertOut(Schema):
    id: UUID
    episode_id: UUID
    severity: str
    rule_id: str
    reason: str
    source: str
    status: str
    raised_at: datetime
    acknowledged_at: datetime | None
    data: dict[str, object]
    outcome: str
    resolved_at: datetime | None


class ResolveIn(Schema):
    outcome: Literal[
        "advice_given", "seen_in_clinic", "sent_to_emergency", "readmitted", "no_action", "other"
    ]
    resolution: Text = Field(default="", max_length=300)


class NoteIn(Schema):
    text: Text = Field(min_length=1, max_length=2000)


class CheckInOut(Schema):
    id: UUID
    submitted_at: datetime
    mme_per_day: Decimal | None
    alerts: list[AlertOut]
    advice: list[str]
