"""Live time-series plots, with a vertical line at each mark (labelled in the top row).

Daily counts in a classroom-sized city are a few incidents a day, so crime and
the reporting rate are shown as 30-day moving figures (the reporting rate as a
ratio of 30-day sums, like the model's period rates); trust, participation and
collective efficacy are smooth and shown day by day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import metric_registry as reg

SMOOTH_DAYS = 30
FONT = 12
MIN_DAYS_SHOWN = 60
GROUP_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
ACTIVITY_COLOURS = {"response": "#555555", "patrol": "#1f77b4"}


def smoothed(ts: pd.DataFrame, days: int = SMOOTH_DAYS) -> pd.DataFrame:
    """30-day moving crimes and reports per day, and the share of crimes reported."""
    roll = ts[["crimes", "crimes_reported"]].astype(float).rolling(days, min_periods=1).sum()
    n = ts["crimes"].rolling(days, min_periods=1).count().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(roll["crimes"] > 0, roll["crimes_reported"] / roll["crimes"], np.nan)
    return pd.DataFrame(
        {
            "day": ts["day"].to_numpy(),
            "crimes": roll["crimes"] / n,
            "reported": roll["crimes_reported"] / n,
            "reporting_rate": share,
        }
    )


def draw_timeseries(ts: pd.DataFrame, marks: Sequence[tuple[int, str]] = (), group_names: Sequence[str] = ()) -> Figure:
    """Six panels: crime and reported crime, reporting rate, trust by group,
    participation, collective efficacy, officer hours by activity."""
    fig = Figure(figsize=(13.5, 7.4), dpi=90)
    fig.subplots_adjust(
        left=0.045, right=0.99, bottom=0.08, top=0.95, wspace=0.16, hspace=0.2
    )  # fixed: constrained layout triples the drawing time
    axes = fig.subplots(2, 3, sharex=True)
    ax_crime, ax_rate, ax_trust = axes[0]
    ax_part, ax_ce, ax_hours = axes[1]
    last = int(ts["day"].iloc[-1]) if len(ts) else 0
    xmax = max(last + 1, MIN_DAYS_SHOWN, *(d + 5 for d, _ in marks)) if marks else max(last + 1, MIN_DAYS_SHOWN)
    day = ts["day"].to_numpy() if len(ts) else np.array([])

    ax = ax_crime
    if len(ts):
        sm = smoothed(ts)
        ax.plot(day, sm["crimes"], color="black", lw=2)
        ax.plot(day, sm["reported"], color="#e6550d", lw=2)
        ax.set_ylim(0, max(2.0, float(sm["crimes"].max()) * 2.2))
        ax_rate.plot(day, sm["reporting_rate"] * 100, color="#e6550d", lw=2)
    ax.set_title("Crimes a day: all (black), reported (orange)", fontsize=FONT + 1)

    ax = ax_rate
    ax.set_title("Share of crimes reported (%)", fontsize=FONT + 1)
    ax.set_ylim(0, 100)

    ax = ax_trust
    for i, g in enumerate(group_names):
        col = reg.column_name("mean_trust", g)
        if len(ts) and col in ts:
            ax.plot(day, ts[col], color=GROUP_COLOURS[i % len(GROUP_COLOURS)], lw=2, label=g)
    if len(ts):
        ax.plot(day, ts["mean_trust"], color="black", lw=1.5, ls="--", label="everyone")
        ax.legend(fontsize=FONT - 2, loc="lower left", frameon=False, ncol=3)
    ax.set_title("Mean trust in the police", fontsize=FONT + 1)
    ax.set_ylim(0, 1)

    ax = ax_part
    if len(ts):
        ax.plot(day, ts["participation_rate"] * 100, color="#31a354", lw=2)
        top = float(np.nanmax(ts["participation_rate"])) * 100
        ax.set_ylim(0, max(40.0, top * 1.3))
    ax.set_title("Residents taking part (%)", fontsize=FONT + 1)

    ax = ax_ce
    if len(ts):
        ax.plot(day, ts["collective_efficacy"], color="#756bb1", lw=2)
    ax.set_title("Collective efficacy", fontsize=FONT + 1)
    ax.set_ylim(0, 1)

    ax = ax_hours
    used = {a: col for a, col in reg.activity_columns(ts.columns).items() if len(ts) and ts[col].sum() > 0}
    hours = list(used.values())
    palette = iter(["#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"])
    for name, col in used.items():
        ax.plot(day, ts[col], lw=1.8, color=ACTIVITY_COLOURS.get(name) or next(palette), label=name.replace("_", "-"))
    ax.set_title("Officer-hours a day, by activity", fontsize=FONT + 1)
    ax.set_ylim(0, max([float(ts[c].max()) for c in hours] + [1.0]) * 1.5)
    if hours:
        ax.legend(fontsize=FONT - 3, loc="upper left", frameon=False, ncol=2)

    for ax in axes.flat:
        ax.set_xlim(0, xmax)
        ax.tick_params(labelsize=FONT - 2)
        ax.grid(alpha=0.25)
        for d, _label in marks:
            ax.axvline(d, color="#444444", ls=":", lw=1.4)
    labels: dict[int, list[str]] = {}
    for d, label in marks:
        labels.setdefault(d, []).append(label)
    for ax in axes[0]:
        top = ax.get_ylim()[1]
        for d, names in labels.items():
            ax.text(
                d,
                top * 0.98,
                " " + " + ".join(names),
                rotation=90,
                va="top",
                ha="right",
                fontsize=FONT - 3,
                color="#222222",
            )
    for ax in axes[1]:
        ax.set_xlabel("day", fontsize=FONT)
    return fig
