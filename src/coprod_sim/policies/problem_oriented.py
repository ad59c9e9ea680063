"""Problem-oriented policing: police and residents take on the worst places (by
the police's picture of crime) one at a time; after `hours_per_problem` a place's
crime opportunity falls by `opportunity_reduction`, scaled by the
neighbourhood's resident input (participation discounted by communication
barriers / coproduction.input_reference,
capped at 1 / reduction): without residents, problem-solving achieves little."""

from __future__ import annotations

import numpy as np

from ..config import DAYS_PER_YEAR
from ..state import NEVER
from .base import Policy, register


@register
class ProblemOriented(Policy):
    name = "problem_oriented"
    activity = "problem_oriented"

    def __init__(self, model):
        super().__init__(model)
        self.bank = 0.0
        self.solved_day = np.full(model.pop.n_places, NEVER, dtype=np.int64)
        self.solved = 0

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        self.bank += float(hours_by_beat.sum())
        while self.bank >= knobs.hours_per_problem:
            place = self._next_place()
            if place is None:
                break
            self.bank -= knobs.hours_per_problem
            nb = model.pop.place_neighbourhood[place]
            resident_input = model.resident_input_nb[nb] / model.config.coproduction.input_reference
            reduction = min(1.0, knobs.opportunity_reduction * resident_input)
            model.place_opportunity[place] *= 1.0 - reduction
            self.solved_day[place] = model.day
            self.solved += 1
        return hours_by_beat

    def _next_place(self) -> int | None:
        model = self.model
        recent = model.day - self.solved_day < DAYS_PER_YEAR  # a place is taken on again after a year at the soonest
        raised = model.take_raised_problem(self.target_neighbourhoods(), exclude=recent)  # residents' problems first
        if raised is not None:
            return raised
        candidates = model.top_places(1, self.target_neighbourhoods(), exclude=recent)
        return int(candidates[0]) if len(candidates) else None
