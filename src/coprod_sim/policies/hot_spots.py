"""Hot-spots policing: directed patrol visits to the places with the most
*recorded* crime (the police's picture, not the truth: under-reporting biases
where police go). Visits deter offending at the place and bring proactive stops."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class HotSpots(Policy):
    name = "hot_spots"
    activity = "hot_spots"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        hours = float(hours_by_beat.sum())
        dose = knobs.minutes_per_visit / 60.0 * knobs.visits_per_day  # hours per place per day
        n_places = int(hours // dose)
        if n_places == 0:
            return np.zeros_like(hours_by_beat)
        places = model.top_places(n_places, self.target_neighbourhoods())
        model.add_place_patrol(places, dose)
        nb = model.pop.place_neighbourhood[places]
        used = np.bincount(nb, minlength=len(hours_by_beat)) * dose
        model.stop_contacts(used, self.rng, rate_multiplier=knobs.stops_multiplier)
        return used
