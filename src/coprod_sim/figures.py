"""Figures of the main metrics. Built as matplotlib Figure objects (never pyplot),
so they are safe in worker processes and in the dashboard's background thread."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import metric_registry as reg

SMOOTH_DAYS = 30
# zlib's fastest level: ~20 ms less per figure than the default (6), for files ~8% larger
FAST_PNG = {"compress_level": 1}


class _Wide:
    """The time series as replicate x day matrices, one column at a time: a single sort of
    the table for the whole figure, instead of a group-by for every line drawn."""

    def __init__(self, ts: pd.DataFrame):
        ts = ts.sort_values(["replicate", "day"], kind="stable")
        self.days = np.sort(ts["day"].unique())
        counts = ts.groupby("replicate", sort=False).size().to_numpy()
        self.ts = ts
        self.same_days = bool((counts == len(self.days)).all())
        self.shape = (len(counts), len(self.days))

    def column(self, name: str) -> np.ndarray:
        if self.same_days:
            return self.ts[name].to_numpy(dtype=float).reshape(self.shape)
        # replicates that stopped on different days: pad each to the common days
        wide = self.ts.pivot(index="replicate", columns="day", values=name).reindex(columns=self.days)
        return wide.to_numpy(dtype=float)

    def rolling_mean(self, name: str, window: int = SMOOTH_DAYS) -> np.ndarray:
        return _rolling(self.column(name), window, "mean")

    def rolling_ratio(self, ratio: str, window: int) -> np.ndarray:
        """A ratio metric over a moving window: sum of its numerator / sum of its denominator."""
        m = reg.metric(ratio)
        n = _rolling(self.column(m.numerator), window, "sum")
        d = _rolling(self.column(m.denominator), window, "sum")
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)


def _rolling(matrix: np.ndarray, window: int, how: str) -> np.ndarray:
    """Each replicate's (row's) moving window over days, as pandas computes it."""
    frame = pd.DataFrame(matrix.T).rolling(window, min_periods=1)
    return getattr(frame, how)().to_numpy().T


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


def timeseries_figure(ts: pd.DataFrame, title: str = "") -> Figure:
    wide = _Wide(ts)
    days = wide.days
    # Fixed margins rather than layout="constrained": the solver redrew every tick label
    # several times: 0.50 -> 0.33 s for a 5-day run's figure (measured, issue 14). Ticks are
    # most of the rest (each one is three lines and two texts): one shared day axis, in whole days.
    fig = Figure(figsize=(11, 8.5))
    fig.subplots_adjust(left=0.07, right=0.985, bottom=0.06, top=0.925, wspace=0.2, hspace=0.3)
    axes = fig.subplots(3, 2, sharex=True).ravel()  # one day axis: its labels on the bottom row only
    _band(axes[0], days, wide.rolling_mean("crimes"), "all incidents")
    _band(axes[0], days, wide.rolling_mean("crimes_reported"), "reported")
    axes[0].set(title=f"Crime per day ({SMOOTH_DAYS}-day mean)", ylabel="incidents/day")
    for name, label in (("reporting_rate_violent", "violent"), ("reporting_rate_property", "property")):
        _band(axes[1], days, wide.rolling_ratio(name, 90), label)
    axes[1].set(title="Reporting rate (90-day window)", ylabel="reported / all", ylim=(0, 1))
    for g in reg.groups_in(ts.columns):
        _band(axes[2], days, wide.column(reg.column_name("mean_trust", g)), g)
    axes[2].set(title="Mean trust in police by group", ylabel="trust [0, 1]")
    _band(axes[3], days, wide.column("participation_rate"), "participation")
    _band(axes[3], days, wide.column("collective_efficacy"), "collective efficacy")
    axes[3].set(title="Co-production", ylabel="share / index")
    _band(axes[4], days, wide.rolling_ratio("clearance_rate", 90), "clearance")
    axes[4].set(title="Clearance rate (90-day window)", ylabel="cleared / reported", ylim=(0, 1))
    _band(axes[5], days, wide.rolling_mean("police_contacts"), "all contacts")
    _band(axes[5], days, wide.rolling_mean("negative_contacts"), "bad contacts")
    axes[5].set(title=f"Police contacts per day ({SMOOTH_DAYS}-day mean)", ylabel="contacts/day")
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))  # (shared by all panels) whole days
    for ax in axes:
        ax.legend(fontsize=8, loc="best")
        ax.grid(alpha=0.3)
    for ax in axes[-2:]:
        ax.set_xlabel("day")
    n_rep = ts["replicate"].nunique()
    fig.suptitle((title + " - " if title else "") + f"{n_rep} replicate(s); lines: mean, bands: 10-90% of replicates")
    return fig


def plot_run(ts: pd.DataFrame, folder: Path, title: str = "") -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "timeseries.png"
    timeseries_figure(ts, title).savefig(path, dpi=110, pil_kwargs=FAST_PNG)
    return [path]
