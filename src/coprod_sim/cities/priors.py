"""The parameters a city calibration fits by default, with their priors
(docs/calibration.md, "Calibrating a city"). A profile's `[calibration.priors]`
replaces or adds entries; `[calibration] parameters` keeps only the ones named."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..config import ConfigError, with_overrides
from ..config.schema import Config
from .profile import Prior, Profile

# Recorded crime is what victims report and the police record, about 0.2-1.0 of what happens: NCVS 2022-23
# puts victims' reporting at 42-45% (violent) and 30-32% (property), and not every report is recorded.
RECORDED_SHARE_RANGE = {"violent": (0.2, 1.0), "property": (0.15, 1.0)}
# Most calls for service are not crime reports (Sherman et al. 1989; Lum et al. 2021: about 20% crime-related).
OTHER_CALLS_SHARE_RANGE = (0.3, 1.0)


def default_priors(profile: Profile) -> dict[str, Prior]:
    priors = {}
    for t, (low_share, high_share) in RECORDED_SHARE_RANGE.items():
        recorded = max(profile.recorded_per_1000(t), 0.5)
        priors[f"crime.{t}_per_1000_per_year"] = Prior(
            low=recorded / high_share,
            high=recorded / low_share,
            scale="log",
            source=f"the profile's recorded rate / a recorded share of {low_share}-{high_share} (NCVS 2022-23)",
        )
    calls = max(profile.calls.per_year / profile.residents * 1000, 1.0)
    priors["policing.other_calls_per_1000_per_year"] = Prior(
        low=calls * OTHER_CALLS_SHARE_RANGE[0],
        high=calls * OTHER_CALLS_SHARE_RANGE[1],
        scale="log",
        source="the profile's calls x 0.3-1.0 (most calls are not crime reports: Sherman et al. 1989)",
    )
    priors["reporting.intercept"] = Prior(
        low=-3.0, high=0.0, source="weak: reporting shares of about 5-50% (NCVS 2022-23: 31-45%)"
    )
    for g in profile.groups:
        priors[f"population.groups.{g}.initial_trust_mean"] = Prior(
            low=0.05, high=0.95, source="weak: wide (Gallup: 20-70% confident, by group and year)"
        )
    return priors


def calibration_priors(profile: Profile, base: Config) -> dict[str, Prior]:
    """The defaults, changed by the profile; each path checked against the configuration."""
    priors = default_priors(profile) | dict(profile.calibration.priors)
    keep = profile.calibration.parameters
    if keep is not None:
        unknown = [p for p in keep if p not in priors]
        if unknown:
            raise ConfigError(
                f"calibration.parameters: no prior for {', '.join(unknown)}; add it under [calibration.priors] "
                f"or choose from {', '.join(priors)}"
            )
        priors = {p: priors[p] for p in keep}
    if not priors:
        raise ConfigError("calibration.parameters: name at least one parameter to fit")
    for path, prior in priors.items():
        for value in (prior.low, prior.high):
            try:
                with_overrides(base, {path: value})
            except ConfigError as e:
                raise ConfigError(f"calibration.priors.{path}: {value} is not a valid value: {e}") from None
    return priors


def prior_rv(prior: Prior):
    """The prior as a frozen scipy.stats distribution."""
    if prior.scale == "log":
        return stats.loguniform(prior.low, prior.high)
    return stats.uniform(prior.low, prior.high - prior.low)


def prior_interval(prior: Prior, level: float = 0.9) -> tuple[float, float]:
    rv = prior_rv(prior)
    return float(rv.ppf((1 - level) / 2)), float(rv.ppf((1 + level) / 2))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    v, w = np.asarray(values, dtype=float)[order], np.asarray(weights, dtype=float)[order]
    cdf = np.cumsum(w) - 0.5 * w
    return float(np.interp(q * w.sum(), cdf, v))
