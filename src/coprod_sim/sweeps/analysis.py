"""`coprod-sim analyze DIR`: results table, sensitivity indices and figures.

Writes DIR/analysis/:
- results.parquet: the design joined with every run's period values (tidy:
  run_id, point, parameters, replicate, seed, period, metric, group, value).
- indices.parquet (and .csv): outcome, parameter, index, value, conf_low,
  conf_high for the main outcomes over period `all`, each point averaged over
  its replicates first:
    sobol  -> S1 and ST (SALib sobol.analyze, bootstrap 95% intervals)
    morris -> mu_star (95% interval), mu and sigma (SALib morris.analyze)
    lhs    -> Spearman rank correlation (95% interval by Fisher's z)
    grid   -> eta2: share of the variance of point means explained by the
              parameter's main effect (on a full grid: a first-order index)
- figures/indices.png, figures/main_effect_<parameter>.png and, for a grid of
  two parameters, figures/heatmap.png.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import metric_registry as reg
from ..metrics import period_values
from . import store
from .design import MORRIS_LEVELS, problem, unit_sample
from .spec import SweepError, SweepSpec, read_spec

MAIN_OUTCOMES = tuple(reg.shown_in(reg.SENSITIVITY))
CONF_LEVEL = 0.95
RESAMPLES = 500


@dataclass
class AnalysisReport:
    out: Path
    runs: int
    expected: int
    indices: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


def analyze(out: str | Path, *, outcomes: tuple[str, ...] = MAIN_OUTCOMES, figures: bool = True) -> AnalysisReport:
    out = Path(out)
    design = store.read_design(out)
    if not (out / "sweep.toml").is_file():
        raise SweepError(f"{out}/sweep.toml is missing; cannot tell the design")
    spec = read_spec(out / "sweep.toml")
    seed = int(design["seed"].iloc[0])
    outputs = store.read_metadata(out).get("outputs", spec.sweep.outputs)
    adir = out / "analysis"
    (adir / "figures").mkdir(parents=True, exist_ok=True)

    values = collect(out, design, outputs)
    results = design.merge(values, on="run_id", how="inner")
    results.to_parquet(adir / "results.parquet", index=False)
    n_runs = int(values["run_id"].nunique()) if len(values) else 0
    notes = []
    if n_runs < len(design):
        notes.append(
            f"{len(design) - n_runs} of {len(design)} runs have no results "
            "(failed or not run yet; see failures.jsonl, finish with `coprod-sim sweep ... --resume`)"
        )

    points = design.drop_duplicates("point").sort_values("point").set_index("point")[spec.names]
    means = point_means(results, outcomes, len(points))
    indices = sensitivity(spec, seed, points, means, notes)
    indices.to_parquet(adir / "indices.parquet", index=False)
    indices.to_csv(adir / "indices.csv", index=False)
    report = AnalysisReport(out, n_runs, len(design), indices, notes)
    if figures and len(values):
        report.figures = plot_all(adir / "figures", spec, points, means, indices)
    return report


# --------------------------------------------------------------------------- outcomes
def collect(out: Path, design: pd.DataFrame, outputs: str) -> pd.DataFrame:
    """Every finished run's period values: run_id, period, metric, group, value."""
    ids = sorted(store.finished(out) & set(design["run_id"]))
    paths = [str(store.run_path(out, i)) for i in ids]
    if not paths:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in [("run_id", str), ("period", str), ("metric", str), ("group", object), ("value", float)]
            }
        )
    if outputs == "summary":
        import pyarrow.dataset as ds

        return ds.dataset(paths, format="parquet", schema=store.SUMMARY_SCHEMA).to_table().to_pandas()
    frames = []
    for run_id, path in zip(ids, paths, strict=True):
        ts = pd.read_parquet(path)
        pv = period_values(ts).drop(columns="replicate")
        pv.insert(0, "run_id", run_id)
        frames.append(pv)
    return pd.concat(frames, ignore_index=True)


def point_means(results: pd.DataFrame, outcomes, n_points: int) -> pd.DataFrame:
    """Period `all`, citywide, averaged over replicates: one row per point (NaN where none finished)."""
    sel = results[(results["period"] == "all") & results["group"].isna() & results["metric"].isin(outcomes)]
    wide = sel.groupby(["point", "metric"])["value"].mean().unstack("metric") if len(sel) else pd.DataFrame()
    return wide.reindex(index=pd.RangeIndex(n_points, name="point"), columns=list(outcomes))


