"""Scenario events, applied at the start of their day: a publicized misconduct
incident, a budget cut, an officer turnover wave, an external crime surge, an
enforcement fear. Their randomness comes from the model's `events` stream only;
they act through the names of `model_api.ModelAPI`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .config import BudgetCutEvent, CrimeSurgeEvent, EnforcementFearEvent, MisconductEvent, TurnoverEvent
from .population import beta_draws
from .submodels.trust import neighbours_of
from .submodels.workforce import replace_officer

if TYPE_CHECKING:
    from .model_api import ModelAPI


def apply_event(model: ModelAPI, event) -> None:
    HANDLERS[type(event)](model, event)


def misconduct(model: ModelAPI, ev: MisconductEvent) -> None:
    """Residents of the named groups and neighbourhoods hear of it directly (a share
    `reach`); their network neighbours hear of it second-hand."""
    rng = model.streams["events"]
    pop = model.pop
    direct = np.flatnonzero(pop.members(ev.groups, ev.neighbourhoods))
    direct = direct[rng.random(len(direct)) < ev.reach]
    loss = np.zeros(pop.n)
    loss[direct] = ev.salience
    second = neighbours_of(model.adj, direct)
    heard = np.bincount(second, minlength=pop.n) > 0
    heard[direct] = False
    loss[heard] = ev.salience * model.config.trust.vicarious_fraction
    drop = loss * model.trust
    model.trust -= drop
    model.anchor -= ev.anchor_share * drop
    np.clip(model.anchor, 0, 1, out=model.anchor)


def budget_cut(model: ModelAPI, ev: BudgetCutEvent) -> None:
    rng = model.streams["events"]
    officers = list(model.officers)
    n_cut = int(round(ev.fraction * len(officers)))
    for i in rng.choice(len(officers), size=n_cut, replace=False):
        model.remove_officer(officers[i])
    model.refresh_officers()


def turnover(model: ModelAPI, ev: TurnoverEvent) -> None:
    """A wave of leavers at once, replaced like routine turnover (submodels/workforce.py) but
    with recruits of skill `recruit_skill_mean`."""
    rng = model.streams["events"]
    officers = list(model.officers)
    n_out = int(round(ev.fraction * len(officers)))
    sd = model.config.policing.pj_skill_sd
    skills = beta_draws(rng, ev.recruit_skill_mean, sd, n_out)
    for i, skill in zip(rng.choice(len(officers), size=n_out, replace=False), skills, strict=True):
        replace_officer(model, officers[i], float(skill))
    model.refresh_officers()


def crime_surge(model: ModelAPI, ev: CrimeSurgeEvent) -> None:
    nbs = ev.neighbourhoods or list(range(model.pop.n_neighbourhoods))
    model.add_surge(ev.day, ev.day + ev.duration_days, np.asarray(nbs), ev.multiplier)


def enforcement_fear(model: ModelAPI, ev: EnforcementFearEvent) -> None:
    """Fear of (e.g. immigration) enforcement: affected residents report and take
    part less while it lasts (logit costs), whatever their trust."""
    mask = model.pop.members(ev.groups, ev.neighbourhoods)
    model.add_fear(ev.day, ev.day + ev.duration_days, mask, ev.reporting_cost, ev.participation_cost)


HANDLERS = {
    MisconductEvent: misconduct,
    BudgetCutEvent: budget_cut,
    TurnoverEvent: turnover,
    CrimeSurgeEvent: crime_surge,
    EnforcementFearEvent: enforcement_fear,
}
