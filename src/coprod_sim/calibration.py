"""Calibration targets (../shared/calibration.md, mirrored in docs/calibration.md)
and the measurements that check them. Used by the calibration tests and by
experiments/calibrate_baseline.py, so both measure the same thing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import DAYS_PER_YEAR, Config, with_overrides
from .metrics import safe_ratio
from .model import CoProductionModel
from .parallel import run_tasks
from .runs import calibration_view, simulate
from .streams import replicate_seed


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    low: float
    high: float
    aim: float
    source: str


TARGETS = {
    "C1": Target("C1", "reporting_rate_violent", 0.38, 0.50, 0.43, "BJS Criminal Victimization 2022-23: 41.5-44.7%"),
    "C2": Target("C2", "reporting_rate_property", 0.27, 0.37, 0.31, "BJS 2022-23: 31.8%, 29.9%"),
    "C4": Target("C4", "share_contacted_last_365_days", 0.18, 0.30, 0.24, "BJS Contacts 2018: 24% of residents 16+"),
    "C6": Target("C6", "violent_per_1000_per_year", 15.0, 35.0, 23.5, "BJS 2022: 23.5 per 1,000"),
    "C7": Target("C7", "property_per_1000_per_year", 30.0, 55.0, 40.0, "BJS 2022 (derived): ~40 per 1,000 residents"),
}
GROUP_TRUST_TOLERANCE = 0.05  # C10: after burn-in, group means within 0.05 of the Gallup figures
GROUP_TRUST_AIMS = {"majority": 0.55, "minority": 0.30}
C3_BAND = (0.10, 0.35)
C8_BAND = (4.0, 14.0)


def _day0_trust_by_group(model) -> dict[str, float]:
    return {
        f"mean_trust_{g}_day0": float(model.trust[model.pop.group == i].mean())
        for i, g in enumerate(model.pop.group_names)
    }


def _baseline_task(args) -> dict:
    config, seed, r, days = args
    result = simulate(config, seed, r, days, prepare=_day0_trust_by_group)
    ts = result.timeseries
    groups = config.population.groups
    return {
        **calibration_view([result]),
        **{k: v for k, v in result.extras.items() if k.endswith("_day0")},
        **{f"mean_trust_{g}": float(ts[f"mean_trust_{g}"].mean()) for g in groups},
        "clearance_rate": safe_ratio(ts["crimes_cleared"].sum(), ts["crimes_reported"].sum()),
        "participation_rate": float(ts["participation_rate"].mean()),
        "collective_efficacy": float(ts["collective_efficacy"].mean()),
    }


def measure_baseline(
    config: Config, *, seeds: int = 4, days: int = DAYS_PER_YEAR, seed: int = 0, workers: int = 1
) -> dict:
    """Mean of each calibration quantity over `seeds` replicates (burn-in, then `days`)."""
    rows = run_tasks(_baseline_task, [(config, seed, r, days) for r in range(seeds)], workers=workers, progress=False)
    return {k: float(np.mean([row[k] for row in rows])) for k in rows[0] if rows[0][k] is not None}


def _hold_full_trust(model) -> None:
    model.set_trust(1.0, hold=True)


def _c3_task(args) -> tuple[float, float, float, float]:
    config, seed, r, days = args
    out = []
    for prepare in (None, _hold_full_trust):
        view = calibration_view([simulate(config, seed, r, days, prepare=prepare)])
        out += [view["reporting_rate_violent"], view["reporting_rate_property"]]
    return tuple(out)


def recovered_nonreporting(
    config: Config, *, seeds: int = 4, days: int = DAYS_PER_YEAR, seed: int = 0, workers: int = 1
) -> dict:
    """C3: after burn-in, trust set to 1 and held for `days`, paired with the same seeds
    untouched: (r1 - r0) / (1 - r0) per crime type."""
    rows = np.array(
        run_tasks(_c3_task, [(config, seed, r, days) for r in range(seeds)], workers=workers, progress=False)
    )
    r0v, r0p, r1v, r1p = rows.mean(axis=0)
    return {
        "violent": (r1v - r0v) / (1 - r0v),
        "property": (r1p - r0p) / (1 - r0p),
        "r0_violent": r0v,
        "r1_violent": r1v,
        "r0_property": r0p,
        "r1_property": r1p,
    }


def door_to_door_round(config: Config, *, seed: int = 0, replicate: int = 0, neighbourhoods: int = 4) -> dict:
    """C9: a one-day door-to-door round after burn-in, applied through the designed
    contact kind, to every resident of the first `neighbourhoods` neighbourhoods;
    each is reached with policy.door_to_door.reach_probability.

    The comparison is against the same residents in a paired run without the round
    (same seed), the tightest possible matching. Returns gaps at day 3 and 21 and
    the day-3 gap for the lowest and highest prior-trust thirds."""
    runs = {}
    for treated in (False, True):
        m = CoProductionModel(config, rng=replicate_seed(seed, replicate))
        prior = m.trust.copy()
        targeted = np.flatnonzero(m.pop.neighbourhood < neighbourhoods)
        rng = np.random.default_rng([seed, replicate, 9])  # same reach draws in both arms
        reached = targeted[rng.random(len(targeted)) < config.policy.door_to_door.reach_probability]
        if treated:
            m.record_designed_contacts(reached)
        snapshots = {}
        for day in range(1, 22):
            m.step()
            if day in (3, 21):
                snapshots[day] = m.trust.copy()
        runs[treated] = snapshots
    gap3 = runs[True][3][reached] - runs[False][3][reached]
    gap21 = runs[True][21][reached] - runs[False][21][reached]
    terciles = np.quantile(prior[reached], [1 / 3, 2 / 3])
    low = prior[reached] <= terciles[0]
    high = prior[reached] >= terciles[1]
    return {
        "reach": len(reached) / len(targeted),
        "gap_day3": float(gap3.mean()),
        "gap_day21": float(gap21.mean()),
        "ratio_21_to_3": float(gap21.mean() / gap3.mean()),
        "gap_day3_low_prior": float(gap3[low].mean()),
        "gap_day3_high_prior": float(gap3[high].mean()),
    }


def contact_asymmetry(config: Config) -> float:
    """C8: default negative / positive contact effect."""
    return config.trust.negative_contact_effect / config.trust.positive_contact_effect


def quiet(config: Config) -> Config:
    return with_overrides(config, {"output.neighbourhood_metrics": False})
