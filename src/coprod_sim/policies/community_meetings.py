"""Community (beat) meetings: held every `interval_days` per neighbourhood when
the policy's hours allow. Attending costs time: residents attend by their
participation propensity and their spare time and means, so the crowd is skewed
(Skogan et al. 2000). Attendees have a designed, non-enforcement contact; they
hear what was done about the problems raised at the last meeting (feedback, when
problem-solving took one on); and they tell the police about crime at and next to
their homes that the police have not recorded, which enters the police's picture
and queues the worst newly known places as raised problems (local knowledge)."""

from __future__ import annotations

import numpy as np

from ..submodels import coproduction
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
        self.attended = np.zeros(model.pop.n, dtype=np.int64)  # meetings each resident attended
        self.last_raised: dict[int, list[coproduction.RaisedProblem]] = {}  # per beat, at its last meeting

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
        p_attend = coproduction.attendance_probability(
            model.participation[members],
            model.resources[members],
            attendance_rate=knobs.attendance_rate,
            time_cost=knobs.time_cost,
        )
        barrier = model.effective_barrier(members) if model.has_barriers else None
        if barrier is not None:
            p_attend = p_attend * (1.0 - model.config.barriers.attendance_penalty * barrier)
        present = rng.random(len(members)) < p_attend
        if self.groups:
            present &= np.isin(pop.group[members], pop.group_ids(self.groups))
        attendees = members[present]
        self.attended[attendees] += 1
        model.record_designed_contacts(attendees)
        self._report_back(beats, attendees)
        # What attendees tell: a share of the unrecorded crime near home, less across a barrier,
        # more when the beat's officers know how to draw it out.
        home_beat = pop.neighbourhood[attendees]
        skill = model.beat_engagement_skill()[home_beat]
        told = knobs.information_share * (1.0 + model.config.policing.engagement_skill_effect * skill)
        if barrier is not None:
            told = told * (1.0 - model.config.barriers.information_penalty * barrier[present])
        for b in beats:
            here = home_beat == b
            places, known = model.learn_from_residents(attendees[here], told[here])
            self.last_raised[int(b)] = self._raise(places, known, int(b))

    def _report_back(self, beats: np.ndarray, attendees: np.ndarray) -> None:
        """Attendees of a beat whose last meeting's problems were taken on hear so (feedback)."""
        acted = [b for b in beats if any(p.taken_day is not None for p in self.last_raised.get(int(b), []))]
        if acted:
            self.model.record_feedback(attendees[np.isin(self.model.pop.neighbourhood[attendees], acted)])

    def _raise(self, places: np.ndarray, known: np.ndarray, beat: int) -> list[coproduction.RaisedProblem]:
        count = min(self.knobs.problems_per_meeting, int((known > 0).sum()))
        worst = places[np.argsort(-known, kind="stable")[:count]]
        return [self.model.raise_problem(place, beat) for place in worst]
