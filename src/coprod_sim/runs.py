"""Replicates, seeds and the run output folder (Parquet, JSON, figures).

Replicate r of a command given seed S runs on `replicate_seed(S, r)`, so
`run --seed S` is replicate 0 of every policy in `compare --seed S`.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, kernels
from .config import DAYS_PER_YEAR, Config
from .metric_registry import column_name
from .metrics import neighbourhood_period_values, period_values, safe_ratio
from .model import CoProductionModel
from .output_folder import atomic_path, write_json_atomic, write_text_atomic
from .parallel import default_workers, run_tasks
from .shared_burn_in import burn_in_groups, copy_model
from .streams import replicate_seed


@dataclass
class RunResult:
    replicate: int
    seed: int
    timeseries: pd.DataFrame
    neighbourhoods: pd.DataFrame
    extras: dict = field(default_factory=dict)
    places: pd.DataFrame | None = None  # places.parquet's rows, with output.places

    # The period tables of this replicate, computed once (by the worker that ran it, when
    # run through a process pool) however many outputs need them.
    @cached_property
    def period_values(self) -> pd.DataFrame:
        """`metrics.period_values` of this replicate's timeseries."""
        return period_values(self.timeseries)

    @cached_property
    def neighbourhood_period_values(self) -> pd.DataFrame | None:
        """`metrics.neighbourhood_period_values` of its neighbourhood table (None without one)."""
        return neighbourhood_period_values(self.neighbourhoods) if len(self.neighbourhoods) else None

    def with_period_values(self) -> RunResult:
        self.period_values, self.neighbourhood_period_values  # noqa: B018 - fills the caches
        return self


def period_table(runs: list[RunResult]) -> pd.DataFrame:
    """`metrics.period_values` of the runs' timeseries taken together: each replicate's rows, in replicate order."""
    return pd.concat([r.period_values for r in sorted(runs, key=lambda r: r.replicate)], ignore_index=True)


def simulate(
    config: Config,
    seed: int,
    replicate: int,
    days: int | None = None,
    *,
    prepare: Callable[[CoProductionModel], dict | None] | None = None,
) -> RunResult:
    """One replicate, the one way every command runs the model: burn-in, then
    `prepare(model)` if given (it may change the model, e.g. hold trust, and may
    return values to keep in `extras`), then `days` recorded days."""
    model = CoProductionModel(config, rng=replicate_seed(seed, replicate))
    extras = dict(prepare(model) or {}) if prepare is not None else {}
    return _recorded(model, seed, replicate, days, extras)


def simulate_each(configs: Sequence[Config], seed: int, replicate: int, days: int | None = None) -> list[RunResult]:
    """`simulate(c, seed, replicate, days)` for each of `configs`, in order and with the same
    numbers, but with one burn-in for each group of them that burns in alike (shared_burn_in)."""
    results: list[RunResult | None] = [None] * len(configs)
    groups = burn_in_groups(configs)
    # (days, residents) this task will simulate: every run, and each group's one burn-in
    ahead = [(c.run.days if days is None else days, c.population.residents) for c in configs]
    ahead += [(configs[g[0]].run.burn_in_days, configs[g[0]].population.residents) for g in groups]
    kernels.plan(sum(d for d, _ in ahead), sum(d * n for d, n in ahead))
    for group in groups:
        burnt = CoProductionModel(configs[group[0]], rng=replicate_seed(seed, replicate))
        for i in group:
            model = burnt if i == group[-1] else copy_model(burnt)
            model.continue_as(configs[i])
            results[i] = _recorded(model, seed, replicate, days, {})
    return results


def _recorded(model: CoProductionModel, seed: int, replicate: int, days: int | None, extras: dict) -> RunResult:
    """Run a burnt-in model for `days` recorded days (default its config's) and collect its outputs."""
    model.run(days if days is not None else model.config.run.days)
    ts = model.timeseries()
    ts.insert(0, "seed", seed)
    ts.insert(0, "replicate", replicate)
    nb = model.neighbourhood_table()
    if len(nb):
        nb.insert(0, "replicate", replicate)
    extras.update(
        share_contacted_last_365_days=model.share_contacted(DAYS_PER_YEAR),
        residents=model.pop.n,
        places=model.pop.n_places,
    )
    places = model.place_table(replicate, seed) if model.place_tally is not None else None
    return RunResult(replicate, seed, ts, nb, extras, places)


def simulate_task(args) -> RunResult:
    """`simulate` for a process pool: args = (config, seed, replicate, days)."""
    config, seed, replicate, days = args
    return simulate(config, seed, replicate, days).with_period_values()


def simulate_each_task(args) -> list[RunResult]:
    """`simulate_each` for a process pool: args = (configs, seed, replicate, days)."""
    configs, seed, replicate, days = args
    return [result.with_period_values() for result in simulate_each(configs, seed, replicate, days)]


