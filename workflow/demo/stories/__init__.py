"""Every demo story, in the order they are told (the order breaks ties between same-day steps)."""

from __future__ import annotations

from workflow.demo.model import Story
from workflow.demo.stories import (
    coordination,
    escalation,
    immediate,
    standard_done,
    standard_open,
    standard_time,
    suggestion,
)

STORIES: tuple[Story, ...] = (standard_done.STORIES + standard_open.STORIES + standard_time.STORIES
                              + immediate.STORIES + suggestion.STORIES + escalation.STORIES
                              + coordination.STORIES)

__all__ = ["STORIES"]
