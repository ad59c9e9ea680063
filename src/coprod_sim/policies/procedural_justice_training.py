"""Procedural-justice training: officers spend hours in training (off the street)
until each has had `hours_per_officer`; a trained officer's skill becomes
untrained skill + `skill_gain` x (1 - untrained skill). Skill lowers the chance a
contact goes badly and the officer's discretionary stops (policing.stop_skill_slope).
The gain fades (`gain_decay_days`, in the workforce step); every
`refresher_interval_days` a trained officer takes a refresher of `refresher_hours`
that restores it. Officers who join later (recruits) are trained in turn.

Officers are served as a queue: first those never trained, then refreshers due."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class ProceduralJusticeTraining(Policy):
    name = "procedural_justice_training"
    activity = "procedural_justice_training"

    def __init__(self, model):
        super().__init__(model)
        # (officer_version, knobs, first day a refresher falls due) when nobody was found waiting for training
        self.idle_until: tuple | None = None

    def _hours_due(self, officer) -> float | None:
        """Hours this officer still needs of a course or refresher now due (None = nothing due)."""
        knobs = self.knobs
        if not officer.trained:
            return knobs.hours_per_officer - officer.training_hours
        interval = knobs.refresher_interval_days
        if interval and self.model.day - officer.last_trained_day >= interval:
            return knobs.refresher_hours - officer.refresher_hours_done
        return None

    def _next_refresher_day(self) -> float:
        interval = self.knobs.refresher_interval_days
        days = [o.last_trained_day + interval for o in self.model.officer_list if o.trained]
        return min(days) if interval and days else np.inf

    def _complete(self, officer) -> None:
        """A course or refresher done: the full gain over the untrained skill."""
        base = officer.untrained_pj_skill
        officer.pj_skill = base + self.knobs.skill_gain * (1.0 - base)
        officer.trained = True
        officer.training_hours = self.knobs.hours_per_officer
        officer.refresher_hours_done = 0.0
        officer.last_trained_day = self.model.day

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        model = self.model
        idle = self.idle_until
        if idle is not None and idle[0] == model.officer_version and idle[1] is self.knobs and model.day < idle[2]:
            return np.zeros_like(hours_by_beat)  # nobody due, and neither the force nor the knobs changed since
        due = [(o, need) for o in model.officer_list if (need := self._hours_due(o)) is not None]
        due.sort(key=lambda item: item[0].trained)  # never-trained officers first
        if not due:
            self.idle_until = (model.officer_version, self.knobs, self._next_refresher_day())
            return np.zeros_like(hours_by_beat)
        given = float(hours_by_beat.sum())
        if given <= 0:
            return np.zeros_like(hours_by_beat)
        left, spent, completed = given, 0.0, False
        for o, need in due:
            take = min(left, max(need, 0.0))
            if o.trained:
                o.refresher_hours_done += take
            else:
                o.training_hours += take
            left -= take
            spent += take
            if need - take <= 1e-9:
                self._complete(o)
                completed = True
            if left <= 0:
                break
        if completed:
            model.refresh_officers()
        return hours_by_beat * (spent / given)
