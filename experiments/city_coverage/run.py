"""Does a city calibration's 90% posterior interval cover the truth? The synthetic-city
check of docs/calibration.md at full size: several synthetic cities, each the profile's city
(its neighbourhoods, groups, officers and sample scale) with known parameter values drawn
from the priors, its targets simulated at those values (one observed city-year), calibrated
with the profile's default priors and a stated budget. Reports per city and parameter whether
the weighted 90% interval covers the truth, with each posterior's effective sample size and
time, and the coverage per parameter over the cities.

    python experiments/city_coverage/run.py [--cities 4] [--budget 300] [--workers 2]
        [--profile configs/cities/riverton/profile.toml] [--out results/city_coverage]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from coprod_sim.cities.calibrate import calibrate
from coprod_sim.cities.engine import population_size
from coprod_sim.cities.priors import calibration_priors, prior_rv
from coprod_sim.cities.profile import city_config, load_profile
from coprod_sim.cities.synthetic import coverage, synthetic_profile
from coprod_sim.experiment_cli import experiment_folder

# Truths are drawn between these quantiles of each prior: a truth at a prior's edge cannot be covered by a
# posterior that never leaves the prior, which says nothing about the calibration.
TRUTH_QUANTILES = (0.1, 0.9)


def draw_truth(priors: dict, seed: int) -> dict[str, float]:
    rng = np.random.default_rng([seed, 15])
    return {p: float(prior_rv(pr).ppf(rng.uniform(*TRUTH_QUANTILES))) for p, pr in priors.items()}


def synthetic_city(profile_path: Path, seed: int, folder: Path) -> tuple[Path, dict[str, float]]:
    """A profile with targets simulated at a truth drawn for `seed`; its priors are the original
    profile's, written out so that they do not move with the simulated targets."""
    profile = load_profile(profile_path)
    priors = calibration_priors(profile, city_config(profile))
    truth = draw_truth(priors, seed)
    data = synthetic_profile(profile, truth, seed=seed)
    data["calibration"]["parameters"] = list(priors)
    data["calibration"]["priors"] = {p: pr.model_dump(exclude_defaults=True) for p, pr in priors.items()}
    path = folder / f"city-{seed}.toml"
    path.write_text(tomli_w.dumps(data))
    return path, truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="configs/cities/riverton/profile.toml", help="the city whose shape is kept")
    ap.add_argument("--cities", type=int, default=4, help="synthetic cities, seeds 1..N (default 4)")
    ap.add_argument("--budget", type=int, default=300, help="simulations per calibration (default 300)")
    ap.add_argument("--workers", type=int, default=2, help="local processes per calibration (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="added to each city's seed (default 0)")
    ap.add_argument("--out", default="results/city_coverage", help="output folder (default results/city_coverage)")
    ap.add_argument("--force", action="store_true", help="replace this tool's earlier output in --out")
    args = ap.parse_args()
    if args.cities < 1 or args.budget < 1 or args.workers < 1:
        raise SystemExit("error: --cities, --budget and --workers need at least 1")
    needed = 2 * population_size(args.budget)
    if args.budget < needed:
        raise SystemExit(f"error: --budget {args.budget}: generation 0 needs at least {needed} simulations")
    rows, runs = [], []
    with experiment_folder(args) as folder:
        for k in range(1, args.cities + 1):
            seed = args.seed + k
            t0 = time.perf_counter()
            path, truth = synthetic_city(Path(args.profile), seed, folder)
            run = calibrate(path, folder / f"city-{seed}", budget=args.budget, seed=seed, workers=args.workers)
            seconds = time.perf_counter() - t0
            posterior = pd.read_parquet(folder / f"city-{seed}" / "posterior.parquet")
            s = run.summary
            runs.append(
                {"city": seed, "seconds": round(seconds), "simulations": s["simulations"]}
                | {"generations": s["generations"], "population": s["population"], "ess": round(s["ess"], 1)}
            )
            print(f"city {seed}: {seconds:.0f} s, {s['simulations']} simulations, ESS {s['ess']:.1f}", flush=True)
            for c in coverage(posterior, truth):
                print("  " + c.line(), flush=True)
                rows.append({"city": seed, "parameter": c.parameter, "truth": c.truth, "low": c.low, "high": c.high})
                rows[-1]["covered"] = c.covered
        table, summary = pd.DataFrame(rows), pd.DataFrame(runs)
        table.to_csv(folder / "coverage.csv", index=False)
        summary.to_csv(folder / "runs.csv", index=False)
        (folder / "coverage.md").write_text(markdown(table, summary, args))
        print(markdown(table, summary, args))
    print(f"wrote {args.out}/")


def markdown(table: pd.DataFrame, summary: pd.DataFrame, args) -> str:
    lines = ["| parameter | " + " | ".join(f"city {c}" for c in summary["city"]) + " | covered |"]
    lines.append("|---" * (len(summary) + 2) + "|")
    for p, g in table.groupby("parameter", sort=False):
        cells = [
            f"{r.truth:.3g} in {r.low:.3g}-{r.high:.3g}: {'yes' if r.covered else '**no**'}" for r in g.itertuples()
        ]
        lines.append(f"| `{p}` | " + " | ".join(cells) + f" | {int(g['covered'].sum())}/{len(g)} |")
    total = f"{int(table['covered'].sum())}/{len(table)} ({table['covered'].mean():.0%})"
    lines += ["", f"All parameters: {total} of the 90% intervals cover the truth.", ""]
    lines.append("| city | simulations | generations | particles | ESS | seconds |")
    lines.append("|---|---|---|---|---|---|")
    for r in summary.itertuples():
        lines.append(f"| {r.city} | {r.simulations} | {r.generations} | {r.population} | {r.ess} | {r.seconds} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
