"""Write a new policy in a few lines, and compare it with the built-in ones.

A "bike patrol": officers on bicycles are visible (deterrence) and chat with
residents (routine contacts that rarely go badly), covering more ground than
foot patrol. Run:

    python experiments/custom_policy.py [--replicates 6] [--days 365] [--out results/custom_policy]
"""

from __future__ import annotations

import sys

import numpy as np

from coprod_sim.compare import policy_configs, run_comparison, write_comparison
from coprod_sim.config import load_config
from coprod_sim.experiment_cli import experiment_folder, experiment_parser
from coprod_sim.policies import Policy, register


@register
class BikePatrol(Policy):
    name = "bike_patrol"
    activity = "bike_patrol"
    default_share = 0.2  # share of discretionary hours when it runs alone

    visibility = 1.3  # a bike hour deters a bit more than a car-patrol hour (more ground, seen more)
    chats_per_hour = 0.8
    bad_multiplier = 0.3  # chats go badly less often than routine contacts

    def act(self, hours_by_beat: np.ndarray) -> np.ndarray:
        # Only the public interface (coprod_sim.model_api.ModelAPI; docs/ODD.md,
        # "What a policy or event may touch") and the policy's own stream, self.rng,
        # so the other submodels' draws are untouched (common random numbers).
        m = self.model
        m.add_presence(hours_by_beat * self.visibility)
        counts = self.rng.poisson(hours_by_beat * self.chats_per_hour)
        beats = np.repeat(np.arange(len(counts)), counts)
        if len(beats) and len(m.officer_beat):
            residents = m.random_residents(self.rng, beats)
            officers = m.random_officers(self.rng, beats)
            p_bad = m.contact_bad_probability(officers, residents, multiplier=self.bad_multiplier)
            m.record_contacts(residents, self.rng.random(len(residents)) < p_bad)
        return hours_by_beat


def main() -> int:
    ap = experiment_parser(__doc__, replicates=6, out="results/custom_policy", days=365)
    args = ap.parse_args()
    with experiment_folder(args) as out:
        configs = policy_configs(load_config(), ["reactive", "foot_patrol", "bike_patrol"], "reactive")
        # workers=1: the policy is defined in this script's __main__, which spawned workers do not import
        results = run_comparison(configs, seed=args.seed, replicates=args.replicates, days=args.days, workers=1)
        table = write_comparison(out, configs, results, command=" ".join(sys.argv))
        city = table[
            (table["period"] == "all")
            & table["group"].isna()
            & table["neighbourhood"].isna()
            & table["metric"].isin(["crimes", "mean_trust"])
        ]
        print(city[["policy", "metric", "diff", "diff_low", "diff_high"]].to_string(index=False))
        print(f"report: {args.out}/report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
