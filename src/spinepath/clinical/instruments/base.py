"""What an instrument definition is: items, allowed answers, scoring, licence.

One definition drives scoring, form rendering, validation and FHIR
Questionnaire export, so everything those need lives on the objects here and
nowhere else. Answers are always given in the published item order, with
``None`` for an unanswered item; validation happens before any scoring, so a
scorer never sees an answer outside the item's choices.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeAlias

from spinepath.clinical.evidence import Evidence

Answers: TypeAlias = tuple[int | None, ...]
Options: TypeAlias = Mapping[str, object]


class InvalidAnswerError(ValueError):
    """Wrong number of answers, or an answer an item does not allow."""


class InvalidOptionError(ValueError):
    """A scoring option that the instrument does not know or cannot use."""


class UnknownInstrumentError(ValueError):
    pass


@dataclass(frozen=True)
class Choice:
    value: int
    label: str | None = None  # None: the wording is licensed and supplied by the deployment


@dataclass(frozen=True)
class Item:
    id: str  # stable: stored with answers, used as the FHIR linkId
    label: str  # our own short name for the item, safe to ship with any licence
    text: str | None  # questionnaire wording; None when it is licensed
    choices: tuple[Choice, ...]
    required: bool = True

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(choice.value for choice in self.choices)

    def allowed(self) -> str:
        values = self.values
        if values == tuple(range(values[0], values[-1] + 1)):
            return f"{values[0]}-{values[-1]}"
        return ", ".join(str(v) for v in values)


def integer_choices(low: int, high: int, labels: Sequence[str] | None = None) -> tuple[Choice, ...]:
    values = range(low, high + 1)
    if labels is None:
        return tuple(Choice(v) for v in values)
    if len(labels) != len(values):
        raise ValueError("one label per value")
    return tuple(Choice(v, label) for v, label in zip(values, labels, strict=True))


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one response.

    ``score`` is the instrument's primary number, or None when the response is
    not scorable, in which case ``reason`` says why. Nothing is ever guessed to
    make a score appear. ``extra`` holds the instrument-specific numbers
    (band, subscales, raw sums) as JSON-ready values.
    """

    instrument: str
    version: str
    score: float | None
    reason: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        if self.score is None and not self.reason:
            raise ValueError("a result without a score must say why")

    @property
    def scorable(self) -> bool:
        return self.score is not None

    def to_json(self) -> dict[str, object]:
        """Exactly what ``spinepath score`` prints."""
        out: dict[str, object] = {
            "instrument": self.instrument,
            "version": self.version,
            "score": self.score,
            "scorable": self.scorable,
            "reason": self.reason,
        }
        for key, value in self.extra.items():
            if key in out:
                raise ValueError(f"extra key {key!r} would hide a core field")
            out[key] = value
        return out


Scorer: TypeAlias = Callable[[Answers, Options], ScoreResult]


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    version: str  # stored with every response
    items: tuple[Item, ...]
    licence: str
    source: str
    scoring_rule: str
    missing_rule: str
    scorer: Scorer = field(repr=False, compare=False)
    options: tuple[str, ...] = ()  # keyword options ``score`` accepts
    evidence: Evidence = Evidence.VERIFIED
    unverified: tuple[str, ...] = ()  # [U] facts used, each a configurable default

    def score(self, answers: Sequence[int | None], **options: object) -> ScoreResult:
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            accepted = ", ".join(self.options) or "none"
            raise InvalidOptionError(
                f"{self.id}: unknown option {unknown[0]!r} (accepted: {accepted})"
            )
        return self.scorer(self.validate(answers), options)

    def validate(self, answers: Sequence[int | None]) -> Answers:
        if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            raise InvalidAnswerError(f"{self.id}: answers must be a sequence in item order")
        if len(answers) != len(self.items):
            raise InvalidAnswerError(
                f"{self.id}: expected {len(self.items)} answers "
                f"({self.items[0].id} ... {self.items[-1].id}), got {len(answers)}"
            )
        for item, answer in zip(self.items, answers, strict=True):
            if answer is None:
                continue
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise InvalidAnswerError(
                    f"{self.id}: {item.id} ({item.label}): {answer!r} is not a whole number"
                )
            if answer not in item.values:
                raise InvalidAnswerError(
                    f"{self.id}: {item.id} ({item.label}): {answer} is not an allowed answer "
                    f"({item.allowed()})"
                )
        return tuple(answers)

    def answers_from_mapping(self, answers: Mapping[str, int | None]) -> Answers:
        """Order answers keyed by item id; absent ids are missing (None)."""
        known = {item.id for item in self.items}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise InvalidAnswerError(f"{self.id}: unknown item {unknown[0]!r}")
        return self.validate([answers.get(item.id) for item in self.items])

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def missing_ids(items: Sequence[Item], answers: Answers) -> list[str]:
    return [item.id for item, answer in zip(items, answers, strict=True) if answer is None]
