"""Do two calibrations agree in distribution? (docs/calibration-engine.md, "Resume with
several workers"). With several workers pyabc cannot promise a resumed run the same digits
as an uninterrupted one, only the same posterior up to Monte-Carlo error; this is the check.

Per parameter, the two posteriors' weighted means are compared against their Monte-Carlo
errors, each the weighted standard deviation over the square root of the effective sample
size (Kish): z = (mean_a - mean_b) / sqrt(se_a^2 + se_b^2). The runs agree when every |z|
is at most `Z_TOLERANCE`.

Two calibrations on the same budget may end after different numbers of generations (how many
simulations a generation needs is random), and generations differ in their thresholds: so two
calibration folders are compared at the last generation both completed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .engine import DATABASE

# With ~10 particles the effective sample size is 5-10 and each standard deviation is itself rough (z is then
# t-like with few degrees of freedom); 4 keeps false alarms rare while a shifted posterior still fails.
Z_TOLERANCE = 4.0


def effective_sample_size(weights: np.ndarray) -> float:
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    return float(1.0 / (w**2).sum())


def weighted_mean_and_error(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """The weighted mean and its Monte-Carlo standard error, sd / sqrt(ESS)."""
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    w = w / w.sum()
    mean = float((w * v).sum())
    sd = float(np.sqrt((w * (v - mean) ** 2).sum()))
    return mean, sd / np.sqrt(effective_sample_size(w))


@dataclass(frozen=True)
class MeanComparison:
    parameter: str
    mean_a: float
    mean_b: float
    error: float  # the difference's Monte-Carlo standard error
    tolerance: float = Z_TOLERANCE

    @property
    def z(self) -> float:
        diff = self.mean_a - self.mean_b
        return float(diff / self.error) if self.error > 0 else (0.0 if diff == 0 else float("inf"))

    @property
    def equivalent(self) -> bool:
        return abs(self.z) <= self.tolerance

    def line(self) -> str:
        verdict = "agree" if self.equivalent else "DIFFER"
        return (
            f"{self.parameter}: means {self.mean_a:.4g} and {self.mean_b:.4g}, Monte-Carlo error {self.error:.3g}, "
            f"z = {self.z:+.2f} (tolerance {self.tolerance:g}): {verdict}"
        )


def compare_posteriors(a: pd.DataFrame, b: pd.DataFrame, tolerance: float = Z_TOLERANCE) -> list[MeanComparison]:
    """Per parameter (the columns other than `weight`, which both must hold): the two weighted means."""
    parameters = [c for c in a.columns if c != "weight"]
    if sorted(parameters) != sorted(c for c in b.columns if c != "weight"):
        raise ValueError("the two posteriors fit different parameters; only the same parameters can be compared")
    rows = []
    for p in parameters:
        mean_a, se_a = weighted_mean_and_error(a[p].to_numpy(), a["weight"].to_numpy())
        mean_b, se_b = weighted_mean_and_error(b[p].to_numpy(), b["weight"].to_numpy())
        rows.append(MeanComparison(p, mean_a, mean_b, float(np.hypot(se_a, se_b)), tolerance))
    return rows


def generation_posterior(out: Path, t: int) -> pd.DataFrame:
    """Generation t of the calibration in `out` (parameters and `weight`, as in posterior.parquet)."""
    import pyabc

    params, w = pyabc.History(f"sqlite:///{Path(out) / DATABASE}", _id=1).get_distribution(m=0, t=t)
    w = np.asarray(w, dtype=float)
    return params.reset_index(drop=True).assign(weight=w / w.sum())


def last_generation(out: Path) -> int:
    import pyabc

    return int(pyabc.History(f"sqlite:///{Path(out) / DATABASE}", _id=1).max_t)


def compare_calibrations(a: Path, b: Path, tolerance: float = Z_TOLERANCE) -> tuple[int, list[MeanComparison]]:
    """The last generation both calibration folders completed, and their posteriors' comparison there."""
    t = min(last_generation(a), last_generation(b))
    if t < 0:
        raise ValueError("a calibration has no completed generation; nothing to compare")
    return t, compare_posteriors(generation_posterior(a, t), generation_posterior(b, t), tolerance)
