"""The JSON case format: one parser for the CLI, the HTTP endpoint and the Django form.

`case_from_json` turns a decoded JSON object into CaseFacts or raises
CaseValidationError naming the field ("imaging[0].level: must be one of …").
Unknown keys are errors, so a typo is never silently ignored; null (or an
absent key) means "not recorded". `red_flags` must be present: an empty list
says the red flags were asked and none is present, which is different from
not having asked. `case_to_json` is the inverse.

The fields are declared once below; schemas/candidacy-case.schema.json
documents the same format (a test checks that the two agree).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

from spinepath.clinical.candidacy.facts import (
    CONDITIONS,
    LUMBAR_LEVELS,
    CaseFacts,
    ConservativeTreatment,
    Deficit,
    DominantSymptom,
    Herniation,
    HerniationZone,
    LevelFinding,
    Migration,
    Side,
    StenosisGrade,
    TreatmentKind,
    TreatmentResponse,
)
from spinepath.clinical.redflags import RED_FLAGS

MAX_WEEKS = 1040  # 20 years: anything longer is a typing error


class CaseValidationError(ValueError):
    """A field of a JSON case is invalid. `str(err)` is "field: message"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FieldSpec:
    kind: str  # "enum", "integer", "number", "boolean", "red_flags", "treatments", "findings"
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    required: bool = False  # the key must be present (and not null)


def _enum(values: tuple[str, ...] | type[StrEnum], *, required: bool = False) -> FieldSpec:
    choices = values if isinstance(values, tuple) else tuple(v.value for v in values)
    return FieldSpec("enum", choices, required=required)


_BOOLEAN = FieldSpec("boolean")
_WEEKS = FieldSpec("integer", minimum=0, maximum=MAX_WEEKS)

CASE_FIELDS: dict[str, FieldSpec] = {
    "condition": _enum(CONDITIONS),
    "red_flags": FieldSpec("red_flags", tuple(f.id for f in RED_FLAGS), required=True),
    "dominant_symptom": _enum(DominantSymptom),
    "side": _enum(Side),
    "level": _enum(LUMBAR_LEVELS),
    "symptom_weeks": _WEEKS,
    "conservative_care": FieldSpec("treatments"),
    "neurological_deficit": _enum(Deficit),
    "imaging": FieldSpec("findings"),
    "imaging_concordant": _BOOLEAN,
    "age": FieldSpec("integer", minimum=0, maximum=120),
    "bmi": FieldSpec("number", minimum=10, maximum=100),
    "asa_class": FieldSpec("integer", minimum=1, maximum=5),
    "smoker": _BOOLEAN,
    "diabetes": _BOOLEAN,
    "anticoagulated": _BOOLEAN,
    "osteoporosis": _BOOLEAN,
    "prior_surgery_at_level": _BOOLEAN,
    "disabling_pain": _BOOLEAN,
}
TREATMENT_FIELDS: dict[str, FieldSpec] = {
    "kind": _enum(TreatmentKind, required=True),
    "weeks": _WEEKS,
    "response": _enum(TreatmentResponse),
}
FINDING_FIELDS: dict[str, FieldSpec] = {
    "level": _enum(LUMBAR_LEVELS, required=True),
    "herniation": _enum(Herniation),
    "herniation_zone": _enum(HerniationZone),
    "migration": _enum(Migration),
    "central_stenosis": _enum(StenosisGrade),
    "lateral_recess_stenosis": _enum(StenosisGrade),
    "foraminal_stenosis": _enum(StenosisGrade),
    "slip_percent": FieldSpec("number", minimum=0, maximum=200),
    "instability": _BOOLEAN,
    "fracture": _BOOLEAN,
    "deformity": _BOOLEAN,
    "posterior_wall_disrupted": _BOOLEAN,
    "retropulsion": _BOOLEAN,
}

_ENUM_TYPES: dict[str, type[StrEnum]] = {
    "dominant_symptom": DominantSymptom,
    "side": Side,
    "neurological_deficit": Deficit,
    "kind": TreatmentKind,
    "response": TreatmentResponse,
    "herniation": Herniation,
    "herniation_zone": HerniationZone,
    "migration": Migration,
    "central_stenosis": StenosisGrade,
    "lateral_recess_stenosis": StenosisGrade,
    "foraminal_stenosis": StenosisGrade,
}


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _scalar(name: str, where: str, spec: FieldSpec, value: object) -> object:
    """Check one scalar value against its spec; return it converted for CaseFacts."""
    if value is None:
        return None
    if spec.kind == "enum":
        if not isinstance(value, str) or value not in spec.choices:
            raise CaseValidationError(where, f"must be one of {', '.join(spec.choices)}")
        enum_type = _ENUM_TYPES.get(name)
        return enum_type(value) if enum_type else value
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise CaseValidationError(where, "must be true, false or null")
        return value
    low, high = _number_text(spec.minimum or 0), _number_text(spec.maximum or 0)
    kind = "a whole number" if spec.kind == "integer" else "a number"
    problem = CaseValidationError(where, f"must be {kind} from {low} to {high}")
    number: float
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem
    if isinstance(value, float) and not math.isfinite(value):
        raise problem
    if spec.kind == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise problem
        number = int(value)
    else:
        number = float(value)
    too_low = spec.minimum is not None and number < spec.minimum
    too_high = spec.maximum is not None and number > spec.maximum
    if too_low or too_high:
        raise problem
    return number


