"""Design points (grid, LHS, Sobol, Morris) and the run table built from them.

LHS, Sobol and Morris are sampled in the unit cube [0, 1]^D (seeded by the
sweep seed, so the design is reproducible) and mapped onto each parameter's
range: ``low + u (high - low)``, or for ``integer = true`` ``floor(low + u
(high - low + 1))`` capped at ``high``, which gives every whole number in the
range an equal share. Sobol samples without second-order terms: N (D + 2)
points; Morris: N trajectories of D + 1 points on 4 levels (both by SALib).

An LHS is drawn by scipy's `LatinHypercube` with ``optimization="random-cd"``
(up to LHS_OPTIMIZED_MAX points): swaps within columns that keep one point per
stratum and lower the centred discrepancy, which brings the chance rank
correlations between columns from about 0.2-0.4 (20-60 points) down to about
0.02-0.1. An index read off an LHS (a rank correlation with the outcome)
borrows the effect of any parameter its column happens to correlate with, so
low correlations matter; `analyze` warns above CORRELATION_WARNING. Larger
designs are drawn without the optimization (it costs O(n^2)), their chance
correlations being about 1/sqrt(n) anyway.

Each point is run `replicates` times; run (point i, replicate r) gets the run id
``p<i>_r<r>`` and runs on ``replicate_seed(S, r)``: replicate r of *every* point
shares its random numbers (common random numbers), so differences between points
come from the parameters, not from the draws.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from .spec import Parameter, SweepSpec

MORRIS_LEVELS = 4
LHS_OPTIMIZED_MAX = 1000  # random-cd takes about 2 s at 500 points, 9 s at 2,000


def problem(spec: SweepSpec) -> dict:
    """The SALib problem, in the unit cube (the ranges are applied by `scale`)."""
    names = spec.names
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(spec: SweepSpec, seed: int) -> np.ndarray:
    """The design in [0, 1]^D for lhs, sobol and morris (rows in SALib's order)."""
    from SALib.sample import morris, sobol
    from scipy.stats import qmc

    s = spec.sweep
    prob = problem(spec)
    if s.design == "lhs":
        optimization = "random-cd" if s.samples <= LHS_OPTIMIZED_MAX and prob["num_vars"] > 1 else None
        return qmc.LatinHypercube(prob["num_vars"], optimization=optimization, rng=seed).random(s.samples)
    if s.design == "sobol":
        return sobol.sample(prob, s.samples, calc_second_order=False, scramble=True, seed=seed)
    if s.design == "morris":
        return morris.sample(prob, s.samples, num_levels=MORRIS_LEVELS, seed=seed)
    raise ValueError(f"no unit sample for design {s.design!r}")


def scale(p: Parameter, u: np.ndarray) -> np.ndarray:
    """Map unit values onto a parameter's range (integers: equal share per value)."""
    u = np.asarray(u, dtype=float)
    if p.integer:
        return np.minimum(np.floor(p.low + u * (p.high - p.low + 1)), p.high).astype(np.int64)
    return p.low + u * (p.high - p.low)


def grid_levels(p: Parameter) -> list:
    if p.values is not None:
        return list(p.values)
    if p.levels is not None:
        values = np.linspace(p.low, p.high, p.levels)
        return sorted({int(round(v)) for v in values}) if p.integer else [float(v) for v in values]
    return list(range(int(p.low), int(p.high) + 1))


def design_points(spec: SweepSpec, seed: int) -> pd.DataFrame:
    """One row per design point: `point` and one column per parameter (dotted path)."""
    if spec.sweep.design == "grid":
        levels = [grid_levels(p) for p in spec.parameters]
        rows = list(itertools.product(*levels))
        cols = {p.path: [r[j] for r in rows] for j, p in enumerate(spec.parameters)}
    else:
        u = unit_sample(spec, seed)
        cols = {p.path: scale(p, u[:, j]) for j, p in enumerate(spec.parameters)}
    df = pd.DataFrame(cols)
    df.insert(0, "point", np.arange(len(df), dtype=np.int64))
    return df


def run_id(point: int, replicate: int, n_points: int, n_replicates: int) -> str:
    wp = max(4, len(str(n_points - 1)))
    wr = max(2, len(str(n_replicates - 1)))
    return f"p{point:0{wp}d}_r{replicate:0{wr}d}"


def design_table(spec: SweepSpec, seed: int, replicates: int | None = None) -> pd.DataFrame:
    """design.parquet: run_id, point, parameter values, replicate, seed.

    `seed` is the root seed S of every run, as in every output of the tool: run
    (point i, replicate r) runs on replicate_seed(seed, replicate), so the pair
    (seed, replicate) is the run's seed, shared by replicate r of every point.
    Ordered replicate-major (every point's replicate 0 first), so a sweep cut
    short holds whole replicates rather than a few points with all replicates."""
    replicates = spec.sweep.replicates if replicates is None else replicates
    points = design_points(spec, seed)
    n = len(points)
    parts = []
    for r in range(replicates):
        d = points.copy()
        d.insert(0, "run_id", [run_id(i, r, n, replicates) for i in range(n)])
        d["replicate"] = np.int64(r)
        d["seed"] = np.int64(seed)
        parts.append(d)
    return pd.concat(parts, ignore_index=True)


def design_size(spec: SweepSpec) -> int:
    """Number of design points (before replicates) without sampling."""
    s, d = spec.sweep, len(spec.parameters)
    if s.design == "grid":
        return math.prod(len(grid_levels(p)) for p in spec.parameters)  # exact: np.prod overflows on huge grids
    if s.design == "lhs":
        return s.samples
    if s.design == "sobol":
        return s.samples * (d + 2)
    return s.samples * (d + 1)
