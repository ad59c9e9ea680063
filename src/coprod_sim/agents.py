"""Mesa agents: `Officer` (a real agent: few of them) and `Resident`, a thin view
whose properties read and write the model's resident arrays."""

from __future__ import annotations

import mesa
import numpy as np


class Officer(mesa.Agent):
    """A sworn officer: a beat (neighbourhood), a daily time budget, a
    procedural-justice skill, language / cultural skill, residents of the beat the
    officer knows by name, and training progress. The model mirrors officers in
    arrays (`model.officer_skill`, ...; rebuilt by `model.refresh_officers()`).

    Everything an officer learns on the job or in training is declared here with
    its untrained default, so a recruit who replaces a leaver (routine turnover,
    the turnover event) starts from these defaults: new training state added here
    is reset by turnover without further code."""

    def __init__(
        self, model, beat: int, pj_skill: float, hours_per_day: float, language_skill: float = 0.0, *, known=None
    ):
        super().__init__(model)
        self.beat = int(beat)
        self.pj_skill = float(pj_skill)
        self.hours_per_day = float(hours_per_day)
        self.language_skill = float(language_skill)  # 1 cancels the communication barrier in this officer's contacts
        self.known = np.empty(0, dtype=np.int64) if known is None else known  # resident ids known by name
        self.untrained_pj_skill = self.pj_skill  # skill before any PJ training: the level a training gain fades to
        self.trained = False  # has completed procedural-justice training
        self.training_hours = 0.0  # hours of that training so far
        self.last_trained_day: int | None = None  # day of the last PJ course or refresher
        self.refresher_hours_done = 0.0  # hours of the refresher now due
        self.acquaintance_progress = 0.0  # fraction of a resident on the way to being known (recruits)
        self.engagement_skill = 0.0  # community-engagement skill in [0, 1] (policy engagement_training)
        self.engagement_trained = False  # has completed engagement training
        self.engagement_training_hours = 0.0  # hours of that training so far
        self.index = -1  # row in the model's officer arrays, set by the model

    @property
    def hours_today(self) -> dict[str, float]:
        """Hours this officer spent per activity today (the beat's share)."""
        return self.model.officer_hours_today(self)

    @property
    def known_residents(self):
        m = self.model.officer_known
        return m.indices[m.indptr[self.index] : m.indptr[self.index + 1]]


class Resident(mesa.Agent):
    """A view of resident `idx`: no state of its own, so the arrays stay the truth."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = int(idx)

    trust = property(
        lambda self: float(self.model.trust[self.idx]), lambda self, v: self.model.trust.__setitem__(self.idx, v)
    )
    anchor = property(lambda self: float(self.model.anchor[self.idx]))
    participation = property(lambda self: float(self.model.participation[self.idx]))
    neighbourhood = property(lambda self: int(self.model.pop.neighbourhood[self.idx]))
    group = property(lambda self: self.model.pop.group_names[self.model.pop.group[self.idx]])
    last_contact_day = property(lambda self: int(self.model.last_contact_day[self.idx]))

    @property
    def neighbours(self):
        adj = self.model.adj
        return adj.indices[adj.indptr[self.idx] : adj.indptr[self.idx + 1]]
