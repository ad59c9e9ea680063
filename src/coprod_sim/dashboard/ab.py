"""A/B mode: a second set-up (B) runs beside the dashboard's model (A) on the same seed,
kept on A's day, and the plot shows A minus B as it happens.

Same seed, same crime opportunities (common random numbers): where A and B differ only
by a policy or an action, the difference is that policy's or action's, without the
month-to-month wobble that hides it in one run. The class acts on A only: B is the
comparison ("the same city without the incident").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import metric_registry as reg
from ..config import Config
from .plots import FONT, GROUP_COLOURS, SMOOTH_DAYS
from .session import DashboardModel


def keep_up(a, b_config: Config, b: DashboardModel | None) -> DashboardModel:
    """B on A's day: rebuilt when A was reset (a new model, another seed or an earlier
    day), then stepped until it reaches A's day."""
    if b is None or b.seed != a.seed or b.day > a.day or getattr(b, "partner", None) != id(a):
        b = DashboardModel(config=b_config, seed=a.seed)
        b.partner = id(a)
    while b.day < a.day:
        b.step()
    return b


def smoothed_headline(ts: pd.DataFrame, groups: Sequence[str], days: int = SMOOTH_DAYS) -> pd.DataFrame:
    """What the A/B plot compares: crimes a day and the share reported (30-day, as in the
    plots), and the share confident in police, overall and per group, in %."""
    roll = ts[["crimes", "crimes_reported"]].astype(float).rolling(days, min_periods=1).sum()
    out = pd.DataFrame({"day": ts["day"].to_numpy(), "crimes a day": roll["crimes"] / days})
    out["reported (%)"] = 100 * roll["crimes_reported"] / roll["crimes"].where(roll["crimes"] > 0)
    out["confident (%)"] = 100 * ts["confidence_share"]
    for g in groups:
        out[f"confident, {g} (%)"] = 100 * ts[reg.column_name("confidence_share", g)]
    return out


def difference(a_ts: pd.DataFrame, b_ts: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """A minus B, day by day, over the days both have run."""
    n = min(len(a_ts), len(b_ts))
    a, b = smoothed_headline(a_ts.iloc[:n], groups), smoothed_headline(b_ts.iloc[:n], groups)
    diff = a.drop(columns="day") - b.drop(columns="day").to_numpy()
    return diff.assign(day=a["day"].to_numpy())[["day", *diff.columns]]


def draw_difference(diff: pd.DataFrame, marks: Sequence[tuple[int, str]] = ()) -> Figure:
    """Three panels of A minus B: crimes a day, the share reported, confidence by group."""
    fig = Figure(figsize=(11, 3.4), dpi=90)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.88, wspace=0.22)
    axes = fig.subplots(1, 3, sharex=True)
    day = diff["day"].to_numpy()
    axes[0].plot(day, diff["crimes a day"], color="black", lw=2)
    axes[0].set_title("Crimes a day (30-day), A minus B", fontsize=FONT)
    axes[1].plot(day, diff["reported (%)"], color="#e6550d", lw=2)
    axes[1].set_title("Share reported (30-day), points", fontsize=FONT)
    confidence = [c for c in diff.columns if c.startswith("confident")]
    for i, col in enumerate(confidence):
        style = {"color": "black", "ls": "--"} if col == "confident (%)" else {"color": GROUP_COLOURS[i - 1]}
        label = "everyone" if col == "confident (%)" else col.removeprefix("confident, ").removesuffix(" (%)")
        axes[2].plot(day, diff[col], lw=2, label=label, **style)
    axes[2].set_title("Confident in police, points", fontsize=FONT)
    if len(day):
        axes[2].legend(fontsize=FONT - 3, frameon=False, loc="lower left", ncol=3)
    for ax in axes:
        ax.axhline(0, color="grey", lw=1)
        ax.grid(alpha=0.25)
        ax.tick_params(labelsize=FONT - 3)
        ax.set_xlabel("day", fontsize=FONT - 2)
        ax.set_xlim(0, max(int(day[-1]) + 1 if len(day) else 0, 60))
        for d, _label in marks:
            ax.axvline(d, color="#444444", ls=":", lw=1.2)
    return fig


def summary_line(diff: pd.DataFrame) -> str:
    """Today's A minus B in words (empty before the first day)."""
    if diff.empty:
        return ""
    last = diff.iloc[-1]
    parts = [f"crimes a day {last['crimes a day']:+.2f}"]
    if np.isfinite(last["reported (%)"]):
        parts.append(f"share reported {last['reported (%)']:+.1f} points")
    parts += [f"{c.removesuffix(' (%)')} {last[c]:+.1f} points" for c in diff.columns if c.startswith("confident")]
    return f"Day {int(last['day'])}, A minus B: " + "; ".join(parts) + "."
