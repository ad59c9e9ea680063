"""Same budget, different reach: door-to-door citywide, door-to-door tailored to
the highest-barrier neighbourhoods, and community liaisons there, in a diverse
city, under two regimes: a communication barrier, and enforcement fear.

Then what local knowledge does (the barrier regime): community meetings, and
meetings sharing the budget with problem-solving, each with attendees telling the
police of unrecorded crime near their homes (the default) and without it
(policy.community_meetings.information_share = 0), against reactive policing.

    python experiments/diverse_communities/run.py [--replicates 10] [--days 730] [--out results/diverse_communities]
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from coprod_sim.compare import run_comparison, write_comparison
from coprod_sim.config import load_config, with_overrides
from coprod_sim.experiment_cli import experiment_folder, experiment_parser

SCENARIO = "configs/scenarios/diverse_city.toml"
HIGH = [15, 16, 17, 18, 19]
STRATEGIES = {
    "reactive": {},
    "door_to_door_citywide": {"policy.name": "door_to_door"},
    # the same five neighbourhoods in both regimes (with the barrier they are also
    # what target = "highest_barrier" picks)
    "door_to_door_tailored": {"policy.name": "door_to_door", "policy.door_to_door.neighbourhoods": HIGH},
    "liaison": {"policy.name": "liaison", "policy.liaison.target": "listed", "policy.liaison.neighbourhoods": HIGH},
}
REGIMES = {
    # the barrier of diverse_city.toml
    "barrier": {},
    # no barrier, but fear of enforcement among minority residents of the same neighbourhoods, all run long
    "enforcement_fear": {
        "barriers.neighbourhood": 0.0,
        "events": [
            {
                "day": 0,
                "kind": "enforcement_fear",
                "groups": ["minority"],
                "neighbourhoods": HIGH,
                "reporting_cost": 1.0,
                "participation_cost": 1.0,
                "duration_days": 36500,
            }
        ],
    },
}
#: meetings with and without what attendees tell (the barrier regime); each strategy has 20% of
#: discretionary hours, the pair 40% (20% each)
NO_TELLING = {"policy.community_meetings.information_share": 0.0}
MEETINGS_AND_PROBLEMS = {
    "policy.name": "split",
    "policy.split.first": "community_meetings",
    "policy.split.second": "problem_oriented",
    "policy.split.total": 0.4,
    "policy.split.share_first": 0.5,
}
LOCAL_KNOWLEDGE = {
    "reactive": {},
    "meetings": {"policy.name": "community_meetings"},
    "meetings_no_telling": {"policy.name": "community_meetings", **NO_TELLING},
    "meetings_problem_solving": MEETINGS_AND_PROBLEMS,
    "meetings_problem_solving_no_telling": {**MEETINGS_AND_PROBLEMS, **NO_TELLING},
}
SHOW = [
    "crimes",
    "mean_trust",
    "trust_gap",
    "reporting_gap",
    "mean_trust_high_barrier",
    "mean_trust_other",
    "reporting_rate_high_barrier",
    "reporting_rate_other",
    "police_top5pct_true_share",
    "true_top5pct_share",
    "participation_rate",
    "collective_efficacy",
    "crimes_cleared",
]


def main() -> int:
    ap = experiment_parser(__doc__, replicates=10, out="results/diverse_communities", days=730)
    args = ap.parse_args()
    with experiment_folder(args) as out:
        base = load_config(SCENARIO)
        rows = []
        studies = [(regime, changes, STRATEGIES) for regime, changes in REGIMES.items()]
        studies.append(("local_knowledge", REGIMES["barrier"], LOCAL_KNOWLEDGE))
        for regime, regime_changes, strategies in studies:
            configs = {
                name: with_overrides(base, {**regime_changes, **changes}) for name, changes in strategies.items()
            }
            results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days)
            # both regimes report the same five neighbourhoods against the rest
            table = write_comparison(
                out / regime, configs, results, command=" ".join(sys.argv), high_barrier=np.array(HIGH)
            )
            city = table[
                (table["period"] == "all")
                & table["group"].isna()
                & table["neighbourhood"].isna()
                & table["metric"].isin(SHOW)
            ]
            for _, r in city.iterrows():
                rows.append(
                    {
                        "regime": regime,
                        "strategy": r["policy"],
                        "metric": r["metric"],
                        "baseline": r["baseline_mean"],
                        "diff": r["diff"],
                        "low": r["diff_low"],
                        "high": r["diff_high"],
                    }
                )
            grp = table[
                (table["period"] == "all")
                & table["group"].notna()
                & table["metric"].isin(["mean_trust", "reporting_rate"])
            ]
            for _, r in grp.iterrows():
                rows.append(
                    {
                        "regime": regime,
                        "strategy": r["policy"],
                        "metric": f"{r['metric']}_{r['group']}",
                        "baseline": r["baseline_mean"],
                        "diff": r["diff"],
                        "low": r["diff_low"],
                        "high": r["diff_high"],
                    }
                )
        df = pd.DataFrame(rows)
        df.to_csv(out / "headline.csv", index=False)
        with pd.option_context("display.width", 200, "display.max_rows", 200):
            print(
                df.pivot_table(index=["regime", "metric"], columns="strategy", values="diff").to_string(
                    float_format=lambda x: f"{x:+.4f}"
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
