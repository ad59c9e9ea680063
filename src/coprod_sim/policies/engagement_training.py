"""Engagement training: officers spend hours in training (off the street) until
each has had `hours_per_officer`; a trained officer's engagement skill rises by
`skill_gain` x (1 - skill). The skill makes the officer's designed contacts
(door-to-door, meetings, outreach) move more trust and draw out more of what
residents know at meetings (policing.engagement_skill_effect); it is distinct
from procedural-justice skill, which governs routine contacts. Officers who join
later are trained in turn."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class EngagementTraining(Policy):
    name = "engagement_training"
    activity = "engagement_training"

    def __init__(self, model):
        super().__init__(model)
        self.all_trained_at: int | None = None  # officer_version when everyone was last found trained

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        given = float(hours_by_beat.sum())
        if given <= 0 or self.all_trained_at == model.officer_version:
            return np.zeros_like(hours_by_beat)
        pending = [o for o in model.officer_list if not o.engagement_trained]
        if not pending:
            self.all_trained_at = model.officer_version
            return np.zeros_like(hours_by_beat)
        left = spend = min(given, sum(knobs.hours_per_officer - o.engagement_training_hours for o in pending))
        changed = False
        for o in pending:  # a queue: officers are trained one after another
            take = min(max(left, 0.0), knobs.hours_per_officer - o.engagement_training_hours)
            o.engagement_training_hours += take
            left -= take
            if o.engagement_training_hours >= knobs.hours_per_officer - 1e-9:
                o.engagement_trained = True
                o.engagement_skill += knobs.skill_gain * (1.0 - o.engagement_skill)
                changed = True
            elif left <= 0:
                break
        if changed:
            model.refresh_officers()
        return hours_by_beat * (max(spend, 0.0) / given)
