"""Foot patrol: visible presence in assigned areas (its hours count as presence
by `visibility`) and many informal, mostly pleasant conversations (routine
contacts that rarely go badly)."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class FootPatrol(Policy):
    name = "foot_patrol"
    activity = "foot_patrol"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        rng = self.rng
        counts = rng.poisson(hours_by_beat * knobs.informal_contacts_per_hour)
        if counts.sum() and len(model.officer_beat):
            residents = self.reach_residents(rng, counts)
            officer = model.random_officers(rng, model.pop.neighbourhood[residents])
            p_bad = model.contact_bad_probability(officer, residents, knobs.bad_multiplier)
            model.record_contacts(residents, rng.random(len(residents)) < p_bad)
        return hours_by_beat
