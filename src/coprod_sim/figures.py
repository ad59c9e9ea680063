"""Figures of the main metrics. Built as matplotlib Figure objects (never pyplot),
so they are safe in worker processes and in the dashboard's background thread."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from . import metric_registry as reg

SMOOTH_DAYS = 30


def _rolling_ratio(df: pd.DataFrame, ratio: str, window: int = SMOOTH_DAYS) -> pd.Series:
    """A ratio metric over a moving window: sum of its numerator / sum of its denominator."""
    m = reg.metric(ratio)
    n = df[m.numerator].rolling(window, min_periods=1).sum()
    d = df[m.denominator].rolling(window, min_periods=1).sum()
    return n / d.where(d > 0)


def _band(ax, days, matrix, label, color=None):
    """Replicate mean with the 10-90% band (days with no data in any replicate stay blank)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(matrix, axis=0)
    line = ax.plot(days, mean, label=label, color=color, lw=1.6)[0]
    if matrix.shape[0] > 1:
        lo, hi = _percentiles(matrix, [10, 90])
        ax.fill_between(days, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    return line


def _percentiles(matrix: np.ndarray, q: list[float]) -> np.ndarray:
    """np.nanpercentile over axis 0, the same numbers, but at numpy's vectorised speed
    for the columns without NaN (nanpercentile takes each column on its own)."""
    out = np.empty((len(q), matrix.shape[1]))
    whole = ~np.isnan(matrix).any(axis=0)
    out[:, whole] = np.percentile(matrix[:, whole], q, axis=0)
    if not whole.all():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out[:, ~whole] = np.nanpercentile(matrix[:, ~whole], q, axis=0)
    return out


def _by_replicate(ts: pd.DataFrame, fn) -> tuple[np.ndarray, np.ndarray]:
    series = [fn(d.sort_values("day").reset_index(drop=True)).to_numpy(dtype=float) for _, d in ts.groupby("replicate")]
    days = np.sort(ts["day"].unique())
    return days, np.vstack(series)


def timeseries_figure(ts: pd.DataFrame, title: str = "") -> Figure:
    fig = Figure(figsize=(11, 8.5), layout="constrained")
    axes = fig.subplots(3, 2).ravel()
    days, m = _by_replicate(ts, lambda d: d["crimes"].rolling(SMOOTH_DAYS, min_periods=1).mean())
    _band(axes[0], days, m, "all incidents")
    days, m = _by_replicate(ts, lambda d: d["crimes_reported"].rolling(SMOOTH_DAYS, min_periods=1).mean())
    _band(axes[0], days, m, "reported")
    axes[0].set(title=f"Crime per day ({SMOOTH_DAYS}-day mean)", ylabel="incidents/day")
    for name, label in (("reporting_rate_violent", "violent"), ("reporting_rate_property", "property")):
        days, m = _by_replicate(ts, lambda d, r=name: _rolling_ratio(d, r, 90))
        _band(axes[1], days, m, label)
    axes[1].set(title="Reporting rate (90-day window)", ylabel="reported / all", ylim=(0, 1))
    for g in reg.groups_in(ts.columns):
        days, m = _by_replicate(ts, lambda d, g=g: d[reg.column_name("mean_trust", g)])
        _band(axes[2], days, m, g)
    axes[2].set(title="Mean trust in police by group", ylabel="trust [0, 1]")
    days, m = _by_replicate(ts, lambda d: d["participation_rate"])
    _band(axes[3], days, m, "participation")
    days, m = _by_replicate(ts, lambda d: d["collective_efficacy"])
    _band(axes[3], days, m, "collective efficacy")
    axes[3].set(title="Co-production", ylabel="share / index")
    days, m = _by_replicate(ts, lambda d: _rolling_ratio(d, "clearance_rate", 90))
    _band(axes[4], days, m, "clearance")
    axes[4].set(title="Clearance rate (90-day window)", ylabel="cleared / reported", ylim=(0, 1))
    days, m = _by_replicate(ts, lambda d: d["police_contacts"].rolling(SMOOTH_DAYS, min_periods=1).mean())
    _band(axes[5], days, m, "all contacts")
    days, m = _by_replicate(ts, lambda d: d["negative_contacts"].rolling(SMOOTH_DAYS, min_periods=1).mean())
    _band(axes[5], days, m, "bad contacts")
    axes[5].set(title=f"Police contacts per day ({SMOOTH_DAYS}-day mean)", ylabel="contacts/day")
    for ax in axes:
        ax.set_xlabel("day")
        ax.legend(fontsize=8, loc="best")
        ax.grid(alpha=0.3)
    n_rep = ts["replicate"].nunique()
    fig.suptitle((title + " - " if title else "") + f"{n_rep} replicate(s); lines: mean, bands: 10-90% of replicates")
    return fig


def plot_run(ts: pd.DataFrame, folder: Path, title: str = "") -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "timeseries.png"
    timeseries_figure(ts, title).savefig(path, dpi=110)
    return [path]
