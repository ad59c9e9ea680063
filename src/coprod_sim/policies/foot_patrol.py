"""Foot patrol: visible presence in assigned areas and many informal, mostly
pleasant conversations (routine contacts that rarely go badly)."""

from __future__ import annotations

import numpy as np

from ..submodels.response import bad_contact_probability
from .base import Policy, register


@register
class FootPatrol(Policy):
    name = "foot_patrol"
    activity = "foot_patrol"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        model.add_presence(hours_by_beat * knobs.visibility)
        rng = model.streams["foot_patrol"]
        counts = rng.poisson(hours_by_beat * knobs.informal_contacts_per_hour)
        if counts.sum() and len(model.officer_beat):
            beats = np.repeat(np.arange(len(counts)), counts)
            officer = model.random_officers(rng, beats)
            residents = model.random_residents(rng, beats)
            p_bad = bad_contact_probability(model.officer_skill[officer], bad_contact_max=model.config.policing.bad_contact_max, multiplier=knobs.bad_multiplier)
            model.record_contacts(residents, rng.random(len(residents)) < p_bad)
        return hours_by_beat
