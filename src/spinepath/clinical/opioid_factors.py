"""Morphine milligram equivalent (MME) conversion factors, as versioned tables.

Two tables ship: ``cdc2022`` (the default) and ``cdc2016``. Every result
names the table it used. The factors estimate total opioid exposure; CDC warns
they must not be used to convert one opioid into another, nor for dosing in
opioid use disorder.

Buprenorphine is in neither table (partial µ agonist with a ceiling effect):
it is recognised, so that it is reported as "not calculated" rather than
rejected as unknown, and it is never added to a total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from spinepath.clinical.evidence import Evidence


class UnknownDrugError(ValueError):
    pass


class UnknownFactorTableError(ValueError):
    pass


class DoseUnit(StrEnum):
    MG_PER_DAY = "mg/day"
    MCG_PER_HOUR = "mcg/h"  # transdermal fentanyl: the patch rate, never a daily mg dose


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive upper bound of the total daily dose; None = no bound
    factor: Decimal


@dataclass(frozen=True)
class Conversion:
    drug: str
    unit: DoseUnit
    factor: Decimal | None = None
    tiers: tuple[Tier, ...] = ()  # factor chosen by the total daily dose of this drug
    not_calculated: str | None = None  # why this table gives no MME for the drug

    def factor_for(self, total_daily_dose: Decimal) -> Decimal | None:
        if self.tiers:
            for tier in self.tiers:
                if tier.up_to is None or total_daily_dose <= tier.up_to:
                    return tier.factor
        return self.factor


@dataclass(frozen=True)
class FactorTable:
    id: str
    name: str
    source: str
    evidence: Evidence
    conversions: Mapping[str, Conversion]


BUPRENORPHINE_REASON = (
    "buprenorphine is not converted to MME (partial µ-receptor agonist with a ceiling effect; "
    "not in the CDC table) and is never added to the total"
)

_MG = DoseUnit.MG_PER_DAY


def _conversions(*conversions: Conversion) -> Mapping[str, Conversion]:
    return MappingProxyType({c.drug: c for c in conversions})


# Source: Dowell D et al. CDC Clinical Practice Guideline for Prescribing Opioids
# for Pain — United States, 2022. MMWR Recomm Rep 2022;71(RR-3):1-95, table
# "Morphine milligram equivalent doses for commonly prescribed opioids for pain
# management" (reference clinical.md §6; also HL7/CQF opioid-mme-r4
# conversion-factors.md). "All doses are in mg/day except for fentanyl, which is mcg/hr."
CDC_2022 = FactorTable(
    id="cdc2022",
    name="CDC 2022 MME conversion factors",
    source="Dowell D et al. MMWR Recomm Rep 2022;71(RR-3):1-95, MME conversion table",
    evidence=Evidence.VERIFIED,
    conversions=_conversions(
        Conversion("codeine", _MG, Decimal("0.15")),
        Conversion("fentanyl-patch", DoseUnit.MCG_PER_HOUR, Decimal("2.4")),
        Conversion("hydrocodone", _MG, Decimal("1")),
        Conversion("hydromorphone", _MG, Decimal("5")),
        Conversion("methadone", _MG, Decimal("4.7")),
        Conversion("morphine", _MG, Decimal("1")),
        Conversion("oxycodone", _MG, Decimal("1.5")),
        Conversion("oxymorphone", _MG, Decimal("3")),
        Conversion("tapentadol", _MG, Decimal("0.4")),
        Conversion("tramadol", _MG, Decimal("0.2")),
        Conversion("buprenorphine", _MG, not_calculated=BUPRENORPHINE_REASON),
    ),
)

_NOT_IN_2016 = "no conversion factor in the CDC 2016 table; choose cdc2022 to calculate it"

# Source: Dowell D, Haegerich TM, Chou R. CDC Guideline for Prescribing Opioids
# for Chronic Pain — United States, 2016. MMWR Recomm Rep 2016;65(RR-1) and the
# CDC/HL7 computable CQL that still encodes it (reference clinical.md §6,
# "Differences vs 2016/2018 tables"): hydromorphone 4; methadone tiered by total
# daily dose 1-20 mg 4, 21-40 mg 8, 41-60 mg 10, >= 61 mg 12; tramadol and
# tapentadol unsupported. A total between two integer ranges (20.5 mg) takes the
# higher tier.
CDC_2016 = FactorTable(
    id="cdc2016",
    name="CDC 2016 MME conversion factors",
    source="Dowell D et al. MMWR Recomm Rep 2016;65(RR-1); CDC opioid CDS CQL conversion factors",
    evidence=Evidence.VERIFIED,
    conversions=_conversions(
        Conversion("codeine", _MG, Decimal("0.15")),
        Conversion("fentanyl-patch", DoseUnit.MCG_PER_HOUR, Decimal("2.4")),
        Conversion("hydrocodone", _MG, Decimal("1")),
        Conversion("hydromorphone", _MG, Decimal("4")),
        Conversion(
            "methadone",
            _MG,
            tiers=(
                Tier(Decimal(20), Decimal(4)),
                Tier(Decimal(40), Decimal(8)),
                Tier(Decimal(60), Decimal(10)),
                Tier(None, Decimal(12)),
            ),
        ),
        Conversion("morphine", _MG, Decimal("1")),
        Conversion("oxycodone", _MG, Decimal("1.5")),
        Conversion("oxymorphone", _MG, Decimal("3")),
        Conversion("tapentadol", _MG, not_calculated=_NOT_IN_2016),
        Conversion("tramadol", _MG, not_calculated=_NOT_IN_2016),
        Conversion("buprenorphine", _MG, not_calculated=BUPRENORPHINE_REASON),
    ),
)

FACTOR_TABLES: Mapping[str, FactorTable] = MappingProxyType(
    {table.id: table for table in (CDC_2022, CDC_2016)}
)
DEFAULT_FACTORS = "cdc2022"

# Other spellings accepted for the same product. Plain "fentanyl" is not one of
# them: the factor is for transdermal patches in mcg/h only, and a buccal or
# injected fentanyl dose converted with it would be badly wrong.
ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "fentanyl-transdermal": "fentanyl-patch",
        "transdermal-fentanyl": "fentanyl-patch",
        "buprenorphine-patch": "buprenorphine",
        "buprenorphine-transdermal": "buprenorphine",
    }
)


def factor_table(table_id: str) -> FactorTable:
    try:
        return FACTOR_TABLES[table_id]
    except KeyError:
        raise UnknownFactorTableError(
            f"unknown MME factor table {table_id!r} (known: {', '.join(FACTOR_TABLES)})"
        ) from None


def canonical_drug(name: str) -> str:
    key = "-".join(name.strip().lower().replace("_", " ").split())
    key = ALIASES.get(key, key)
    if key not in CDC_2022.conversions:
        hint = ""
        if key.startswith("fentanyl"):
            hint = "; for transdermal fentanyl use 'fentanyl-patch' with mcg_per_hour"
        known = ", ".join(CDC_2022.conversions)
        raise UnknownDrugError(f"unknown drug {name!r}{hint} (known: {known})")
    return key
