"""One episode's recovery as series for charts: the patient's own values against the
expected course for their operation. Shared by /me/progress/ and the clinic's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from spinepath.clinical.discharge_plan import ProcedureGroup, procedure_group
from spinepath.clinical.procedures import PROCEDURES_BY_ID
from spinepath.clinical.recovery_course import ExpectedCourse, Measure, expected_course
from spinepath.outcomes.models import QuestionnaireResponse
from spinepath.patients.models import Episode
from spinepath.recovery.charts import Chart, course_chart, opioid_chart
from spinepath.recovery.course import surgery_date, surgical_case, taper_points
from spinepath.recovery.models import CheckIn

MIN_DAYS_SHOWN = 42
MAX_DAYS_SHOWN = 365

# Converted cases recover like the open operation they became.
_OPEN_COUNTERPART = {
    ProcedureGroup.DECOMPRESSION_MISS: ProcedureGroup.DECOMPRESSION_OPEN,
    ProcedureGroup.FUSION_MISS: ProcedureGroup.FUSION_OPEN,
}


@dataclass
class Progress:
    operated: date | None
    group: ProcedureGroup | None
    back_pain: list[tuple[int, float]] = field(default_factory=list)
    leg_pain: list[tuple[int, float]] = field(default_factory=list)
    walking: list[tuple[int, float]] = field(default_factory=list)
    mme: list[tuple[int, float]] = field(default_factory=list)
    disability: list[tuple[int, float]] = field(default_factory=list)
    disability_name: str = "ODI"
    baselines: dict[str, float] = field(default_factory=dict)

    @property
    def until_day(self) -> int:
        days = [d for series in (self.back_pain, self.walking, self.disability) for d, _ in series]
        return min(MAX_DAYS_SHOWN, max([MIN_DAYS_SHOWN, *(d + 7 for d in days)]))


def episode_progress(episode: Episode) -> Progress:
    case = surgical_case(episode)
    operated = surgery_date(episode)
    group = None
    if case is not None and case.procedure in PROCEDURES_BY_ID:
        group = procedure_group(PROCEDURES_BY_ID[case.procedure])
        if case.approach in {"open", "converted"}:
            group = _OPEN_COUNTERPART.get(group, group)
    progress = Progress(operated=operated, group=group)
    if operated is None:
        return progress
    rows = CheckIn.objects.filter(episode=episode, day_after_surgery__gte=0).order_by(
        "submitted_at", "id"
    )
    for day, back, leg, walked, mme in rows.values_list(
        "day_after_surgery", "back_pain", "leg_pain", "walking_minutes", "mme_per_day"
    ):
        progress.back_pain.append((day, back))
        progress.leg_pain.append((day, leg))
        if walked is not None:
            progress.walking.append((day, walked))
        if mme is not None:
            progress.mme.append((day, float(mme)))
    zone = ZoneInfo(episode.patient.site.time_zone)
    disability = "ndi" if episode.condition == "cervical_radiculopathy" else "odi"
    progress.disability_name = disability.upper()
    responses = QuestionnaireResponse.objects.filter(
        episode=episode, scorable=True, instrument__in=[disability, "nrs-back", "nrs-leg"]
    ).order_by("submitted_at", "id")
    for instrument, timepoint, score, submitted in responses.values_list(
        "instrument", "timepoint", "score", "submitted_at"
    ):
        if timepoint == "baseline":
            progress.baselines[instrument] = float(score)  # the latest baseline counts
        elif instrument == disability:
            day = (submitted.astimezone(zone).date() - operated).days
            progress.disability.append((max(day, 0), float(score)))
    return progress


def progress_charts(episode: Episode, progress: Progress | None = None) -> list[Chart]:
    progress = progress or episode_progress(episode)
    if progress.operated is None:
        return []
    until = progress.until_day
    group = progress.group

    def course(measure: Measure, baseline_key: str | None) -> ExpectedCourse | None:
        if group is None:
            return None
        baseline = progress.baselines.get(baseline_key) if baseline_key else None
        return expected_course(measure, group, baseline, until_day=until)

    charts = [
        course_chart(
            title="Leg pain (0 to 10)",
            y_title="Leg pain",
            y_max=10,
            actual=progress.leg_pain,
            course=course(Measure.LEG_PAIN, "nrs-leg"),
            until_day=until,
        ),
        course_chart(
            title="Back pain (0 to 10)",
            y_title="Back pain",
            y_max=10,
            actual=progress.back_pain,
            course=course(Measure.BACK_PAIN, "nrs-back"),
            until_day=until,
        ),
        course_chart(
            title="Walking (minutes a day)",
            y_title="Minutes",
            y_max=None,
            actual=progress.walking,
            course=course(Measure.WALKING, None),
            until_day=until,
        ),
    ]
    if progress.disability or progress.baselines.get(progress.disability_name.lower()):
        disability_course = (
            course(Measure.ODI, "odi") if progress.disability_name == "ODI" else None
        )
        charts.append(
            course_chart(
                title=f"Disability ({progress.disability_name}, 0 to 100)",
                y_title=progress.disability_name,
                y_max=100,
                actual=progress.disability,
                course=disability_course,
                until_day=until,
            )
        )
    taper = taper_points(episode)
    if progress.mme or taper:
        charts.append(opioid_chart(actual=progress.mme, taper=taper, until_day=until))
    return charts
