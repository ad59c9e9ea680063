"""Paired policy comparison: every policy runs on the same replicate seeds as the
baseline (common random numbers), and each metric's difference is taken within
a replicate before averaging, with a 95% t-interval over replicates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .config import Config, ConfigError, with_overrides
from .metrics import period_values
from .runs import RunResult, run_replicates, write_run_folder

COLUMNS = ["policy", "metric", "period", "group", "neighbourhood", "baseline_mean", "policy_mean", "diff", "diff_low", "diff_high", "rel_diff"]


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


def paired_differences(baseline: pd.DataFrame, other: pd.DataFrame, policy: str) -> pd.DataFrame:
    """Rows of COLUMNS from two `period_values` tables on the same replicates."""
    keys = ["period", "metric", "group"]
    b = baseline.assign(group=baseline["group"].fillna("")).rename(columns={"value": "b"})
    o = other.assign(group=other["group"].fillna("")).rename(columns={"value": "p"})
    merged = b.merge(o, on=["replicate"] + keys, how="inner")
    rows = []
    for (period, metric, group), d in merged.groupby(keys, sort=False):
        diff = (d["p"] - d["b"]).to_numpy()
        ok = np.isfinite(diff)
        mean_b, mean_p = _nanmean(d["b"]), _nanmean(d["p"])
        mean_d = float(diff[ok].mean()) if ok.any() else np.nan
        low = high = np.nan
        if ok.sum() > 1:
            sd = diff[ok].std(ddof=1)
            if sd == 0:
                low = high = mean_d
            else:
                half = stats.t.ppf(0.975, ok.sum() - 1) * sd / np.sqrt(ok.sum())
                low, high = mean_d - half, mean_d + half
        rel = mean_d / mean_b if mean_b not in (0.0,) and np.isfinite(mean_b) and mean_b != 0 else np.nan
        rows.append((policy, metric, period, group or None, None, mean_b, mean_p, mean_d, low, high, rel))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["neighbourhood"] = df["neighbourhood"].astype("Int64")
    return df


def _nanmean(s: pd.Series) -> float:
    v = s.to_numpy(dtype=float)
    return float(np.nanmean(v)) if np.isfinite(v).any() else np.nan


def run_comparison(configs: dict[str, Config], *, seed: int, replicates: int, days: int | None, workers: int | None = None, progress: bool = True) -> dict[str, list[RunResult]]:
    results = {}
    for name, cfg in configs.items():
        results[name] = run_replicates(cfg, seed=seed, replicates=replicates, days=days, workers=workers, progress=progress, desc=name)
    return results


def comparison_table(results: dict[str, list[RunResult]]) -> pd.DataFrame:
    names = list(results)
    values = {n: period_values(pd.concat([r.timeseries for r in results[n]], ignore_index=True)) for n in names}
    frames = [paired_differences(values[names[0]], values[n], n) for n in names[1:]]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)


def write_comparison(out: Path, configs: dict[str, Config], results: dict[str, list[RunResult]], *, command: str) -> pd.DataFrame:
    from .figures_compare import plot_comparison

    out = Path(out)
    for name, cfg in configs.items():
        write_run_folder(out / name, cfg, results[name], command=command)
    table = comparison_table(results)
    tmp = out / "comparison.parquet.tmp"
    table.to_parquet(tmp, index=False)
    tmp.replace(out / "comparison.parquet")
    if any(cfg.output.csv for cfg in configs.values()):
        table.to_csv(out / "comparison.csv", index=False)
    plot_comparison(table, results, out / "figures")
    return table
