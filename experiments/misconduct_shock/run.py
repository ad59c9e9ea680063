"""How far and how fast does trust fall after a publicized misconduct incident,
and how long does recovery take? The misconduct_shock preset against the same
city without it (paired seeds).

    python experiments/misconduct_shock/run.py [--replicates 10] [--days 1095] [--out results/misconduct_shock]
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from matplotlib.figure import Figure

from coprod_sim.compare import run_comparison, write_comparison
from coprod_sim.config import load_config
from coprod_sim.experiment_cli import experiment_folder, experiment_parser


def recovery(diff: pd.Series, event_day: int) -> dict:
    """Trough of the paired difference after the event and when half of it is regained."""
    after = diff[diff.index >= event_day]
    trough_day = int(after.idxmin())
    trough = float(after.min())
    later = after[after.index > trough_day]
    half = later[later >= trough / 2]
    return {
        "trough": trough,
        "trough_day": trough_day,
        "half_recovered_day": int(half.index[0]) if len(half) else None,
        "at_end": float(after.iloc[-1]),
    }


def rolling_ratio(ts: pd.DataFrame, num: str, den: str) -> pd.Series:
    """Ratio of two counts, each summed over a 90-day window (at least 30 days)."""
    t = ts.set_index("day")
    return t[num].rolling(90, min_periods=30).sum() / t[den].rolling(90, min_periods=30).sum()


def main() -> int:
    ap = experiment_parser(__doc__, replicates=10, out="results/misconduct_shock", days=1095)
    ap.add_argument("--scenario", default="configs/scenarios/misconduct_shock.toml")
    args = ap.parse_args()
    with experiment_folder(args) as out:
        configs = {"no_incident": load_config(), "misconduct": load_config(args.scenario)}
        event_day = configs["misconduct"].events[0].day
        results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days)
        write_comparison(out, configs, results, command=" ".join(sys.argv))

        metrics = ["mean_trust_minority", "mean_trust_majority", "participation_rate", "collective_efficacy"]
        rates = {"reporting_rate": ("crimes_reported", "crimes")}
        diffs = {}
        for m in metrics:
            paired = [
                p.timeseries.set_index("day")[m] - b.timeseries.set_index("day")[m]
                for b, p in zip(results["no_incident"], results["misconduct"], strict=True)
            ]
            diffs[m] = pd.concat(paired, axis=1).mean(axis=1)
        for m, (num, den) in rates.items():
            paired = [
                rolling_ratio(p.timeseries, num, den) - rolling_ratio(b.timeseries, num, den)
                for b, p in zip(results["no_incident"], results["misconduct"], strict=True)
            ]
            diffs[m] = pd.concat(paired, axis=1).mean(axis=1)
        found = {m: recovery(d, event_day) for m, d in diffs.items()}
        (out / "recovery.json").write_text(json.dumps(found, indent=2))
        pd.DataFrame(diffs).to_parquet(out / "paired_differences.parquet")

        fig = Figure(figsize=(10, 6), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True)
        for m in ("mean_trust_minority", "mean_trust_majority"):
            axes[0].plot(diffs[m].index, diffs[m].values, label=m)
        axes[0].set(ylabel="trust, incident - no incident", title="Paired effect of the incident (replicate mean)")
        for m in ("reporting_rate", "participation_rate"):
            axes[1].plot(diffs[m].index, diffs[m].values, label=m + (" (90-day)" if m == "reporting_rate" else ""))
        axes[1].set(xlabel="day", ylabel="difference")
        for ax in axes:
            ax.axvline(event_day, color="red", lw=0.8, ls="--")
            ax.axhline(0, color="grey", lw=0.6)
            ax.legend()
            ax.grid(alpha=0.3)
        fig.savefig(out / "figures" / "recovery.png", dpi=110)
        for m, r in found.items():
            half = f"half recovered by day {r['half_recovered_day']}"
            print(f"{m:>22}: trough {r['trough']:+.4f} on day {r['trough_day']}, {half}, at end {r['at_end']:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
