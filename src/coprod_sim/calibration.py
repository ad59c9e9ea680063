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
    "C10a": Target("C10", "confidence_share_majority", 0.51, 0.61, 0.56, "Gallup 2021: white adults 56%"),
    "C10b": Target("C10", "confidence_share_minority", 0.22, 0.32, 0.27, "Gallup 2021: Black adults 27%"),
    "C12": Target("C12", "committed_time_share", 0.20, 0.40, 0.27, "Famega 2005: 21-30% of a shift on calls"),
    "C14": Target(
        "C14",
        "calls_for_service_per_1000_per_year",
        400.0,
        1000.0,
        700.0,
        "Sherman et al. 1989: ~870 per 1,000 residents (Minneapolis)",
    ),
    # C13: share of places holding 50% / 25% of a year's incidents (all places, all incidents)
    "C13a": Target("C13", "place_share_50pct", 0.02, 0.06, 0.05, "Weisburd 2015: 50% of crime at 2.1-6.0% of places"),
    "C13b": Target("C13", "place_share_25pct", 0.004, 0.016, 0.01, "Weisburd 2015: 25% at 0.4-1.6% of places"),
}
C13_CHANGE_MAX = 0.01  # Weisburd 2015 (Seattle): the 50% share stayed within 4.7-6.1% over 16 years
C3_BAND = (0.10, 0.35)
C8_RATIO_BAND = (4.0, 14.0)


def _baseline_task(args) -> dict:
    config, seed, r, days = args
    result = simulate(with_overrides(config, {"output.places": True}), seed, r, days)  # places only read the run
    ts = result.timeseries
    groups = config.population.groups
    concentration = place_concentration(crimes_by_year(result.places))
    return {
        **calibration_view([result]),
        "place_share_50pct": concentration["place_share_50pct"],
        "place_share_25pct": concentration["place_share_25pct"],
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


def concentration_share(counts: np.ndarray, share: float) -> float:
    """Smallest share of places (all places, crime-free ones included) holding at least
    `share` of the incidents, most-crime places first (NaN without incidents)."""
    total = counts.sum()
    if total <= 0:
        return float("nan")
    cumulative = np.cumsum(np.sort(counts)[::-1])
    return float((np.searchsorted(cumulative, share * total - 1e-9) + 1) / len(counts))


def place_concentration(crimes_by_year: np.ndarray) -> dict:
    """C13 from per-place incident counts of each year of a run ([years, places], all
    incidents): the mean share of places holding 50% and 25% of a year's incidents, and
    the largest year-to-year change of the 50% share (NaN with one year)."""
    share50 = np.array([concentration_share(c, 0.5) for c in crimes_by_year])
    share25 = np.array([concentration_share(c, 0.25) for c in crimes_by_year])
    change = np.abs(np.diff(share50))
    return {
        "place_share_50pct": float(share50.mean()),
        "place_share_25pct": float(share25.mean()),
        "place_share_50pct_change": float(change.max()) if len(change) else float("nan"),
    }


def crimes_by_year(places) -> np.ndarray:
    """[years, places] incident counts from one replicate's places.parquet rows (its year_k periods)."""
    years = places[places["period"].str.startswith("year_")]
    table = years.pivot(index="period", columns="place", values="crimes")
    table = table.loc[sorted(table.index, key=lambda p: int(p.removeprefix("year_")))]
    return table.to_numpy(dtype=float)


def _concentration_task(args) -> dict:
    config, seed, r, days = args
    result = simulate(with_overrides(config, {"output.places": True}), seed, r, days)
    return place_concentration(crimes_by_year(result.places))


def measure_place_concentration(
    config: Config, *, seeds: int = 4, days: int = 2 * DAYS_PER_YEAR, seed: int = 0, workers: int = 1
) -> dict:
    """C13 over `seeds` replicates of the baseline (burn-in, then `days`: whole years):
    the mean of each replicate's measures, and the largest change seen in any."""
    rows = run_tasks(
        _concentration_task, [(config, seed, r, days) for r in range(seeds)], workers=workers, progress=False
    )
    return {
        "place_share_50pct": float(np.mean([r["place_share_50pct"] for r in rows])),
        "place_share_25pct": float(np.mean([r["place_share_25pct"] for r in rows])),
        "place_share_50pct_change": float(np.max([r["place_share_50pct_change"] for r in rows])),
        "place_share_50pct_change_mean": float(np.mean([r["place_share_50pct_change"] for r in rows])),
    }


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


def _contact_regression_task(args) -> np.ndarray:
    """One replicate's rows for C8: trust change over the run, good and bad direct
    routine contacts, starting trust (designed and vicarious contacts are not counted)."""
    config, seed, r, days = args
    model = CoProductionModel(config, rng=replicate_seed(seed, r))
    start = model.trust.copy()
    good0, bad0 = model.good_contacts.copy(), model.bad_contacts.copy()  # burn-in's contacts are not the window's
    model.run(days)
    return np.column_stack([model.trust - start, model.good_contacts - good0, model.bad_contacts - bad0, start])


def contact_asymmetry(
    config: Config, *, seeds: int = 4, days: int = DAYS_PER_YEAR, seed: int = 0, workers: int = 1
) -> dict:
    """C8 in outcomes: regress each resident's trust change over `days` on their
    numbers of good and bad direct routine contacts, controlling for starting trust
    (OLS over residents of all replicates). Returns coefficients, 95% intervals and
    how many residents had each kind of contact."""
    rows = np.vstack(
        run_tasks(
            _contact_regression_task, [(config, seed, r, days) for r in range(seeds)], workers=workers, progress=False
        )
    )
    y, good, bad, start = rows.T
    x = np.column_stack([np.ones(len(y)), good, bad, start])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    sigma2 = resid @ resid / (len(y) - x.shape[1])
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(x.T @ x)))
    half = 1.96 * se
    return {
        "good": float(coef[1]),
        "good_low": float(coef[1] - half[1]),
        "good_high": float(coef[1] + half[1]),
        "bad": float(coef[2]),
        "bad_low": float(coef[2] - half[2]),
        "bad_high": float(coef[2] + half[2]),
        "residents_with_good": int(np.count_nonzero(good)),
        "residents_with_bad": int(np.count_nonzero(bad)),
    }


def c8_holds(r: dict) -> bool:
    """C8 (restated): the bad coefficient is negative with a 95% interval excluding 0,
    and either |bad| / good lies in 4-14, or the good coefficient's interval includes
    0 while its upper end is below |bad| / 4."""
    if not (r["bad_high"] < 0):
        return False
    ratio_ok = r["good"] > 0 and C8_RATIO_BAND[0] <= abs(r["bad"]) / r["good"] <= C8_RATIO_BAND[1]
    good_null = r["good_low"] <= 0 <= r["good_high"] and r["good_high"] < abs(r["bad"]) / 4
    return bool(ratio_ok or good_null)


def quiet(config: Config) -> Config:
    return with_overrides(config, {"output.neighbourhood_metrics": False})
