"""Hot-spots policing: directed patrol visits to the places with the most
*recorded* crime (the police's picture, not the truth: under-reporting biases
where police go). Visits protect the place while the officer is there and, by
residual deterrence, for a while after (the Koper curve: crime.protected_hours);
offenders sense the protected hours (place presence), which also spill over to
adjacent places (displacement, diffusion of benefits). Stops at a hot spot are
mostly with the people who live there or next door.

Each hour counts once: a `visibility` share as presence over the beat, the rest at
the places (default: all at the places)."""

from __future__ import annotations

import numpy as np

from ..submodels.crime import protected_hours
from .base import Policy, register


@register
class HotSpots(Policy):
    name = "hot_spots"
    activity = "hot_spots"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        cfg = model.config.crime
        hours = float(hours_by_beat.sum())
        dose = knobs.minutes_per_visit / 60.0 * knobs.visits_per_day  # officer hours per place per day
        n_places = int(hours // dose)
        if n_places == 0:
            return np.zeros_like(hours_by_beat)
        places = model.top_places(n_places, self.target_neighbourhoods())
        protected = protected_hours(
            knobs.visits_per_day,
            knobs.minutes_per_visit,
            residual_max_minutes=cfg.residual_deterrence_max_minutes,
            half_minutes=cfg.residual_deterrence_half_minutes,
        )
        model.add_place_patrol(
            places, dose, protected_hours_per_place=protected * (1.0 - knobs.visibility), activity=self.activity
        )
        model.place_stops(places, dose, self.rng, rate_multiplier=knobs.stops_multiplier)
        nb = model.pop.place_neighbourhood[places]
        return np.bincount(nb, minlength=len(hours_by_beat)) * dose
