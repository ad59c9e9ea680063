"""The figures of `analyze` (DIR/analysis/figures/).

- indices.png: the indices per outcome, with their intervals; in a sweep with
  policies, of the differences from the baseline (one bar series per policy),
  and indices_levels.png of each policy's own outcome.
- main_effect_<parameter>.png: point means (over replicates) against the
  parameter, with a mean per level or a binned mean; with policies, of the
  differences from the baseline.
- heatmap.png (a grid of two parameters): point means over the grid (with
  policies: the differences, a panel per outcome and policy).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..figures import FAST_PNG
from .indices import CONF_LEVEL
from .spec import SweepSpec

LABELS = {
    "S1": "first order S1",
    "ST": "total ST",
    "mu_star": "mu* (mean |elementary effect|)",
    "mu": "mu (mean elementary effect)",
    "sigma": "sigma (sd of elementary effects)",
    "spearman": "Spearman rho",
    "eta2": "main-effect share of variance",
}
SHOWN = {"sobol": ("S1", "ST"), "morris": ("mu_star",), "lhs": ("spearman",), "grid": ("eta2",)}


def plot_all(
    fdir: Path, spec: SweepSpec, points: pd.DataFrame, tables: dict, indices: pd.DataFrame, idle: dict
) -> list[Path]:
    """Every figure; `tables` maps each contrast (analysis.Contrast) to its per-run outcomes, `idle`
    each (policy, contrast) to its knobs with no effect by construction."""
    n = len(points)
    shown = {c: t for c, t in tables.items() if c.contrast == "difference"} or tables
    means = {
        c.policy or "": t.groupby(level="point").mean().reindex(pd.RangeIndex(n, name="point"))
        for c, t in shown.items()
    }
    paths = []
    if len(indices):
        differences = indices[indices["contrast"] == "difference"]
        shown = differences if len(differences) else indices
        paths.append(plot_indices(fdir / "indices.png", spec, shown, idle))
        if len(differences):
            paths.append(plot_indices(fdir / "indices_levels.png", spec, indices[indices["contrast"] == "level"], idle))
    what = "difference from " + spec.policies[0] if spec.policies else None
    for name in spec.names:
        paths.append(plot_main_effect(fdir / f"main_effect_{name}.png", name, points[name], means, what))
    if spec.sweep.design == "grid" and len(spec.names) == 2:
        paths.append(plot_heatmap(fdir / "heatmap.png", spec.names, points, means, what))
    return paths


def _grid_axes(n: int, width: float = 4.2, height: float = 3.2):
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def plot_indices(path: Path, spec: SweepSpec, indices: pd.DataFrame, idle: dict) -> Path:
    design = spec.sweep.design
    kinds = SHOWN[design]
    policies = list(dict.fromkeys(indices["policy"]))
    contrast = indices["contrast"].iloc[0]
    # a knob with no effect by construction in every series shown is marked on its label
    marked = set.intersection(*(set(idle.get((_key(p), contrast), {})) for p in policies))
    series = [(p, k) for p in policies for k in kinds]
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _grid_axes(len(outcomes), height=0.45 * len(spec.names) * max(1, len(series) / 2) + 1.6)
    names = spec.names
    y = np.arange(len(names))
    h = 0.8 / len(series)
    for ax, outcome in zip(axes, outcomes, strict=True):
        d = indices[indices["outcome"] == outcome]
        for s, (policy, kind) in enumerate(series):
            dk = d[(d["index"] == kind) & _same(d["policy"], policy)].set_index("parameter").reindex(names)
            v = dk["value"].to_numpy(dtype=float)
            err = np.vstack([v - dk["conf_low"].to_numpy(dtype=float), dk["conf_high"].to_numpy(dtype=float) - v])
            err = None if np.isnan(err).all() else np.clip(np.nan_to_num(err), 0, None)
            label = LABELS[kind] if _key(policy) is None else f"{policy}: {LABELS[kind]}"
            ax.barh(y + (s - (len(series) - 1) / 2) * h, v, height=h, xerr=err, capsize=2, label=label)
        ax.set_yticks(y, [_short(n) + (" (no effect)" if n in marked else "") for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_title(f"{outcome} (period all)", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    of = {"difference": f", differences from {spec.policies[0]}" if spec.policies else "", "level": ""}[contrast]
    fig.suptitle(f"Sensitivity indices ({design}{of}, {CONF_LEVEL:.0%} intervals)", fontsize=11)
    fig.savefig(path, dpi=110, pil_kwargs=FAST_PNG)
    return path


def _key(policy) -> str | None:
    return None if pd.isna(policy) else policy


def _same(column: pd.Series, policy) -> pd.Series:
    return column.isna() if _key(policy) is None else column == policy


def plot_main_effect(path: Path, name: str, x: pd.Series, means: dict[str, pd.DataFrame], what: str | None) -> Path:
    outcomes = list(next(iter(means.values())).columns)
    fig, axes = _grid_axes(len(outcomes))
    xv = x.to_numpy()
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    for ax, outcome in zip(axes, outcomes, strict=True):
        ax.set_xlabel(_short(name), fontsize=9)
        ax.set_ylabel(outcome if what is None else f"{outcome}, {what}", fontsize=9)
        if all(np.isnan(m[outcome].to_numpy(dtype=float)).all() for m in means.values()):
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes, color="0.4")
            continue
        for k, (policy, m) in enumerate(means.items()):
            _main_effect(ax, xv, m[outcome].to_numpy(dtype=float), numeric, f"C{k}", policy or None)
        if what is not None:
            ax.axhline(0, color="0.3", lw=0.6)
            ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Main effect of {name} (points averaged over replicates, period all)", fontsize=10)
    fig.savefig(path, dpi=110, pil_kwargs=FAST_PNG)
    return path


def _main_effect(ax, xv, yv, numeric: bool, colour: str, label: str | None) -> None:
    if not numeric:
        cats = list(dict.fromkeys(map(str, xv)))
        pos = {c: i for i, c in enumerate(cats)}
        ax.scatter([pos[str(v)] for v in xv], yv, s=12, alpha=0.6, lw=0, color=colour, label=label)
        ax.set_xticks(range(len(cats)), cats)
        return
    ax.scatter(xv, yv, s=10, alpha=0.5, lw=0, color=colour, label=label)
    if len(np.unique(xv)) <= 12:
        m = pd.Series(yv).groupby(xv).mean()
        ax.plot(m.index, m.to_numpy(), color=colour, lw=1.5, marker="o", ms=4)
        return
    bins = np.array_split(np.argsort(xv), 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ax.plot([xv[b].mean() for b in bins], [np.nanmean(yv[b]) for b in bins], color=colour, lw=1.5)


def plot_heatmap(path: Path, names: list[str], points: pd.DataFrame, means: dict[str, pd.DataFrame], what) -> Path:
    a, b = names
    panels = [(policy, outcome) for policy, m in means.items() for outcome in m.columns]
    fig, axes = _grid_axes(len(panels), width=4.6, height=3.8)
    for ax, (policy, outcome) in zip(axes, panels, strict=True):
        table = pd.DataFrame(
            {a: points[a].to_numpy(), b: points[b].to_numpy(), "y": means[policy][outcome].to_numpy(dtype=float)}
        ).pivot_table(index=a, columns=b, values="y", aggfunc="mean", dropna=False)
        im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_yticks(range(len(table.index)), [_fmt(v) for v in table.index], fontsize=8)
        ax.set_xticks(range(len(table.columns)), [_fmt(v) for v in table.columns], fontsize=8, rotation=45)
        ax.set_ylabel(_short(a), fontsize=9)
        ax.set_xlabel(_short(b), fontsize=9)
        ax.set_title(outcome if not policy else f"{outcome}: {policy}", fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.85)
    fig.suptitle(f"Grid: point means over replicates, period all{'' if what is None else ', ' + what}", fontsize=10)
    fig.savefig(path, dpi=110, pil_kwargs=FAST_PNG)
    return path


def _short(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else name


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v)
