"""Foot patrol: officers walk a foot beat, the beat's places with the most crime in
the police's picture (a `foot_beat_share` of its places, Ratcliffe et al. 2011), so
their presence acts at those places (place presence, with spill-over to adjacent
places); a `visibility` share of each hour counts as presence over the whole beat
(walking to and from it), the rest at the foot beat's places, so each hour counts
once. Their many informal, mostly pleasant conversations (routine contacts that
rarely go badly) are with residents living at or next to the foot beat's places,
and some passers-by."""

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
        size = np.maximum(1, np.round(knobs.foot_beat_share * model.pop.place_count)).astype(np.int64)
        places = model.top_places_per_beat(size)  # the foot beats, grouped by beat
        start = np.concatenate([[0], np.cumsum(size)[:-1]])
        beat = model.pop.place_neighbourhood[places]
        per_place = hours_by_beat[beat] / size[beat]
        walked = per_place > 0
        model.add_place_patrol(
            places[walked],
            per_place[walked],
            protected_hours_per_place=per_place[walked] * (1.0 - knobs.visibility),
            activity=self.activity,
        )
        counts = rng.poisson(hours_by_beat * knobs.informal_contacts_per_hour)
        if counts.sum() and len(model.officer_beat):
            beats = np.repeat(np.arange(len(counts)), counts)
            at = places[start[beats] + (rng.random(len(beats)) * size[beats]).astype(np.int64)]
            residents, _ = model.place_residents(rng, at)
            if self.groups:  # a policy for some groups talks only with them
                residents = residents[np.isin(model.pop.group[residents], model.pop.group_ids(self.groups))]
            officer = model.random_officers(rng, model.pop.neighbourhood[residents])
            p_bad = model.contact_bad_probability(officer, residents, knobs.bad_multiplier)
            model.record_contacts(residents, rng.random(len(residents)) < p_bad)
        return hours_by_beat
