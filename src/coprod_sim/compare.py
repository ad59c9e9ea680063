"""Paired policy comparison: every policy runs on the same replicate seeds as the
baseline (common random numbers), and each metric's difference is taken within
a replicate before averaging, with a 95% t-interval over replicates."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from . import metric_registry as reg
from .config import Config, ConfigError, with_overrides
from .intervals import mean_interval
from .metrics import periods_for, policy_hours, safe_ratio
from .parallel import default_workers, run_tasks, worker_pool
from .population import neighbourhood_mix
from .runs import RunResult, period_table, simulate_each_task, write_run_folder
from .shared_burn_in import burn_in_groups
from .submodels import barriers

COLUMNS = [
    "policy",
    "metric",
    "period",
    "group",
    "neighbourhood",
    "baseline_mean",
    "policy_mean",
    "diff",
    "diff_low",
    "diff_high",
    "rel_diff",
    "share_better",  # compare --posterior only: share of draws in which the policy beats the baseline
]
KEYS = ["period", "metric", "group", "neighbourhood"]
COST_METRIC = "crimes_averted_per_1000_policy_hours"


def policy_configs(config: Config, policies: list[str], baseline: str) -> dict[str, Config]:
    """One config per policy name, the baseline first."""
    names = [baseline] + [p for p in policies if p != baseline]
    out = {}
    for name in names:
        try:
            out[name] = with_overrides(config, {"policy.name": name})
        except ConfigError as e:
            raise ConfigError(f"--policies: {name!r}: {e}") from None
    return out


SPLIT_METRICS = reg.with_dim(reg.SPLIT, (reg.LEVEL, reg.RATIO, reg.COUNT))  # in the order of the published rows


def high_barrier_neighbourhoods(config: Config) -> np.ndarray | None:
    """Neighbourhoods whose expected communication barrier is above the others'
    (None when barriers do not differ between neighbourhoods). The barrier of each
    (neighbourhood, group) is the model's rule (`barriers.resident_barrier`),
    averaged over the neighbourhood's expected group mix."""
    groups = config.population.groups
    mix = neighbourhood_mix(config)
    nb_of_block, group_of_block = np.indices(mix.shape)
    block_barrier = barriers.resident_barrier(
        config.per_neighbourhood(config.barriers.neighbourhood),
        np.array([config.barriers.group.get(g, 0.0) for g in groups]),
        nb_of_block.ravel(),
        group_of_block.ravel(),
    ).reshape(mix.shape)
    barrier = (mix * block_barrier).sum(axis=1)
    if np.ptp(barrier) < 1e-12:
        return None
    cut = np.median(barrier)
    high = barrier > cut if (barrier > cut).any() else barrier >= cut
    return np.flatnonzero(high)


def split_values(nb_values: pd.DataFrame, high: np.ndarray) -> pd.DataFrame:
    """Period values over the high-barrier neighbourhoods and over the rest, for the
    metrics with a split dimension (`mean_trust_high_barrier`, ...): levels as a mean
    over neighbourhoods, ratios as sum / sum (reported / crimes), counts summed."""
    high_side, other_side = reg.SPLIT_SIDES
    d = nb_values.assign(high=nb_values["neighbourhood"].isin(high))
    wide = d.pivot_table(
        index=["replicate", "period", "high", "neighbourhood"], columns="metric", values="value"
    ).reset_index()
    rows = []
    for (rep, period, is_high), g in wide.groupby(["replicate", "period", "high"]):
        side = high_side if is_high else other_side
        rows += [(rep, period, reg.column_name(m.name, side), _split_value(m, g)) for m in SPLIT_METRICS]
    return pd.DataFrame(rows, columns=["replicate", "period", "metric", "value"]).assign(group="", neighbourhood=-1)


def _split_value(m: reg.Metric, g: pd.DataFrame) -> float:
    if m.kind == reg.LEVEL:
        return float(g[m.name].mean())
    if m.kind == reg.RATIO:
        return safe_ratio(g[m.numerator].sum(), g[m.denominator].sum())
    return float(g[m.name].sum())


def long_values(runs: list[RunResult], high_barrier: np.ndarray | None = None) -> pd.DataFrame:
    """Citywide, per-group and per-neighbourhood period values of a set of replicates
    (plus high-barrier versus other neighbourhoods when `high_barrier` is given)."""
    city = period_table(runs).assign(neighbourhood=-1)
    frames = [city]
    nb_frames = [r.neighbourhood_period_values for r in sorted(runs, key=lambda r: r.replicate)]
    if any(f is not None for f in nb_frames):
        nb_values = pd.concat(nb_frames, ignore_index=True)
        frames.append(nb_values.assign(group=None))
        if high_barrier is not None and len(high_barrier):
            frames.append(split_values(nb_values, high_barrier))
    out = pd.concat(frames, ignore_index=True)
    out["group"] = out["group"].fillna("")
    return out


