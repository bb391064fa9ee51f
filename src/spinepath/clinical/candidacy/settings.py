"""The programme's candidacy thresholds. Every one is [U]: no stored source fixes it.

They are configurable defaults (DESIGN.md: unverified facts are settings, said
so in code and docs); each recommendation records the values it was made with.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from spinepath.clinical.candidacy.facts import StenosisGrade
from spinepath.clinical.meyerding import MeyerdingGrade


@dataclass(frozen=True)
class CandidacySettings:
    min_conservative_weeks: int = 6  # [U]
    min_conservative_weeks_fracture: int = 6  # [U]
    min_stenosis_grade: StenosisGrade = StenosisGrade.MODERATE  # [U]
    decompression_alone_max_grade: MeyerdingGrade = MeyerdingGrade.I  # [U]
    day_surgery_max_asa: int = 3  # [U]
    day_surgery_max_bmi: float = 40.0  # [U]
    day_surgery_max_age: int | None = None  # [U] None: no age limit

    def to_json(self) -> dict[str, object]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v.value if isinstance(v, StrEnum) else v for k, v in values.items()}


# Why each setting exists and what (little) the reference says about it; shown in
# docs/candidacy-rules.md. All are [U] (Evidence.UNVERIFIED).
SETTING_NOTES: dict[str, str] = {
    "min_conservative_weeks": (
        "Weeks of conservative care before elective surgery for disc herniation, stenosis "
        "and spondylolisthesis. Six weeks is the trial and payer convention (SPORT enrolled "
        "after 6 weeks, Weinstein JAMA 2006), not a guideline statement (reference §8.2)."
    ),
    "min_conservative_weeks_fracture": (
        "Weeks of conservative care before kyphoplasty. The reference says only 'refractory "
        "to conservative care' (§8.3); the default copies the degenerative one."
    ),
    "min_stenosis_grade": (
        "The least stenosis (central, lateral recess or foraminal) that counts as a lesion "
        "explaining the symptoms and as an indication for decompression or foraminal fusion."
    ),
    "decompression_alone_max_grade": (
        "The highest Meyerding grade of a stable slip for which decompression without fusion "
        "stays an option. The reference contraindicates decompression alone for dynamic "
        "instability and high-grade listhesis (§8.3) but fixes no grade."
    ),
    "day_surgery_max_asa": (
        "Highest ASA class eligible for day surgery; no stored source fixes it (§5.3)."
    ),
    "day_surgery_max_bmi": (
        "Highest BMI eligible for day surgery; lower BMI predicts early discharge (Smith 2016, "
        "§5.3) but no stored source fixes a cut-off."
    ),
    "day_surgery_max_age": (
        "Oldest age eligible for day surgery, or none. Younger age predicts early discharge "
        "(Smith 2016, §5.3); no stored source fixes a cut-off, so none is applied by default."
    ),
}
