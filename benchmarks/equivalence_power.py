"""How small a discrepancy does tests/test_equivalence.py catch?

Runs the equivalence comparison with one rule of the *reference* deliberately
changed (the core untouched) and prints the z-scores of the paired differences;
|z| > 3 fails the test. Takes a few minutes: `python benchmarks/equivalence_power.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.reference import ReferenceModel  # noqa: E402
from coprod_sim.model import CoProductionModel  # noqa: E402
from test_equivalence import METRICS, SCENARIOS, paired_comparison, run_all  # noqa: E402

MUTATIONS = {
    "none (as tested)": {},
    "base crime rates +10%": {"crime.violent_per_1000_per_year": 1.1, "crime.property_per_1000_per_year": 1.1},
    "reporting trust_coef 1.0 -> 0.7": {"reporting.trust_coef": 0.7},
    "no vicarious contact effects": {"trust.vicarious_fraction": 0.0},
    "good-contact effect x2": {"trust.positive_contact_effect": 2.0},
    "bad-contact effect x0.7": {"trust.negative_contact_effect": 0.7},
    "no victim experience": {"trust.victimization_effect": 0.0, "trust.clearance_effect": 0.0},
    "stops per patrol hour x0.8": {"policing.stops_per_patrol_hour": 0.8},
}


def mutated(overrides: dict, mutation: dict) -> dict:
    """Multiply (factor) each mutated parameter's value in `overrides` or its default."""
    from coprod_sim.config import load_config

    cfg = load_config(overrides=overrides)
    out = dict(overrides)
    for path, factor in mutation.items():
        section, key = path.split(".")
        out[path] = getattr(getattr(cfg, section), key) * factor
    return out


def main() -> None:
    rows = []
    for scenario, overrides in SCENARIOS.items():
        core = run_all(CoProductionModel, overrides)
        for name, mutation in MUTATIONS.items():
            result = paired_comparison(core, run_all(ReferenceModel, mutated(overrides, mutation)))
            z = [result[m][2] / result[m][3] for m in METRICS]
            caught = "yes" if max(abs(x) for x in z) > 3 else "no"
            rows.append(f"| {scenario} | {name} | " + " | ".join(f"{x:+.1f}" for x in z) + f" | {caught} |")
            print(rows[-1], flush=True)
    print("\n| scenario | reference changed | " + " | ".join(f"z {m}" for m in METRICS) + " | caught |")
    print("|---" * (len(METRICS) + 3) + "|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
