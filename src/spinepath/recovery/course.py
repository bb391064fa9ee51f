"""An episode's recovery seen by the clinical rules: days since surgery, the plan's
milestones and taper, and the opioid use reported so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist

from spinepath.clinical.triage import OpioidPoint, TaperPoint
from spinepath.patients.models import Episode
from spinepath.recovery.models import CheckIn, MilestoneRecord


@dataclass(frozen=True)
class PlannedMilestone:
    id: str
    label: str
    from_day: int
    to_day: int | None
    text: str

    @property
    def when(self) -> str:
        if self.to_day is None:
            return f"from day {self.from_day}"
        if self.to_day == self.from_day:
            return "the day of surgery" if self.from_day == 0 else f"day {self.from_day}"
        return f"day {self.from_day} to {self.to_day}"

    @property
    def by_day(self) -> int:
        """The last day the plan expects it by (the first, when open-ended)."""
        return self.to_day if self.to_day is not None else self.from_day


def surgical_case(episode: Episode) -> Any | None:
    try:
        return episode.surgical_case
    except ObjectDoesNotExist:  # no operation recorded yet
        return None


def surgery_date(episode: Episode) -> date | None:
    case = surgical_case(episode)
    if case is None:
        return None
    return case.surgery_start.astimezone(ZoneInfo(episode.patient.site.time_zone)).date()


def day_after_surgery(episode: Episode, moment: datetime) -> int | None:
    operated = surgery_date(episode)
    if operated is None:
        return None
    return (moment.astimezone(ZoneInfo(episode.patient.site.time_zone)).date() - operated).days


def discharge_plan(episode: Episode) -> Any | None:
    case = surgical_case(episode)
    if case is None:
        return None
    try:
        return case.plan
    except ObjectDoesNotExist:  # no plan yet
        return None


def planned_milestones(episode: Episode) -> list[PlannedMilestone]:
    plan = discharge_plan(episode)
    if plan is None:
        return []
    return [
        PlannedMilestone(
            id=m["id"], label=m["label"], from_day=m["from_day"], to_day=m["to_day"], text=m["text"]
        )
        for m in plan.content.get("milestones", [])
    ]


def taper_points(episode: Episode) -> list[TaperPoint]:
    """The plan's taper as MME/day from each step's day (the taper starts on the surgery
    date). Empty when there is no plan, no opioid, or a step cannot be put in MME."""
    plan = discharge_plan(episode)
    if plan is None:
        return []
    summary = plan.medicine_summary or {}
    points = []
    for step in summary.get("taper", []):
        mme = step.get("mme_per_day")
        if mme is None and summary.get("taper_unit") == "MME/day":
            mme = step.get("daily_dose")
        if mme is None:
            return []
        points.append(TaperPoint(day=int(step["day"]), mme_per_day=float(mme)))
    return points


def prescribed_medicines(episode: Episode) -> list[dict[str, Any]]:
    """The plan's lines a patient may report taking: drug, tablet strength and a label."""
    plan = discharge_plan(episode)
    if plan is None:
        return []
    lines = []
    seen = set()
    for line in plan.medicines:
        strength = line.get("strength_mg") or line.get("dose_mg")
        if not strength or line.get("mcg_per_hour"):
            continue  # patches are not counted in tablets
        if (line["drug"], float(strength)) in seen:
            continue  # two lines of the same tablet (regular and as needed): one question
        seen.add((line["drug"], float(strength)))
        lines.append(
            {
                "drug": line["drug"],
                "strength_mg": float(strength),
                "label": f"{line['drug'].replace('-', ' ').capitalize()} {float(strength):g} mg",
            }
        )
    return lines


def opioid_history(episode: Episode, limit: int = 30) -> list[OpioidPoint]:
    """Reported MME/day by day after surgery, oldest first."""
    rows = (
        CheckIn.objects.filter(episode=episode, day_after_surgery__isnull=False)
        .order_by("-submitted_at", "-id")
        .values_list("day_after_surgery", "mme_per_day")[:limit]
    )
    return [
        OpioidPoint(day=day, mme_per_day=float(mme) if mme is not None else None)
        for day, mme in reversed(rows)
    ]


def reached_milestones(episode: Episode) -> dict[str, MilestoneRecord]:
    return {record.milestone_id: record for record in episode.milestones.all()}
