"""Sensitivity indices of one outcome table, each with a 95% interval.

`values` holds one row per (point, replicate) and one column per outcome; each
point is averaged over its replicates before an index is computed.

    sobol  -> S1 and ST (SALib sobol.analyze; bootstrap intervals)
    morris -> mu_star (SALib morris.analyze; bootstrap interval), mu and sigma
              (percentile bootstrap over trajectories)
    lhs    -> Spearman rank correlation (Fisher's z interval, Bonett-Wright variance)
    grid   -> eta2: share of the variance of point means explained by the
              parameter's main effect (percentile bootstrap over replicates,
              resampled together for every point since they share their seeds)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .design import MORRIS_LEVELS, problem, unit_sample
from .spec import SweepSpec

CONF_LEVEL = 0.95
RESAMPLES = 500
KINDS = {"sobol": ("S1", "ST"), "morris": ("mu_star", "mu", "sigma"), "lhs": ("spearman",), "grid": ("eta2",)}
MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "spearman", "grid": "eta2"}
COLUMNS = ["outcome", "parameter", "index", "value", "conf_low", "conf_high"]


def sensitivity(spec: SweepSpec, seed: int, points: pd.DataFrame, values: pd.DataFrame, label, notes: list[str]):
    """Index rows (COLUMNS) for every outcome column of `values`; problems go to `notes`,
    each named with `label(outcome)`."""
    rows: list[tuple] = []
    design = spec.sweep.design
    by_point = values.groupby(level="point").mean().reindex(points.index)
    for outcome in values.columns:
        y = by_point[outcome].to_numpy(dtype=float)
        missing = int(np.isnan(y).sum())
        if design in ("sobol", "morris") and missing:
            notes.append(
                f"{label(outcome)}: {missing} point(s) without a value; {design} indices need every point (skipped)"
            )
            continue
        ok = ~np.isnan(y)
        if ok.sum() < 3 or np.nanstd(y) == 0:
            notes.append(f"{label(outcome)}: too few points or no variation; no indices")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if design == "sobol":
                rows += _sobol(spec, seed, outcome, y)
            elif design == "morris":
                rows += _morris(spec, seed, outcome, y)
            elif design == "lhs":
                rows += _spearman(spec, outcome, points, y, ok)
            else:
                rows += _eta2(spec, seed, outcome, points, y, ok, values[outcome].unstack("replicate"))
    return rows


def _sobol(spec, seed, outcome, y):
    from SALib.analyze import sobol

    si = sobol.analyze(
        problem(spec), y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
    )
    rows = []
    for j, name in enumerate(spec.names):
        for idx in ("S1", "ST"):
            v, c = float(si[idx][j]), float(si[f"{idx}_conf"][j])
            rows.append((outcome, name, idx, v, v - c, v + c))
    return rows


def _morris(spec, seed, outcome, y):
    from SALib.analyze import morris

    x = unit_sample(spec, seed)
    si = morris.analyze(
        problem(spec), x, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, num_levels=MORRIS_LEVELS, seed=seed
    )
    ee = elementary_effects(x, y)
    boot = ee[np.random.default_rng(seed).integers(0, len(ee), (RESAMPLES, len(ee)))]  # resampled trajectories
    mu_low, mu_high = _percentiles(boot.mean(axis=1))
    sd_low, sd_high = _percentiles(boot.std(axis=1, ddof=1))
    rows = []
    for j, name in enumerate(spec.names):
        v, c = float(si["mu_star"][j]), float(si["mu_star_conf"][j])
        rows.append((outcome, name, "mu_star", v, v - c, v + c))
        rows.append((outcome, name, "mu", float(si["mu"][j]), mu_low[j], mu_high[j]))
        rows.append((outcome, name, "sigma", float(si["sigma"][j]), sd_low[j], sd_high[j]))
    return rows


def elementary_effects(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Morris elementary effects, one row per trajectory and one column per parameter:
    the change of y over the change of the one parameter moved at each step (unit scale)."""
    d = x.shape[1]
    n = len(y) // (d + 1)
    dx = np.diff(x.reshape(n, d + 1, d), axis=1)  # trajectory, step, parameter
    dy = np.diff(y.reshape(n, d + 1), axis=1)  # trajectory, step
    moved = np.argmax(dx != 0, axis=2)  # the parameter each step moves
    step = np.take_along_axis(dx, moved[..., None], axis=2)[..., 0]
    ee = np.empty((n, d))
    np.put_along_axis(ee, moved, dy / step, axis=1)
    return ee


