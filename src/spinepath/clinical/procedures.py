"""The procedures spinepath knows, MISS and open, with their SSI category.

Source: reference clinical.md §8.3 (procedure candidacy summary; evidence
level low unless stated there).
Source: SSI surveillance categories follow CDC/NHSN operative procedure
categories LAM (laminectomy, including discectomy) and FUSN (spinal fusion),
reference clinical.md §7.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Approach(StrEnum):
    MISS = "miss"
    OPEN = "open"


class SSICategory(StrEnum):
    LAMINECTOMY = "laminectomy"  # NHSN LAM: decompression and discectomy
    FUSION = "fusion"  # NHSN FUSN
    VERTEBRAL_AUGMENTATION = "vertebral_augmentation"


@dataclass(frozen=True)
class Procedure:
    id: str
    label: str
    approach: Approach
    ssi_category: SSICategory
    plain_language: str
    fusion: bool = False


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "tubular_microdiscectomy",
        "Tubular microdiscectomy",
        Approach.MISS,
        SSICategory.LAMINECTOMY,
        "Removing the part of the disc pressing on the nerve through a small tube.",
    ),
    Procedure(
        "endoscopic_transforaminal_discectomy",
        "Full-endoscopic transforaminal discectomy",
        Approach.MISS,
        SSICategory.LAMINECTOMY,
        "Removing disc material with a camera passed in from the side, through the nerve exit.",
    ),
    Procedure(
        "endoscopic_interlaminar_discectomy",
        "Full-endoscopic interlaminar discectomy",
        Approach.MISS,
        SSICategory.LAMINECTOMY,
        "Removing disc material with a camera passed in from the back, between the bones.",
    ),
    Procedure(
        "mis_decompression_ulbd",
        "MIS decompression (unilateral laminotomy for bilateral decompression)",
        Approach.MISS,
        SSICategory.LAMINECTOMY,
        "Widening the spinal canal from one small opening to free the nerves on both sides.",
    ),
    Procedure(
        "mis_tlif",
        "MIS-TLIF with percutaneous pedicle screws",
        Approach.MISS,
        SSICategory.FUSION,
        "Joining two vertebrae with a spacer and screws put in through small cuts.",
        fusion=True,
    ),
    Procedure(
        "llif_xlif",
        "Lateral lumbar interbody fusion (LLIF/XLIF, transpsoas)",
        Approach.MISS,
        SSICategory.FUSION,
        "Joining two vertebrae with a spacer put in from the side of the body.",
        fusion=True,
    ),
    Procedure(
        "olif",
        "Oblique lumbar interbody fusion (OLIF, pre-psoas)",
        Approach.MISS,
        SSICategory.FUSION,
        "Joining two vertebrae with a spacer put in from the side, in front of the hip muscle.",
        fusion=True,
    ),
    Procedure(
        "kyphoplasty",
        "Kyphoplasty",
        Approach.MISS,
        SSICategory.VERTEBRAL_AUGMENTATION,
        "Filling a broken vertebra with bone cement through a needle.",
    ),
    Procedure(
        "open_discectomy",
        "Open discectomy",
        Approach.OPEN,
        SSICategory.LAMINECTOMY,
        "Removing the disc material through a standard open cut.",
    ),
    Procedure(
        "open_laminectomy",
        "Open laminectomy",
        Approach.OPEN,
        SSICategory.LAMINECTOMY,
        "Removing the back part of the vertebra through a standard open cut to free the nerves.",
    ),
    Procedure(
        "open_fusion",
        "Open posterior lumbar fusion (TLIF/PLIF)",
        Approach.OPEN,
        SSICategory.FUSION,
        "Joining vertebrae with screws and a spacer through a standard open cut.",
        fusion=True,
    ),
)

PROCEDURES_BY_ID: dict[str, Procedure] = {p.id: p for p in PROCEDURES}