# --------------------------------------------------------------------------- indices
def sensitivity(
    spec: SweepSpec, seed: int, points: pd.DataFrame, means: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    rows: list[tuple] = []
    design = spec.sweep.design
    for outcome in means.columns:
        y = means[outcome].to_numpy(dtype=float)
        missing = int(np.isnan(y).sum())
        if design in ("sobol", "morris") and missing:
            notes.append(f"{outcome}: {missing} point(s) without a value; {design} indices need every point (skipped)")
            continue
        ok = ~np.isnan(y)
        if ok.sum() < 3 or np.nanstd(y) == 0:
            notes.append(f"{outcome}: too few points or no variation; no indices")
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if design == "sobol":
                rows += _sobol(spec, seed, outcome, y)
            elif design == "morris":
                rows += _morris(spec, seed, outcome, y)
            elif design == "lhs":
                rows += _spearman(spec, outcome, points, y, ok)
            else:
                rows += _eta2(spec, outcome, points, y, ok)
    return pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf_low", "conf_high"])


def _sobol(spec, seed, outcome, y):
    from SALib.analyze import sobol

    si = sobol.analyze(
        problem(spec), y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, seed=seed
    )
    rows = []
    for j, name in enumerate(spec.names):
        for idx in ("S1", "ST"):
            v, c = float(si[idx][j]), float(si[f"{idx}_conf"][j])
            rows.append((outcome, name, idx, v, v - c, v + c))
    return rows


def _morris(spec, seed, outcome, y):
    from SALib.analyze import morris

    x = unit_sample(spec, seed)
    si = morris.analyze(
        problem(spec), x, y, num_resamples=RESAMPLES, conf_level=CONF_LEVEL, num_levels=MORRIS_LEVELS, seed=seed
    )
    rows = []
    for j, name in enumerate(spec.names):
        v, c = float(si["mu_star"][j]), float(si["mu_star_conf"][j])
        rows.append((outcome, name, "mu_star", v, v - c, v + c))
        rows.append((outcome, name, "mu", float(si["mu"][j]), np.nan, np.nan))
        rows.append((outcome, name, "sigma", float(si["sigma"][j]), np.nan, np.nan))
    return rows


def _spearman(spec, outcome, points, y, ok):
    from scipy import stats

    rows = []
    n = int(ok.sum())
    z = stats.norm.ppf(0.5 + CONF_LEVEL / 2)
    for name in spec.names:
        x = points[name].to_numpy()[ok]
        rho = float(stats.spearmanr(x, y[ok]).statistic) if np.ptp(x) > 0 else np.nan
        half = z / np.sqrt(n - 3) if n > 3 else np.nan
        rows.append(
            (
                outcome,
                name,
                "spearman",
                rho,
                float(np.tanh(np.arctanh(rho) - half)),
                float(np.tanh(np.arctanh(rho) + half)),
            )
        )
    return rows


def _eta2(spec, outcome, points, y, ok):
    rows = []
    s = pd.Series(y[ok])
    total = float(s.var(ddof=0))
    for name in spec.names:
        x = points[name].reset_index(drop=True)[ok]
        level_means = s.groupby(x.to_numpy()).transform("mean")
        rows.append(
            (outcome, name, "eta2", float(level_means.var(ddof=0)) / total if total > 0 else np.nan, np.nan, np.nan)
        )
    return rows


MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "lhs": "spearman", "grid": "eta2"}


def ranking(indices: pd.DataFrame, design: str) -> dict[str, list[tuple[str, float]]]:
    """Per outcome, parameters by their headline index (|value|), largest first."""
    key = MAIN_INDEX[design]
    out = {}
    for outcome, d in indices[indices["index"] == key].groupby("outcome", sort=False):
        d = d.assign(a=d["value"].abs()).sort_values("a", ascending=False)
        out[outcome] = list(zip(d["parameter"], d["value"], strict=True))
    return out


# --------------------------------------------------------------------------- figures
def plot_all(
    fdir: Path, spec: SweepSpec, points: pd.DataFrame, means: pd.DataFrame, indices: pd.DataFrame
) -> list[Path]:
    paths = []
    if len(indices):
        paths.append(plot_indices(fdir / "indices.png", spec, indices))
    for name in spec.names:
        paths.append(plot_main_effect(fdir / f"main_effect_{name}.png", name, points[name], means))
    if spec.sweep.design == "grid" and len(spec.names) == 2:
        paths.append(plot_heatmap(fdir / "heatmap.png", spec.names, points, means))
    return paths


