"""EQ-5D-5L and -3L indices against the published value sets and the crosswalk."""

from __future__ import annotations

import csv
import io
import itertools
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spinepath.clinical.instruments import (
    DEFAULT_VALUE_SET,
    VALUE_SETS_3L,
    VALUE_SETS_5L,
    Instrument,
    InvalidOptionError,
    UnknownValueSetError,
    get_instrument,
)

EQ5D_5L = get_instrument("eq5d-5l")
EQ5D_3L = get_instrument("eq5d-3l")
D = Decimal


def three_places(value: Decimal) -> float:
    return float(value.quantize(D("0.001"), rounding=ROUND_HALF_UP))


def index_5l(state: str, value_set: str) -> float | None:
    return EQ5D_5L.score([int(c) for c in state], value_set=value_set).score


def index_3l(state: str, value_set: str) -> float | None:
    return EQ5D_3L.score([int(c) for c in state], value_set=value_set).score


@pytest.mark.parametrize(
    ("value_set", "worst"),
    [("us", -0.573), ("england", -0.285), ("uk", -0.567), ("us-crosswalk", -0.109),
     ("uk-crosswalk", -0.594)],
)  # fmt: skip
def test_5l_full_health_and_worst_state(value_set: str, worst: float) -> None:
    assert index_5l("11111", value_set) == 1.0
    assert index_5l("55555", value_set) == worst


def test_3l_worst_states() -> None:
    assert index_3l("33333", "uk") == -0.594
    assert index_3l("11111", "uk") == 1.0
    assert index_3l("11111", "us") == 1.0


def test_crosswalk_reference_values() -> None:
    assert index_5l("11112", "uk-crosswalk") == 0.879
    assert index_5l("11112", "us-crosswalk") == 0.876


def test_us_5l_by_hand_from_pickard_decrements() -> None:
    # MO L2 .096; SC L3 .107; UA L4 .255; PD L5 .414; AD L2 .057 (reference §3.2)
    assert index_5l("21111", "us") == three_places(1 - D("0.096"))
    assert index_5l("23452", "us") == three_places(
        1 - D("0.096") - D("0.107") - D("0.255") - D("0.414") - D("0.057")
    )


def test_england_and_uk_5l_by_hand() -> None:
    # England: SC2 .050, UA3 .063, PD4 .276, AD5 .289
    assert index_5l("12345", "england") == three_places(
        1 - D("0.050") - D("0.063") - D("0.276") - D("0.289")
    )
    # UK: SC2 .038, UA3 .086, PD4 .371, AD5 .391
    assert index_5l("12345", "uk") == three_places(
        1 - D("0.038") - D("0.086") - D("0.371") - D("0.391")
    )


def test_uk_3l_dolan_by_hand() -> None:
    # constant .081 for any problem; N3 .269 if any level 3
    assert index_3l("11112", "uk") == three_places(1 - D("0.081") - D("0.071"))
    assert index_3l("12321", "uk") == three_places(
        1 - D("0.081") - D("0.269") - D("0.104") - D("0.094") - D("0.123")
    )


@pytest.mark.parametrize(
    ("state", "by_hand"),
    [
        # 11112: AD2 only. D1 = 1-1 = 0, I2 = 0, I3 = 0.
        ("11112", 1 - D("0.156223")),
        # 11113: AD3 only. D1 = 0, I2 = 0, I3 = 1-1 = 0.
        ("11113", 1 - D("0.4501876")),
        # 22222: all level 2. D1 = 4, I2 = 4 (I2² = 16), I3 = 0.
        ("22222",
         1 - (D("0.146016") + D("0.1753425") + D("0.1397295") + D("0.1728907") + D("0.156223"))
         + D("0.1395949") * 4 - D("0.0106868") * 16),
        # 12321: SC2 UA3 PD2. D1 = 3-1 = 2, I2 = 2-1 = 1, I3 = 1-1 = 0.
        ("12321",
         1 - (D("0.1753425") + D("0.3742594") + D("0.1728907"))
         + D("0.1395949") * 2 - D("0.0106868") * 1),
        # 32311: MO3 SC2 UA3. D1 = 2, I2 = 0, I3 = 2-1 = 1.
        ("32311",
         1 - (D("0.557685") + D("0.1753425") + D("0.3742594"))
         + D("0.1395949") * 2 + D("0.1215579") * 1 + D("0.0147963") * 1),
        # 33333: D1 = 4, I2 = 0, I3 = 4 (I3² = 16).
        ("33333",
         1 - (D("0.557685") + D("0.4711896") + D("0.3742594") + D("0.5371011") + D("0.4501876"))
         + D("0.1395949") * 4 + D("0.1215579") * 4 + D("0.0147963") * 16),
    ],
)  # fmt: skip
def test_us_3l_shaw_by_hand(state: str, by_hand: Decimal) -> None:
    assert index_3l(state, "us") == three_places(by_hand)


