"""The instrument definitions: registry, item metadata, validation, JSON shape."""

from __future__ import annotations

import json

import pytest

from spinepath.clinical.instruments import (
    INSTRUMENTS,
    Instrument,
    InvalidAnswerError,
    InvalidOptionError,
    ScoreResult,
    UnknownInstrumentError,
    get_instrument,
)

IDS = ("odi", "ndi", "nrs-back", "nrs-leg", "promis-10", "eq5d-5l", "eq5d-3l", "startback")


def test_registry_holds_exactly_the_agreed_ids() -> None:
    assert set(INSTRUMENTS) == set(IDS)
    for instrument_id in IDS:
        assert get_instrument(instrument_id).id == instrument_id


def test_unknown_instrument_is_a_value_error_naming_it() -> None:
    with pytest.raises(UnknownInstrumentError, match="'sf-36'") as info:
        get_instrument("sf-36")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=lambda i: i.id)
def test_every_definition_is_complete(instrument: Instrument) -> None:
    assert instrument.name and instrument.version and instrument.licence
    assert instrument.source and instrument.scoring_rule and instrument.missing_rule
    ids = [item.id for item in instrument.items]
    assert len(ids) == len(set(ids)), "item ids must be unique (FHIR linkId)"
    for item in instrument.items:
        assert item.label
        values = item.values
        assert values == tuple(sorted(set(values))) and len(values) >= 2


@pytest.mark.parametrize("instrument_id", ["eq5d-5l", "eq5d-3l"])
def test_eq5d_ships_no_licensed_wording(instrument_id: str) -> None:
    instrument = get_instrument(instrument_id)
    assert "EuroQol" in instrument.licence
    for item in instrument.items:
        assert item.text is None
        assert all(choice.label is None for choice in item.choices)


def test_published_item_orders() -> None:
    assert [i.id for i in get_instrument("odi").items] == [f"odi.{n}" for n in range(1, 11)]
    assert get_instrument("odi").items[7].label.startswith("Sex life")
    assert get_instrument("odi").items[7].required is False
    assert [i.id for i in get_instrument("promis-10").items] == [
        "Global01", "Global02", "Global03", "Global04", "Global05",
        "Global06", "Global07", "Global08r", "Global09r", "Global10r",
    ]  # fmt: skip
    assert [i.id for i in get_instrument("eq5d-5l").items] == ["MO", "SC", "UA", "PD", "AD"]
    assert get_instrument("promis-10").items[6].values == tuple(range(11))
    assert get_instrument("startback").items[8].values == (0, 1, 2, 3, 4)


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=lambda i: i.id)
def test_wrong_number_of_answers_is_refused(instrument: Instrument) -> None:
    n = len(instrument.items)
    for wrong in (n - 1, n + 1):
        with pytest.raises(InvalidAnswerError, match=f"expected {n} answers"):
            instrument.score([instrument.items[0].values[0]] * wrong)


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=lambda i: i.id)
def test_out_of_range_answer_names_the_item(instrument: Instrument) -> None:
    valid = [item.values[0] for item in instrument.items]
    for position, item in enumerate(instrument.items):
        for bad in (item.values[-1] + 1, item.values[0] - 1):
            answers = list(valid)
            answers[position] = bad
            with pytest.raises(InvalidAnswerError, match=item.id):
                instrument.score(answers)


@pytest.mark.parametrize("bad", [2.0, True, "2", [2]])
def test_non_integer_answers_are_refused(bad: object) -> None:
    answers: list[object] = [2] * 10
    answers[4] = bad
    with pytest.raises(InvalidAnswerError, match=r"odi\.5"):
        get_instrument("odi").score(answers)  # type: ignore[arg-type]


def test_answers_as_a_string_are_refused() -> None:
    with pytest.raises(InvalidAnswerError):
        get_instrument("nrs-back").score("5")  # type: ignore[arg-type]


def test_unknown_option_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="value_set"):
        get_instrument("odi").score([0] * 10, value_set="us")


def test_answers_from_mapping_orders_by_item_and_rejects_unknown_ids() -> None:
    odi = get_instrument("odi")
    ordered = odi.answers_from_mapping({"odi.10": 5, "odi.1": 1})
    assert ordered == (1, None, None, None, None, None, None, None, None, 5)
    with pytest.raises(InvalidAnswerError, match=r"odi\.11"):
        odi.answers_from_mapping({"odi.11": 1})


@pytest.mark.parametrize("instrument", INSTRUMENTS.values(), ids=lambda i: i.id)
def test_result_json_has_the_core_keys_and_is_serialisable(instrument: Instrument) -> None:
    result = instrument.score([item.values[-1] for item in instrument.items])
    data = result.to_json()
    assert list(data)[:5] == ["instrument", "version", "score", "scorable", "reason"]
    assert data["instrument"] == instrument.id and data["version"] == instrument.version
    assert json.loads(json.dumps(data)) == data


def test_a_result_without_a_score_must_give_a_reason() -> None:
    with pytest.raises(ValueError, match="say why"):
        ScoreResult("odi", "2.1a", None)
    assert ScoreResult("odi", "2.1a", None, reason="x").scorable is False
