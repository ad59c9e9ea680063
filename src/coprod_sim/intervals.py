"""The 95% interval of a mean over replicates, shared by `compare` (paired differences),
the report (the confidence gap) and the comparison figures (effects over time).
Its own module so that the report and figures need not import `compare`, which
imports them."""

from __future__ import annotations

import numpy as np
from scipy import stats


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
    half = 0.0 if sd == 0 else stats.t.ppf(0.975, len(v) - 1) * sd / np.sqrt(len(v))
    return mean, mean - half, mean + half
