"""Regenerate the golden series (tests/test_golden.py) after an *intended* change.

    .venv/bin/python tests/golden/make_golden.py

Say in the commit message why the numbers changed."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "reactive": {},
    "hot_spots": {"policy.name": "hot_spots"},
    "door_to_door": {"policy.name": "door_to_door"},
    "community_meetings": {"policy.name": "community_meetings"},
}
BASE = {"population.residents": 2000, "population.neighbourhoods": 5, "run.burn_in_days": 30, "output.agent_views_max_residents": 0}
DAYS = 150
SEED = 12


def run_case(changes: dict):
    from coprod_sim import CoProductionModel, load_config, replicate_seed

    m = CoProductionModel(load_config(overrides={**BASE, **changes}), rng=replicate_seed(SEED, 0))
    m.run(DAYS)
    return m.timeseries()


if __name__ == "__main__":
    for name, changes in CASES.items():
        run_case(changes).to_parquet(HERE / f"{name}.parquet", index=False)
        print(f"wrote {HERE / name}.parquet")
