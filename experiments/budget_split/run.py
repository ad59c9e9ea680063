"""Under a fixed officer-hours budget, how does the share given to door-to-door
versus hot spots change crime, minority confidence and the trust gap?

The budget_split preset (30% of discretionary hours to the two policies) at
door-to-door shares 0, 0.25, 0.5, 0.75 and 1 (`policy.split.share_first`),
each against the reactive baseline on paired seeds.

    python experiments/budget_split/run.py [--replicates 10] [--days 730] [--out results/budget_split]
"""

from __future__ import annotations

import sys

import pandas as pd

from coprod_sim.compare import run_comparison, write_comparison
from coprod_sim.config import load_config, with_overrides
from coprod_sim.experiment_cli import experiment_folder, experiment_parser

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
ROWS = {  # metric, group -> how to show the paired difference
    ("crimes", None): "crime, % of baseline",
    ("confidence_share", "minority"): "minority confidence, pp",
    ("confidence_share", None): "confidence, pp",
    ("trust_gap", None): "trust gap (0-1 scale)",
    ("reporting_rate", None): "reporting rate, pp",
}


def main() -> int:
    ap = experiment_parser(__doc__, replicates=10, out="results/budget_split", days=730)
    ap.add_argument("--preset", default="configs/scenarios/budget_split.toml")
    args = ap.parse_args()
    split = load_config(args.preset)
    configs = {"reactive": with_overrides(split, {"policy.name": "reactive"})}
    for share in SHARES:
        configs[f"door_to_door_{share:g}"] = with_overrides(split, {"policy.split.share_first": share})
    with experiment_folder(args) as out:
        results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days)
        table = write_comparison(out, configs, results, command=" ".join(sys.argv))
        rows = []
        for (metric, group), label in ROWS.items():
            sel = table[(table["metric"] == metric) & (table["period"] == "all") & table["neighbourhood"].isna()]
            sel = sel[sel["group"].isna()] if group is None else sel[sel["group"] == group]
            for r in sel.itertuples():
                scale = (
                    100.0 / r.baseline_mean if label.endswith("% of baseline") else (100.0 if "pp" in label else 1.0)
                )
                rows.append(
                    {
                        "outcome": label,
                        "door_to_door_share": float(r.policy.rsplit("_", 1)[1]),
                        "diff": r.diff * scale,
                        "low": r.diff_low * scale,
                        "high": r.diff_high * scale,
                    }
                )
        summary = pd.DataFrame(rows).sort_values(["outcome", "door_to_door_share"])
        summary.to_csv(out / "split.csv", index=False)
    print(summary.to_string(index=False, float_format=lambda x: f"{x:+.3g}"))
    print(f"wrote {args.out}/ (report.html, split.csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
