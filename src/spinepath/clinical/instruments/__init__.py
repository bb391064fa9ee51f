"""Patient-reported outcome instruments: one definition each, and a registry.

Each definition (items, allowed answers, scoring, missing-data rule, licence
note, source) drives scoring, form rendering, validation and FHIR
Questionnaire export. See docs/instruments.md.
"""

from spinepath.clinical.instruments.base import (
    Choice,
    Instrument,
    InvalidAnswerError,
    InvalidOptionError,
    Item,
    ScoreResult,
    UnknownInstrumentError,
)
from spinepath.clinical.instruments.eq5d_value_sets import (
    DEFAULT_VALUE_SET,
    VALUE_SETS_3L,
    VALUE_SETS_5L,
    UnknownValueSetError,
    ValueSet,
)
from spinepath.clinical.instruments.registry import INSTRUMENTS, get_instrument

__all__ = [
    "DEFAULT_VALUE_SET",
    "INSTRUMENTS",
    "VALUE_SETS_3L",
    "VALUE_SETS_5L",
    "Choice",
    "Instrument",
    "InvalidAnswerError",
    "InvalidOptionError",
    "Item",
    "ScoreResult",
    "UnknownInstrumentError",
    "UnknownValueSetError",
    "ValueSet",
    "get_instrument",
]