def _object(value: object, where: str, specs: Mapping[str, FieldSpec]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise CaseValidationError(where, "must be a JSON object")
    prefix = "" if where == "case" else f"{where}."
    for key in value:
        if not isinstance(key, str) or key not in specs:
            close = difflib.get_close_matches(str(key), list(specs), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise CaseValidationError(f"{prefix}{key}", f"unknown field{hint}")
    for name, spec in specs.items():
        if spec.required and value.get(name) is None:
            raise CaseValidationError(f"{prefix}{name}", "required")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise CaseValidationError(where, "must be a list")
    return value


def _red_flags(value: object) -> frozenset[str]:
    if value is None:
        raise CaseValidationError(
            "red_flags", "required (an empty list means no red flag is present)"
        )
    choices = CASE_FIELDS["red_flags"].choices
    flags = _list(value, "red_flags")
    for i, flag in enumerate(flags):
        if not isinstance(flag, str) or flag not in choices:
            raise CaseValidationError(f"red_flags[{i}]", f"unknown red flag {flag!r}")
    return frozenset(str(flag) for flag in flags)


def _treatments(value: object, symptom_weeks: object) -> tuple[ConservativeTreatment, ...] | None:
    if value is None:
        return None
    parsed: list[ConservativeTreatment] = []
    for i, item in enumerate(_list(value, "conservative_care")):
        where = f"conservative_care[{i}]"
        data = _object(item, where, TREATMENT_FIELDS)
        values = {
            name: _scalar(name, f"{where}.{name}", spec, data.get(name))
            for name, spec in TREATMENT_FIELDS.items()
        }
        weeks = values["weeks"]
        if isinstance(weeks, int) and isinstance(symptom_weeks, int) and weeks > symptom_weeks:
            raise CaseValidationError(
                f"{where}.weeks",
                f"{weeks} weeks of treatment is longer than symptom_weeks ({symptom_weeks})",
            )
        parsed.append(ConservativeTreatment(**values))  # type: ignore[arg-type]
    return tuple(parsed)


def _findings(value: object) -> tuple[LevelFinding, ...]:
    if value is None:
        return ()
    parsed: list[LevelFinding] = []
    for i, item in enumerate(_list(value, "imaging")):
        where = f"imaging[{i}]"
        data = _object(item, where, FINDING_FIELDS)
        values = {
            name: _scalar(name, f"{where}.{name}", spec, data.get(name))
            for name, spec in FINDING_FIELDS.items()
        }
        if any(f.level == values["level"] for f in parsed):
            raise CaseValidationError(f"{where}.level", f"{values['level']} appears twice")
        if values["herniation"] == Herniation.NONE:
            for name in ("herniation_zone", "migration"):
                if values[name] not in (None, Migration.NONE):
                    raise CaseValidationError(f"{where}.{name}", "given but herniation is none")
        parsed.append(LevelFinding(**values))  # type: ignore[arg-type]
    return tuple(parsed)


def case_from_json(data: Mapping[str, object]) -> CaseFacts:
    obj = _object(data, "case", CASE_FIELDS)
    values: dict[str, object] = {
        name: _scalar(name, name, spec, obj.get(name))
        for name, spec in CASE_FIELDS.items()
        if spec.kind not in ("red_flags", "treatments", "findings")
    }
    values["red_flags"] = _red_flags(obj.get("red_flags"))
    values["conservative_care"] = _treatments(obj.get("conservative_care"), values["symptom_weeks"])
    values["imaging"] = _findings(obj.get("imaging"))
    return CaseFacts(**values)  # type: ignore[arg-type]


def _plain(value: object) -> object:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, ConservativeTreatment | LevelFinding):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def case_to_json(facts: CaseFacts) -> dict[str, object]:
    """The JSON case for these facts; `case_from_json` reads it back unchanged."""
    return {f.name: _plain(getattr(facts, f.name)) for f in fields(facts)}
