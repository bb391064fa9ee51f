"""The patient's (or caregiver's) own view: which episodes are theirs."""

from __future__ import annotations

from typing import Any

from spinepath.patients.access import access_episode, episodes_visible_to
from spinepath.patients.models import Episode, Stage


def current_episode_for(user: Any, *, purpose: str) -> Episode | None:
    """The one open episode the user can act on, or None when there is none or a choice."""
    open_ids = list(
        episodes_visible_to(user)
        .exclude(stage=Stage.CLOSED)
        .order_by("-opened_at")
        .values_list("public_id", flat=True)[:2]
    )
    if len(open_ids) != 1:
        return None
    return access_episode(user, open_ids[0], purpose=purpose)


def episode_for_request(
    user: Any, episode_id: str | None, *, purpose: str, action: str = "read"
) -> Episode | None:
    """The episode a /me/ page names (?episode=…, through the guard), or else the user's
    one open episode; None when there is none or a choice to make."""
    if episode_id:
        return access_episode(user, episode_id, purpose=purpose, action=action)
    return current_episode_for(user, purpose=purpose)
