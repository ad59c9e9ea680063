"""Regenerate the golden series (tests/test_golden.py) after an *intended* change.

    .venv/bin/python tests/golden/make_golden.py [CASE ...]

Say in the commit message why the numbers changed."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "reactive": {},
    "hot_spots": {"policy.name": "hot_spots"},
    "door_to_door": {"policy.name": "door_to_door"},
    "community_meetings": {"policy.name": "community_meetings"},
}
BASE = {
    "population.residents": 2000,
    "population.neighbourhoods": 5,
    "run.burn_in_days": 30,
    "output.agent_views_max_residents": 0,
}
# Mechanisms added later are switched to their neutral settings, so the golden
# series also prove they are inert there (issue 8: barriers 0, no local knowledge).
NEUTRAL = {"policing.local_knowledge_weight": 0.0}
DAYS = 150
SEED = 12


def run_case(changes: dict):
    from coprod_sim import CoProductionModel, load_config, replicate_seed

    m = CoProductionModel(load_config(overrides={**BASE, **NEUTRAL, **changes}), rng=replicate_seed(SEED, 0))
    m.run(DAYS)
    return m.timeseries()


if __name__ == "__main__":
    only = sys.argv[1:] or list(CASES)  # regenerate only the named cases
    for name, changes in CASES.items():
        if name not in only:
            continue
        run_case(changes).to_parquet(HERE / f"{name}.parquet", index=False)
        print(f"wrote {HERE / name}.parquet")