def _grid_axes(n: int, width: float = 4.2, height: float = 3.2):
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def plot_indices(path: Path, spec: SweepSpec, indices: pd.DataFrame) -> Path:
    design = spec.sweep.design
    kinds = {"sobol": ["S1", "ST"], "morris": ["mu_star"], "lhs": ["spearman"], "grid": ["eta2"]}[design]
    labels = {
        "S1": "first order S1",
        "ST": "total ST",
        "mu_star": "mu* (mean |elementary effect|)",
        "spearman": "Spearman rho",
        "eta2": "main-effect share of variance",
    }
    outcomes = list(dict.fromkeys(indices["outcome"]))
    fig, axes = _grid_axes(len(outcomes), height=0.45 * len(spec.names) + 1.6)
    names = spec.names
    y = np.arange(len(names))
    h = 0.8 / len(kinds)
    for ax, outcome in zip(axes, outcomes, strict=True):
        d = indices[indices["outcome"] == outcome]
        for k, kind in enumerate(kinds):
            dk = d[d["index"] == kind].set_index("parameter").reindex(names)
            v = dk["value"].to_numpy(dtype=float)
            err = np.vstack([v - dk["conf_low"].to_numpy(dtype=float), dk["conf_high"].to_numpy(dtype=float) - v])
            err = None if np.isnan(err).all() else np.nan_to_num(err)
            ax.barh(y + (k - (len(kinds) - 1) / 2) * h, v, height=h, xerr=err, capsize=2, label=labels[kind])
        ax.set_yticks(y, [_short(n) for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_title(f"{outcome} (period all)", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(
        f"Sensitivity indices ({design}" + (f", {CONF_LEVEL:.0%} intervals)" if design != "grid" else ")"), fontsize=11
    )
    fig.savefig(path, dpi=110)
    return path


def plot_main_effect(path: Path, name: str, x: pd.Series, means: pd.DataFrame) -> Path:
    fig, axes = _grid_axes(len(means.columns))
    xv = x.to_numpy()
    numeric = pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x)
    for ax, outcome in zip(axes, means.columns, strict=True):
        yv = means[outcome].to_numpy(dtype=float)
        ax.set_xlabel(_short(name), fontsize=9)
        ax.set_ylabel(outcome, fontsize=9)
        if np.isnan(yv).all():
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes, color="0.4")
            continue
        if numeric:
            ax.scatter(xv, yv, s=10, alpha=0.5, lw=0)
            uniq = np.unique(xv)
            if len(uniq) <= 12:
                m = pd.Series(yv).groupby(xv).mean()
                ax.plot(m.index, m.to_numpy(), color="C3", lw=1.5, marker="o", ms=4, label="mean per level")
            else:
                order = np.argsort(xv)
                bins = np.array_split(order, 10)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    ax.plot(
                        [xv[b].mean() for b in bins],
                        [np.nanmean(yv[b]) for b in bins],
                        color="C3",
                        lw=1.5,
                        label="binned mean",
                    )
        else:
            cats = list(dict.fromkeys(map(str, xv)))
            pos = {c: i for i, c in enumerate(cats)}
            ax.scatter([pos[str(v)] for v in xv], yv, s=12, alpha=0.6, lw=0)
            ax.set_xticks(range(len(cats)), cats)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Main effect of {name} (points averaged over replicates, period all)", fontsize=10)
    fig.savefig(path, dpi=110)
    return path


def plot_heatmap(path: Path, names: list[str], points: pd.DataFrame, means: pd.DataFrame) -> Path:
    a, b = names
    fig, axes = _grid_axes(len(means.columns), width=4.6, height=3.8)
    for ax, outcome in zip(axes, means.columns, strict=True):
        table = pd.DataFrame(
            {a: points[a].to_numpy(), b: points[b].to_numpy(), "y": means[outcome].to_numpy(dtype=float)}
        ).pivot_table(index=a, columns=b, values="y", aggfunc="mean", dropna=False)
        im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_yticks(range(len(table.index)), [_fmt(v) for v in table.index], fontsize=8)
        ax.set_xticks(range(len(table.columns)), [_fmt(v) for v in table.columns], fontsize=8, rotation=45)
        ax.set_ylabel(_short(a), fontsize=9)
        ax.set_xlabel(_short(b), fontsize=9)
        ax.set_title(outcome, fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.85)
    fig.suptitle("Grid: point means over replicates, period all", fontsize=10)
    fig.savefig(path, dpi=110)
    return path


def _short(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else name


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) else str(v)
