"""The synthetic-city check (docs/calibration.md, "Does the calibration find the truth?"):
a profile whose targets the model itself produced at known parameter values, and
whether a calibration's posterior covers those values."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..config import with_overrides
from ..runs import simulate
from .outputs import HIGH_Q, LEVEL, LOW_Q
from .priors import weighted_quantile
from .profile import CRIME_TYPES, Profile, city_config
from .targets import neighbourhood_target, summary_statistics


def synthetic_profile(profile: Profile, truth: dict[str, float], seed: int, replicates: int = 1) -> dict:
    """The profile's data (a dict to write as TOML) with every target replaced by what
    simulations of its city at the `truth` parameter values give (the mean over
    `replicates` runs on `replicate_seed(seed, r)`): recorded crime by neighbourhood and
    type, calls, reporting rates and confidence by group. The city (neighbourhoods,
    groups, officers, sample) and `[calibration]` are kept.

    One replicate is one observed city-year, as real data are. More replicates put the
    targets near the model's expectation, so the posterior (which allows for one run's
    noise) covers the truth more often than its level: a test of where the posterior
    lies, not of its width."""
    config = with_overrides(city_config(profile), truth)
    runs = [summary_statistics(simulate(config, seed, r, config.run.days), profile) for r in range(replicates)]
    stats = {k: sum(run[k] for run in runs) / replicates for k in runs[0]}
    data = profile.model_dump(mode="json", exclude_none=True)
    data["city"]["synthetic"] = True
    data["city"]["description"] = f"targets simulated at {truth} (seed {seed})"
    k = len(profile.neighbourhoods)
    for n, nb in zip(profile.neighbourhoods, data["neighbourhoods"], strict=True):
        share = stats[neighbourhood_target(n.name)] if k > 1 else 1.0
        nb["recorded_crime"] = {
            t: share * stats[f"recorded_{t}_per_1000_per_year"] * profile.residents / 1000 for t in CRIME_TYPES
        }
    data["calls"]["per_year"] = stats["calls_for_service_per_1000_per_year"] * profile.residents / 1000
    data["reporting"] = {t: stats[f"reporting_rate_{t}"] for t in CRIME_TYPES} | {"source": "simulated"}
    for g in profile.groups:
        data["groups"][g]["confidence"] = stats[f"confidence_share_{g}"]
    return data


@dataclass(frozen=True)
class Coverage:
    parameter: str
    truth: float
    low: float
    high: float

    @property
    def covered(self) -> bool:
        return self.low <= self.truth <= self.high

    def line(self) -> str:
        verdict = "covered" if self.covered else "NOT covered"
        interval = f"{LEVEL:.0%} posterior {self.low:.4g} .. {self.high:.4g}"
        return f"{self.parameter}: truth {self.truth:.4g}, {interval}: {verdict}"


def coverage(posterior: pd.DataFrame, truth: dict[str, float]) -> list[Coverage]:
    """Per fitted parameter in `truth`: its true value against the posterior's weighted 90% interval."""
    w = posterior["weight"].to_numpy()
    return [
        Coverage(p, float(v), *(weighted_quantile(posterior[p].to_numpy(), w, q) for q in (LOW_Q, HIGH_Q)))
        for p, v in truth.items()
    ]