def test_us_3l_shaw_hand_values_in_full() -> None:
    assert index_3l("22222", "us") == 0.597  # 0.5971891
    assert index_3l("33333", "us") == -0.109  # -0.1090707; equals the crosswalk's 55555 US


def test_crosswalk_table_is_served_whole_and_unchanged() -> None:
    text = (resources.files("spinepath.clinical") / "data" / "eq5d_5l_crosswalk.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3125
    for row in rows:
        assert index_5l(row["state"], "uk-crosswalk") == float(row["uk"])
        assert index_5l(row["state"], "us-crosswalk") == float(row["us"])


def test_profile_value_set_and_source_are_reported() -> None:
    result = EQ5D_5L.score([1, 2, 3, 4, 5], value_set="england")
    assert result.extra["profile"] == "12345"
    assert result.extra["value_set"] == "england"
    assert "Devlin" in str(result.extra["value_set_source"])
    assert result.extra["index"] == result.score


def test_default_value_set_is_recorded() -> None:
    result = EQ5D_5L.score([1, 1, 1, 1, 2])
    assert result.extra["value_set"] == DEFAULT_VALUE_SET


def test_any_missing_dimension_gives_no_index() -> None:
    result = EQ5D_5L.score([1, None, 1, 1, 1], value_set="us")
    assert result.score is None and result.extra["profile"] is None
    assert result.extra["missing"] == ["SC"] and "SC" in (result.reason or "")


@pytest.mark.parametrize(
    ("instrument_id", "value_set"), [("eq5d-5l", "uk-tto"), ("eq5d-3l", "england"), ("eq5d-3l", "")]
)
def test_unknown_value_set_is_refused(instrument_id: str, value_set: str) -> None:
    with pytest.raises(UnknownValueSetError) as info:
        get_instrument(instrument_id).score([1] * 5, value_set=value_set)
    assert isinstance(info.value, InvalidOptionError) and isinstance(info.value, ValueError)


def test_5l_levels_are_1_to_5_and_3l_levels_1_to_3() -> None:
    with pytest.raises(ValueError, match="MO"):
        EQ5D_3L.score([4, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="AD"):
        EQ5D_5L.score([1, 1, 1, 1, 0])


@pytest.mark.parametrize(
    ("instrument", "value_set", "levels"),
    [(EQ5D_5L, vs, 5) for vs in VALUE_SETS_5L] + [(EQ5D_3L, vs, 3) for vs in VALUE_SETS_3L],
)
def test_every_state_is_monotone_in_every_dimension(
    instrument: Instrument, value_set: str, levels: int
) -> None:
    index: dict[tuple[int, ...], float | None] = {
        state: instrument.score(list(state), value_set=value_set).score
        for state in itertools.product(range(1, levels + 1), repeat=5)
    }
    for state, value in index.items():
        assert value is not None and value <= 1.0
        for dim in range(5):
            if state[dim] < levels:
                worse = (*state[:dim], state[dim] + 1, *state[dim + 1 :])
                worse_value = index[worse]
                assert worse_value is not None and worse_value <= value, (state, worse)


@given(
    state=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    value_set=st.sampled_from(sorted(VALUE_SETS_5L)),
)
def test_5l_index_range(state: list[int], value_set: str) -> None:
    score = EQ5D_5L.score(state, value_set=value_set).score
    assert score is not None
    assert -0.6 <= score <= 1.0