def _spearman(spec, outcome, points, y, ok):
    from scipy import stats

    rows = []
    for name in spec.names:
        x = points[name].to_numpy()[ok]
        rho = float(stats.spearmanr(x, y[ok]).statistic) if np.ptp(x) > 0 else np.nan
        rows.append((outcome, name, "spearman", rho, *spearman_interval(rho, int(ok.sum()))))
    return rows


def spearman_interval(rho: float, n: int) -> tuple[float, float]:
    """95% interval of a Spearman correlation from n points: Fisher's z with the
    Bonett-Wright (2000) variance (1 + rho^2 / 2) / (n - 3). A rho of exactly +-1
    (all points in order) is taken half a step of rho's lattice inside the bound,
    1 - 6 / (n^3 - n), as with a continuity correction: it would otherwise get the
    interval [1, 1], a certainty no finite set of points gives."""
    from scipy import stats

    if n <= 3 or np.isnan(rho):
        return np.nan, np.nan
    r = float(np.clip(rho, -1 + 6 / (n**3 - n), 1 - 6 / (n**3 - n)))
    half = stats.norm.ppf(0.5 + CONF_LEVEL / 2) * np.sqrt((1 + r**2 / 2) / (n - 3))
    low, high = np.tanh(np.arctanh(r) - half), np.tanh(np.arctanh(r) + half)
    return float(min(low, rho)), float(max(high, rho))


def _eta2(spec, seed, outcome, points, y, ok, per_replicate: pd.DataFrame):
    # the interval: replicates resampled (the same draw for every point), on the points that have them all
    reps = per_replicate.reindex(points.index).to_numpy(dtype=float)
    complete = ~np.isnan(reps).any(axis=1)
    boot = None
    if reps.shape[1] > 1 and complete.sum() >= 3:
        draws = np.random.default_rng(seed).integers(0, reps.shape[1], (RESAMPLES, reps.shape[1]))
        boot = reps[complete][:, draws].mean(axis=2).T  # resample, point
    rows = []
    for name in spec.names:
        x = points[name].to_numpy()
        value = float(eta2(y[ok][None, :], x[ok])[0])
        low = high = np.nan
        if boot is not None:
            low, high = _percentiles(eta2(boot, x[complete]))
        rows.append((outcome, name, "eta2", value, low, high))
    return rows


def eta2(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Main-effect share of variance of each row of `y` (samples, points) for levels `x` (points)."""
    _, codes = np.unique(x.astype(str) if x.dtype == object else x, return_inverse=True)
    onehot = np.eye(codes.max() + 1)[codes]  # point, level
    level_means = (y @ onehot) / onehot.sum(axis=0)
    between = ((level_means[:, codes] - y.mean(axis=1, keepdims=True)) ** 2).mean(axis=1)
    total = y.var(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, between / total, np.nan)


def _percentiles(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tail = 100 * (1 - CONF_LEVEL) / 2
    low, high = np.nanpercentile(samples, [tail, 100 - tail], axis=0)
    return low, high


def ranking(indices: pd.DataFrame, design: str) -> list[str]:
    """The parameters of one outcome's indices, largest |headline index| first."""
    d = indices[indices["index"] == MAIN_INDEX[design]]
    return list(d.assign(a=d["value"].abs()).sort_values("a", ascending=False, kind="stable")["parameter"])
