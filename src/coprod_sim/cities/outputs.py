"""A calibration's results: posterior.parquet, calibrated.toml, fit.json,
parameters.json, fit.html and figures/ (docs/calibration.md)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config, with_overrides
from ..output_folder import atomic_path, write_json_atomic, write_text_atomic
from .priors import prior_interval, weighted_quantile
from .profile import Prior
from .targets import Target

LEVEL = 0.9
LOW_Q, HIGH_Q = (1 - LEVEL) / 2, (1 + LEVEL) / 2
# A parameter whose 90% posterior interval is at least this share of its prior's is "not pinned down".
NOT_IDENTIFIED_WIDTH_SHARE = 0.7
FIGURES = ("figures/fit.png", "figures/marginals.png", "figures/pairs.png")


def posterior_frame(params: pd.DataFrame, weights: np.ndarray, paths: list[str]) -> pd.DataFrame:
    df = params[paths].reset_index(drop=True).copy()
    df["weight"] = weights / weights.sum()
    return df


def posterior_median(posterior: pd.DataFrame, paths: list[str]) -> dict[str, float]:
    w = posterior["weight"].to_numpy()
    return {p: weighted_quantile(posterior[p].to_numpy(), w, 0.5) for p in paths}


def fit_rows(targets: list[Target], stat_weights: np.ndarray, stats: list[dict]) -> list[dict]:
    """Per target: observed, the model's weighted median and 90% interval over the
    posterior's accepted simulations, and whether the observed value is met."""
    rows = []
    for t in targets:
        values = np.array([s.get(t.name, np.nan) for s in stats], dtype=float)
        ok = np.isfinite(values)
        if not ok.any():
            med = low = high = None
        else:
            v, w = values[ok], stat_weights[ok]
            med, low, high = (weighted_quantile(v, w, q) for q in (0.5, LOW_Q, HIGH_Q))
        met = med is not None and (low <= t.observed <= high or abs(med - t.observed) <= t.tolerance)
        rows.append(
            {
                "name": t.name,
                "observed": t.observed,
                "model_median": med,
                "model_low": low,
                "model_high": high,
                "met": bool(met),
                "tolerance": t.tolerance,
                "source": t.source,
            }
        )
    return rows


def parameter_rows(posterior: pd.DataFrame, priors: dict[str, Prior]) -> list[dict]:
    w = posterior["weight"].to_numpy()
    rows = []
    for path, prior in priors.items():
        v = posterior[path].to_numpy()
        low, med, high = (weighted_quantile(v, w, q) for q in (LOW_Q, 0.5, HIGH_Q))
        p_low, p_high = prior_interval(prior, LEVEL)
        if prior.scale == "log":
            width_share = np.log(high / low) / np.log(p_high / p_low)
        else:
            width_share = (high - low) / (p_high - p_low)
        rows.append(
            {
                "parameter": path,
                "prior": {"low": prior.low, "high": prior.high, "scale": prior.scale, "source": prior.source},
                "posterior_median": med,
                "posterior_low": low,
                "posterior_high": high,
                "width_vs_prior": float(width_share),
                "pinned_down": bool(width_share < NOT_IDENTIFIED_WIDTH_SHARE),
            }
        )
    return rows


def write_results(
    out: Path,
    *,
    city: Config,
    posterior: pd.DataFrame,
    priors: dict[str, Prior],
    fit: list[dict],
    parameters: list[dict],
    summary: dict,
) -> Config:
    """Write every result file; returns the calibrated configuration."""
    with atomic_path(out / "posterior.parquet") as tmp:
        posterior.to_parquet(tmp, index=False)
    calibrated = with_overrides(city, posterior_median(posterior, list(priors)))
    header = (
        f"# {summary['city']}: the city profile at its sample scale with the posterior median of each fitted\n"
        f"# parameter (coprod-sim calibrate; see fit.html). Scale up with --set population.residents=N.\n"
    )
    write_text_atomic(out / "calibrated.toml", header + calibrated.to_toml())
    write_json_atomic(out / "fit.json", fit)
    write_json_atomic(out / "parameters.json", {"summary": summary, "parameters": parameters})
    _figures(out / "figures", posterior, priors, fit)
    write_text_atomic(out / "fit.html", _html(out, summary, fit, parameters))
    return calibrated


