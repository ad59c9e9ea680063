"""Door-to-door: non-enforcement visits, the designed-positive contact of
Peyton, Sierra-Arevalo & Rand (2019): a share of knocks reach the resident, who
then has a designed contact (trust.designed_contact_effect)."""

from __future__ import annotations

import numpy as np

from .base import Policy, register

# Trust at which a knock reaches the resident with exactly `reach_probability` (Peyton et al.'s
# 41%): about the calibrated city's mean trust, so the city-wide reach stays near 41%.
REACH_REFERENCE_TRUST = 0.475


@register
class DoorToDoor(Policy):
    name = "door_to_door"
    activity = "door_to_door"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        rng = self.rng
        knocks = rng.poisson(hours_by_beat * knobs.visits_per_hour)
        if knocks.sum() == 0:
            return hours_by_beat
        residents = self.reach_residents(rng, knocks)
        fresh = model.day - model.last_visit_day[residents] > knobs.revisit_after_days
        # Residents who trust the police open the door more (reach_trust_coef).
        z = (
            np.log(knobs.reach_probability / (1.0 - knobs.reach_probability))
            if 0 < knobs.reach_probability < 1
            else None
        )
        if z is None:
            p_reach = np.full(len(residents), knobs.reach_probability)
        else:
            p_reach = 1.0 / (
                1.0 + np.exp(-(z + knobs.reach_trust_coef * (model.trust[residents] - REACH_REFERENCE_TRUST)))
            )
        reached = np.unique(residents[fresh & (rng.random(len(residents)) < p_reach)])
        model.last_visit_day[reached] = model.day
        model.record_designed_contacts(reached)
        return hours_by_beat
