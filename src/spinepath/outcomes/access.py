from __future__ import annotations

from typing import Any

from spinepath.outcomes.models import Complication, QuestionnaireResponse
from spinepath.patients.access import guard


def access_questionnaire_response(
    user: Any, response_id: object, *, purpose: str
) -> QuestionnaireResponse:
    return guard(
        QuestionnaireResponse.objects.select_related("episode__patient"),
        response_id,
        user,
        purpose=purpose,
        object_type="questionnaire_response",
        patient_of=lambda response: response.episode.patient,
    )


def access_complication(user: Any, complication_id: object, *, purpose: str) -> Complication:
    return guard(
        Complication.objects.select_related("episode__patient"),
        complication_id,
        user,
        purpose=purpose,
        object_type="complication",
        patient_of=lambda complication: complication.episode.patient,
    )
