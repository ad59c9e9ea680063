"""The 95% interval of a mean over replicates, shared by `compare` (paired differences),
the report (the confidence gap) and the comparison figures (effects over time).
Its own module so that the report and figures need not import `compare`, which
imports them."""

from __future__ import annotations

import numpy as np

# scipy.special's t quantile, not scipy.stats.t.ppf: the same function (stats calls it), the
# same numbers (checked for 1-4999 degrees of freedom), without importing scipy.stats (~0.3 s).
from scipy.special import stdtrit


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval over replicates (NaN interval with one replicate)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return np.nan, np.nan, np.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, np.nan, np.nan
    sd = v.std(ddof=1)
    half = 0.0 if sd == 0 else stdtrit(len(v) - 1, 0.975) * sd / np.sqrt(len(v))
    return mean, mean - half, mean + half
