"""What a candidacy rule is. The rules themselves are data in *_rules.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from spinepath.clinical.candidacy.case import Case
from spinepath.clinical.candidacy.result import Pathway
from spinepath.clinical.evidence import Evidence
from spinepath.clinical.redflags import Urgency


class Stage(StrEnum):
    """The engine applies the stages in this order (engine.py)."""

    RED_FLAG = "red_flag"  # any stopping rule ends evaluation on the urgent pathway
    INFORMATION = "information"  # missing facts or a condition the rules do not cover
    PATHWAY = "pathway"  # the first rule that names a pathway decides it
    OPTIONS = "options"  # procedures proposed, in rank order
    RANKING = "ranking"  # weights that move a proposed procedure up or down
    CONTRAINDICATION = "contraindication"  # procedures removed from the options
    CAUTION = "caution"  # a caution attached to an offered procedure
    DAY_SURGERY = "day_surgery"


@dataclass(frozen=True)
class Rule:
    id: str
    stage: Stage
    when: Callable[[Case], bool]
    effect: str  # human-readable, shown with the recommendation
    rationale: str
    source: str
    evidence: Evidence
    version: str = "1"
    pathway: Pathway | None = None  # RED_FLAG, PATHWAY: the pathway it decides
    urgency: Urgency | None = None  # with pathway URGENT
    procedures: tuple[str, ...] = ()  # OPTIONS (rank order), RANKING, CONTRAINDICATION, CAUTION
    weight: int = 0  # RANKING: added to each procedure's preference
    caution: str = ""  # CAUTION: the text shown on the option
    day_surgery: bool | None = None  # DAY_SURGERY: the eligibility it decides
    needs: tuple[str, ...] = ()  # CAUTION, DAY_SURGERY: facts read; unrecorded -> "unchecked"
