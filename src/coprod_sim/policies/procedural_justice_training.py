"""Procedural-justice training: officers spend hours in training (off the street)
until each has had `hours_per_officer`; a trained officer's skill rises by
`skill_gain` x (1 - skill). Officers who join later are trained in turn."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class ProceduralJusticeTraining(Policy):
    name = "procedural_justice_training"
    activity = "procedural_justice_training"

    def __init__(self, model):
        super().__init__(model)
        self.all_trained_at: int | None = None  # officer_version when everyone was last found trained

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        given = float(hours_by_beat.sum())
        if self.all_trained_at == model.officer_version:
            return np.zeros_like(hours_by_beat)  # everyone trained, and the force has not changed since
        pending = [o for o in model.officer_list if not o.trained]
        if not pending:
            self.all_trained_at = model.officer_version
            return np.zeros_like(hours_by_beat)
        remaining = sum(knobs.hours_per_officer - o.training_hours for o in pending)
        if given <= 0:
            return np.zeros_like(hours_by_beat)
        if remaining <= 0:  # a course of zero hours: everyone pending is trained at once
            for o in pending:
                o.trained = True
                o.pj_skill += knobs.skill_gain * (1.0 - o.pj_skill)
            model.refresh_officers()
            return np.zeros_like(hours_by_beat)
        spend = min(given, remaining)
        left = spend
        changed = False
        for o in pending:  # a queue: officers are trained one after another
            if left <= 0:
                break
            take = min(left, knobs.hours_per_officer - o.training_hours)
            o.training_hours = o.training_hours + take
            left -= take
            if o.training_hours >= knobs.hours_per_officer - 1e-9:
                o.trained = True
                o.pj_skill += knobs.skill_gain * (1.0 - o.pj_skill)
                changed = True
        if changed:
            model.refresh_officers()
        return hours_by_beat * (spend / given)