def paired_differences(
    baseline: pd.DataFrame, other: pd.DataFrame, policy: str, *, share_better: bool = False
) -> pd.DataFrame:
    """Rows of COLUMNS from two `long_values` tables on the same replicates; with
    `share_better` (replicates on posterior draws), the share of replicates in which
    the policy beats the baseline in the direction the metric registry calls better."""
    merged = baseline.rename(columns={"value": "b"}).merge(
        other.rename(columns={"value": "p"}), on=["replicate"] + KEYS, how="inner"
    )
    merged["d"] = merged["p"] - merged["b"]
    rows = []
    for (period, metric, group, nb), d in merged.groupby(KEYS, sort=False):
        mean_d, low, high = mean_interval(d["d"].to_numpy())
        mean_b = _nanmean(d["b"])
        rel = mean_d / mean_b if np.isfinite(mean_b) and mean_b != 0 else np.nan
        rows.append(
            (
                policy,
                metric,
                period,
                group or None,
                None if nb < 0 else int(nb),
                mean_b,
                _nanmean(d["p"]),
                mean_d,
                low,
                high,
                rel,
                _share_better(metric, d["d"].to_numpy()) if share_better else np.nan,
            )
        )
    return _frame(rows)


def _share_better(metric: str, diffs: np.ndarray) -> float:
    """Share of the finite paired differences that go the better way (NaN: no better direction)."""
    try:
        better = reg.metric(metric).better
    except KeyError:
        split = reg.split_columns().get(metric)
        better = split[0].better if split else None
    d = diffs[np.isfinite(diffs)]
    if better is None or len(d) == 0:
        return np.nan
    return float(np.mean(d > 0) if better else np.mean(d < 0))


def cost_effectiveness(baseline_runs: list[RunResult], policy_runs: list[RunResult], policy: str) -> pd.DataFrame:
    """Crimes averted per 1,000 officer-hours the policy spent on engagement, paired per replicate."""
    rows = []
    by_rep = {r.replicate: r.timeseries for r in baseline_runs}
    per_period: dict[str, list[float]] = {}
    for run in policy_runs:
        b, p = by_rep[run.replicate], run.timeseries
        for period, mask in periods_for(p["day"].to_numpy()).items():
            hours = float(policy_hours(p[mask]).sum())
            averted = float(b[mask]["crimes"].sum() - p[mask]["crimes"].sum())
            per_period.setdefault(period, []).append(averted / hours * 1000 if hours > 0 else np.nan)
    for period, values in per_period.items():
        mean, low, high = mean_interval(np.array(values))
        rows.append((policy, COST_METRIC, period, None, None, np.nan, mean, mean, low, high, np.nan, np.nan))
    return _frame(rows)


def _frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["neighbourhood"] = df["neighbourhood"].astype("Int64")
    df["group"] = df["group"].astype(object).where(df["group"].notna(), None)
    return df


