"""What a calibration fits: the profile's observed targets, the same quantities
summarised from one simulation, and the distance between them (docs/calibration.md,
"Calibrating a city")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import DAYS_PER_YEAR
from ..runs import RunResult
from .profile import CRIME_TYPES, Profile

# Default tolerances (the distance counts errors in these units; `met` accepts a model median this close):
RATE_TOLERANCE = 0.10  # rates per 1,000 residents: 10% of the observed value (a year's counts vary about so much)
SHARE_TOLERANCE = 0.05  # survey and reporting shares: 5 points (a survey of ~400 has a 95% margin of about 5)
NEIGHBOURHOOD_SHARE_TOLERANCE = 0.02  # a neighbourhood's share of recorded crime: 2 points


@dataclass(frozen=True)
class Target:
    name: str
    observed: float
    tolerance: float
    weight: float  # the neighbourhood shares count together as one target
    source: str


def observed_targets(profile: Profile) -> list[Target]:
    tol = profile.calibration.tolerance
    out = []

    def add(name: str, observed: float, default_tol: float, source: str, weight: float = 1.0) -> None:
        out.append(Target(name, float(observed), float(tol.get(name, default_tol)), weight, source))

    crime_source = profile.crime_source or "profile"
    for t in CRIME_TYPES:
        observed = profile.recorded_per_1000(t)
        add(f"recorded_{t}_per_1000_per_year", observed, max(RATE_TOLERANCE * observed, 0.1), crime_source)
    calls = profile.calls.per_year / profile.residents * 1000
    add("calls_for_service_per_1000_per_year", calls, max(RATE_TOLERANCE * calls, 1.0), profile.calls.source)
    for t in CRIME_TYPES:
        value, source = profile.reporting_rate(t)
        add(f"reporting_rate_{t}", value, SHARE_TOLERANCE, source)
    for g, survey in profile.groups.items():
        add(f"confidence_share_{g}", survey.confidence, SHARE_TOLERANCE, survey.source or "profile")
    k = len(profile.neighbourhoods)
    if k > 1:
        total = sum(sum(n.recorded_crime.values()) for n in profile.neighbourhoods)
        for n in profile.neighbourhoods:
            share = sum(n.recorded_crime.values()) / total if total > 0 else 1 / k
            add(neighbourhood_target(n.name), share, NEIGHBOURHOOD_SHARE_TOLERANCE, crime_source, 1 / k)
    return out


def neighbourhood_target(name: str) -> str:
    return f"recorded_crime_share[{name}]"


def summary_statistics(result: RunResult, profile: Profile) -> dict[str, float]:
    """The targets' quantities from one simulation (the model at its sample scale).

    Recorded crime by type: the model records incidents (`crimes_recorded`) without
    their type, so the recorded total is split as victims' reports are
    (`reported_violent` : `reported_property`). A neighbourhood's share of recorded crime is its share
    of victims' reports (the neighbourhood table has no recorded count)."""
    ts = result.timeseries
    days = int(ts["day"].nunique())
    per_year = DAYS_PER_YEAR / days * 1000.0 / result.extras["residents"]
    recorded = float(ts["crimes_recorded"].sum())
    by_type = {t: float(ts[f"reported_{t}"].sum()) for t in CRIME_TYPES}
    if sum(by_type.values()) == 0:
        by_type = {t: float(ts[f"crimes_{t}"].sum()) for t in CRIME_TYPES}
    typed = sum(by_type.values())
    stats = {}
    for t in CRIME_TYPES:
        stats[f"recorded_{t}_per_1000_per_year"] = recorded * (by_type[t] / typed if typed else 0.0) * per_year
        crimes = float(ts[f"crimes_{t}"].sum())
        stats[f"reporting_rate_{t}"] = by_type[t] / crimes if crimes else np.nan
    stats["calls_for_service_per_1000_per_year"] = float(ts["calls_for_service"].sum()) * per_year
    for g in profile.groups:
        stats[f"confidence_share_{g}"] = float(ts[f"confidence_share_{g}"].mean())
    nb = result.neighbourhoods
    if len(profile.neighbourhoods) > 1 and len(nb):
        per_nb = nb.groupby("neighbourhood")["crimes_reported"].sum()
        total = float(per_nb.sum())
        for i, n in enumerate(profile.neighbourhoods):
            stats[neighbourhood_target(n.name)] = float(per_nb.get(i, 0.0)) / total if total else np.nan
    return stats


class ScaledDistance:
    """Root of the weighted mean of squared errors, each error in units of its target's
    tolerance: 1 means "off by about one tolerance on average". A simulation with a
    missing statistic (NaN) is infinitely far."""

    def __init__(self, targets: list[Target]):
        self.targets = targets

    def __call__(self, x: dict, x0: dict) -> float:
        total = weights = 0.0
        for t in self.targets:
            v = x.get(t.name, np.nan)
            if not np.isfinite(v):
                return float("inf")
            total += t.weight * ((v - x0[t.name]) / t.tolerance) ** 2
            weights += t.weight
        return float(np.sqrt(total / weights))
