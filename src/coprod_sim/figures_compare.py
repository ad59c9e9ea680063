"""Figures of a policy comparison: paired differences with 95% intervals, and the
headline series of every policy on one axis."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import metric_registry as reg
from .figures import FAST_PNG
from .intervals import mean_interval

DIFF_METRICS = reg.shown_in(reg.DIFFERENCES_FIGURE)
SERIES_METRICS = reg.shown_in(reg.SERIES_FIGURE)


def differences_figure(table: pd.DataFrame, period: str = "all") -> Figure:
    d = table[
        (table["period"] == period)
        & table["group"].isna()
        & table["neighbourhood"].isna()
        & table["metric"].isin(DIFF_METRICS)
    ]
    policies = list(dict.fromkeys(d["policy"]))
    fig = Figure(figsize=(11, 1.2 + 0.9 * len(DIFF_METRICS)), layout="constrained")
    axes = fig.subplots(len(DIFF_METRICS), 1, sharex=False)
    for ax, metric in zip(np.atleast_1d(axes), DIFF_METRICS, strict=True):
        rows = d[d["metric"] == metric].set_index("policy").reindex(policies)
        y = np.arange(len(policies))
        rel = 100 * rows["diff"] / rows["baseline_mean"].where(rows["baseline_mean"] != 0)
        lo = 100 * rows["diff_low"] / rows["baseline_mean"].where(rows["baseline_mean"] != 0)
        hi = 100 * rows["diff_high"] / rows["baseline_mean"].where(rows["baseline_mean"] != 0)
        err = np.vstack([(rel - lo).fillna(0).abs(), (hi - rel).fillna(0).abs()])
        ax.errorbar(rel, y, xerr=err, fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, policies)
        ax.set_title(f"{metric}: change vs baseline, % (95% interval)", fontsize=9, loc="left")
        ax.grid(alpha=0.3, axis="x")
    return fig


def series_data(results: dict, metric: str, window: int = 30) -> pd.DataFrame:
    """Replicate mean of a metric's rolling mean, per policy and day (long table)."""
    frames = []
    for name, runs in results.items():
        mats = [r.timeseries.sort_values("day")[metric].rolling(window, min_periods=1).mean().to_numpy() for r in runs]
        days = runs[0].timeseries.sort_values("day")["day"].to_numpy()
        frames.append(pd.DataFrame({"policy": name, "day": days, metric: np.nanmean(np.vstack(mats), axis=0)}))
    return pd.concat(frames, ignore_index=True)