def _figures(folder: Path, posterior: pd.DataFrame, priors: dict[str, Prior], fit: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    # fit per target: the model's 90% interval and median relative to the observed value
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(fit) + 1.2))
    for i, r in enumerate(fit):
        obs = r["observed"] or 1.0
        if r["model_median"] is not None:
            ax.plot([r["model_low"] / obs, r["model_high"] / obs], [i, i], color="tab:blue", lw=3)
            ax.plot(r["model_median"] / obs, i, "o", color="tab:blue" if r["met"] else "tab:red")
    ax.axvline(1.0, color="black", lw=1)
    ax.set_yticks(range(len(fit)), [r["name"] for r in fit], fontsize=7)
    ax.set_xlabel("model / observed (90% interval over the posterior; red: not met)")
    _save(fig, folder / "fit.png")
    paths = list(priors)
    w = posterior["weight"].to_numpy()
    fig, axes = plt.subplots(1, len(paths), figsize=(3 * len(paths), 2.6), squeeze=False)
    for ax, p in zip(axes[0], paths, strict=True):
        ax.hist(posterior[p], bins=20, weights=w, density=True, color="tab:blue", alpha=0.7, label="posterior")
        ax.axvspan(priors[p].low, priors[p].high, color="grey", alpha=0.15, label="prior range")
        ax.set_title(p, fontsize=7)
    axes[0][0].legend(fontsize=6)
    _save(fig, folder / "marginals.png")
    n = len(paths)
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n, 2.2 * n), squeeze=False)
    for i, pi in enumerate(paths):
        for j, pj in enumerate(paths):
            ax = axes[i][j]
            if i == j:
                ax.hist(posterior[pi], bins=15, weights=w, color="tab:blue")
            else:
                ax.scatter(posterior[pj], posterior[pi], s=60 * w / w.max(), alpha=0.6)
            if i == n - 1:
                ax.set_xlabel(pj.rsplit(".", 1)[-1], fontsize=6)
            if j == 0:
                ax.set_ylabel(pi.rsplit(".", 1)[-1], fontsize=6)
            ax.tick_params(labelsize=5)
    _save(fig, folder / "pairs.png")


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    from ..figures import FAST_PNG

    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png", pil_kwargs=FAST_PNG)
    plt.close(fig)


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _html(out: Path, summary: dict, fit: list[dict], parameters: list[dict]) -> str:
    e = html.escape
    fit_rows = "".join(
        f"<tr><td>{e(r['name'])}</td><td>{_num(r['observed'])}</td><td>{_num(r['model_median'])}</td>"
        f"<td>{_num(r['model_low'])} .. {_num(r['model_high'])}</td><td>{'yes' if r['met'] else '<b>no</b>'}</td>"
        f"<td>{e(r['source'])}</td></tr>"
        for r in fit
    )
    par_rows = "".join(
        f"<tr><td>{e(r['parameter'])}</td><td>{_num(r['prior']['low'])} .. {_num(r['prior']['high'])} "
        f"({e(r['prior']['scale'])})</td><td>{_num(r['posterior_median'])}</td>"
        f"<td>{_num(r['posterior_low'])} .. {_num(r['posterior_high'])}</td>"
        f"<td>{'yes' if r['pinned_down'] else '<b>no</b> (posterior close to prior)'}</td></tr>"
        for r in parameters
    )
    imgs = "".join(
        f'<p><img alt="{e(f)}" src="data:image/png;base64,{base64.b64encode((out / f).read_bytes()).decode()}"></p>'
        for f in FIGURES
    )
    unmet = [r["name"] for r in fit if not r["met"]]
    loose = [r["parameter"] for r in parameters if not r["pinned_down"]]
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Calibration: {e(summary["city"])}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:2px 8px;text-align:left}}
img{{max-width:100%}}</style></head><body>
<h1>Calibration of {e(summary["city"])}</h1>
<p>{e(summary["label"])}</p>
<p>ABC-SMC (pyabc {e(summary["engine_version"])}): {summary["simulations"]} simulations of
{summary["sample_residents"]:,} residents (sample scale {summary["scale"]:.4g} of {summary["residents"]:,}),
{summary["generations"]} generation(s) of {summary["population"]} particles; effective sample size of the posterior
{summary["ess"]:.1f}. Stopped: {e(summary["stopped"])}. Seed {summary["seed"]}.</p>
<p>Targets the model does not meet: {e(", ".join(unmet) or "none")}.
Parameters the data do not pin down (90% posterior interval at least {NOT_IDENTIFIED_WIDTH_SHARE:.0%} of the prior's):
{e(", ".join(loose) or "none")}.</p>
<h2>Fit (90% interval of the model over the posterior)</h2>
<table><tr><th>target</th><th>observed</th><th>model median</th><th>model 90%</th><th>met</th><th>source</th></tr>
{fit_rows}</table>
<h2>Parameters</h2>
<table><tr><th>parameter</th><th>prior</th><th>posterior median</th><th>posterior 90%</th><th>pinned down</th></tr>
{par_rows}</table>
{imgs}
</body></html>
"""
