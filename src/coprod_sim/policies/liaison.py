"""Community liaisons: officers with language / cultural skill, or civilian
liaisons costed in officer-hour equivalents, work in the neighbourhoods with the
highest communication barrier (by default). Their coverage offsets part of the
barrier there (in contacts, reporting, meetings and information), and they make
designed, non-enforcement outreach contacts."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class Liaison(Policy):
    name = "liaison"
    activity = "liaison"

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        full = knobs.coverage_hours_per_1000_per_day * model.residents_per_1000
        model.add_liaison_coverage(
            np.minimum(1.0, np.divide(hours_by_beat, full, out=np.zeros_like(hours_by_beat), where=full > 0))
        )
        rng = self.rng
        reached = self.reach_residents(rng, rng.poisson(hours_by_beat * knobs.outreach_contacts_per_hour))
        model.record_designed_contacts(np.unique(reached), language_skill=1.0)  # liaisons speak the language
        return hours_by_beat
