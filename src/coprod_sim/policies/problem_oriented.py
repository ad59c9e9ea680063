"""Problem-oriented policing: police and residents take on the worst places (by the
police's picture of crime) one at a time, `hours_per_problem` officer hours each.

What a project changes is the place, not a crime rate: it addresses the conditions
that make the place worse than its neighbourhood's typical (median) place (its
excess attractiveness: a crime attractor or generator, poor place management; Eck;
Braga et al. 1999 Jersey City; Braga & Bond 2008 Lowell). A project removes
`excess_removed` x success of that excess, where success = information x effort:
information is the neighbourhood's resident input / coproduction.input_reference
(at most 1: without residents, a project misreads the problem) and effort is
1 - exp(-hours_per_problem / effort_hours).

The place's opportunity is set to the level the project reaches, from the place's
fixed attractiveness, never multiplied again: re-taking a place cannot compound an
earlier project's reduction (a project never undoes one either). Conditions return
toward the old level with `effect_decay_years` (perceptions.restore_opportunity)."""

from __future__ import annotations

import numpy as np

from ..config import DAYS_PER_YEAR
from ..state import NEVER
from .base import Policy, register


def excess_share(place_pressure: np.ndarray, place_start: np.ndarray, place_count: np.ndarray) -> np.ndarray:
    """Share of each place's crime opportunity above its neighbourhood's median place
    (0 at or below it); places are numbered neighbourhood by neighbourhood."""
    nb = np.repeat(np.arange(len(place_count)), place_count)
    ranked = place_pressure[np.lexsort((place_pressure, nb))]  # each neighbourhood's places, ascending
    typical = (ranked[place_start + (place_count - 1) // 2] + ranked[place_start + place_count // 2]) / 2.0
    return np.clip(1.0 - typical[nb] / np.maximum(place_pressure, 1e-300), 0.0, 1.0)


def opportunity_after_project(excess: float, *, excess_removed: float, information: float, effort: float) -> float:
    """The place's opportunity (1 = untouched) once a project removed its share of the excess."""
    success = min(1.0, information) * effort
    return 1.0 - excess_removed * success * excess


@register
class ProblemOriented(Policy):
    name = "problem_oriented"
    activity = "problem_oriented"

    def __init__(self, model):
        super().__init__(model)
        self.bank = 0.0
        self.solved_day = np.full(model.pop.n_places, NEVER, dtype=np.int64)
        self.solved = 0
        self.excess = excess_share(model.place_pressure, model.pop.place_start, model.pop.place_count)

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        self.bank += float(hours_by_beat.sum())
        effort = 1.0 - np.exp(-knobs.hours_per_problem / knobs.effort_hours)
        while self.bank >= knobs.hours_per_problem:
            place = self._next_place()
            if place is None:
                break
            self.bank -= knobs.hours_per_problem
            nb = model.pop.place_neighbourhood[place]
            level = opportunity_after_project(
                self.excess[place],
                excess_removed=knobs.excess_removed,
                information=model.resident_input_nb[nb] / model.config.coproduction.input_reference,
                effort=effort,
            )
            model.complete_project(place, level)
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
