"""EQ-5D value sets: published coefficients as data, one object per set.

Every index is computed in exact decimal arithmetic from the published
coefficients and rounded once to three decimals, half up (the precision of
the published tables and of the 5L->3L crosswalk).

A value set is a country's preferences, not a detail: always store the id of
the set used beside the index, and never compare indices from different sets.
"""

from __future__ import annotations

import csv
import io
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from types import MappingProxyType

from spinepath.clinical.evidence import Evidence
from spinepath.clinical.instruments.base import InvalidOptionError
from spinepath.clinical.rounding import round_half_up

DIMENSIONS = ("MO", "SC", "UA", "PD", "AD")
INDEX_PLACES = 3
CROSSWALK_FILE = "eq5d_5l_crosswalk.csv"

Levels = tuple[int, ...]  # one level per dimension, MO SC UA PD AD


class UnknownValueSetError(InvalidOptionError):
    pass


def _d(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


@dataclass(frozen=True)
class ValueSet(ABC):
    id: str
    name: str
    source: str
    evidence: Evidence

    @abstractmethod
    def raw_index(self, levels: Levels) -> Decimal: ...

    def index(self, levels: Levels) -> Decimal:
        return round_half_up(self.raw_index(levels), INDEX_PLACES)


@dataclass(frozen=True)
class AdditiveValueSet(ValueSet):
    """EQ-VT additive model: 1 minus one decrement per dimension (level 1 = 0)."""

    decrements: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)

    def raw_index(self, levels: Levels) -> Decimal:
        total = sum(
            (self.decrements[dim][level - 2] for dim, level in zip(DIMENSIONS, levels, strict=True)
             if level > 1),
            Decimal(0),
        )  # fmt: skip
        return Decimal(1) - total


@dataclass(frozen=True)
class DolanValueSet(ValueSet):
    """UK 3L TTO (Dolan 1997): constant for any problem, N3 if any level 3."""

    any_problem: Decimal = Decimal(0)
    any_level_3: Decimal = Decimal(0)
    decrements: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)

    def raw_index(self, levels: Levels) -> Decimal:
        total = sum(
            (self.decrements[dim][level - 2] for dim, level in zip(DIMENSIONS, levels, strict=True)
             if level > 1),
            Decimal(0),
        )  # fmt: skip
        if any(level > 1 for level in levels):
            total += self.any_problem
        if any(level == 3 for level in levels):
            total += self.any_level_3
        return Decimal(1) - total


@dataclass(frozen=True)
class ShawValueSet(ValueSet):
    """US 3L (Shaw 2005): decrements plus the D1, I2², I3, I3² interaction terms.

    D1 = dimensions at level 2 or 3, minus 1; I2 = dimensions at level 2, minus 1;
    I3 = dimensions at level 3, minus 1; each floored at 0.
    index = 1 - sum(decrements) + d1*D1 + i2sq*I2² + i3*I3 + i3sq*I3²
    """

    decrements: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    d1: Decimal = Decimal(0)
    i2sq: Decimal = Decimal(0)
    i3: Decimal = Decimal(0)
    i3sq: Decimal = Decimal(0)

    def raw_index(self, levels: Levels) -> Decimal:
        total = sum(
            (self.decrements[dim][level - 2] for dim, level in zip(DIMENSIONS, levels, strict=True)
             if level > 1),
            Decimal(0),
        )  # fmt: skip
        d1 = max(sum(1 for lv in levels if lv > 1) - 1, 0)
        i2 = max(sum(1 for lv in levels if lv == 2) - 1, 0)
        i3 = max(sum(1 for lv in levels if lv == 3) - 1, 0)
        return (
            Decimal(1) - total + self.d1 * d1 + self.i2sq * i2 * i2 + self.i3 * i3
            + self.i3sq * i3 * i3
        )  # fmt: skip


@dataclass(frozen=True)
class CrosswalkValueSet(ValueSet):
    """van Hout 2012 5L->3L crosswalk: a lookup table, not a formula."""

    column: str = ""

    def raw_index(self, levels: Levels) -> Decimal:
        return crosswalk_table()[levels][self.column]


