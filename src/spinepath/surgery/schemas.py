from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class ReadinessOut(Schema):
    assessed_at: datetime
    mpadss_total: int
    ready: bool
    unmet: list[dict[str, Any]]


class CaseOut(Schema):
    id: UUID
    episode_id: UUID
    procedure: str
    approach: str
    level: str
    side: str
    surgery_start: datetime
    estimated_blood_loss_ml: int
    operative_minutes: int
    discharged_at: datetime | None
    length_of_stay_hours: Decimal | None
    length_of_stay_category: str
    latest_readiness: ReadinessOut | None


class ReadinessIn(Schema):
    vital_signs: int = Field(ge=0, le=2)
    ambulation: int = Field(ge=0, le=2)
    nausea_vomiting: int = Field(ge=0, le=2)
    pain: int = Field(ge=0, le=2)
    surgical_bleeding: int = Field(ge=0, le=2)
    checklist: dict[str, bool | None]


class PlanOut(Schema):
    case_id: UUID
    content: dict[str, Any]
    medicines: list[dict[str, Any]]
    medicine_summary: dict[str, Any]
    staff_notes: str
    updated_at: datetime
