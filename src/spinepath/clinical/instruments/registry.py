"""Every instrument spinepath administers, by stable id."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from spinepath.clinical.instruments.base import Instrument, UnknownInstrumentError
from spinepath.clinical.instruments.eq5d import EQ5D_3L, EQ5D_5L
from spinepath.clinical.instruments.ndi import NDI
from spinepath.clinical.instruments.nrs import NRS_BACK, NRS_LEG
from spinepath.clinical.instruments.odi import ODI
from spinepath.clinical.instruments.promis10 import PROMIS_10
from spinepath.clinical.instruments.startback import STARTBACK

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {
        instrument.id: instrument
        for instrument in (ODI, NDI, NRS_BACK, NRS_LEG, PROMIS_10, EQ5D_5L, EQ5D_3L, STARTBACK)
    }
)


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return INSTRUMENTS[instrument_id]
    except KeyError:
        raise UnknownInstrumentError(
            f"unknown instrument {instrument_id!r} (known: {', '.join(INSTRUMENTS)})"
        ) from None