@cache
def crosswalk_table() -> Mapping[Levels, Mapping[str, Decimal]]:
    """Load data/eq5d_5l_crosswalk.csv once, checking it is whole.

    A truncated or edited table must fail loudly rather than give an index for
    some states and a KeyError (or a wrong value) for others.
    """
    text = (resources.files("spinepath.clinical") / "data" / CROSSWALK_FILE).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["state", "uk", "us"]:
        raise RuntimeError(f"{CROSSWALK_FILE}: unexpected header {reader.fieldnames}")
    table: dict[Levels, Mapping[str, Decimal]] = {}
    for row in reader:
        state = row["state"]
        levels = tuple(int(ch) for ch in state)
        if len(levels) != 5 or not all(1 <= lv <= 5 for lv in levels) or levels in table:
            raise RuntimeError(f"{CROSSWALK_FILE}: bad or repeated state {state!r}")
        table[levels] = MappingProxyType({"uk": Decimal(row["uk"]), "us": Decimal(row["us"])})
    if len(table) != 5**5 or table[(1, 1, 1, 1, 1)] != {"uk": 1, "us": 1}:
        raise RuntimeError(f"{CROSSWALK_FILE}: expected all 3125 states with 11111 = 1")
    return MappingProxyType(table)


# --- EQ-5D-5L ---------------------------------------------------------------

# Source: Pickard AS et al. United States valuation of EQ-5D-5L health states
# using an international protocol. Value Health 2019;22(8):931-41,
# doi 10.1016/j.jval.2019.02.009 (coefficients as in the MIT-licensed R package
# fragla/eq5d data-raw/VT.csv, column USA; reference clinical.md §3.2).
US_5L = AdditiveValueSet(
    id="us",
    name="United States EQ-5D-5L (Pickard 2019)",
    source="Pickard AS et al. Value Health 2019;22(8):931-41, doi 10.1016/j.jval.2019.02.009",
    evidence=Evidence.VERIFIED,
    decrements=MappingProxyType({
        "MO": _d("0.096", "0.122", "0.237", "0.322"),
        "SC": _d("0.089", "0.107", "0.220", "0.261"),
        "UA": _d("0.068", "0.101", "0.255", "0.255"),
        "PD": _d("0.060", "0.098", "0.318", "0.414"),
        "AD": _d("0.057", "0.123", "0.299", "0.321"),
    }),
)  # fmt: skip

# Source: Devlin NJ et al. Valuing health-related quality of life: an EQ-5D-5L
# value set for England. Health Econ 2018;27(1):7-22, doi 10.1002/hec.3564
# (fragla/eq5d data-raw/VT.csv, column England).
ENGLAND_5L = AdditiveValueSet(
    id="england",
    name="England EQ-5D-5L (Devlin 2018)",
    source="Devlin NJ et al. Health Econ 2018;27(1):7-22, doi 10.1002/hec.3564",
    evidence=Evidence.VERIFIED,
    decrements=MappingProxyType({
        "MO": _d("0.058", "0.076", "0.207", "0.274"),
        "SC": _d("0.050", "0.080", "0.164", "0.203"),
        "UA": _d("0.050", "0.063", "0.162", "0.184"),
        "PD": _d("0.063", "0.084", "0.276", "0.335"),
        "AD": _d("0.078", "0.104", "0.285", "0.289"),
    }),
)  # fmt: skip

# Source: new UK EQ-5D-5L value set, doi 10.1016/j.jval.2026.03.008 as cited by
# fragla/eq5d data-raw/references.csv (column UK). Numbers verified against
# that file; the publication details themselves are not verified.
UK_5L = AdditiveValueSet(
    id="uk",
    name="United Kingdom EQ-5D-5L (new UK value set)",
    source="UK EQ-5D-5L value set, doi 10.1016/j.jval.2026.03.008 (publication not verified)",
    evidence=Evidence.UNVERIFIED,
    decrements=MappingProxyType({
        "MO": _d("0.032", "0.058", "0.179", "0.279"),
        "SC": _d("0.038", "0.060", "0.162", "0.206"),
        "UA": _d("0.049", "0.086", "0.184", "0.212"),
        "PD": _d("0.056", "0.066", "0.371", "0.479"),
        "AD": _d("0.041", "0.126", "0.313", "0.391"),
    }),
)  # fmt: skip