def _nanmean(s: pd.Series) -> float:
    v = s.to_numpy(dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else np.nan


def run_comparison(
    configs: dict[str, Config],
    *,
    seed: int,
    replicates: int,
    days: int | None,
    workers: int | None = None,
    progress: bool = True,
    draws: list[dict] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> dict[str, list[RunResult]]:
    """Every (configuration, replicate) pair on one process pool (`pool`, or one of its
    own); replicate r of each configuration runs on replicate_seed(seed, r) and, given
    `draws` (one per replicate, dotted path -> value), with posterior draw r applied.
    Configurations that burn in alike share replicate r's burn-in (shared_burn_in; the
    same numbers)."""
    if draws is not None and len(draws) != replicates:
        raise ValueError(f"{len(draws)} posterior draws for {replicates} replicates; they must be equal")
    names = list(configs)
    per_replicate = [
        [with_overrides(configs[n], draws[r]) if draws is not None else configs[n] for n in names]
        for r in range(replicates)
    ]
    workers = default_workers(len(names) * replicates) if workers is None else workers
    where = [
        (r, chunk)
        for r, cfgs in enumerate(per_replicate)
        for chunk in _chunks(burn_in_groups(cfgs), -(-workers // replicates))
    ]
    tasks = [([per_replicate[r][i] for i in chunk], seed, r, days) for r, chunk in where]
    out: dict[str, list] = {n: [None] * replicates for n in names}
    done = run_tasks(simulate_each_task, tasks, workers=workers, desc="replicates", progress=progress, pool=pool)
    for (r, chunk), runs in zip(where, done, strict=True):
        for i, run in zip(chunk, runs, strict=True):
            out[names[i]][r] = run
    return out


@contextmanager
def comparison_pool(n_configs: int, replicates: int, workers: int | None) -> Iterator[ProcessPoolExecutor | None]:
    """The process pool a comparison's runs and then its run folders share (None with one worker):
    writing the run folders in it uses the second core while the comparison's own table and
    figures are made, ~2-3 s of `make run`'s ~6 s of writing (benchmarks/README.md)."""
    workers = default_workers(n_configs * replicates) if workers is None else workers
    if workers <= 1:
        yield None
        return
    with worker_pool(workers) as pool:
        yield pool


def _chunks(groups: list[list[int]], pieces: int) -> list[list[int]]:
    """Each burn-in group whole, or split in up to `pieces` parts when there are fewer
    replicates than workers (each part burns in on its own, so that every worker has work)."""
    return [group[k::pieces] for group in groups for k in range(min(pieces, len(group)))]


def comparison_table(
    results: dict[str, list[RunResult]], high_barrier: np.ndarray | None = None, *, posterior: bool = False
) -> pd.DataFrame:
    names = list(results)
    values = {n: long_values(results[n], high_barrier) for n in names}
    frames = []
    for n in names[1:]:
        frames.append(paired_differences(values[names[0]], values[n], n, share_better=posterior))
        frames.append(cost_effectiveness(results[names[0]], results[n], n))
    if not frames:
        return _frame([])
    return pd.concat(frames, ignore_index=True)


# The top-level names a comparison folder holds besides one run folder per configuration.
COMPARISON_FILES = ("comparison.parquet", "comparison.csv", "report.html", "figures")


def configs_for_comparison(
    paths: list[str], overrides: list[str] | None = None, changes: dict | None = None
) -> dict[str, Config]:
    """One configuration per file, named by the file's stem (its policy name and run
    folder), the first the baseline. Paired runs need one seed, horizon and replicate
    count: the baseline file's [run] section, after `changes` (the command line's),
    applies to every file, and so do its output.csv and output.places."""
    from .config import load_config
    from .output_folder import entry_name_problem

    if len(paths) < 2:
        raise ConfigError("--configs needs at least two files, the baseline first")
    stems = [Path(p).stem for p in paths]
    for path, stem in zip(paths, stems, strict=True):
        if (problem := entry_name_problem(stem)) is not None:
            raise ConfigError(f"--configs {path}: the file name {problem}; rename the file")
    if len({s.lower() for s in stems}) < len(stems):
        raise ConfigError(f"--configs: file names must differ (they name the policies and folders): {', '.join(stems)}")
    baseline = load_config(paths[0], overrides)
    if changes:
        baseline = with_overrides(baseline, changes)
    run = baseline.run
    shared = {
        "run.seed": run.seed,
        "run.days": run.days,
        "run.replicates": run.replicates,
        "output.csv": baseline.output.csv,
        "output.places": baseline.output.places,
    }
    return {stem: with_overrides(load_config(path, overrides), shared) for stem, path in zip(stems, paths, strict=True)}


def write_comparison(
    out: Path,
    configs: dict[str, Config],
    results: dict[str, list[RunResult]],
    *,
    command: str,
    high_barrier: np.ndarray | None = None,
    posterior: dict | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> pd.DataFrame:
    """Write the comparison folder (each file by temp file and rename; the manifest
    is the caller's, see output_folder). `high_barrier`: neighbourhoods to report
    against the rest (default: those with an above-median barrier, if any). `pool`:
    the run folders are written there while this process makes the comparison's files."""
    from .figures_compare import plot_comparison
    from .output_folder import OutputError, atomic_path, entry_name_problem
    from .report import write_report

    out = Path(out)
    for name in configs:
        if (problem := entry_name_problem(name)) is not None:
            raise OutputError(f"configuration {problem}")
    out.mkdir(parents=True, exist_ok=True)  # (the run folders, which would make it, may be written elsewhere)
    folders = [(out / name, cfg, results[name]) for name, cfg in configs.items()]
    pending = []
    for folder in folders:
        if pool is None:
            write_run_folder(*folder, command=command)
        else:
            pending.append(pool.submit(write_run_folder, *folder, command=command))
    if high_barrier is None:
        high_barrier = high_barrier_neighbourhoods(next(iter(configs.values())))
    table = comparison_table(results, high_barrier, posterior=posterior is not None)
    with atomic_path(out / "comparison.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    if any(cfg.output.csv for cfg in configs.values()):
        with atomic_path(out / "comparison.csv") as tmp:
            table.to_csv(tmp, index=False)
    figures = plot_comparison(table, results, out / "figures")
    write_report(out / "report.html", table, results, configs, figures, command=command, posterior=posterior)
    for done in pending:
        done.result()  # (a run folder's error surfaces here)
    return table


def posterior_draws(folder: str | Path, k: int, seed: int) -> list[dict]:
    """K draws resampled from a calibration's posterior.parquet in proportion to `weight`
    (numpy's default_rng(seed)); each a dict of dotted path -> value."""
    path = Path(folder) / "posterior.parquet"
    if not path.is_file():
        raise ConfigError(f"--posterior {folder}: no posterior.parquet there (the output of coprod-sim calibrate)")
    if k < 1:
        raise ConfigError(f"--draws {k}: needs at least 1")
    df = pd.read_parquet(path)
    w = df.pop("weight").to_numpy(dtype=float)
    rows = np.random.default_rng(seed).choice(len(df), size=k, p=w / w.sum())
    return [{c: float(df[c].iloc[i]) for c in df.columns} for i in rows]
