"""Community (beat) meetings: held every `interval_days` per neighbourhood when
the policy's hours allow; residents attend in proportion to their participation
(trust and efficacy); attendees have a designed, non-enforcement contact and
their shared information raises the neighbourhood's collective efficacy."""

from __future__ import annotations

import numpy as np

from .base import Policy, register


@register
class CommunityMeetings(Policy):
    name = "community_meetings"
    activity = "community_meetings"

    def __init__(self, model):
        super().__init__(model)
        k = model.pop.n_neighbourhoods
        # Hours banked per beat; a meeting is held when due and the last one is paid
        # for (bank >= 0), then its cost is repaid from the next days' hours. So
        # beats meet in turn from the start (beat b first on day b mod interval).
        self.bank = np.zeros(k)
        interval = self.knobs.interval_days
        self.next_due = model.day + np.arange(k) % interval
        self.meetings_held = np.zeros(k, dtype=np.int64)

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        knobs, model = self.knobs, self.model
        need_per_day = knobs.hours_per_meeting / knobs.interval_days
        used = np.minimum(hours_by_beat, need_per_day)  # more hours do not buy more meetings
        self.bank += used
        due = np.flatnonzero((hours_by_beat > 0) & (self.bank >= -1e-9) & (model.day >= self.next_due))
        if len(due):
            self._hold(due)
            self.bank[due] -= knobs.hours_per_meeting
            self.next_due[due] = model.day + knobs.interval_days
            self.meetings_held[due] += 1
        return used

    def _hold(self, beats: np.ndarray) -> None:
        knobs, model, pop = self.knobs, self.model, self.model.pop
        rng = self.rng
        members = np.concatenate([np.arange(pop.nb_start[b], pop.nb_start[b] + pop.nb_size[b]) for b in beats])
        p_attend = knobs.attendance_rate * model.participation[members]
        if model.has_barriers:
            p_attend = p_attend * (1.0 - model.config.barriers.attendance_penalty * model.effective_barrier(members))
        attendees = members[rng.random(len(members)) < p_attend]
        if self.groups:
            attendees = attendees[np.isin(pop.group[attendees], pop.group_ids(self.groups))]
        model.record_designed_contacts(attendees)
        share = np.bincount(pop.neighbourhood[attendees], minlength=pop.n_neighbourhoods) / np.maximum(pop.nb_size, 1)
        model.efficacy = np.clip(model.efficacy + knobs.efficacy_gain * share, 0.0, 1.0)