CROSSWALK_SOURCE = (
    "van Hout B et al. Interim scoring for the EQ-5D-5L: mapping the EQ-5D-5L to EQ-5D-3L "
    "value sets. Value Health 2012;15(5):708-15 (table from the MIT-licensed R package "
    "fragla/eq5d data-raw/CW.csv)"
)
UK_CROSSWALK = CrosswalkValueSet(
    id="uk-crosswalk",
    name="5L->3L crosswalk, UK 3L value set (van Hout 2012)",
    source=CROSSWALK_SOURCE,
    evidence=Evidence.VERIFIED,
    column="uk",
)
US_CROSSWALK = CrosswalkValueSet(
    id="us-crosswalk",
    name="5L->3L crosswalk, US 3L value set (van Hout 2012)",
    source=CROSSWALK_SOURCE,
    evidence=Evidence.VERIFIED,
    column="us",
)

# --- EQ-5D-3L ---------------------------------------------------------------

# Source: Dolan P. Modeling valuations for EuroQol health states. Med Care
# 1997;35(11):1095-108 (UK TTO; fragla/eq5d data-raw/TTO.csv). Decrements (L2, L3).
UK_3L = DolanValueSet(
    id="uk",
    name="United Kingdom EQ-5D-3L TTO (Dolan 1997)",
    source="Dolan P. Med Care 1997;35(11):1095-108",
    evidence=Evidence.VERIFIED,
    any_problem=Decimal("0.081"),
    any_level_3=Decimal("0.269"),
    decrements=MappingProxyType({
        "MO": _d("0.069", "0.314"),
        "SC": _d("0.104", "0.214"),
        "UA": _d("0.036", "0.094"),
        "PD": _d("0.123", "0.386"),
        "AD": _d("0.071", "0.236"),
    }),
)  # fmt: skip

# Source: Shaw JW, Johnson JA, Coons SJ. US valuation of the EQ-5D health
# states: development and testing of the D1 valuation model. Med Care
# 2005;43(3):203-20 (fragla/eq5d data-raw/TTO.csv). Decrements (L2, L3).
US_3L = ShawValueSet(
    id="us",
    name="United States EQ-5D-3L (Shaw 2005, D1 model)",
    source="Shaw JW, Johnson JA, Coons SJ. Med Care 2005;43(3):203-20",
    evidence=Evidence.VERIFIED,
    decrements=MappingProxyType({
        "MO": _d("0.146016", "0.557685"),
        "SC": _d("0.1753425", "0.4711896"),
        "UA": _d("0.1397295", "0.3742594"),
        "PD": _d("0.1728907", "0.5371011"),
        "AD": _d("0.156223", "0.4501876"),
    }),
    d1=Decimal("0.1395949"),
    i2sq=Decimal("-0.0106868"),
    i3=Decimal("0.1215579"),
    i3sq=Decimal("0.0147963"),
)  # fmt: skip

VALUE_SETS_5L: Mapping[str, ValueSet] = MappingProxyType(
    {vs.id: vs for vs in (US_5L, ENGLAND_5L, UK_5L, US_CROSSWALK, UK_CROSSWALK)}
)
VALUE_SETS_3L: Mapping[str, ValueSet] = MappingProxyType({vs.id: vs for vs in (US_3L, UK_3L)})

# [U] Which value set a programme should report is its own decision (NICE's
# position on 5L was not verified). This default is only used when a caller
# names none; the id of the set used is always stored with the index.
DEFAULT_VALUE_SET = "us"


def value_set(instrument_id: str, value_set_id: str) -> ValueSet:
    sets = VALUE_SETS_5L if instrument_id == "eq5d-5l" else VALUE_SETS_3L
    try:
        return sets[value_set_id]
    except KeyError:
        raise UnknownValueSetError(
            f"{instrument_id}: unknown value set {value_set_id!r} (known: {', '.join(sets)})"
        ) from None