def series_figure(data: pd.DataFrame, metric: str, window: int = 30) -> Figure:
    fig = Figure(figsize=(9, 4), layout="constrained")
    ax = fig.subplots()
    for name, d in data.groupby("policy", sort=False):
        ax.plot(d["day"], d[metric], label=name)
    ax.set(xlabel="day", ylabel=metric, title=f"{metric} ({window}-day mean, replicate mean)")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def neighbourhood_figure(data: pd.DataFrame) -> Figure:
    """Paired change in mean trust per neighbourhood and policy (period 'all')."""
    policies = list(dict.fromkeys(data["policy"]))
    nbs = sorted(data["neighbourhood"].unique())
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(policies), 1)
    for i, p in enumerate(policies):
        d = data[data["policy"] == p].set_index("neighbourhood").reindex(nbs)
        err = np.vstack([(d["diff"] - d["diff_low"]).fillna(0), (d["diff_high"] - d["diff"]).fillna(0)])
        ax.bar(np.arange(len(nbs)) + i * width, d["diff"], width, yerr=err, capsize=2, label=p)
    ax.set_xticks(np.arange(len(nbs)) + 0.4 - width / 2, [str(n) for n in nbs])
    ax.set(
        xlabel="neighbourhood",
        ylabel="change in mean trust",
        title="Who benefits: change in mean trust by neighbourhood (95% intervals)",
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    return fig


def plot_comparison(table: pd.DataFrame, results: dict, folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if len(table):
        p = folder / "differences.png"
        d = table[
            (table["period"] == "all")
            & table["group"].isna()
            & table["neighbourhood"].isna()
            & table["metric"].isin(DIFF_METRICS)
        ]
        d.to_parquet(p.with_suffix(".parquet"), index=False)
        differences_figure(table).savefig(p, dpi=110, pil_kwargs=FAST_PNG)
        paths.append(p)
    nb = table[(table["period"] == "all") & table["neighbourhood"].notna() & (table["metric"] == "mean_trust")]
    if len(nb):
        p = folder / "neighbourhood_trust.png"
        nb.to_parquet(p.with_suffix(".parquet"), index=False)
        neighbourhood_figure(nb).savefig(p, dpi=110, pil_kwargs=FAST_PNG)
        paths.append(p)
    if len(results) > 1:
        p = folder / "effects_over_time.png"
        data = effects_over_time_data(results)
        data.to_parquet(p.with_suffix(".parquet"), index=False)
        effects_over_time_figure(data).savefig(p, dpi=110, pil_kwargs=FAST_PNG)
        paths.append(p)
    for metric in SERIES_METRICS:
        p = folder / f"series_{metric}.png"
        data = series_data(results, metric)
        data.to_parquet(p.with_suffix(".parquet"), index=False)  # the data behind the figure
        series_figure(data, metric).savefig(p, dpi=110, pil_kwargs=FAST_PNG)
        paths.append(p)
    return paths


def effects_over_time_data(results: dict, bin_days: int = 30) -> pd.DataFrame:
    """Paired change against the baseline per `bin_days`-day window, per policy and
    headline metric: mean over replicates and 95% interval, in the report's units
    (% of the baseline for counts, percentage points for shares). Shows when an
    effect appears and whether it lasts."""
    names = list(results)
    first = results[names[0]][0].timeseries
    metrics = _over_time_metrics(first.columns)
    # each run's windows once, for every metric (not once per metric and again per policy for the baseline)
    base = {r.replicate: _binned(r.timeseries, metrics, bin_days) for r in results[names[0]]}
    rows = []
    for name in names[1:]:
        binned = [(base[run.replicate], _binned(run.timeseries, metrics, bin_days)) for run in results[name]]
        for m, column in metrics:
            per_rep_b = [b[column] for b, _ in binned]
            per_rep_d = [p[column] - b[column] for b, p in binned]
            with warnings.catch_warnings():  # a window with no defined value (e.g. no reports yet) stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                diffs, bases = np.vstack(per_rep_d), np.nanmean(np.vstack(per_rep_b), axis=0)
            for i, start in enumerate(range(0, bin_days * diffs.shape[1], bin_days)):
                mean, low, high = mean_interval(diffs[:, i])
                scale = 100 / bases[i] if m.display == reg.PCT and bases[i] else 100
                unit = "% of baseline" if m.display == reg.PCT else "percentage points"
                rows.append((name, column, unit, start, mean * scale, low * scale, high * scale))
    return pd.DataFrame(rows, columns=["policy", "metric", "unit", "day", "change", "low", "high"])


def _over_time_metrics(columns) -> list[tuple[reg.Metric, str]]:
    out = [(reg.metric("crimes"), "crimes"), (reg.metric("confidence_share"), "confidence_share")]
    conf = reg.metric("confidence_share")
    out += [(conf, reg.column_name(conf.name, g)) for g in reg.groups_in(columns, conf.name)]
    out.append((reg.metric("reporting_rate"), "reporting_rate"))
    return [(m, c) for m, c in out if c in columns]


def _binned(ts: pd.DataFrame, metrics: list[tuple[reg.Metric, str]], bin_days: int) -> dict[str, np.ndarray]:
    """Each metric's value per `bin_days`-day window of one run, by column: a ratio's
    numerator sum over its denominator sum, a count's sum, a level's mean."""
    ts = ts.sort_values("day")
    key = ts["day"] // bin_days  # a Series: an array key costs pandas a printout of it per call
    summed, averaged = {}, {}
    for m, column in metrics:
        if m.kind == reg.RATIO:
            summed.update(dict.fromkeys([m.numerator, m.denominator]))
        else:
            (summed if m.kind == reg.COUNT else averaged)[column] = None
    grouped = ts.groupby(key)
    sums = grouped[list(summed)].sum() if summed else None
    means = grouped[list(averaged)].mean() if averaged else None
    out = {}
    for m, column in metrics:
        if m.kind == reg.RATIO:
            num, den = sums[m.numerator], sums[m.denominator]
            out[column] = (num / den.where(den > 0)).to_numpy()
        else:
            out[column] = (sums if m.kind == reg.COUNT else means)[column].to_numpy(dtype=float)
    return out


def effects_over_time_figure(data: pd.DataFrame, bin_days: int = 30) -> Figure:
    metrics = list(dict.fromkeys(data["metric"]))
    fig = Figure(figsize=(11, 1.0 + 2.0 * len(metrics)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(metrics), 1, sharex=True))
    for ax, metric in zip(axes, metrics, strict=True):
        d = data[data["metric"] == metric]
        for name, p in d.groupby("policy", sort=False):
            line = ax.plot(p["day"] + bin_days / 2, p["change"], marker="o", ms=3, label=name)[0]
            ax.fill_between(p["day"] + bin_days / 2, p["low"], p["high"], color=line.get_color(), alpha=0.15)
        title = f"{metric}: change vs baseline per {bin_days} days, {d['unit'].iloc[0]} (95% interval)"
        ax.set_title(title, fontsize=9, loc="left")
        ax.axhline(0, color="grey", lw=0.8)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    axes[-1].set_xlabel("day")
    return fig
