"""The workforce (step 0b): officers leave and are replaced (routine turnover),
recruits get to know residents of their beat, and procedural-justice training
gains fade. These act on the few officer agents, so loops over officers are fine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..config import DAYS_PER_YEAR
from ..population import beta_draws

if TYPE_CHECKING:
    from ..agents import Officer


def daily_hazard(annual_rate: float) -> float:
    """Daily leaving probability that compounds to `annual_rate` over a year."""
    return 1.0 - (1.0 - annual_rate) ** (1.0 / DAYS_PER_YEAR)


def replace_officer(model, old: Officer, skill: float) -> Officer:
    """A recruit takes `old`'s post: same beat, hours and language requirement (a
    bilingual post is refilled bilingually), a fresh skill, and every learned or
    trained attribute at the Officer defaults (untrained, knowing no residents).
    Call `model.refresh_officers()` once the force is complete."""
    recruit = model.add_officer(
        old.beat, skill, old.hours_per_day, knows_residents=False, language_skill=old.language_skill
    )
    model.remove_officer(old)
    return recruit


def routine_turnover(
    model, officers: list[Officer], rng: np.random.Generator, *, annual_rate: float, skill_mean: float, skill_sd: float
) -> bool:
    """Each officer leaves today with the daily hazard; leavers are replaced by
    recruits whose skill is a fresh draw from the baseline distribution. One
    uniform per officer every day (the same draws under every policy, since
    policies do not change the force). Returns whether anyone left."""
    if annual_rate <= 0 or not officers:
        return False
    leaving = (rng.random(len(officers)) < daily_hazard(annual_rate)).nonzero()[0]
    if not len(leaving):
        return False
    skills = beta_draws(rng, skill_mean, skill_sd, len(leaving))
    for i, skill in zip(leaving, skills, strict=True):
        replace_officer(model, officers[i], float(skill))
    return True


def get_acquainted(
    officers: list[Officer],
    rng: np.random.Generator,
    nb_start: np.ndarray,
    nb_size: np.ndarray,
    *,
    target: int,
    acquaintance_days: float,
) -> list[Officer]:
    """Officers who know fewer than `target` residents of their beat (recruits)
    get to know (target - known) / acquaintance_days more a day, as whole random
    residents once a full one has accrued (one they knew already adds no one).
    Returns the officers whose `known` grew."""
    if acquaintance_days <= 0 or target <= 0:
        return []
    grown = []
    sizes = nb_size.tolist()  # read once per officer a day: Python ints, not numpy scalars
    for o in officers:
        missing = target - len(o.known)
        size = sizes[o.beat]
        if missing <= 0 or size == 0:
            continue
        o.acquaintance_progress += missing / acquaintance_days
        whole = int(o.acquaintance_progress)
        if whole:
            o.acquaintance_progress -= whole
            new = nb_start[o.beat] + rng.integers(0, size, whole)
            known = np.union1d(o.known, new).astype(np.int64)
            if len(known) > len(o.known):
                o.known = known
                grown.append(o)
    return grown


def fade_training_gains(officers: list[Officer], *, gain_decay_days: float) -> bool:
    """Each officer's skill above the untrained skill decays with time constant
    `gain_decay_days` (refreshers restore it). Returns whether any skill changed."""
    if gain_decay_days <= 0:
        return False
    keep = np.exp(-1.0 / gain_decay_days)
    changed = False
    for o in officers:
        gain = o.pj_skill - o.untrained_pj_skill
        if gain > 1e-12:
            o.pj_skill = o.untrained_pj_skill + gain * keep
            changed = True
    return changed