def run_replicates(
    config: Config,
    *,
    seed: int | None = None,
    replicates: int | None = None,
    days: int | None = None,
    workers: int | None = None,
    progress: bool = True,
    desc: str = "replicates",
) -> list[RunResult]:
    seed = config.run.seed if seed is None else seed
    replicates = config.run.replicates if replicates is None else replicates
    tasks = [(config, seed, r, days) for r in range(replicates)]
    workers = default_workers(len(tasks)) if workers is None else workers
    return run_tasks(simulate_task, tasks, workers=workers, desc=desc, progress=progress)


# ---------------------------------------------------------------------- output folder
def calibration_view(results: list[RunResult]) -> dict:
    """The calibrated quantities (C1, C2, C4, C6, C7, C10, C12, C14) over a set of
    replicates: rates per 1,000 residents per year, pooled ratios, mean shares."""
    ts = pd.concat([r.timeseries for r in results], ignore_index=True)
    days = int(ts["day"].nunique())
    residents = results[0].extras["residents"]
    per_year = DAYS_PER_YEAR / days * 1000.0 / residents
    return {
        "violent_per_1000_per_year": float(ts["crimes_violent"].sum() / len(results) * per_year),
        "property_per_1000_per_year": float(ts["crimes_property"].sum() / len(results) * per_year),
        "reporting_rate_violent": _nan_to_none(safe_ratio(ts["reported_violent"].sum(), ts["crimes_violent"].sum())),
        "reporting_rate_property": _nan_to_none(safe_ratio(ts["reported_property"].sum(), ts["crimes_property"].sum())),
        "share_contacted_last_365_days": float(np.mean([r.extras["share_contacted_last_365_days"] for r in results])),
        "calls_for_service_per_1000_per_year": float(ts["calls_for_service"].sum() / len(results) * per_year),
        "committed_time_share": _nan_to_none(safe_ratio(ts["hours_committed"].sum(), ts["hours_on_duty"].sum())),
        **{c: float(ts[c].mean()) for c in ts.columns if c.startswith("confidence_share")},
    }


def summarize(results: list[RunResult]) -> dict:
    ts = pd.concat([r.timeseries for r in results], ignore_index=True)
    pv = period_table(results)
    per_rep = {}
    for (period, metric, group), d in pv.groupby(["period", "metric", pv["group"].fillna("")], sort=False):
        key = column_name(metric, group or None)
        vals = d.sort_values("replicate")["value"].to_numpy()
        per_rep.setdefault(period, {})[key] = {
            "mean": _nan_to_none(np.nanmean(vals) if np.isfinite(vals).any() else np.nan),
            "per_replicate": [_nan_to_none(v) for v in vals],
        }
    days = int(ts["day"].nunique())
    residents = results[0].extras["residents"]
    return {
        "days": days,
        "replicates": len(results),
        "residents": residents,
        "calibration_view": calibration_view(results),
        "periods": per_rep,
    }


def _nan_to_none(x):
    x = float(x)
    return None if np.isnan(x) else x


def write_run_folder(
    out: Path,
    config: Config,
    results: list[RunResult],
    *,
    command: str,
    csv: bool | None = None,
    figures: bool | None = None,
) -> dict:
    """Write config.toml, timeseries.parquet, neighbourhoods.parquet, places.parquet (with
    output.places), summary.json, metadata.json and figures/ for a set of replicates of one configuration
    (each file by temp file and rename; the manifest is the caller's, see output_folder)."""
    from .figures import plot_run

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csv = config.output.csv if csv is None else csv
    figures = config.output.figures if figures is None else figures
    seed = results[0].seed
    write_text_atomic(out / "config.toml", config.to_toml())
    ts = pd.concat([r.timeseries for r in results], ignore_index=True)
    _write_table(ts, out / "timeseries.parquet", csv)
    nb_frames = [r.neighbourhoods for r in results if len(r.neighbourhoods)]
    if nb_frames:
        nb = pd.concat(nb_frames, ignore_index=True)
        nb.insert(1, "seed", seed)
        _write_table(nb, out / "neighbourhoods.parquet", csv)
    place_frames = [r.places for r in results if r.places is not None]
    if place_frames:
        _write_table(pd.concat(place_frames, ignore_index=True), out / "places.parquet", csv)
    summary = summarize(results)
    summary["seed"] = seed
    write_json_atomic(out / "summary.json", summary)
    write_json_atomic(out / "metadata.json", metadata(config, seed, [r.replicate for r in results], command))
    if figures:
        plot_run(ts, out / "figures")
    return summary


def metadata(config: Config, seed: int, replicates: list[int], command: str) -> dict:
    import mesa

    return {
        "package": "coprod_sim",
        "version": __version__,
        "seed": seed,
        "replicates": replicates,
        "replicate_seeds": "replicate r runs on numpy.random.SeedSequence(seed).spawn(r+1)[r]",
        "config_hash": config.hash(),
        "command": command,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "platform": platform.platform(),
    }


def _write_table(df: pd.DataFrame, path: Path, csv: bool) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    if csv:
        with atomic_path(path.with_suffix(".csv")) as tmp:
            df.to_csv(tmp, index=False)


def command_line() -> str:
    return " ".join([Path(sys.argv[0]).name] + sys.argv[1:])
