"""Is there a low-trust trap, and hysteresis?

After burn-in the city is moved to a high or a low start: every resident's trust
AND slow anchor are shifted up or down by 0.2 (a city that has lived at that level
for years), while the socialised priors the anchors return to stay as they are (the
cause is gone). The city then runs for many years. Sweeps: police capacity
(population.officers_per_1000) from both starts, and the size of the shift. A trap
shows as branches that stay apart, or move further apart, for the same parameters
(the start decides the end); without one they converge. How fast the high-low gap
closes measures the loop's gain (docs/ODD.md 4.12): with the prior pull alone it
closes with time constant trust.prior_pull_years; a reinforcing loop slows that
(tau_P / (1 - G)), and a gain G near 1 would stop it. Each run also counts the
neighbourhood-days whose collective efficacy has collapsed (below 0.1), the sign of
a trap in the crime - collective efficacy loop rather than in trust.

Parameterisations (VARIANTS): the calibrated defaults; a "strong loop" with every
reinforcing link of the trust -> reporting -> certainty -> crime -> victimisation ->
trust loop and of collective efficacy at or beyond the top of its sweep range; and
the strong loop with the slow time scale stretched (anchors that follow experience
within a year, a prior pull of 20 years) or with no prior pull at all.

    python experiments/tipping_point/run.py [--years 10] [--replicates 2] [--out results/tipping_point]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coprod_sim.config import load_config
from coprod_sim.experiment_cli import experiment_folder, experiment_parser
from coprod_sim.model import CoProductionModel
from coprod_sim.parallel import default_workers, run_tasks
from coprod_sim.streams import replicate_seed

BASE = {
    "population.residents": 5000,
    "population.neighbourhoods": 10,
    "output.neighbourhood_metrics": True,
    "output.agent_views_max_residents": 0,
}
STRONG_LOOP = {
    "trust.victimization_effect": 0.15,
    "trust.clearance_effect": 0.1,
    "crime.certainty_elasticity": 0.5,
    "reporting.trust_coef": 2.5,
    "reporting.norm_coef": 3.0,
    "crime.efficacy_coef": 3.0,
    "efficacy.crime_erosion": 0.02,
    "coproduction.participation_trust_coef": 4.0,
}
VARIANTS = {
    "default": {},
    "strong_loop": STRONG_LOOP,
    "strong_loop_slow_prior": {**STRONG_LOOP, "trust.anchor_drift_years": 1.0, "trust.prior_pull_years": 20.0},
    "strong_loop_no_prior": {**STRONG_LOOP, "trust.anchor_drift_years": 1.0, "trust.prior_pull_years": 0.0},
}
START_SHIFT = 0.2  # high start: trust and anchors + 0.2, low start: - 0.2 (priors unchanged)
CAPACITIES = [0.5, 1.0, 2.2, 4.0]
SHIFTS = [-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2]
COLLAPSED = 0.1  # a neighbourhood whose collective efficacy is below this has lost informal social control


def task(args) -> dict:
    variant, sweep, value, start, shift, replicate, days, seed = args
    changes = dict(VARIANTS[variant])
    if sweep == "capacity":
        changes["population.officers_per_1000"] = value
    config = load_config(overrides={**BASE, **changes})
    m = CoProductionModel(config, rng=replicate_seed(seed, replicate))
    for values in (m.trust, m.anchor):
        np.clip(values + shift, 0.0, 1.0, out=values)
    m.run(days)
    ts = m.timeseries()
    ts["year"] = ts["day"] // 365
    yearly = ts.groupby("year").agg(
        mean_trust=("mean_trust", "mean"),
        crimes=("crimes", "sum"),
        reported=("crimes_reported", "sum"),
        efficacy=("collective_efficacy", "mean"),
        certainty=("perceived_certainty", "mean"),
        committed=("committed_time_share", "mean"),
    )
    last = yearly.iloc[-1]
    nb = m.neighbourhood_table()
    collapsed = nb["collective_efficacy"] < COLLAPSED
    return {
        "variant": variant,
        "sweep": sweep,
        "value": value,
        "start": start,
        "replicate": replicate,
        "final_trust": last["mean_trust"],
        "final_crimes_per_1000": last["crimes"] / m.pop.n * 1000,
        "final_reporting_rate": last["reported"] / max(last["crimes"], 1),
        "final_efficacy": last["efficacy"],
        "final_certainty": last["certainty"],
        "final_committed_time_share": last["committed"],
        # share of neighbourhood-days with collapsed efficacy: over the whole run, and in the final year
        "collapsed_share": collapsed.mean(),
        "final_collapsed_share": collapsed[nb["day"] >= days - 365].mean(),
        "trust_by_year": yearly["mean_trust"].round(5).tolist(),
    }


def gaps(df: pd.DataFrame) -> pd.DataFrame:
    """High-minus-low trust gap by year for each capacity and replicate, and how fast
    it closes: the slope of log(gap) over the years after the first (per year;
    negative = converging, -1 / slope its time constant)."""
    cap = df[df["sweep"] == "capacity"].set_index(["variant", "value", "replicate", "start"])["trust_by_year"]
    rows = []
    for (variant, value, replicate), pair in cap.groupby(level=[0, 1, 2]):
        by_start = pair.droplevel([0, 1, 2])
        gap = np.subtract(by_start["high"], by_start["low"])
        years = np.arange(len(gap))
        later = (years >= 1) & (gap > 0)
        slope = np.polyfit(years[later], np.log(gap[later]), 1)[0] if later.sum() >= 2 else np.nan
        rows.append(
            {
                "variant": variant,
                "value": value,
                "replicate": replicate,
                "gap_year_1": gap[0],
                "gap_final": gap[-1],
                "log_gap_slope_per_year": slope,
                "gap_by_year": gap.round(5).tolist(),
            }
        )
    return pd.DataFrame(rows)


def main() -> int:
    ap = experiment_parser(__doc__, replicates=2, out="results/tipping_point", days=None)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    args = ap.parse_args()
    with experiment_folder(args) as out:
        days = 365 * args.years
        tasks = []
        for variant in VARIANTS:
            for value in CAPACITIES:
                for start, shift in (("high", START_SHIFT), ("low", -START_SHIFT)):
                    tasks += [
                        (variant, "capacity", value, start, shift, r, days, args.seed) for r in range(args.replicates)
                    ]
            for shift in SHIFTS:
                tasks += [(variant, "shock", shift, "shock", shift, r, days, args.seed) for r in range(args.replicates)]
        rows = run_tasks(task, tasks, workers=args.workers or default_workers(len(tasks)), desc="runs")
        df = pd.DataFrame(rows)
        df.drop(columns="trust_by_year").to_csv(out / "results.csv", index=False)
        df.to_json(out / "results.json", orient="records", indent=1)
        closing = gaps(df)
        closing.drop(columns="gap_by_year").to_csv(out / "gaps.csv", index=False)
        for variant in VARIANTS:
            d = df[df["variant"] == variant]
            plot(d, out, args.years, variant)
            cap = d[d["sweep"] == "capacity"].groupby(["value", "start"])["final_trust"].mean().unstack()
            cap["high_minus_low"] = cap["high"] - cap["low"]
            print(f"[{variant}] final-year mean trust by capacity (officers per 1,000) and start:")
            print(cap.to_string(float_format=lambda x: f"{x:.4f}"))
            outcomes = [
                "final_trust",
                "final_crimes_per_1000",
                "final_reporting_rate",
                "final_efficacy",
                "final_collapsed_share",
            ]
            shock = d[d["sweep"] == "shock"].groupby("value")[outcomes].mean()
            print(f"[{variant}] final-year outcomes by size of the day-0 shift of trust and anchors:")
            print(shock.to_string(float_format=lambda x: f"{x:.4f}"))
            g = closing[closing["variant"] == variant]
            print(
                f"[{variant}] high-minus-low trust gap by year:",
                " ".join(f"{x:.3f}" for x in np.mean(g["gap_by_year"].tolist(), axis=0)),
            )
            slope = g["log_gap_slope_per_year"]
            print(
                f"[{variant}] slope of log(gap) per year: mean {slope.mean():+.3f} (min {slope.min():+.3f}, "
                f"max {slope.max():+.3f})"
            )
    return 0


def plot(df: pd.DataFrame, out: Path, years: int, variant: str) -> None:
    (out / "figures").mkdir(exist_ok=True)
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    cap = df[df["sweep"] == "capacity"]
    for start, d in cap.groupby("start"):
        g = d.groupby("value")["final_trust"].mean()
        ax1.plot(g.index, g.values, "o-", label=f"{start}-trust start")
    ax1.set(
        xlabel="officers per 1,000 residents",
        ylabel=f"mean trust in year {years}",
        title=f"Capacity sweep from two starts ({variant})",
    )
    ax1.legend()
    ax1.grid(alpha=0.3)
    for _, r in cap[cap["replicate"] == 0].iterrows():
        ax2.plot(
            range(1, len(r["trust_by_year"]) + 1),
            r["trust_by_year"],
            color="C0" if r["start"] == "high" else "C1",
            alpha=0.6,
        )
    ax2.set(xlabel="year", ylabel="mean trust", title="Trajectories (blue: high start, orange: low start)")
    ax2.grid(alpha=0.3)
    fig.savefig(out / "figures" / f"tipping_point_{variant}.png", dpi=110)


if __name__ == "__main__":
    sys.exit(main())
