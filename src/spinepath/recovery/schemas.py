from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from spinepath.api_types import Text


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


class CheckInOut(Schema):
    id: UUID
    submitted_at: datetime
    alerts: list[AlertOut]
    advice: list[str]
