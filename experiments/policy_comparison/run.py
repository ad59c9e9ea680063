"""Which engagement strategy does most for crime, reporting and trust, for the
same officer hours? Every policy against the reactive baseline, paired replicates.

    python experiments/policy_comparison/run.py [--replicates 20] [--days 730] [--out results/policy_comparison]
"""

from __future__ import annotations

import sys
import time

from coprod_sim.compare import policy_configs, run_comparison, write_comparison
from coprod_sim.config import POLICY_NAMES, load_config
from coprod_sim.experiment_cli import experiment_folder, experiment_parser


def main() -> int:
    ap = experiment_parser(__doc__, replicates=20, out="results/policy_comparison", days=730)
    ap.add_argument("--config", default="configs/baseline.toml")
    args = ap.parse_args()
    with experiment_folder(args) as out:
        configs = policy_configs(load_config(args.config), list(POLICY_NAMES), "reactive")
        t0 = time.perf_counter()
        results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days)
        table = write_comparison(out, configs, results, command=" ".join(sys.argv))
        size = f"{len(configs)} strategies x {args.replicates} replicates x {args.days} days"
        print(f"{size} in {time.perf_counter() - t0:.0f} s -> {args.out}/report.html")
        city = table[(table["period"] == "all") & table["group"].isna() & table["neighbourhood"].isna()]
        show = [
            "crimes",
            "reporting_rate",
            "mean_trust",
            "trust_gap",
            "collective_efficacy",
            "crimes_averted_per_1000_policy_hours",
        ]
        wide = city[city["metric"].isin(show)].pivot(index="policy", columns="metric", values="diff")
        rel = city[city["metric"] == "crimes"].set_index("policy")["rel_diff"].rename("crimes_rel")
        summary = wide.join(rel)[["crimes_rel"] + [m for m in show if m in wide]]
        summary.to_csv(out / "headline.csv")
        print(summary.to_string(float_format=lambda x: f"{x:+.4f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
