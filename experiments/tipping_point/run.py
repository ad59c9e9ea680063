"""Is there a low-trust trap, and hysteresis?

After burn-in, every resident's trust is shocked up or down by 0.2 (a high and a
low start) while the long-run anchors stay as they are; the city then runs for
many years. Sweeps: police capacity (population.officers_per_1000), and the size
of the shock. A trap shows as branches that stay apart for the same parameters
(the start decides the end); without one they converge back together.

Run for two parameterisations: the calibrated defaults, and a "strong loop"
variant in which victimisation, collective efficacy and crime feed back much
more strongly (to see whether a trap needs a stronger loop than the defaults).

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
from coprod_sim.parallel import run_tasks
from coprod_sim.streams import replicate_seed

BASE = {
    "population.residents": 5000,
    "population.neighbourhoods": 10,
    "output.neighbourhood_metrics": False,
    "output.agent_views_max_residents": 0,
}
VARIANTS = {
    "default": {},
    "strong_loop": {
        "trust.victimization_effect": 0.15,
        "trust.clearance_effect": 0.1,
        "crime.efficacy_coef": 3.0,
        "efficacy.crime_erosion": 0.02,
        "reporting.norm_coef": 3.0,
        "coproduction.participation_trust_coef": 4.0,
    },
}
START_SHIFT = 0.2  # high start: trust + 0.2, low start: - 0.2 (anchors unchanged)


def task(args) -> dict:
    variant, sweep, value, start, shift, replicate, days, seed = args
    changes = dict(VARIANTS[variant])
    if sweep == "capacity":
        changes["population.officers_per_1000"] = value
    config = load_config(overrides={**BASE, **changes})
    m = CoProductionModel(config, rng=replicate_seed(seed, replicate))
    m.trust[:] = np.clip(m.trust + shift, 0.0, 1.0)
    m.run(days)
    ts = m.timeseries()
    ts["year"] = ts["day"] // 365
    yearly = ts.groupby("year").agg(
        mean_trust=("mean_trust", "mean"),
        crimes=("crimes", "sum"),
        reported=("crimes_reported", "sum"),
        efficacy=("collective_efficacy", "mean"),
    )
    last = yearly.iloc[-1]
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
        "trust_by_year": yearly["mean_trust"].round(4).tolist(),
    }


def main() -> int:
    ap = experiment_parser(__doc__, replicates=2, out="results/tipping_point", days=None)
    ap.add_argument("--years", type=int, default=10)
    args = ap.parse_args()
    with experiment_folder(args) as out:
        days = 365 * args.years
        tasks = []
        for variant in VARIANTS:
            for value in [0.5, 1.0, 2.2, 4.0]:
                for start, shift in (("high", START_SHIFT), ("low", -START_SHIFT)):
                    tasks += [
                        (variant, "capacity", value, start, shift, r, days, args.seed) for r in range(args.replicates)
                    ]
            for shift in [-0.4, -0.2, 0.0, 0.2]:
                tasks += [(variant, "shock", shift, "shock", shift, r, days, args.seed) for r in range(args.replicates)]
        rows = run_tasks(task, tasks, desc="runs")
        df = pd.DataFrame(rows)
        df.drop(columns="trust_by_year").to_csv(out / "results.csv", index=False)
        df.to_json(out / "results.json", orient="records", indent=1)
        for variant in VARIANTS:
            d = df[df["variant"] == variant]
            plot(d, out, args.years, variant)
            cap = d[d["sweep"] == "capacity"].groupby(["value", "start"])["final_trust"].mean().unstack()
            cap["high_minus_low"] = cap["high"] - cap["low"]
            print(f"[{variant}] final-year mean trust by capacity (officers per 1,000) and start:")
            print(cap.to_string(float_format=lambda x: f"{x:.4f}"))
            shock = (
                d[d["sweep"] == "shock"]
                .groupby("value")[["final_trust", "final_crimes_per_1000", "final_efficacy"]]
                .mean()
            )
            print(f"[{variant}] final-year outcomes by size of the day-0 trust shock:")
            print(shock.to_string(float_format=lambda x: f"{x:.4f}"))
            high = d[(d.sweep == "capacity") & (d.start == "high")].sort_values(["value", "replicate"])["trust_by_year"]
            low = d[(d.sweep == "capacity") & (d.start == "low")].sort_values(["value", "replicate"])["trust_by_year"]
            gap = np.mean([np.subtract(h, lo) for h, lo in zip(high, low, strict=True)], axis=0)
            print(f"[{variant}] high-minus-low trust gap by year:", " ".join(f"{x:.3f}" for x in gap))
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
