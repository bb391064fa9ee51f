from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Schema


class PatientOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    site: str


class EpisodeOut(Schema):
    id: UUID
    patient_id: UUID
    condition: str
    stage: str
    opened_at: datetime
